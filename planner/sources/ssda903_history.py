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

import numpy as np
import pandas as pd

from planner.data.formats import plural, uk_date
from planner.data.history_formats import UNKNOWN_DISTRICT
from planner.data.vocab import NEVER_SUITABLE
from planner.sources.collection_years import birthday_in, year_label, year_of
from planner.sources.ssda903_codes import (
    GENDER,
    HOUSED_LETTERS,
    LISTS,
    NOT_CARE_LEAVERS,
    NOT_KNOWN,
    OUTCOME_BY_REC,
    support_from_place,
)

COHORT_AGES: Final = (13, 18)
LEAVING_AGE: Final = 17.5  # episodes ending from this age on are moves out of care
UNSUITABLE_AS_SUITABLE: Final = {f"{t}1": f"{t}2" for t in NEVER_SUITABLE}


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
) -> pd.DataFrame:
    """Children looked after on `on` aged 13 to 17, with their placement then."""
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
            "support_need": teen["PLACE"].map(support_from_place).to_numpy(),
            "uasc": teen["CHILD"].isin(uasc).to_numpy(),
            "place_provider": teen["PLACE_PROVIDER"].fillna("").to_numpy(),
            "urn": _urn(teen["URN"], salt).to_numpy(),
        }
    )


def referrals(
    head: pd.DataFrame,
    eps: pd.DataFrame,
    oc3: pd.DataFrame,
    district: pd.Series,
    on: pd.Timestamp,
    salt: str,
    tally: Tally,
) -> pd.DataFrame:
    """One row per move out of care from age 17½ (DEC) and per OC3 record of a care leaver
    (dated at their birthday in that collection year), in the referrals.csv format."""
    dob = at(head["DOB"], eps["CHILD"])
    ended = eps[eps["DEC"].notna() & (eps["DEC"] <= on) & (eps["REC"] != "") & (eps["REC"] != "X1")]
    ended = ended[_age(ended["DEC"], dob[ended.index]) >= LEAVING_AGE]
    not_leavers = ended["REC"].isin(list(NOT_CARE_LEAVERS))
    if not_leavers.any():
        labels = LISTS["REC"].labels
        by_rec = Counter(ended.loc[not_leavers, "REC"])
        listed = "; ".join(f"{rec} {labels[rec].lower()}: {n}" for rec, n in sorted(by_rec.items()))
        tally.notes.append(
            f"{plural(int(not_leavers.sum()), 'episode')} ending at 17½ or older left out of referrals.csv, "
            f"as the ending does not make a care leaver: {listed}"
        )
    leaving = ended[~not_leavers & ended["REC"].isin(list(OUTCOME_BY_REC))]
    leaving = leaving.assign(_year=year_of(leaving["DEC"]))
    rows = pd.DataFrame(
        {
            "child": leaving["CHILD"].to_numpy(),
            "when": leaving["DEC"].to_numpy(),
            "year": leaving["_year"].to_numpy(),
            "accom": leaving["REC"].map(OUTCOME_BY_REC).to_numpy(),
            "source": ("episode ended " + leaving["REC"]).to_numpy(),
            "activity": "",
        }
    )
    oc3 = oc3.assign(_dob=at(head["DOB"], oc3["CHILD"]).fillna(oc3["DOB"]))
    oc3 = oc3[oc3["_dob"].notna()]
    in_touch = (oc3["IN_TOUCH"] == "YES") & oc3["ACCOM"].str[:1].isin(list(HOUSED_LETTERS))
    # OC3 of the year a young person left care says where they live: it wins over the ending.
    said = oc3[in_touch].set_index(["CHILD", "_year"])
    keys = pd.MultiIndex.from_arrays([rows["child"], rows["year"]])
    rows["accom"] = pd.Series(said["ACCOM"].reindex(keys).to_numpy(), index=rows.index).fillna(rows["accom"])
    rows["activity"] = pd.Series(said["ACTIV"].reindex(keys).to_numpy(), index=rows.index).fillna("")
    later = oc3[~pd.MultiIndex.from_arrays([oc3["CHILD"], oc3["_year"]]).isin(keys)]
    died = later["IN_TOUCH"] == "DIED"
    abroad = (later["IN_TOUCH"] == "YES") & later["ACCOM"].str[:1].isin(["G", "H"])
    if died.any():
        tally.notes.append(
            f"{plural(int(died.sum()), 'OC3 record')} of care leavers who died (IN_TOUCH DIED): "
            "not in referrals.csv"
        )
    if abroad.any():
        tally.notes.append(
            f"{plural(int(abroad.sum()), 'OC3 record')} of care leavers gone abroad or deported "
            "(ACCOM G, H): not in referrals.csv"
        )
    later = later[~died & ~abroad]
    known = (later["IN_TOUCH"] == "YES") & later["ACCOM"].str[:1].isin(list(HOUSED_LETTERS))
    tally.counts["oc3_not_known"] = int((~known).sum())
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                {
                    "child": later["CHILD"].to_numpy(),
                    "when": birthday_in(later["_year"], later["_dob"]).to_numpy(),
                    "year": later["_year"].to_numpy(),
                    "accom": later["ACCOM"].where(known, NOT_KNOWN).to_numpy(),
                    "source": [
                        f"OC3 {year_label(int(y))} IN_TOUCH {t or 'not valid'}"
                        for y, t in zip(later["_year"], later["IN_TOUCH"], strict=True)
                    ],
                    "activity": later["ACTIV"].to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )
    rows = rows[pd.to_datetime(rows["when"]) <= on]
    # SSDA903 lets a council call B&B or emergency accommodation suitable (W1, V1); the planner
    # counts both as unsuitable (PRODUCT.md s.2), so they are written W2, V2.
    softened = rows["accom"].isin(list(UNSUITABLE_AS_SUITABLE))
    if softened.any():
        tally.notes.append(
            f"{plural(int(softened.sum()), 'OC3 record')} of B&B or emergency accommodation marked "
            "suitable (W1, V1) written as not suitable (W2, V2): the planner counts both as unsuitable"
        )
        rows.loc[softened, "accom"] = rows.loc[softened, "accom"].map(UNSUITABLE_AS_SUITABLE)
    born = at(head["DOB"], rows["child"]).fillna(at(oc3.groupby("CHILD")["_dob"].last(), rows["child"]))
    rows = rows.assign(district=at(district, rows["child"]).fillna(""), dob=born)
    nowhere = rows["district"] == ""
    tally.counts["history_unknown_district"] = int(nowhere.sum())
    if nowhere.any():
        tally.notes.append(
            f"{plural(int(nowhere.sum()), 'care leaver record')} left out of referrals.csv: no postcode "
            "in England in their episodes (referrals.csv needs a district)"
        )
    rows = rows[~nowhere].sort_values(["when", "child"], kind="stable").reset_index(drop=True)
    tally.counts["history_leaving"] = int(rows["source"].str.startswith("episode").sum())
    tally.counts["history_oc3"] = len(rows) - tally.counts["history_leaving"]
    last = eps.groupby("CHILD").tail(1).set_index("CHILD")
    when = pd.to_datetime(rows["when"]).astype("datetime64[ns]")
    return pd.DataFrame(
        {
            "referral_id": [f"R-{i:06d}" for i in range(1, len(rows) + 1)],
            "person_id": [pseudonym(c, salt) for c in rows["child"]],
            "referral_date": when,
            "date_of_birth": _month_of_birth(pd.to_datetime(rows["dob"]).astype("datetime64[ns]")),
            "gender": at(head["SEX"], rows["child"]).map(GENDER).fillna("X"),
            "home_district": rows["district"],
            "support_need": at(last["PLACE"], rows["child"]).map(support_from_place),
            "wheelchair": False,
            "parent_with_child": at(head["MOTHER"], rows["child"]).eq("1"),
            "high_risk": False,
            "risks": [()] * len(rows),
            "outcome_accom": rows["accom"],
            "placed_date": when,
            "left_date": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]"),
            "source": rows["source"],
            # OC3 ACTIV: education, employment or training around the birthday; 0 (not known) empty.
            "activity": rows["activity"].replace("0", ""),
            "place_provider": at(last["PLACE_PROVIDER"], rows["child"]).fillna(""),
            "urn": _urn(at(last["URN"], rows["child"]), salt),
        }
    )


def districts_of(eps: pd.DataFrame, found: pd.DataFrame) -> pd.Series:
    """Each child's district: of the latest HOME_POST found in England, else of the latest PL_POST.
    `found` maps a postcode as written to its district ("" when not found in England)."""
    lookup = found["district"]
    home = at(lookup, eps["HOME_POST"]).fillna("")
    place = at(lookup, eps["PL_POST"]).fillna("")
    by_child = pd.DataFrame(
        {"CHILD": eps["CHILD"], "home": home.replace("", np.nan), "place": place.replace("", np.nan)}
    )
    last = by_child.groupby("CHILD")[["home", "place"]].last()
    return last["home"].fillna(last["place"]).dropna()
