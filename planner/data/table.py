"""CSV tables declared once (`TableSpec` of typed `Column`s), read into typed DataFrames and
written back in the same formats. The files themselves are declared in `planner.data.contract`
(young_people.csv, schemes.csv) and `planner.forecast.history` (referrals.csv, cohort.csv).

Every problem in a file is collected (up to `MAX_PROBLEMS`) before `InvalidInput` is raised,
so a user fixes them in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.data.limits import ID_MAX_LENGTH, unstorable
from planner.data.problems import InvalidInput, Problem
from planner.data.vocab import (
    ACCOM_LABELS,
    GENDERS,
    RISKS,
    SCHEME_GENDERS,
    SCHEME_TYPES,
    SUPPORT_LEVELS,
)

MAX_PROBLEMS = 20

Kind = Literal[
    "id", "text", "date", "bool", "int", "decimal", "lad", "lad_list", "risk_list",
    "support", "gender", "scheme_gender", "accom_type", "accom_code", "latitude", "longitude",
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


@dataclass(frozen=True, slots=True)
class TableSpec:
    file: str
    columns: tuple[Column, ...]
    id_column: str | None = None
    check_rows: Callable[[pd.DataFrame, pd.DataFrame], Iterable[tuple[int, str, str]]] | None = None
    # Values derived once every row is valid (e.g. coordinates from a postcode).
    complete: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


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
    return raw.map(lambda v: tuple(dict.fromkeys(t.strip() for t in v.split(";") if t.strip())))


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


def _range_message(col: Column, v: float) -> str:
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


# ---- reading a table ----


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[tuple[int, int, Problem]] = []

    def add(self, row: int | None, column: str | None, message: str, order: int = 0) -> None:
        self.items.append((row or 0, order, Problem(self.file, row, column, message)))

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            ordered = [p for _, _, p in sorted(self.items, key=lambda t: (t[0], t[1]))]
            raise InvalidInput(ordered[:MAX_PROBLEMS], truncated=len(ordered) > MAX_PROBLEMS)


def _decode(data: bytes, out: _Collector) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = data[: e.start].count(b"\n") + 1
        out.add(
            row,
            None,
            f"is not UTF-8 text (byte 0x{data[e.start]:02x} cannot be read, e.g. a £ or an accent "
            "saved by Excel as plain 'CSV'); save the file as 'CSV UTF-8 (comma delimited)'",
        )
        return None


def read_table(data: bytes, spec: TableSpec) -> pd.DataFrame:
    """Parse and validate one CSV file's bytes against `spec`; raise InvalidInput listing problems."""
    out = _Collector(spec.file)
    text = _decode(data, out)
    if text is None:
        out.raise_if_any()
    assert text is not None
    if not text.strip():
        out.add(None, None, f"file is empty: expected a header row with {', '.join(spec.names)}")
        out.raise_if_any()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as e:  # e.g. a field longer than the csv module allows (128 kB)
        out.add(reader.line_num, None, f"cannot be read as CSV ({e})")
        out.raise_if_any()
    if not any(h.strip() for h in records[0]):
        out.add(1, None, f"is blank: the first row must be the header ({', '.join(spec.names)})")
        out.raise_if_any()
    header = [h.strip() for h in records[0]]
    order = {c.name: i for i, c in enumerate(spec.columns)}
    for name in sorted({h for h in header if header.count(h) > 1 and h}):
        out.add(1, name, "column appears more than once in the header row")
    for col in spec.columns:
        if col.required and col.name not in header:
            out.add(1, col.name, "required column is missing from the header row", order[col.name])
    out.raise_if_any()

    rows: list[list[str]] = []
    numbers: list[int] = []
    for i, rec in enumerate(records[1:], start=2):
        if not any(v.strip() for v in rec):
            continue  # blank lines, e.g. at the end of a file saved by a spreadsheet
        if len(rec) != len(header):
            many = "many" if len(rec) > len(header) else "few"
            hint = (
                "; a double quote may be missing its closing quote"
                if any("\n" in v for v in rec)
                else "; a value holding a comma must be in double quotes"
                if many == "many"
                else ""
            )
            out.add(i, None, f"has {len(rec)} fields but the header has {len(header)} (too {many}{hint})")
            continue
        # One kind of line break inside quoted text, so what is written back reads back the same.
        rows.append([v.replace("\r\n", "\n").replace("\r", "\n").strip() for v in rec])
        numbers.append(i)
    raw = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    row_no = np.asarray(numbers, dtype=int)

    table: dict[str, pd.Series] = {}
    for col in spec.columns:
        values = raw[col.name].astype(str) if col.name in raw else pd.Series([""] * len(raw), dtype=str)
        values = values.reset_index(drop=True)
        empty = (values == "").to_numpy()
        if col.required:
            for r in row_no[empty]:
                out.add(int(r), col.name, "is empty but a value is required", order[col.name])
        default = {"bool": "false", "int": "0", "decimal": "0"}.get(col.kind, "")
        filled = values.where(~empty, default)
        parsed, bad, message = _parse(col, filled)
        refused = unstorable(filled, col.max_length)  # control characters, too long: said instead
        stored = refused.isna().to_numpy()
        for r, why in zip(row_no[~stored], refused.dropna(), strict=True):
            out.add(int(r), col.name, why, order[col.name])
        bad = bad & ~empty  # an empty value is reported above, or takes the default
        for r, v in zip(row_no[bad & stored], filled[bad & stored], strict=True):
            out.add(int(r), col.name, message(v), order[col.name])
        bad |= ~stored
        if col.minimum is not None or col.maximum is not None:
            num = parsed.to_numpy(dtype=float)
            lo = col.minimum if col.minimum is not None else -np.inf
            hi = col.maximum if col.maximum is not None else np.inf
            off = ~bad & ~empty & ((num < lo) | (num > hi))
            for r, v in zip(row_no[off], num[off], strict=True):
                out.add(int(r), col.name, _range_message(col, float(v)), order[col.name])
        table[col.name] = parsed.reset_index(drop=True)
    df = pd.DataFrame(table)

    if spec.id_column:
        ids = df[spec.id_column]
        first = dict[str, int]()
        for r, v in zip(row_no, ids, strict=True):
            if v == "":
                continue
            if v in first:
                out.add(int(r), spec.id_column, f"duplicate id {v!r} (first on row {first[v]})")
            else:
                first[v] = int(r)
    if spec.check_rows is not None:
        # Checks across columns run on the rows whose every value parsed, so that one pass
        # reports them too without repeating (or tripping over) a bad value.
        clean = ~np.isin(row_no, [row for row, _, _ in out.items])
        numbered = pd.DataFrame({"row": row_no[clean]})
        for r, column, text in spec.check_rows(df[clean].reset_index(drop=True), numbered):
            out.add(r, column, text, order.get(column, 0))
    out.raise_if_any()
    return spec.complete(df) if spec.complete is not None else df


def read_file(folder: Path, spec: TableSpec) -> pd.DataFrame:
    path = Path(folder) / spec.file
    if not path.is_file():
        raise InvalidInput([Problem(spec.file, None, None, f"file is missing from {folder}")])
    return read_table(path.read_bytes(), spec)


# ---- writing (the demo, exports) ----


def _format(col: Column, s: pd.Series) -> pd.Series:
    if col.kind == "date":
        return s.dt.strftime("%Y-%m-%d").fillna("")
    if col.kind == "bool":
        return s.map(lambda b: "true" if b else "false")
    if col.kind in ("lad_list", "risk_list"):
        return s.map(lambda t: ";".join(t) if isinstance(t, tuple | list) else (t or ""))
    if col.kind in ("latitude", "longitude"):
        return s.map(lambda v: f"{v:.5f}")
    if col.kind == "decimal":
        return s.map(lambda v: f"{v:.2f}")
    # A lone carriage return is not quoted by the csv writer yet ends a row for the reader.
    return s.astype(str).str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)


def format_table(df: pd.DataFrame, spec: TableSpec) -> str:
    """CSV text for a typed table, in the contract's own formats (the inverse of `read_table`)."""
    out = pd.DataFrame({c.name: _format(c, df[c.name]) for c in spec.columns if c.name in df})
    extra = [c for c in df.columns if c not in out.columns]
    for c in extra:
        out[c] = df[c]
    return out.to_csv(index=False, lineterminator="\n")


def write_table(df: pd.DataFrame, spec: TableSpec, folder: str | Path) -> Path:
    path = Path(folder) / spec.file
    path.write_text(format_table(df, spec), encoding="utf-8")
    return path
