"""The demo county's referral history (referrals.csv): 36 months of the flows of `planner.demo.flows`.

Each flow's referrals for a place arrive at its yearly rate (the demo's own waiting list is a
snapshot of the same flows, `planner.demo.waiting`, so stock and flow agree), with a trend and
seasonality; referrals that end with family, staying put or custody
(`planner.forecast.history.NOT_PLACE_DEMAND`) come on top. A referral is made ahead of the date the
place is needed by the lead times of `planner.demo.waiting.LEAD`, and a place is taken on that
date (three in ten a few weeks later); crises (B&B, emergency, no fixed abode) are placed at once.
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.vocab import RISKS, SUPPORT_LEVELS, SUPPORT_RANK
from planner.demo.calibration import Calibration
from planner.demo.cohort import choose, council_figures, district_weights, support_needs
from planner.demo.waiting import LEAD, SLIP_DAYS, SLIP_SHARE

MONTHS_OF_HISTORY: Final = 36
TREND_PER_YEAR: Final = 0.05  # assumption
# Month-of-year factors (Jan..Dec), peaking at school-year ends, for all but the moves at 18, which
# follow birthdays. Assumption.
SEASON: Final = np.array([0.9, 0.9, 0.95, 0.95, 1.0, 1.05, 1.3, 1.35, 1.3, 0.95, 0.9, 0.85])
SEASON_NORM: Final = SEASON / SEASON.mean()
P_RE_REFERRAL: Final = 0.3  # share of move-ons that are a known care leaver moving on again
# Where referrals for a place ended (SSDA903 ACCOM), by flow; assumptions, after the types of place
# of `planner.forecast.published_places`. Unsuitable codes are scaled by the council's DfE
# unsuitable share (19-21) against England's. Under-18s never go to B&B or emergency accommodation.
OUTCOMES: Final = {
    "leaving_care_16_17": {"D1": 0.72, "E1": 0.17, "T1": 0.08, "C1": 0.03},
    "leaving_care_at_18": {"D1": 0.38, "E1": 0.25, "T1": 0.12, "C1": 0.08, "U1": 0.05, "K1": 0.03,
                           "Y1": 0.02, "V2": 0.03, "W2": 0.02, "S2": 0.02},
    "move_on_19_21": {"D1": 0.36, "E1": 0.1, "T1": 0.1, "C1": 0.04, "U1": 0.26, "K1": 0.04, "Y1": 0.03,
                      "W2": 0.03, "V2": 0.02, "S2": 0.015, "D2": 0.005},
    "move_on_22_25": {"D1": 0.24, "E1": 0.05, "T1": 0.08, "U1": 0.44, "K1": 0.08, "Y1": 0.03, "W2": 0.04,
                      "V2": 0.02, "S2": 0.02},
}  # fmt: skip
# Referrals ending with family or custody, per referral for a place of the flow (assumption);
# staying put has its own flow (`Flows.staying_put_per_year`).
NO_PLACE: Final = {
    "leaving_care_16_17": {"B1": 0.05},
    "leaving_care_at_18": {"B1": 0.15, "X2": 0.02},
    "move_on_19_21": {"B1": 0.08, "X2": 0.03},
    "move_on_22_25": {"B1": 0.08, "X2": 0.02},
    "staying_put": {},
}
UNSUITABLE: Final = frozenset({"W2", "V2", "S2", "X2", "D2"})
# Age at referral by flow (years), before the lead time to the move.
AGE_AT_NEED: Final = {"leaving_care_16_17": (16.0, 17.95), "move_on_19_21": (19.0, 21.99),
                      "move_on_22_25": (22.0, 25.9)}  # fmt: skip
# Median length of stay in months by ACCOM letter; lognormal with sigma 0.85, whose coefficient of
# variation is 1, as the exponential's: the simulation and the forecast estimate mean stays as
# exposure over completed stays (the exponential's estimate), which reads a 36-month history of
# less variable stays as longer than they are (with sigma 0.7, semi-independent stays of 15
# months came out at 23).
STAY_MONTHS: Final = {
    "B": 12, "C": 6, "D": 12, "E": 10, "K": 8, "S": 1, "T": 12, "U": 36, "V": 0.5, "W": 0.7,
    "X": 4, "Y": 6, "Z": 24, "R": 6,
}  # fmt: skip
STAY_SIGMA: Final = 0.85
B_AND_B_CAP_DAYS: Final = 42
RISK_RATES: Final = np.array([0.15, 0.06, 0.08, 0.2, 0.03, 0.15, 0.08, 0.02, 0.02, 0.01, 0.02])
GENDER_P: Final = {"M": 0.55, "F": 0.43, "X": 0.02}


def outcome_table(flow: str, unsuitable_ratio: float) -> dict[str, float]:
    """Outcome odds of a referral of the flow: places summing to 1, then family and custody on top."""
    if flow == "staying_put":
        return {"Z1": 1.0}
    place = {k: p * (unsuitable_ratio if k in UNSUITABLE else 1.0) for k, p in OUTCOMES[flow].items()}
    total = sum(place.values())
    return {**{k: v / total for k, v in place.items()}, **NO_PLACE[flow]}


def mean_stay_months(letter: str) -> float:
    """Mean of the lognormal stay in a place of this type."""
    return STAY_MONTHS[letter] * float(np.exp(STAY_SIGMA**2 / 2))


def _month_starts(on: date) -> pd.DatetimeIndex:
    last = pd.Timestamp(on).to_period("M")
    return pd.period_range(last - MONTHS_OF_HISTORY, last, freq="M").to_timestamp()


def generate_referrals(cal: Calibration, *, rng: np.random.Generator, on: date) -> pd.DataFrame:
    """36 months of referrals up to `on` (referrals.csv), sorted by date, at the calibrated flows."""
    council = cal.council
    ratio = council_figures(council.code)["unsuitable_ratio"]
    starts = _month_starts(on)
    today = pd.Timestamp(on)
    years_before = ((today - starts).days / 365.25).to_numpy()
    trend = (1 + TREND_PER_YEAR) ** (-years_before)
    days_in = np.array([(min(s + pd.offsets.MonthBegin(1), today) - s).days for s in starts], dtype=float)
    frac = np.clip(days_in / starts.days_in_month.to_numpy(), 0, 1)
    season = SEASON_NORM[starts.month.to_numpy() - 1]
    # Gamma-Poisson (negative binomial) counts: months vary more than Poisson alone.
    noise = rng.gamma(40, 1 / 40, len(starts))
    rates = {**cal.flows.per_year, "staying_put": cal.flows.staying_put_per_year}
    parts = []
    for flow, per_year in rates.items():
        table = outcome_table(flow, ratio)
        total = per_year * sum(table.values()) / 12 * trend * frac
        seasonal = flow not in ("leaving_care_at_18", "staying_put")
        counts = rng.poisson(total * season * noise if seasonal else total)
        s = np.repeat(starts.to_numpy(), counts)
        span = np.repeat(days_in, counts)
        when = np.asarray(s + pd.to_timedelta(np.floor(rng.random(len(s)) * span), unit="D"))
        parts.append(pd.DataFrame({"referral_date": when, "flow": flow,
                                   "code": choose(rng, table, len(s)).astype(str)}))  # fmt: skip
    df = pd.concat(parts, ignore_index=True).sort_values("referral_date", kind="stable")
    return _attributes(df.reset_index(drop=True), rng=rng, on=today, council=council.district_codes)


def _lead_days(rng: np.random.Generator, flow: str, n: int) -> np.ndarray:
    kind, mean, lo, hi = LEAD[flow]
    return rng.gamma(2.0, mean / 2, n) if kind == "gamma" else rng.uniform(lo, hi, n)


def _attributes(
    df: pd.DataFrame, *, rng: np.random.Generator, on: pd.Timestamp, council: tuple[str, ...]
) -> pd.DataFrame:
    n = len(df)
    flow, code = df["flow"].to_numpy(), df["code"].to_numpy()
    weights = {str(k): float(v) for k, v in district_weights(council).items()}
    letter = np.array([c[0] for c in code])
    stay = np.array([STAY_MONTHS[c] for c in letter]) * np.exp(rng.normal(0, STAY_SIGMA, n)) * 30.44
    stay = np.where(letter == "W", np.minimum(stay, B_AND_B_CAP_DAYS), stay)
    urgent = np.isin(letter, ["W", "V", "S"])
    lead = np.zeros(n)
    for f in np.unique(flow):
        m = flow == f
        lead[m] = _lead_days(rng, str(f), int(m.sum()))
    slip = np.where(rng.random(n) < SLIP_SHARE, rng.exponential(SLIP_DAYS, n), 0.0)
    wait = np.where(urgent, rng.integers(0, 3, n), np.round(lead + slip)).astype(np.int64)
    # Age when the place is needed: 18 for the moves at 18 (the birthday), else within the flow's ages.
    lo = np.array([AGE_AT_NEED.get(str(f), (18.0, 18.0))[0] for f in flow])
    hi = np.array([AGE_AT_NEED.get(str(f), (18.0, 18.0))[1] for f in flow])
    age_at_need = lo + rng.random(n) * (hi - lo)
    person = np.empty(n, dtype=object)
    gender, district = choose(rng, GENDER_P, n), choose(rng, weights, n)
    support = support_needs(rng, letter)
    # Whole days since 1970 keep the sequential bookkeeping below simple and exact.
    ref = df["referral_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    need = ref + np.where(urgent, 0, np.round(lead)).astype(np.int64)
    dob = need - (age_at_need * 365.25).astype(np.int64)
    placed = np.zeros(n, dtype=np.int64)
    left = np.zeros(n, dtype=np.int64)
    moving_on = np.isin(flow, ["move_on_19_21", "move_on_22_25"])
    # Earlier referrals whose placement has ended are candidates for a re-referral (a move on):
    # `pending` is a heap by leaving day, `free` those already gone by the current referral.
    pending: list[tuple[int, int]] = []
    free: list[int] = []
    reuse = rng.random(n) < P_RE_REFERRAL
    pick = rng.random(n)
    next_id = 1
    for i in range(n):
        while pending and pending[0][0] < ref[i]:
            free.append(heapq.heappop(pending)[1])
        chosen = -1
        while moving_on[i] and reuse[i] and free and chosen < 0:
            k = int(pick[i] * len(free))
            j, free[k] = free[k], free[-1]
            free.pop()
            # Too old to come back, or still young enough to count as the move at 18: not reused.
            if 18.25 * 365.25 <= ref[i] - dob[j] < 25 * 365:
                chosen = j
        if chosen >= 0:
            j = chosen
            person[i], dob[i], gender[i], district[i] = person[j], dob[j], gender[j], district[j]
        else:
            person[i] = f"CL-{next_id:05d}"
            next_id += 1
        placed[i] = ref[i] + int(wait[i])
        left[i] = placed[i] + max(int(stay[i]), 1)
        if letter[i] == "Z":  # staying put ends by the 21st birthday
            left[i] = min(left[i], dob[i] + int(21 * 365.25))
        heapq.heappush(pending, (int(left[i]), i))
    now = int(on.to_datetime64().astype("datetime64[D]").astype(np.int64))
    waiting = placed >= now

    def days(values: np.ndarray, keep: np.ndarray) -> pd.Series:
        out = pd.Series(values.astype("datetime64[D]").astype("datetime64[ns]"))
        return out.where(pd.Series(keep))

    risks = rng.random((n, len(RISKS))) < RISK_RATES
    risk_t = [tuple(r for r, hit in zip(RISKS, row, strict=True) if hit) for row in risks]
    exploit = {"criminal_exploitation", "sexual_exploitation", "harm_to_others", "sexual_harm_to_others"}
    female = gender == "F"
    exploited = np.array([bool(exploit & set(t)) for t in risk_t], dtype=bool)
    high_risk = exploited & (rng.random(n) < 0.7)
    # Needs rise with risks, as on the waiting list (`planner.demo.people`): a high-risk referral
    # needs at least high support, two risks or more at least medium.
    rank = np.array([SUPPORT_RANK[str(s)] for s in support])
    rank = np.maximum(rank, np.where(high_risk, SUPPORT_RANK["high"], 0))
    rank = np.maximum(rank, np.where(np.array([len(x) for x in risk_t]) >= 2, SUPPORT_RANK["medium"], 0))
    support = np.asarray(SUPPORT_LEVELS, dtype=object)[rank]
    return pd.DataFrame(
        {
            "referral_id": [f"R-{i:06d}" for i in range(1, n + 1)],
            "person_id": person.astype(str),
            "referral_date": days(ref, np.ones(n, dtype=bool)),
            "date_of_birth": days(dob, np.ones(n, dtype=bool)),
            "gender": gender.astype(str),
            "home_district": district.astype(str),
            "support_need": support.astype(str),
            "wheelchair": rng.random(n) < 0.02,
            "parent_with_child": female & (rng.random(n) < 0.1),
            "high_risk": high_risk,
            "risks": pd.Series(risk_t, dtype=object),
            "outcome_accom": np.where(waiting, "", code).astype(str),
            "placed_date": days(placed, ~waiting),
            "left_date": days(left, ~waiting & (left < now)),
        }
    )
