"""One column's cells: its declaration (`Column`, of a `Kind`) and the parser turning its raw
strings into typed values, with the bad ones and a message for each, as `planner.data.table`
reads a file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.data.formats import each_distinct
from planner.data.limits import ID_MAX_LENGTH
from planner.data.vocab import (
    ACCOM_LABELS,
    ACTIVITY_LABELS,
    GENDERS,
    LEGAL_STATUSES,
    RISKS,
    SCHEME_GENDERS,
    SCHEME_TYPES,
    SUPPORT_LEVELS,
    UNKNOWN_DISTRICT,
)

Kind = Literal[
    "id", "text", "date", "bool", "optional_bool", "int", "decimal", "lad", "lad_or_unknown", "lad_list",
    "risk_list",
    "support", "gender", "scheme_gender", "accom_type", "accom_code", "latitude", "longitude",
    "legal_status", "activity",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None  # characters, for text (sized to the database's column)
    what: str = ""  # what a value means, for messages ("a weekly cost in GBP")
    # What an empty optional cell reads as, when not the kind's own default (false, 0, nothing):
    # "" keeps a decimal unknown (NaN), as an empty date is.
    default: str | None = None


# ---- value parsers: (raw strings) -> (values, bad mask, message for a bad raw value) ----

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_ID = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{ID_MAX_LENGTH - 1}}}$")
_INT = re.compile(r"^[+-]?\d+$")
_INT_DIGITS = 15  # beyond this an int64 may overflow; no count in the contract comes near it
_YEARS = (1900, 2199)  # dates outside these are typing slips (and outside datetime64[ns])
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACCOM_CODE = re.compile(r"^[A-Z][12]$")

Parsed = tuple[pd.Series, np.ndarray, Callable[[str], str]]


def _choice(raw: pd.Series, allowed: Iterable[str], what: str) -> Parsed:
    allowed = list(allowed)
    bad = ~raw.isin(allowed).to_numpy()
    return raw, bad, lambda v: f"{v!r} is not {what} (expected one of {', '.join(allowed)})"


def _split(raw: pd.Series) -> pd.Series:
    # Each distinct cell once: a column of 20,000 rows holds a few dozen lists.
    parts = each_distinct(raw, lambda v: tuple(dict.fromkeys(t.strip() for t in v.split(";") if t.strip())))
    return pd.Series(parts, index=raw.index, dtype=object)


def _list_of(raw: pd.Series, allowed: set[str], one: str, many: str) -> Parsed:
    """A `;` list; `one`/`many` finish "'x' is not ..." and "'x', 'y' are not ..."."""
    values = _split(raw)
    bad = values.map(lambda t: any(x not in allowed for x in t)).to_numpy(dtype=bool)

    def message(v: str) -> str:
        wrong = list(dict.fromkeys(x.strip() for x in v.split(";") if x.strip() not in allowed | {""}))
        return f"{', '.join(map(repr, wrong))} {'is not ' + one if len(wrong) == 1 else 'are not ' + many}"

    return values, bad, message


def _lad_message(v: str) -> str:
    if v.upper().startswith(("E10", "E11", "E12")):  # county, metropolitan county, region
        return f"{v!r} is a county or region code, not a district code (ONS LAD code, e.g. E07000078)"
    return f"{v!r} is not an English district code (ONS LAD code, e.g. E07000078)"


def parse(col: Column, raw: pd.Series) -> Parsed:
    """The column's values parsed, which rows are bad, and the message for a bad value. Each
    distinct value is parsed once: a column of 20,000 rows holds a few hundred dates or codes."""
    if col.kind in ("id", "text") or len(raw) < 64:
        return _parse(col, raw)
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=False)
    if len(uniques) * 2 > len(raw):
        return _parse(col, raw)
    values, bad, message = _parse(col, pd.Series(uniques, dtype=raw.dtype))
    return pd.Series(values.to_numpy()[codes], index=raw.index, dtype=values.dtype), bad[codes], message


def _parse(col: Column, raw: pd.Series) -> Parsed:
    kind = col.kind
    if kind == "id":
        bad = ~raw.str.match(_ID).to_numpy(dtype=bool)
        return (
            raw,
            bad,
            lambda v: (
                f"{v!r} is not a pseudonymous id (letters, digits, '-', '_' or '.', no spaces, "
                f"at most {ID_MAX_LENGTH} characters; never a name)"
            ),
        )
    if kind == "text":
        return raw, np.zeros(len(raw), dtype=bool), str
    if kind == "date":
        shaped = raw.str.match(_DATE).to_numpy(dtype=bool)
        year = pd.to_numeric(raw.str[:4], errors="coerce").to_numpy(dtype=float)
        in_years = shaped & (year >= _YEARS[0]) & (year <= _YEARS[1])
        dates = pd.to_datetime(raw.where(in_years, None), format="%Y-%m-%d", errors="coerce")
        bad = dates.isna().to_numpy(dtype=bool)

        def message(v: str) -> str:
            if not _DATE.match(v):
                return f"{v!r} is not a date (expected YYYY-MM-DD, e.g. 2026-11-23)"
            if not _YEARS[0] <= int(v[:4]) <= _YEARS[1]:
                return f"{v!r} is not a plausible date (expected a year from {_YEARS[0]} to {_YEARS[1]})"
            return f"{v!r} is not a date that exists"

        return dates.astype("datetime64[ns]"), bad, message
    if kind == "bool":
        low = raw.str.lower()
        bad = ~low.isin(_TRUE | _FALSE).to_numpy(dtype=bool)
        return (
            low.isin(_TRUE).astype(bool),
            bad,
            lambda v: f"{v!r} is not a yes/no value (expected true/false, yes/no or 1/0)",
        )
    if kind == "optional_bool":  # empty stays unknown (NA): the contract gives its meaning
        low = raw.str.lower()
        values = low.isin(_TRUE).astype("boolean").mask(low == "")
        bad = ~low.isin(_TRUE | _FALSE | {""}).to_numpy(dtype=bool)
        return values, bad, lambda v: f"{v!r} is not a yes/no value (expected true/false, yes/no or 1/0)"
    if kind == "int":
        whole = raw.str.match(_INT).to_numpy(dtype=bool)
        ok = whole & (raw.str.lstrip("+-").str.len() <= _INT_DIGITS).to_numpy(dtype=bool)
        ints = pd.Series(np.where(ok, raw, "0"), index=raw.index).astype("int64")
        return (
            ints,
            ~ok,
            lambda v: f"{v!r} is too large for a count" if _INT.match(v) else f"{v!r} is not a whole number",
        )
    if kind in ("decimal", "latitude", "longitude"):
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = ~np.isfinite(numbers.to_numpy())
        return (
            numbers,
            bad,
            lambda v: (
                f"{v!r} is not a number"
                + (" (write it without £ or commas, e.g. 1234.50)" if kind == "decimal" else "")
            ),
        )
    if kind == "lad":
        codes = set(districts().index)
        bad = ~raw.isin(codes).to_numpy(dtype=bool)
        return raw, bad, _lad_message
    if kind == "lad_or_unknown":
        bad = ~raw.isin([*districts().index, UNKNOWN_DISTRICT]).to_numpy(dtype=bool)
        code = "an English district code (ONS LAD code, e.g. E07000078)"
        return raw, bad, lambda v: f"{v!r} is not {code} or {UNKNOWN_DISTRICT!r}"
    if kind == "lad_list":
        return _list_of(
            raw,
            set(districts().index),
            "an English district code (ONS LAD code, e.g. E07000078)",
            "English district codes (ONS LAD codes)",
        )
    if kind == "risk_list":
        vocabulary = f"in the risk vocabulary ({', '.join(RISKS)})"
        return _list_of(raw, set(RISKS), vocabulary, vocabulary)
    if kind == "support":
        return _choice(raw, SUPPORT_LEVELS, "a support level")
    if kind == "gender":
        return _choice(raw, GENDERS, "a gender")
    if kind == "scheme_gender":
        return _choice(raw, SCHEME_GENDERS, "a scheme gender")
    if kind == "accom_type":
        return _choice(raw, sorted(SCHEME_TYPES), "an SSDA903 accommodation type for a scheme")
    if kind == "legal_status":
        return _choice(raw, LEGAL_STATUSES, "a legal status")
    if kind == "activity":
        return _choice(raw, ACTIVITY_LABELS, "an SSDA903 activity (OC3 ACTIV) code of 2025-26")
    if kind == "accom_code":
        bad = ~(raw.str.match(_ACCOM_CODE) & raw.str[0].isin(list(ACCOM_LABELS))).to_numpy(dtype=bool)
        return (
            raw,
            bad,
            lambda v: (
                f"{v!r} is not an SSDA903 ACCOM code "
                "(a type letter then 1 suitable or 2 not suitable, e.g. W2)"
            ),
        )
    raise AssertionError(kind)


def range_message(col: Column, v: float) -> str:
    if col.kind == "int":
        shown = f"{v:,.0f}"
    else:  # as precise as typed, up to pence: 50,000.01 is not "50000"
        shown = f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e12 else f"{v:g}"
    what = f" ({col.what})" if col.what else ""
    if col.minimum is not None and v < col.minimum:
        if col.minimum == 0:
            return f"{shown} is negative{what}, expected 0 or more"
        return f"{shown} is less than {col.minimum:,g}{what}"
    return f"{shown} is more than {col.maximum:,g}{what}"
