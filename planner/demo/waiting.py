"""Who is on the demo county's waiting list on the date: the people referred and not yet placed.

The list is a snapshot of the flows of `planner.demo.flows` (stock = flow x time on the list):

- **planned moves**, referred ahead of the date they need a place (lead times below), so most of
  them are needed within the next three months and only some within the 28-day horizon;
- **overdue moves**: planned moves whose date has passed without a place, still in the
  accommodation they were moving from;
- **the unsuitably housed now**: the council's DfE count of care leavers in unsuitable
  accommodation (17-18 and 19-21, and the 22-25 estimate at the 19-21 rate), less those in
  custody; they all need a move and are needed now: in B&B (`W2`), emergency accommodation (`V2`),
  of no fixed abode (`S2`), or elsewhere unsuitable (with family `B2`, semi-independent `D2`,
  lodgings `K2`);
- **custody** (`X2`): care leavers in custody due for release in the next 13 weeks, needed from
  their release;
- **staying put**: young people in foster care whose former foster carers keep them on from their
  18th birthday, the day it starts (`needed_from`); each gets a place reserved for them
  (`planner.demo.schemes.staying_put`).

Current accommodation of those moving from a suitable place follows DfE's national accommodation
of care leavers by age (`NOW_19_21`, national percentages, not the council's: the tables shipped in
data/reference have no accommodation types) and the council's placement types for those leaving
care (DfE placement types, its own figures). Everyone on the list is in touch with the service, so
where they live is known (DfE's "no information" share is of all care leavers, not of those
referred). When it ends (`current_until`, contract v1.2) follows `UNTIL`: a placement ending at 18,
a time-limited supported place ending, notice given, a release date; the others may stay where
they are until a place is found (the suitably housed who wait).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from planner.demo.calibration import Band, Calibration
from planner.demo.cohort import allot, placement_mix, uasc_share_16_17
from planner.demo.flows import FLOW_NAMES

# Days from referral to the date a place is needed (assumptions): moves from care are planned a
# few weeks to three months ahead (pathway plans; referrals at 18 up to 100 days before the
# birthday); move-ons about six weeks ahead. (kind, mean days, low, high)
LEAD: Final = {
    "leaving_care_16_17": ("gamma", 60.0, 0.0, 0.0),
    "leaving_care_at_18": ("uniform", 57.0, 14.0, 100.0),
    "staying_put": ("uniform", 57.0, 14.0, 100.0),
    "move_on_19_21": ("gamma", 42.0, 0.0, 0.0),
    "move_on_22_25": ("gamma", 42.0, 0.0, 0.0),
}
SLIP_SHARE, SLIP_DAYS = 0.3, 28.0  # planned moves not placed on time, and their mean wait (assumption)
UNSUITABLE_WAIT_DAYS: Final = 84  # the unsuitably housed have waited up to 12 weeks (assumption)
B_AND_B_DAYS: Final = 42  # and at most 6 weeks in B&B (the 2003 Suitability Order's limit for families)
# When the current accommodation ends (`current_until`), by where they live now (assumptions):
# chance it ends on the day they need the move (a time-limited place; notice given), and the chance
# an overdue move's end has been put back by a few weeks while a place is found (else no end).
# Placements in care end at 18 for those leaving care then (`leaving_care_at_18`); custody on release.
UNTIL: Final = {"D": 0.6, "E": 0.5, "T": 0.6, "C": 0.6, "K": 0.4, "Y": 0.4, "U": 0.2, "B": 0.3, "Z": 0.5,
                "": 0.0}  # fmt: skip
EXTENDED: Final = (0.5, 7, 42)  # share of overdue ends put back, and by how many days (uniform)
NOTICE: Final = {"B2": 0.4, "D2": 0.3, "K2": 0.3}  # unsuitably housed: asked to leave within 3 weeks
# In custody: 3% of care leavers aged 19-21 in England (DfE 2025 national figure, as quoted in issue
# 14; not in data/reference); 1% at 17-18 and 2% at 22-25 (assumptions). Median custodial stays
# of the young are short, but the stock in custody is weighted to longer sentences and recalls:
# we assume a quarter of them are released within 13 weeks.
CUSTODY: Final = {"17-18": 0.01, "19-21": 0.03, "22-25": 0.02}
RELEASE_SOON: Final = 0.25
# The unsuitably housed other than in custody (assumption: no national split by type is in the
# shipped tables): B&B, emergency accommodation, no fixed abode, or unsuitable elsewhere.
UNSUITABLE_NOW: Final = {"W2": 0.15, "V2": 0.15, "S2": 0.2, "B2": 0.2, "D2": 0.15, "K2": 0.15}
UNSUITABLE_UNDER_18: Final = {"S2": 0.5, "B2": 0.3, "D2": 0.2}  # never B&B or emergency under 18
# Where 19-21 year-old care leavers live, England (DfE, Children looked after in England, national
# accommodation of care leavers, 2020: 3,520 with parents or relatives, 1,160 in a community home,
# 4,790 semi-independent, 1,380 in supported lodgings of 31,260; a third live independently (DfE
# 2020/21, as summarised by CYP Now); 9% with former foster carers (DfE 2025, as quoted in issue
# 14); foyers, ordinary lodgings and other: assumptions). Suitable places only, shares of them.
NOW_19_21: Final = {"U1": 0.33, "D1": 0.15, "B1": 0.11, "Z1": 0.09, "E1": 0.04, "C1": 0.04,
                    "T1": 0.03, "K1": 0.02, "Y1": 0.02}  # fmt: skip
NOW_22_25: Final = {"U1": 0.45, "B1": 0.2, "D1": 0.15, "K1": 0.1, "T1": 0.05, "Y1": 0.05}  # assumption
# Former unaccompanied asylum-seeking children among care leavers aged 18 and over: about one in
# four in England (DfE 2020/21, as summarised by CYP Now); no council figure is in the shared data,
# so the national share is used. Under 18: the council's estimate its cohort uses (`history`).
UASC_ADULT_SHARE: Final = 0.25
AGES_22_25: Final = {22: 0.35, 23: 0.27, 24: 0.22, 25: 0.16}  # fewer ask for help as they get older
BAND_OF_FLOW: Final = {"leaving_care_16_17": 0, "leaving_care_at_18": 0, "staying_put": 0,
                       "move_on_19_21": 1, "move_on_22_25": 2}  # fmt: skip
COLUMNS: Final = ("component", "flow", "band", "count")


def mean_lead_days(flow: str) -> float:
    return LEAD[flow][1]


def components(cal: Calibration) -> pd.DataFrame:
    """Expected people on the list by component (planned, overdue, unsuitable, custody) and flow."""
    f = cal.flows
    rows: list[tuple[str, str, int, float]] = []
    for flow in (*FLOW_NAMES, "staying_put"):
        rate = f.staying_put_per_year if flow == "staying_put" else f.per_year[flow]
        rows.append(("planned", flow, BAND_OF_FLOW[flow], rate * mean_lead_days(flow) / 365))
        if flow != "staying_put":
            rows.append(("overdue", flow, BAND_OF_FLOW[flow], rate * SLIP_SHARE * SLIP_DAYS / 365))
    for i, (band, flow) in enumerate(zip(cal.bands, ("leaving_care_at_18", *FLOW_NAMES[2:]), strict=True)):
        unsuitable = band.count * band.unsuitable
        custody = min(band.count * CUSTODY[band.name], unsuitable)
        rows.append(("custody", flow, i, custody * RELEASE_SOON))
        rows.append(("unsuitable", flow, i, unsuitable - custody))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def expected_size(cal: Calibration) -> float:
    return float(components(cal)["count"].sum())


def waiting_list(cal: Calibration, n: int, rng: np.random.Generator, on: date) -> pd.DataFrame:
    """n people (the expected list, or scaled to n) with `flow`, `component`, `band`,
    `date_of_birth`, `needed_from`, `current_accom` and `uasc`, in random order."""
    comp = components(cal)
    label = allot(rng, n, dict(enumerate(comp["count"])))
    parts = []
    for i, row in comp.iterrows():
        k = int((label == i).sum())
        if k:
            parts.append(_part(str(row["component"]), str(row["flow"]), cal.bands[int(row["band"])], k, cal,
                               rng, on))  # fmt: skip
    df = pd.concat(parts, ignore_index=True)  # n >= 1, so some part has people
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


def _lead(rng: np.random.Generator, flow: str, k: int) -> np.ndarray:
    """Days from the date to need for k people referred and waiting: a size-biased lead times a
    uniform share of it (the residual time of a renewal process)."""
    kind, mean, lo, hi = LEAD[flow]
    if kind == "gamma":  # shape 2 with this mean; its size-biased form is shape 3
        size_biased = rng.gamma(3.0, mean / 2, k)
    else:  # uniform on lo..hi; size-biased density grows with the lead
        size_biased = np.sqrt(rng.uniform(lo**2, hi**2, k))
    return 1 + np.floor(rng.random(k) * size_biased)


def _part(component: str, flow: str, band: Band, k: int, cal: Calibration, rng: np.random.Generator,
          on: date) -> pd.DataFrame:  # fmt: skip
    today = pd.Timestamp(on)
    if component == "planned":
        days = _lead(rng, flow, k)
    elif component == "overdue":
        days = -np.minimum(1 + np.floor(rng.exponential(SLIP_DAYS, k)), 180)
    elif component == "custody":
        days = 1 + np.floor(rng.uniform(0, 91, k))
    else:
        days = -np.floor(rng.uniform(0, UNSUITABLE_WAIT_DAYS, k))
    needed = today + pd.to_timedelta(days, unit="D")
    age = _ages(component, flow, k, days, rng)
    current = _current(component, flow, age, cal, rng)
    if component == "unsuitable":  # nobody stays in B&B longer than the limit
        w = current == "W2"
        in_bnb = today - pd.to_timedelta(np.floor(rng.uniform(0, B_AND_B_DAYS, k)), unit="D")
        needed = needed.where(~w, in_bnb)
    dob = pd.Series([_birth(on, a) for a in age])
    if flow in ("leaving_care_at_18", "staying_put") and component in ("planned", "overdue"):
        dob = pd.Series([_years_before(d.date(), 18) for d in needed])  # the move is at 18
    share = uasc_share_16_17(cal.council.code) if flow == "leaving_care_16_17" else UASC_ADULT_SHARE
    return pd.DataFrame({
        "component": component, "flow": flow, "band": band.name, "date_of_birth": pd.to_datetime(dob),
        "needed_from": pd.DatetimeIndex(needed), "current_accom": current.astype(str),
        "current_until": _until(component, flow, current, pd.DatetimeIndex(needed), rng, on),
        "uasc": rng.random(k) < share,
    })  # fmt: skip


def _until(component: str, flow: str, current: np.ndarray, needed: pd.DatetimeIndex, rng: np.random.Generator,
           on: date) -> pd.DatetimeIndex:  # fmt: skip
    """When each one's current accommodation ends (NaT: they may stay until a place is found)."""
    k = len(current)
    if component == "custody":  # on release
        return needed
    if flow == "staying_put":  # the foster placement goes on as staying put
        return pd.DatetimeIndex([pd.NaT] * k)
    if component == "unsuitable":
        p = np.array([NOTICE.get(c, 0.0) for c in current])
        soon = pd.Timestamp(on) + pd.to_timedelta(rng.integers(0, 22, k), unit="D")
        return pd.DatetimeIndex(pd.DatetimeIndex(soon).where(rng.random(k) < p))
    p = np.array([UNTIL.get(c[:1], 0.0) for c in current])
    if flow == "leaving_care_at_18":
        p[:] = 1.0  # a placement in care ends at 18
    ends = rng.random(k) < p
    if component == "overdue":  # the end has passed: put back a few weeks, or open while they wait
        share, lo, hi = EXTENDED
        later = pd.Timestamp(on) + pd.to_timedelta(rng.integers(lo, hi + 1, k), unit="D")
        return pd.DatetimeIndex(pd.DatetimeIndex(later).where(ends & (rng.random(k) < share)))
    return pd.DatetimeIndex(needed.where(ends))


def _ages(component: str, flow: str, k: int, days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Age on the date in years (fractional)."""
    if flow == "leaving_care_16_17":  # at least 16 now, under 18 when they move
        top = np.maximum(17.95 - np.maximum(days, 0) / 365.25, 16.05)
        return 16.0 + rng.random(k) * (top - 16.0)
    if flow == "staying_put":  # it starts on the 18th birthday, the day it is needed
        return 18.0 - days / 365.25
    if flow == "leaving_care_at_18":
        if component in ("unsuitable", "custody"):  # most of the 17-18 group are 18
            return np.where(rng.random(k) < 0.75, 18.0, 17.0) + rng.random(k) * 0.99
        return 18.0 - days / 365.25  # the birthday is the day the place is needed
    if flow == "move_on_19_21":
        return 19.0 + rng.random(k) * 2.99
    years = rng.choice(list(AGES_22_25), size=k, p=list(AGES_22_25.values()))
    return years + rng.random(k) * 0.99


def _current(component: str, flow: str, age: np.ndarray, cal: Calibration,
             rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """SSDA903 ACCOM code now ("" while still looked after in foster care: no code until 18)."""
    k = len(age)
    if component == "custody":
        return np.full(k, "X2", dtype=object)
    if component == "unsuitable":
        out = allot(rng, k, UNSUITABLE_NOW)
        young = age < 18
        out[young] = allot(rng, int(young.sum()), UNSUITABLE_UNDER_18)
        return out
    if flow == "staying_put":  # in foster care, no care leaver's code until 18
        return np.full(k, "", dtype=object)
    if flow in ("leaving_care_16_17", "leaving_care_at_18"):
        mix = placement_mix(cal.council.code)
        foster = sum(v for p, v in mix.items() if p.startswith("U"))
        home = sum(mix.get(p, 0.0) for p in ("K1", "K2", "R1", "S1"))
        parents = mix.get("P1", 0.0) if flow == "leaving_care_16_17" else 0.0
        shares = {"foster": foster, "C1": home, "B1": parents}
        out = allot(rng, k, shares)
        # In foster care there is no care leaver's accommodation code until 18 (then Z: with former
        # foster carers, while they wait to move).
        return np.where(out == "foster", np.where(age >= 18, "Z1", ""), out)
    return allot(rng, k, NOW_19_21 if flow == "move_on_19_21" else NOW_22_25)


def _birth(on: date, age_years: float) -> date:
    whole = int(age_years)
    return _years_before(on, whole) - timedelta(days=int((age_years - whole) * 365.25))


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)
