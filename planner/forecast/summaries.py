"""The history the forecast reads, summed by district and month for analysts: referrals made (and
how many needed a place, were the move from care at 18, were placed, are still open) and the
children in care turning 18. Counts only: no young person can be picked out of them."""

from __future__ import annotations

from datetime import date
from typing import Final

import pandas as pd

from planner.data.districts import district_name
from planner.forecast.demand import classify
from planner.forecast.history import FOSTER_PLACES

REFERRAL_COUNTS: Final = ("referrals", "needing_place", "at_18", "placed", "open")
COHORT_COUNTS: Final = ("turning_18", "fostered", "uasc")


def _named(table: pd.DataFrame) -> pd.DataFrame:
    table.insert(
        2,
        "name",
        [district_name(str(d)) if str(d) != "unknown" else "District not known" for d in table["district"]],
    )
    return table


def referrals_by_month(referrals: pd.DataFrame) -> pd.DataFrame:
    """One row per month (YYYY-MM) and home district with referrals: `REFERRAL_COUNTS`, sorted.

    needing_place: not to family, staying put or custody (as the forecast counts demand); at_18:
    made before 18 years and 3 months, the move from care; placed: with a placement date; open:
    no outcome yet."""
    columns = ["month", "district", *REFERRAL_COUNTS]
    if referrals.empty:
        return _named(pd.DataFrame(columns=columns))
    r = classify(referrals)
    flags = pd.DataFrame(
        {
            "month": r["referral_date"].dt.to_period("M").astype(str),
            "district": r["home_district"].astype(str),
            "referrals": 1,
            "needing_place": r["needs_place"].astype(int),
            "at_18": r["at_18"].astype(int),
            "placed": r["placed_date"].notna().astype(int),
            "open": (r["outcome_accom"] == "").astype(int),
        }
    )
    table = flags.groupby(["month", "district"], as_index=False)[list(REFERRAL_COUNTS)].sum()
    return _named(table.sort_values(["month", "district"], ignore_index=True))


def cohort_by_month(cohort: pd.DataFrame, *, on: date, months: int = 24) -> pd.DataFrame:
    """One row per month and district in which children looked after turn 18, from `on`'s month
    for `months` months: `COHORT_COUNTS` (fostered: in foster care now, who may stay put)."""
    columns = ["month", "district", *COHORT_COUNTS]
    if cohort.empty:
        return _named(pd.DataFrame(columns=columns))
    eighteen = (cohort["date_of_birth"] + pd.DateOffset(years=18)).dt.to_period("M")
    first = pd.Period(on, "M")
    inside = ((eighteen >= first) & (eighteen < first + months)).to_numpy()
    c = cohort[inside]
    flags = pd.DataFrame(
        {
            "month": eighteen[inside].astype(str),
            "district": c["district"].astype(str),
            "turning_18": 1,
            "fostered": c["placement_type"].isin(list(FOSTER_PLACES)).astype(int),
            "uasc": c["uasc"].astype(int),
        }
    )
    table = flags.groupby(["month", "district"], as_index=False)[list(COHORT_COUNTS)].sum()
    return _named(table.sort_values(["month", "district"], ignore_index=True))
