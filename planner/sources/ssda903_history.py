"""From checked, combined SSDA903 tables to the forecast's files: the looked-after cohort on a
date (cohort.csv) and the care leavers' accommodation history (in the referrals.csv format).

Nothing identifying is written: CHILD and URN become salted hashes, dates of birth the first of
their month, postcodes a district. What is left out is counted in notes, with the reason.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from planner.data.formats import uk_date
from planner.data.history_formats import UNKNOWN_DISTRICT
from planner.sources.ssda903_codes import (
    GENDER,
)
from planner.sources.ssda903_support import accommodation_level, missing_spells, placement_level, support_need

COHORT_AGES: Final = (13, 18)


@dataclass
class Tally:
    """What was derived and what was left out, for the summary."""

    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def at(table: pd.Series, keys: pd.Series) -> pd.Series:
    """`table`'s value for each key, keeping its dtype (Series.map casts an empty table to float)."""
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=table.dtype)


def pseudonym(value: str, salt: str, prefix: str = "P") -> str:
    """A stable pseudonymous id: salted SHA-256, 12 hex digits."""
    return f"{prefix}-" + hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:12]


def _month_of_birth(dob: pd.Series) -> pd.Series:
    return dob.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def _age(on: pd.Series | pd.Timestamp, dob: pd.Series) -> pd.Series:
    return (on - dob).dt.days / 365.25


def _urn(urn: pd.Series, salt: str) -> pd.Series:
    """An Ofsted URN names a setting, and a small children's home with a month of birth can name a
    child: kept as a pseudonym, so that placements in the same setting still link."""
    return urn.fillna("").astype(str).map(lambda u: pseudonym(u, salt, "URN") if u else "")


def cohort(
    head: pd.DataFrame,
    eps: pd.DataFrame,
    district: pd.Series,
    uasc: set[str],
    on: pd.Timestamp,
    salt: str,
    tally: Tally,
    spells: pd.DataFrame,
    custody: set[str],
) -> pd.DataFrame:
    """Children looked after on `on` aged 13 to 17, with their placement then and the support
    need it and their missing spells and custody suggest (`ssda903_support`)."""
    started = eps[eps["DECOM"] <= on]
    last = started.groupby("CHILD").tail(1)
    current = last[last["DEC"].isna() | (last["DEC"] > on)]
    # A child open at the end of an earlier year's return but missing from the return covering
    # `on` was not looked after in that year: the earlier return cannot say so.
    stale = current["_year_end"] < on
    if stale.any():
        tally.notes.append(
            f"looked after at the end of an earlier return but not in the return covering {uk_date(on)}: "
            f"{int(stale.sum()):,}, left out of cohort.csv (did they leave care?)"
        )
    current = current[~stale]
    tally.counts["looked_after"] = len(current)
    age = _age(on, at(head["DOB"], current["CHILD"]))
    teen = current[(age >= COHORT_AGES[0]) & (age < COHORT_AGES[1])]
    where = at(district, teen["CHILD"]).fillna(UNKNOWN_DISTRICT)
    tally.counts["cohort_unknown_district"] = int((where == UNKNOWN_DISTRICT).sum())
    return pd.DataFrame(
        {
            "child_id": [pseudonym(c, salt) for c in teen["CHILD"]],
            "date_of_birth": _month_of_birth(at(head["DOB"], teen["CHILD"])).to_numpy(),
            "gender": at(head["SEX"], teen["CHILD"]).map(GENDER).fillna("X").to_numpy(),
            "district": where.to_numpy(),
            "placement_type": teen["PLACE"].to_numpy(),
            "support_need": _cohort_need(teen, on, spells, custody).to_numpy(),
            "uasc": teen["CHILD"].isin(uasc).to_numpy(),
            "place_provider": teen["PLACE_PROVIDER"].fillna("").to_numpy(),
            "urn": _urn(teen["URN"], salt).to_numpy(),
        }
    )


def _cohort_need(teen: pd.DataFrame, on: pd.Timestamp, spells: pd.DataFrame, custody: set[str]) -> pd.Series:
    child = teen["CHILD"]
    base = placement_level(teen["PLACE"], teen["PLACE_PROVIDER"])
    n = at(missing_spells(spells, pd.Series(on, index=pd.Index(child.unique()))), child)
    return support_need(base, pd.Series("", index=teen.index), n, child.isin(custody))


def history_rows(
    events: pd.DataFrame,
    head: pd.DataFrame,
    eps: pd.DataFrame,
    district: pd.Series,
    salt: str,
    tally: Tally,
    spells: pd.DataFrame,
    custody: set[str],
) -> pd.DataFrame:
    """The events (`planner.sources.ssda903_events`) as referrals.csv rows, oldest first; the
    extra columns say which rule made each (`source`), and what the young person was doing
    (`activity`, OC3 ACTIV)."""
    rows = events.assign(district=at(district, events["child"]).fillna(UNKNOWN_DISTRICT))
    tally.counts["history_unknown_district"] = int((rows["district"] == UNKNOWN_DISTRICT).sum())
    rows = rows[rows["dob"].notna()].sort_values(["when", "child"], kind="stable")
    rows = rows.reset_index(drop=True)
    last = eps.groupby("CHILD").tail(1).set_index("CHILD")
    when = pd.to_datetime(rows["when"]).astype("datetime64[ns]")
    # Missing spells in the 12 months before leaving care (the last episode's end, else now).
    left = last["DEC"].fillna(when.max() if len(when) else pd.Timestamp.now())
    counts = missing_spells(spells, left).reindex(rows["child"].to_numpy(), fill_value=0)
    n = pd.Series(counts.to_numpy(), index=rows.index)
    placed = placement_level(last["PLACE"], last["PLACE_PROVIDER"])
    went = accommodation_level(rows["accom"], rows["activity"].fillna(""))
    need = support_need(went, at(placed, rows["child"]).fillna(""), n, rows["child"].isin(custody))
    return pd.DataFrame(
        {
            "referral_id": [f"R-{i:06d}" for i in range(1, len(rows) + 1)],
            "person_id": [pseudonym(c, salt) for c in rows["child"]],
            "referral_date": when,
            "date_of_birth": _month_of_birth(pd.to_datetime(rows["dob"]).astype("datetime64[ns]")),
            "gender": at(head["SEX"], rows["child"]).map(GENDER).fillna("X"),
            "home_district": rows["district"],
            "support_need": need,
            "wheelchair": False,
            "parent_with_child": at(head["MOTHER"], rows["child"]).eq("1"),
            "high_risk": False,
            "risks": [("going_missing",) if k else () for k in n],
            "outcome_accom": rows["accom"],
            "placed_date": when,
            "left_date": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]"),
            "source": rows["source"],
            # OC3 ACTIV: education, employment or training around the birthday; 0 (not known) empty.
            "activity": rows["activity"].fillna("").replace("0", ""),
            "place_provider": at(last["PLACE_PROVIDER"], rows["child"]).fillna(""),
            "urn": _urn(at(last["URN"], rows["child"]), salt),
        }
    )
