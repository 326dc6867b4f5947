"""The history files the forecast reads: `referrals.csv` (care leavers' referrals for
accommodation) and `cohort.csv` (children looked after now, aged 13 to 17), declared like contract
v1 (`planner.data.contract`) so they are read with the same rules and messages (file, row,
column). They sit in the data layer because more than the forecast writes and reads them: the
demo writes both, `planner import-903` (`planner.sources`) derives both from SSDA903 returns, and
the web app stores them. See `data/README.md`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from planner.data.table import Column, TableSpec, parsed
from planner.data.vocab import NEVER_SUITABLE, UNKNOWN_DISTRICT

# SSDA903 Episodes field PLACE: every code valid in a collection year from 2017-18 to 2025-26
# (which years each is valid in: `planner.sources.ssda903_codes`).
PLACEMENT_TYPES: Final = {
    "A3": "Placed for adoption with consent, with current foster carer(s)",
    "A4": "Placed for adoption with consent, not with current foster carer(s)",
    "A5": "Placed for adoption with placement order, with current foster carer(s)",
    "A6": "Placed for adoption with placement order, not with current foster carer(s)",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations (until 2024-25)",
    "K1": "Secure children's home",
    "K2": "Children's home subject to children's homes regulations",
    "K3": "Supported accommodation registered with Ofsted (from 2024-25; replaces H5)",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living, e.g. in a flat, lodgings, bedsit, B&B or with friends (until 2024-25)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust or other establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
    "T0": "All types of temporary move",
    "T1": "Temporary periods in hospital",
    "T2": "Temporary absences of the child on holiday",
    "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "Temporary accommodation of seven days or less, for any reason, not covered by T1 to T3",
    "U1": "Foster placement with relative(s) or friend(s), long term fostering",
    "U2": "Foster placement with relative(s) or friend(s) who is/are also an approved adopter(s)",
    "U3": "Foster placement with relative(s) or friend(s), not long term or FFA",
    "U4": "Foster placement with other foster carer(s), long term fostering",
    "U5": "Foster placement with other foster carer(s) who is/are also an approved adopter(s)",
    "U6": "Foster placement with other foster carer(s), not long term or FFA",
    "Z1": "Other placements (until 2024-25)",
    **{f"Z1{i}": f"Other placements, code Z1{i} (from 2025-26, Z1 split in four)" for i in range(1, 5)},
}


def _rows(rows: pd.DataFrame, mask: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(rows["row"].to_numpy()[np.asarray(mask, dtype=bool)])


def _check_referrals(df: pd.DataFrame, rows: pd.DataFrame) -> Iterable[tuple[int, str, str]]:
    ref, dob, placed, left = df["referral_date"], df["date_of_birth"], df["placed_date"], df["left_date"]
    code = df["outcome_accom"]
    dates = parsed(rows, "referral_date", "date_of_birth")
    stay = parsed(rows, "placed_date", "left_date")
    for r, v in zip(_rows(rows, dates & (ref < dob)), ref[dates & (ref < dob)], strict=True):
        yield int(r), "referral_date", f"{v:%Y-%m-%d} is before the date of birth"
    age = (ref - dob).dt.days / 365.25
    odd = dates & (ref >= dob) & ((age < 15) | (age >= 26))
    for r, a in zip(_rows(rows, odd), age[odd], strict=True):
        yield int(r), "date_of_birth", f"gives age {a:.0f} on the referral date; care leavers are 16 to 25"
    early = parsed(rows, "placed_date", "referral_date") & placed.notna() & (placed < ref)
    for r, p, v in zip(_rows(rows, early), placed[early], ref[early], strict=True):
        yield int(r), "placed_date", f"{p:%Y-%m-%d} is before the referral date {v:%Y-%m-%d}"
    before = stay & left.notna() & placed.notna() & (left < placed)
    for r, v, p in zip(_rows(rows, before), left[before], placed[before], strict=True):
        yield int(r), "left_date", f"{v:%Y-%m-%d} is before the placed date {p:%Y-%m-%d}"
    orphan = stay & left.notna() & placed.isna()
    for r, v in zip(_rows(rows, orphan), left[orphan], strict=True):
        yield int(r), "left_date", f"{v:%Y-%m-%d} is given but placed_date is empty"
    outcome = parsed(rows, "placed_date", "outcome_accom")
    no_code = outcome & placed.notna() & (code == "")
    for r in _rows(rows, no_code):
        yield (
            int(r),
            "outcome_accom",
            "is empty but placed_date is given (where was the young person placed?)",
        )
    no_date = outcome & placed.isna() & (code != "")
    for r, c in zip(_rows(rows, no_date), code[no_date], strict=True):
        yield int(r), "placed_date", f"is empty but outcome_accom is {c!r} (when were they placed?)"
    bad = parsed(rows, "outcome_accom") & code.str[0].isin(list(NEVER_SUITABLE)) & (code.str[1] == "1")
    for r, c in zip(_rows(rows, bad), code[bad], strict=True):
        yield int(r), "outcome_accom", f"{c!r} marks unsuitable accommodation as suitable (use {c[0]}2)"


def _check_cohort(df: pd.DataFrame, rows: pd.DataFrame) -> Iterable[tuple[int, str, str]]:
    place = df["placement_type"]
    bad = parsed(rows, "placement_type") & ~place.isin(list(PLACEMENT_TYPES))
    for r, v in zip(_rows(rows, bad), place[bad], strict=True):
        yield (
            int(r),
            "placement_type",
            (
                f"{v!r} is not an SSDA903 placement type (PLACE code, e.g. U4 foster placement, "
                "K2 children's home, K3 supported accommodation)"
            ),
        )


REFERRALS: Final = TableSpec(
    file="referrals.csv",
    id_column="referral_id",
    check_rows=_check_referrals,
    columns=(
        Column("referral_id", "id"),
        Column("person_id", "id"),
        Column("referral_date", "date"),
        Column("date_of_birth", "date"),
        Column("gender", "gender"),
        Column("home_district", "lad_or_unknown"),
        Column("support_need", "support"),
        Column("wheelchair", "bool", required=False),
        Column("parent_with_child", "bool", required=False),
        Column("high_risk", "bool", required=False),
        Column("risks", "risk_list", required=False),
        Column("outcome_accom", "accom_code", required=False),
        Column("placed_date", "date", required=False),
        Column("left_date", "date", required=False),
    ),
)

COHORT: Final = TableSpec(
    file="cohort.csv",
    id_column="child_id",
    check_rows=_check_cohort,
    columns=(
        Column("child_id", "id"),
        Column("date_of_birth", "date"),
        Column("gender", "gender"),
        Column("district", "lad_or_unknown"),
        Column("placement_type", "text"),
        Column("support_need", "support"),
        Column("uasc", "bool"),
    ),
)


__all__ = ["COHORT", "PLACEMENT_TYPES", "REFERRALS", "UNKNOWN_DISTRICT"]
