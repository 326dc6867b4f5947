"""A synthetic referral history and looked-after cohort for one council, calibrated to public figures.

Sources (files in `data/reference/`, see ATTRIBUTION.md there), and assumptions where no
public figure exists; `data/README.md` repeats them for users:

- Children looked after at 31 March 2025 and the child population: DfE `dfe_cla_numbers_and_rates.csv`.
- Placement types of children looked after: DfE `dfe_cla_placement_type_31_march.csv`.
- Care leavers aged 17-18 and 19-21 and the share unsuitably housed:
  DfE `dfe_care_leavers_accommodation_suitability.csv`.
- Where young people live: ONS mid-2022 population aged 16-25 by district (`ons_mye2022_age16_25_by_lad.csv`).
- Age mix of children looked after (13-15: 21%, 16-17: 26%): DfE *Children looked after in
  England*, 2025, national age breakdown, quoted from the publication (not in the shipped files).
- Unaccompanied asylum-seeking children: the National Transfer Scheme's 0.1% of the child
  population (Home Office, 2022) as the ceiling; we assume councils hold 70% of it, 85% aged
  16-17 and 95% boys (assumption, in line with DfE's national UASC age and sex profile).
- Lengths of stay: staying put can last to 21 (Children and Families Act 2014, s.98); B&B
  at most 6 weeks (the limit the Homelessness (Suitability of Accommodation) (England)
  Order 2003 sets for families, used here as a cap); foyers typically up to 2 years (Foyer
  Federation). Medians for the other types are assumptions.
- Referral volume: one referral *for a place* a year per care leaver aged 17-25, the demo's own
  assumption (`planner.demo.calibration`, whose young_people.csv holds the same N people needing
  a place in 12 months): the council's DfE 17-18 and 19-21 counts plus, for 22-25, 4 years at a
  third of the 19-21 count a year with a third take-up. Referrals that end with family, staying
  put or custody (`planner.forecast.history.NOT_PLACE_DEMAND`) come on top, so that the history's rate
  of referrals for places and the demo's waiting list describe the same demand (the scenario
  simulation draws arrivals from the one and starts from the other). Demand trend (+5% a year,
  the direction of the rising national care leaver numbers) and seasonality (more referrals
  July-September, when school and college years end): assumptions.
"""

from __future__ import annotations

import heapq
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import Dataset
from planner.data.districts import REFERENCE_DIR, find_council
from planner.data.table import write_table
from planner.data.vocab import RISKS, SUPPORT_LEVELS
from planner.forecast.history import COHORT, NOT_PLACE_DEMAND, REFERRALS, History

MONTHS_OF_HISTORY: Final = 36
TAKE_UP_22_25: Final = 1 / 3  # as planner.demo.calibration (assumption)
TREND_PER_YEAR: Final = 0.05  # assumption
# Month-of-year factors for referrals after 18 (Jan..Dec), peaking at school-year ends. Assumption.
SEASON: Final = np.array([0.9, 0.9, 0.95, 0.95, 1.0, 1.05, 1.3, 1.35, 1.3, 0.95, 0.9, 0.85])
SEASON_NORM: Final = SEASON / SEASON.mean()
SHARE_13_15, SHARE_16_17 = 0.21, 0.26  # DfE CLA 2025, national age breakdown
UASC_PER_CHILD: Final = 0.001 * 0.7  # NTS 0.1% ceiling, 70% of it held (assumption)
P_REFERRAL_AT_18: Final = 0.85  # share of 17-year-olds in care referred for accommodation (assumption)
P_RE_REFERRAL: Final = 0.3  # share of later referrals that are a known care leaver moving on

# Outcome (SSDA903 ACCOM code) of a referral: at 18 from care, and later (assumptions; the
# unsuitable codes are scaled by the council's DfE unsuitable share against England's).
OUTCOMES_AT_18: Final = {
    "Z1": 0.30, "B1": 0.08, "D1": 0.29, "E1": 0.10, "T1": 0.08, "C1": 0.04, "K1": 0.02,
    "U1": 0.03, "Y1": 0.02, "V2": 0.02, "X2": 0.01, "S2": 0.01,
}  # fmt: skip
OUTCOMES_LATER: Final = {
    "D1": 0.30, "E1": 0.10, "T1": 0.12, "K1": 0.04, "C1": 0.02, "Y1": 0.03, "U1": 0.16,
    "B1": 0.10, "W2": 0.05, "V2": 0.03, "S2": 0.02, "X2": 0.02, "D2": 0.01,
}  # fmt: skip
UNSUITABLE: Final = frozenset({"W2", "V2", "S2", "X2", "D2"})
# Median length of stay in months by ACCOM letter; lognormal with sigma 0.7.
STAY_MONTHS: Final = {
    "B": 12, "C": 6, "D": 12, "E": 10, "K": 8, "S": 1, "T": 12, "U": 36, "V": 0.5, "W": 0.7,
    "X": 4, "Y": 6, "Z": 24, "R": 6,
}  # fmt: skip
B_AND_B_CAP_DAYS: Final = 42
# Support need by the kind of place a young person went to (none, low, medium, high, intensive).
SUPPORT_BY_TYPE: Final = {
    "C": [0.0, 0.05, 0.2, 0.45, 0.3], "D": [0.05, 0.3, 0.4, 0.2, 0.05], "U": [0.4, 0.45, 0.15, 0, 0],
    "B": [0.3, 0.4, 0.25, 0.05, 0], "Z": [0.2, 0.5, 0.25, 0.05, 0], "*": [0.1, 0.35, 0.35, 0.15, 0.05],
}  # fmt: skip
RISK_RATES: Final = np.array([0.15, 0.06, 0.08, 0.2, 0.03, 0.15, 0.08, 0.02, 0.02, 0.01, 0.02])
GENDER_P: Final = {"M": 0.55, "F": 0.43, "X": 0.02}


def _dfe(name: str) -> pd.DataFrame:
    """The latest year of a DfE table (the files hold 2021-2025; the demo is calibrated on the latest)."""
    df = pd.read_csv(REFERENCE_DIR / name, dtype={"la_code": str}, keep_default_na=False)
    return df[df["time_period"] == df["time_period"].max()]


def council_figures(code: str) -> dict[str, float]:
    """The council's DfE figures used for calibration; England's rate where suppressed."""
    cla = _dfe("dfe_cla_numbers_and_rates.csv")
    cla = cla[(cla["time_period"] == cla["time_period"].max()) & (cla["measure"].str.contains("on 31 March"))]
    nat = cla[cla["geographic_level"] == "National"].iloc[0]
    own = cla[cla["la_code"] == code]
    pop = float(own["population_0_17_estimate"].iloc[0]) if len(own) else float("nan")
    count = pd.to_numeric(own["children_count"], errors="coerce")
    looked_after = float(count.iloc[0]) if len(own) and count.notna().iloc[0] else float("nan")
    if not np.isfinite(looked_after):
        looked_after = pop * float(nat["children_count"]) / float(nat["population_0_17_estimate"])
    suit = _dfe("dfe_care_leavers_accommodation_suitability.csv")
    total = suit[suit["accommodation_suitability"] == "Suitability total"]
    own_total = total[total["la_code"] == code].set_index("age_group")
    counts = pd.to_numeric(own_total["count"], errors="coerce")
    if counts.isna().any() or len(counts) < 2:  # England's rates, scaled by children looked after
        national = total[total["geographic_level"] == "National"].set_index("age_group")
        counts = pd.to_numeric(national["count"]) * looked_after / float(nat["children_count"])
    unsuit = suit[
        (suit["age_group"] == "19 to 21 years") & suit["accommodation_suitability"].str.contains("unsuitable")
    ]
    pct = pd.to_numeric(
        unsuit.set_index(unsuit["la_code"].where(unsuit["la_code"] != "", "England"))["percent"],
        errors="coerce",
    )
    england = float(pct.get("England", 5.0))
    own_pct = float(pct.get(code, np.nan)) if code in pct.index else np.nan
    return {
        "looked_after": looked_after,
        "population_0_17": pop if np.isfinite(pop) else looked_after / 0.0067,
        "care_leavers_17_18": float(counts.get("17 to 18 years", 0.0)),
        "care_leavers_19_21": float(counts.get("19 to 21 years", 0.0)),
        "unsuitable_ratio": (own_pct / england) if np.isfinite(own_pct) and england > 0 else 1.0,
    }


def _district_weights(codes: tuple[str, ...]) -> pd.Series:
    mye = pd.read_csv(REFERENCE_DIR / "ons_mye2022_age16_25_by_lad.csv", dtype={"code": str})
    w = mye[mye["code"].isin(codes)].groupby("code")["persons"].sum()
    w = w.reindex(list(codes)).fillna(w.mean() if len(w) else 1.0)
    return w / w.sum()


def _placement_mix(code: str) -> dict[str, float]:
    """Placements of 13-17 year-olds from the council's mix for all ages (England's where suppressed)."""
    df = _dfe("dfe_cla_placement_type_31_march.csv")
    own = df[df["la_code"] == code]
    counts = pd.to_numeric(own["count"], errors="coerce")
    stated = counts[own["placement_type"] == "Total"]
    if own.empty or counts.isna().mean() > 0.3 or not (stated > 0).any():
        own = df[df["geographic_level"] == "National"]
    n = pd.to_numeric(own.set_index("placement_type")["count"], errors="coerce").fillna(0)

    def get(key: str) -> float:
        return float(n[n.index.str.startswith(key)].sum())

    # Teenagers are over-represented in children's homes and are the only ones in supported
    # accommodation; adoption is for young children (assumptions on how the all-age mix shifts).
    share = SHARE_13_15 + SHARE_16_17
    mix = {
        "H5": get("Independent"),
        "K2": 0.8 * get("Secure homes") * 0.95,
        "K1": 0.8 * get("Secure homes") * 0.05,
        "R1": 0.8 * get("Other residential"),
        "S1": 0.8 * get("Residential schools"),
        "P1": share * get("Placed with parents"),
        "Z1": share * get("Other placements"),
    }
    foster = max(share * get("Total") - sum(mix.values()), 0.2 * share * get("Total"))
    for place, w in {"U1": 0.08, "U3": 0.12, "U4": 0.35, "U6": 0.45}.items():  # assumption
        mix[place] = foster * w
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()}


def _choose(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _support(rng: np.random.Generator, letters: np.ndarray) -> np.ndarray:
    out = np.empty(len(letters), dtype=object)
    for i, letter in enumerate(letters):
        p = SUPPORT_BY_TYPE.get(str(letter), SUPPORT_BY_TYPE["*"])
        out[i] = SUPPORT_LEVELS[rng.choice(5, p=np.asarray(p) / sum(p))]
    return out


def _dob(on: date, age_years: np.ndarray) -> pd.Series:
    return pd.Series(pd.Timestamp(on) - pd.to_timedelta(np.round(age_years * 365.25), unit="D"))


def generate_cohort(county: str, *, rng: np.random.Generator, on: date) -> pd.DataFrame:
    """Children looked after on `on` aged 13 to 17 (cohort.csv)."""
    council = find_council(county)
    fig = council_figures(council.code)
    n_old = int(round(fig["looked_after"] * SHARE_16_17))
    n_young = int(round(fig["looked_after"] * SHARE_13_15))
    age = np.concatenate([rng.uniform(16, 18, n_old), rng.uniform(13, 16, n_young)])
    n = len(age)
    mix = _placement_mix(council.code)
    place = _choose(rng, mix, n)
    # Semi-independent living (H5) is for 16 and 17 year-olds: move younger ones to foster care.
    place[(place == "H5") & (age < 16)] = "U6"
    uasc = np.zeros(n, dtype=bool)
    n_uasc = min(int(round(fig["population_0_17"] * UASC_PER_CHILD)), n // 3)
    old, young = np.flatnonzero(age >= 16), np.flatnonzero(age < 16)
    k_old = min(int(round(0.85 * n_uasc)), len(old))
    uasc[rng.choice(old, k_old, replace=False)] = True
    uasc[rng.choice(young, min(n_uasc - k_old, len(young)), replace=False)] = True
    gender = _choose(rng, {"M": 0.56, "F": 0.43, "X": 0.01}, n)  # DfE CLA: 56% boys
    gender[uasc] = np.where(rng.random(int(uasc.sum())) < 0.95, "M", "F")
    letters = np.where(np.isin(place, ["K1", "K2", "R1", "S1"]), "C", np.where(place == "H5", "D", "Z"))
    weights = _district_weights(council.district_codes)
    df = pd.DataFrame(
        {
            "child_id": [f"C-{i:05d}" for i in range(1, n + 1)],
            "date_of_birth": _dob(on, age).astype("datetime64[ns]"),
            "gender": gender.astype(str),
            "district": _choose(rng, {str(k): float(v) for k, v in weights.items()}, n).astype(str),
            "placement_type": place.astype(str),
            "support_need": _support(rng, letters).astype(str),
            "uasc": uasc,
        }
    )
    df = df.sort_values("date_of_birth", kind="stable").reset_index(drop=True)
    df["child_id"] = [f"C-{i:05d}" for i in range(1, n + 1)]
    return df


def _month_starts(on: date) -> pd.DatetimeIndex:
    last = pd.Timestamp(on).to_period("M")
    return pd.period_range(last - MONTHS_OF_HISTORY, last, freq="M").to_timestamp()


def generate_referrals(
    county: str,
    cohort: pd.DataFrame,
    *,
    rng: np.random.Generator,
    on: date,
    districts_in_data: set[str] | None = None,
) -> pd.DataFrame:
    """36 months of referrals up to `on` (referrals.csv), sorted by date."""
    council = find_council(county)
    fig = council_figures(council.code)
    starts = _month_starts(on)
    today = pd.Timestamp(on)
    older = fig["care_leavers_19_21"]
    places_per_year = fig["care_leavers_17_18"] + older + 4 * older / 3 * TAKE_UP_22_25
    turning_18 = float((cohort["date_of_birth"] <= today - pd.DateOffset(years=17)).sum())
    at_18_per_year = turning_18 * P_REFERRAL_AT_18
    # Later referrals make up the places the referrals at 18 do not (each table's share of
    # outcomes that need no place, unsuitable codes scaled as in `_attributes`).
    need_18, need_later = (
        _place_share(table, fig["unsuitable_ratio"]) for table in (OUTCOMES_AT_18, OUTCOMES_LATER)
    )
    later_per_year = max((places_per_year - need_18 * at_18_per_year) / need_later, 0.3 * places_per_year)
    years_before = ((today - starts).days / 365.25).to_numpy()
    trend = (1 + TREND_PER_YEAR) ** (-years_before)
    days_in = np.array([(min(s + pd.offsets.MonthBegin(1), today) - s).days for s in starts], dtype=float)
    frac = np.clip(days_in / starts.days_in_month.to_numpy(), 0, 1)
    season = SEASON_NORM[starts.month.to_numpy() - 1]
    # Gamma-Poisson (negative binomial) counts: months vary more than Poisson alone.
    later = rng.poisson(later_per_year / 12 * trend * season * frac * rng.gamma(40, 1 / 40, len(starts)))
    at_18 = rng.poisson(at_18_per_year / 12 * trend * frac)

    def dates(counts: np.ndarray) -> np.ndarray:
        s = np.repeat(starts.to_numpy(), counts)
        span = np.repeat(days_in, counts)
        return np.asarray(s + pd.to_timedelta(np.floor(rng.random(len(s)) * span), unit="D"))

    rows_18 = pd.DataFrame({"referral_date": dates(at_18), "stage": "at_18"})
    rows_18["age"] = 18 - rng.uniform(0, 90, len(rows_18)) / 365.25  # referred before the birthday
    rows_later = pd.DataFrame({"referral_date": dates(later), "stage": "later"})
    rows_later["age"] = np.minimum(18.25 + rng.exponential(1.8, len(rows_later)), 25.9)
    df = pd.concat([rows_18, rows_later], ignore_index=True).sort_values("referral_date", kind="stable")
    return _attributes(df.reset_index(drop=True), rng=rng, on=today, council=council.district_codes, fig=fig)


def _place_share(table: dict[str, float], ratio: float) -> float:
    """Share of referrals with these outcome odds that need a place (not family, staying put, custody)."""
    w = {k: p * (ratio if k in UNSUITABLE else 1.0) for k, p in table.items()}
    return sum(v for k, v in w.items() if k[0] not in NOT_PLACE_DEMAND) / sum(w.values())


def _attributes(
    df: pd.DataFrame,
    *,
    rng: np.random.Generator,
    on: pd.Timestamp,
    council: tuple[str, ...],
    fig: dict[str, float],
) -> pd.DataFrame:
    n = len(df)
    ratio = fig["unsuitable_ratio"]
    outcomes = {
        s: {k: p * (ratio if k in UNSUITABLE else 1.0) for k, p in table.items()}
        for s, table in (("at_18", OUTCOMES_AT_18), ("later", OUTCOMES_LATER))
    }
    weights = {str(k): float(v) for k, v in _district_weights(council).items()}
    code = np.where(
        df["stage"] == "at_18", _choose(rng, outcomes["at_18"], n), _choose(rng, outcomes["later"], n)
    )
    letter = np.array([c[0] for c in code])
    stay = np.array([STAY_MONTHS[c] for c in letter]) * np.exp(rng.normal(0, 0.7, n)) * 30.44
    stay = np.where(letter == "W", np.minimum(stay, B_AND_B_CAP_DAYS), stay)
    urgent = np.isin(letter, ["W", "V", "S"])
    wait = np.where(urgent, rng.integers(0, 3, n), rng.gamma(2.0, 9.0, n))
    person = np.empty(n, dtype=object)
    gender, district = _choose(rng, GENDER_P, n), _choose(rng, weights, n)
    support = _support(rng, letter)
    # Whole days since 1970 keep the sequential bookkeeping below simple and exact.
    ref = df["referral_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    dob = ref - (df["age"].to_numpy(dtype=float) * 365.25).astype(np.int64)
    placed = np.zeros(n, dtype=np.int64)
    left = np.zeros(n, dtype=np.int64)
    at_18 = (df["stage"] == "at_18").to_numpy()
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
        while not at_18[i] and reuse[i] and free and chosen < 0:
            k = int(pick[i] * len(free))
            j, free[k] = free[k], free[-1]
            free.pop()
            if ref[i] - dob[j] < 25 * 365:  # too old to come back otherwise: dropped for good
                chosen = j
        if chosen >= 0:
            j = chosen
            person[i], dob[i], gender[i], district[i] = person[j], dob[j], gender[j], district[j]
        else:
            person[i] = f"CL-{next_id:05d}"
            next_id += 1
        start = ref[i] + int(wait[i])
        if at_18[i]:  # the move happens at 18
            start = max(start, dob[i] + int(18 * 365.25) + 1)
        placed[i] = start
        left[i] = start + max(int(stay[i]), 1)
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
            "high_risk": exploited & (rng.random(n) < 0.7),
            "risks": pd.Series(risk_t, dtype=object),
            "outcome_accom": np.where(waiting, "", code).astype(str),
            "placed_date": days(placed, ~waiting),
            "left_date": days(left, ~waiting & (left < now)),
        }
    )


def generate_history(data: Dataset, *, county: str, seed: int, on: date) -> History:
    """36 months of referrals up to `on` and today's looked-after cohort aged 13 to 17.

    Deterministic for a seed. Calibrated to the council's DfE figures (see above).
    """
    rng = np.random.default_rng([seed, 18])  # a stream of its own, apart from the demo's people
    cohort = generate_cohort(county, rng=rng, on=on)
    referrals = generate_referrals(county, cohort, rng=rng, on=on, districts_in_data=_districts(data))
    return History(referrals=referrals, cohort=cohort)


def _districts(data: Dataset) -> set[str]:
    return set(data.people["home_district"]) | set(data.schemes["district"])


def write_history(out_dir: str | Path, data: Dataset, *, county: str, seed: int, on: date) -> History:
    """Generate the history and write `referrals.csv` and `cohort.csv` into `out_dir`."""
    history = generate_history(data, county=county, seed=seed, on=on)
    write_table(history.referrals, REFERRALS, out_dir)
    write_table(history.cohort, COHORT, out_dir)
    return history
