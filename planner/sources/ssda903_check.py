"""Checking one file of an SSDA903 return against its collection year's code lists and dates.

Every invalid value is a `Problem` (file, row, column, value). Only that value is dropped when
the row is still usable; a row whose key value is bad (CHILD, a date of birth, an episode's
start, end or placement) is marked unusable. A code valid in another supported year but not in
this one (an H5 placement in 2025-26, SEX 1 in 2024-25) is reported and kept: its meaning is
known.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.problems import Collector, Problem
from planner.sources.collection_years import year_end, year_label
from planner.sources.ssda903_codes import LISTS
from planner.sources.ssda903_files import ReturnFile

REQUIRED: Final = {
    "header": ("CHILD", "SEX", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH"),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MIS_START"),
}
KEY: Final = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "DEC", "PLACE"),
    "oc3": ("CHILD",),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MIS_START"),
}
DATES: Final = {
    "header": ("DOB", "MC_DOB"),
    "episodes": ("DECOM", "DEC"),
    "oc3": ("DOB",),
    "uasc": ("DOB", "DUC"),
    "missing": ("DOB", "MIS_START", "MIS_END"),
}
CODED: Final = {
    "header": ("SEX", "ETHNIC", "MOTHER", "UASC_STATUS"),
    "episodes": ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "uasc": ("SEX",),
    "missing": ("MISSING",),
}
EXAMPLES: Final = {"PLACE": "U1 to U6 foster placements, K2 children's home, K3 supported accommodation"}
# Values standing for "not applicable" or "not known" rather than a setting or an address: the DfE
# guide's URN XXXXXXX (no Ofsted registration applies: foster care with the council's own carers,
# placed with parents, semi-independent living before registration), the same run of Xs written in
# a postcode, and the NHS pseudo-postcodes ZZ99 some case management systems fill in. Read as
# empty, counted, never a problem; a pseudonymised XXXXXXX would link half a cohort to one place.
PLACEHOLDER_COLUMNS: Final = {"episodes": ("URN", "HOME_POST", "PL_POST")}
# Dates that may lie after the collection year: a UASC status ends when the child turns 18.
FUTURE_ALLOWED: Final = frozenset({"DUC"})
DATE_FORMAT: Final = "is not a date (SSDA903 dates are dd/mm/yyyy, e.g. 23/11/2026)"


class _Report:
    """Problems of one file, in row order, and the rows they make unusable."""

    def __init__(self, f: ReturnFile) -> None:
        self.found = Collector(f.name)
        self.rows = f.frame["_row"].to_numpy(dtype=int)
        self.unusable = np.zeros(len(f.frame), dtype=bool)

    def add(self, mask: np.ndarray, column: str, messages: list[str] | str, *, key: bool) -> None:
        where = np.flatnonzero(mask)
        texts = [messages] * len(where) if isinstance(messages, str) else messages
        for i, text in zip(where, texts, strict=True):
            self.found.add(int(self.rows[i]), column, text)
        if key:
            self.unusable |= mask


def check_file(f: ReturnFile, *, today: date) -> tuple[pd.DataFrame, list[Problem]]:
    """The file's rows typed (dates as timestamps, invalid values empty), with `_usable` and
    `_year`, and every problem found."""
    df = f.frame.copy()
    df["_placeholders"] = 0
    for col in PLACEHOLDER_COLUMNS.get(f.table, ()):
        stands_in = is_placeholder(df[col])
        df.loc[stands_in, col] = ""
        df["_placeholders"] += stands_in.astype(int)
    report = _Report(f)
    table, year = f.table, f.year
    last_day = year_end(year)
    limit = min(last_day, pd.Timestamp(today))
    late = (
        f"is after the end of the {year_label(year)} collection year ({last_day:%d/%m/%Y})"
        if limit == last_day
        else "is in the future"
    )
    for col in REQUIRED[table]:
        empty = (df[col] == "").to_numpy()
        report.add(empty, col, "is empty but required", key=col in KEY[table])
    for col in DATES[table]:
        raw = df[col].astype(str)
        parsed = pd.to_datetime(raw, format="%d/%m/%Y", errors="coerce")
        given = (raw != "").to_numpy()
        wrong = given & parsed.isna().to_numpy()
        old = given & (parsed < pd.Timestamp(1900, 1, 1)).to_numpy()
        after = given & (parsed > limit).to_numpy() & (col not in FUTURE_ALLOWED)
        report.add(wrong, col, [f"{v!r} {DATE_FORMAT}" for v in raw[wrong]], key=col in KEY[table])
        report.add(
            old | after,
            col,
            [
                f"{v} {late if a else 'is not a plausible date'}"
                for v, a in zip(raw[old | after], after[old | after], strict=True)
            ],
            key=col in KEY[table],
        )
        df[col] = parsed.where(~(old | after)).astype("datetime64[ns]")
    for col in (c for c in CODED[table] if c in df):
        df[col] = _codes(df[col].astype(str), col, year, report, key=col in KEY[table])
    if table == "episodes":
        _episode_dates(df, report)
    df["_usable"] = ~report.unusable
    df["_year"] = year
    return df, report.found.sorted()


def is_placeholder(values: pd.Series) -> pd.Series:
    """Values of `PLACEHOLDER_COLUMNS` that stand for "not applicable" or "not known"."""
    plain = values.astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    return plain.str.fullmatch(r"X{2,}") | plain.str.startswith("ZZ99")


def _codes(raw: pd.Series, col: str, year: int, report: _Report, *, key: bool) -> pd.Series:
    codes = LISTS[col]
    given = (raw != "").to_numpy()
    valid = raw.isin(list(codes.valid(year))).to_numpy()
    known = raw.isin(list(codes.labels)).to_numpy()
    other_year = given & ~valid & known
    report.add(
        other_year,
        col,
        [
            f"{v!r} is an SSDA903 {col} code of {codes.years_of(v)}, not of {year_label(year)}: read as such"
            for v in raw[other_year]
        ],
        key=False,
    )
    unknown = given & ~known
    example = EXAMPLES.get(col, codes.example(year))
    report.add(
        unknown,
        col,
        [f"{v!r} is not an SSDA903 {col} code in {year_label(year)} (e.g. {example})" for v in raw[unknown]],
        key=key,
    )
    return raw.where(~unknown, "")


def _episode_dates(df: pd.DataFrame, report: _Report) -> None:
    """An episode cannot end before it starts; DEC and REC go together."""
    backwards = (df["DEC"].notna() & df["DECOM"].notna() & (df["DEC"] < df["DECOM"])).to_numpy()
    dec, decom = df["DEC"][backwards], df["DECOM"][backwards]
    report.add(
        backwards,
        "DEC",
        [f"{a:%d/%m/%Y} is before DECOM {b:%d/%m/%Y}" for a, b in zip(dec, decom, strict=True)],
        key=True,
    )
    ended = df["DEC"].notna().to_numpy()
    reason = (df["REC"] != "").to_numpy()
    report.add(
        ended & ~reason & ~report.unusable,
        "REC",
        "is empty but DEC is given (how did the episode end?)",
        key=False,
    )
    open_ = ~ended & reason & ~report.unusable
    report.add(
        open_,
        "REC",
        [f"{v!r} is given but DEC is empty: read as an open episode" for v in df["REC"][open_]],
        key=False,
    )
    df.loc[open_, "REC"] = ""
