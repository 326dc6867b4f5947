"""Support need from what an SSDA903 return shows. The return has no support level, so it is read
from the placement (type and provider), the accommodation a care leaver went to (OC3 `ACCOM`),
missing episodes (the Missing table) and custody, by the mapping below (data/README.md, "Support
need from the return"; assumptions, each stated):

- **Placement** (`PLACE`): a secure children's home (`K1`) `intensive`; a children's home,
  residential care, a residential school, NHS care, a young offender institution (`K2`, `R1`,
  `S1`, `R2`, `R5`) `high`; supported or semi-independent accommodation, a family centre,
  residential employment, other placements (`K3`, `H5`, `P2`, `R3`, `P3`, `Z1`, `Z11`-`Z14`,
  temporary moves `T0`-`T4`) `medium`; foster care and placements with parents or for adoption
  `low`, and foster care through an independent or voluntary agency (`PLACE_PROVIDER` `PR4`,
  `PR5`) `medium`: agencies take children the council's own carers cannot.
- **Accommodation after care** (OC3 `ACCOM`, for a care leaver's referral): a community home (`C`)
  `high`; semi-independent accommodation or a foyer (`D`, `T`) `medium`; supported lodgings,
  staying put, other (`E`, `Z`, `Y`) `low`; family (`B`) `none`; an own tenancy or ordinary
  lodgings (`U`, `K`) `none` for a young person in education, employment or training (OC3
  `ACTIV` `F1`-`F5`, `P1`-`P5`), else `low` (floating support). B&B, emergency accommodation, no
  fixed abode and custody say nothing of need: the last placement's level is used, else `medium`.
- **Missing** in the 12 months before leaving care (or before the cohort's date): one or two
  spells one level more, three or more two levels more.
- **Custody** (a remand or sentence: legal status `J1`-`J3`, a placement in `R5`, an ending `E9`,
  or OC3 accommodation `X`): at least `high`; with three or more missing spells `intensive`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from planner.data.vocab import SUPPORT_LEVELS, SUPPORT_RANK

PLACE_LEVEL: Final = {
    "K1": "intensive",
    **dict.fromkeys(("K2", "R1", "S1", "R2", "R5"), "high"),
    **dict.fromkeys(
        ("K3", "H5", "P2", "R3", "P3", "Z1", "Z11", "Z12", "Z13", "Z14", "T0", "T1", "T2", "T3", "T4"),
        "medium",
    ),  # fmt: skip
    **dict.fromkeys(("U1", "U2", "U3", "U4", "U5", "U6", "P1", "A3", "A4", "A5", "A6"), "low"),
}
AGENCY_FOSTER: Final = "medium"  # foster care through PR4 (private) or PR5 (voluntary) agencies
ACCOM_LEVEL: Final = {"C": "high", "D": "medium", "T": "medium", "E": "low", "Z": "low", "Y": "low",
                      "K": "none", "U": "none", "B": "none"}  # fmt: skip
EET: Final = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"})  # OC3 ACTIV in education, work
UNSAID: Final = "medium"  # no placement known and an accommodation that says nothing of need
CUSTODY_STATUS: Final = frozenset({"J1", "J2", "J3"})
MISSING_WINDOW_DAYS: Final = 365


def placement_level(place: pd.Series, provider: pd.Series) -> pd.Series:
    """The level a placement suggests (empty where the placement is not known)."""
    level = place.map(PLACE_LEVEL).fillna("")
    agency = place.str.startswith("U") & provider.isin(["PR4", "PR5"])
    return level.mask(agency, AGENCY_FOSTER)


def accommodation_level(accom: pd.Series, activity: pd.Series) -> pd.Series:
    """The level the accommodation a care leaver went to suggests (empty where it says nothing)."""
    letter = accom.str[:1]
    level = letter.map(ACCOM_LEVEL).fillna("")
    return level.mask(letter.isin(["U", "K"]) & ~activity.isin(list(EET)), "low")


def missing_spells(missing: pd.DataFrame, until: pd.Series) -> pd.Series:
    """Missing or away spells of each child (index of `until`) starting in the 12 months up to
    their date in `until`."""
    spells = missing[missing["CHILD"].isin(until.index)]
    if spells.empty:
        return pd.Series(0, index=until.index, dtype=int)
    end = pd.Series(until.reindex(spells["CHILD"].to_numpy()).to_numpy(), index=spells.index)
    recent = (spells["MIS_START"] <= end) & (
        spells["MIS_START"] > end - pd.Timedelta(days=MISSING_WINDOW_DAYS)
    )
    counts = spells[recent.to_numpy()].groupby("CHILD").size()
    return counts.reindex(until.index, fill_value=0).astype(int)


def in_custody(eps: pd.DataFrame, oc3: pd.DataFrame) -> set[str]:
    """Children the return shows remanded or sentenced, in care or after."""
    custody = eps["LS"].isin(list(CUSTODY_STATUS)) | (eps["PLACE"] == "R5") | (eps["REC"] == "E9")
    after = (oc3["IN_TOUCH"] == "YES") & (oc3["ACCOM"].str[:1] == "X")
    return set(eps.loc[custody, "CHILD"]) | set(oc3.loc[after, "CHILD"])


def support_need(base: pd.Series, fallback: pd.Series, spells: pd.Series, custody: pd.Series) -> pd.Series:
    """The support level of each row: `base` (empty where it says nothing), else `fallback`, else
    medium; raised by missing spells; at least high in custody, intensive with three spells."""
    level = base.where(base != "", fallback).replace("", UNSAID).fillna(UNSAID)
    rank = level.map(SUPPORT_RANK).to_numpy(dtype=int)
    n = spells.to_numpy(dtype=int)
    rank = rank + np.where(n >= 3, 2, np.where(n >= 1, 1, 0))
    held = custody.to_numpy(dtype=bool)
    rank = np.where(held, np.maximum(rank, SUPPORT_RANK["high"]), rank)
    rank = np.where(held & (n >= 3), SUPPORT_RANK["intensive"], rank)
    rank = np.minimum(rank, len(SUPPORT_LEVELS) - 1)
    return pd.Series(np.asarray(SUPPORT_LEVELS, dtype=object)[rank], index=base.index)
