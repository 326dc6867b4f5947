"""CSV tables declared once (`TableSpec` of typed `Column`s), read into typed DataFrames and
written back in the same formats. The files themselves are declared in `planner.data.contract`
(young_people.csv, schemes.csv) and `planner.data.history_formats` (referrals.csv, cohort.csv).

Every problem in a file is collected (up to `MAX_PROBLEMS`) before `InvalidInput` is raised,
so a user fixes them in one pass: checks across columns and rows run on every value that parsed,
even on rows where another value did not (`parsed`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data.cells import Column as Column
from planner.data.cells import Kind as Kind
from planner.data.cells import parse, range_message
from planner.data.limits import COLUMNS_MAX, control_character, unstorable
from planner.data.problems import Collector, InvalidInput, Problem

MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class TableSpec:
    file: str
    columns: tuple[Column, ...]
    id_column: str | None = None
    # Checks across columns: (typed frame, `rows`: the spreadsheet row numbers in "row" and, per
    # column, whether its value parsed) -> (row, column, message). See `parsed`.
    check_rows: Callable[[pd.DataFrame, pd.DataFrame], Iterable[tuple[int, str, str]]] | None = None
    # Values derived once every row is valid (e.g. postcodes written one way).
    complete: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


# ---- reading a table ----


def parsed(rows: pd.DataFrame, *columns: str) -> np.ndarray:
    """The rows whose values in every one of `columns` parsed: a check across columns looks only
    at those, so it runs on a row with a bad value elsewhere without repeating (or tripping over)
    that value."""
    return np.asarray(rows[list(columns)].all(axis=1).to_numpy(), dtype=bool)


@dataclass(frozen=True, slots=True)
class Records:
    """A file's bytes split into CSV records, the first step of `read_table`, kept so that one
    column can also be read as written (`values`) without splitting the file again."""

    header: list[str]  # the header row, stripped; [] when the file could not be split
    rows: list[list[str]]  # the records after the header, as written
    problem: tuple[int | None, str] | None = None  # (row, message): why it could not be split
    plain: bool = False  # no control character and no carriage return anywhere in the file

    def values(self, column: str) -> frozenset[str] | None:
        """The values of one column as written, whatever else is wrong in the file (None when the
        file cannot be read as a table with that column): e.g. the ids another file may refer to."""
        if self.problem is not None or self.header.count(column) != 1:
            return None
        at = self.header.index(column)
        return frozenset(r[at].strip() for r in self.rows if len(r) == len(self.header) and r[at].strip())


class _TooWide(Exception):
    def __init__(self, columns: int) -> None:
        self.columns = columns


def _records(reader: Iterator[list[str]]) -> list[list[str]]:
    """The file's rows, the header's width checked before any other row is read (a header of
    hundreds of thousands of columns is refused at once, not parsed and compared)."""
    header = next(reader)
    if len(header) > COLUMNS_MAX:
        raise _TooWide(len(header))
    return [header, *reader]


def split_records(data: bytes, spec: TableSpec) -> Records:
    """Decode a file's bytes and split them into CSV records (`Records.problem` says why not)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        message = (
            f"is not UTF-8 text (byte 0x{data[e.start]:02x} cannot be read, e.g. a £ or an accent "
            "saved by Excel as plain 'CSV'); save the file as 'CSV UTF-8 (comma delimited)'"
        )
        return Records([], [], (data[: e.start].count(b"\n") + 1, message))
    if not text.strip():
        return Records([], [], (None, f"file is empty: expected a header row with {', '.join(spec.names)}"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = _records(reader)
    except csv.Error as e:  # e.g. a field longer than the csv module allows (128 kB)
        return Records([], [], (reader.line_num, f"cannot be read as CSV ({e})"))
    except _TooWide as e:
        wide = f"has {e.columns:,} columns in its header row; at most {COLUMNS_MAX:,} are read"
        return Records(
            [], [], (1, f"{wide} (the contract has {len(spec.columns)}): remove the columns not needed")
        )
    if not any(h.strip() for h in records[0]):
        return Records([], [], (1, f"is blank: the first row must be the header ({', '.join(spec.names)})"))
    plain = "\r" not in text and control_character(text) is None
    return Records([h.strip() for h in records[0]], records[1:], plain=plain)


def read_table(data: bytes | Records, spec: TableSpec, *, max_problems: int = MAX_PROBLEMS) -> pd.DataFrame:
    """Parse and validate one CSV file's bytes (or its records, `split_records`) against `spec`;
    raise InvalidInput listing up to `max_problems` problems."""
    records = data if isinstance(data, Records) else split_records(data, spec)
    return _read(records, spec, Collector(spec.file, max_problems))


def _read(records: Records, spec: TableSpec, out: Collector) -> pd.DataFrame:
    if records.problem is not None:
        row, why = records.problem
        out.add(row, None, why)
        out.raise_if_any()
    header = records.header
    order = {c.name: i for i, c in enumerate(spec.columns)}
    for name in sorted(n for n, times in Counter(header).items() if times > 1 and n):
        out.add(1, name, "column appears more than once in the header row")
    for col in spec.columns:
        if col.required and col.name not in header:
            out.add(1, col.name, "required column is missing from the header row", order[col.name])
    out.raise_if_any()

    fast = _plain_columns(records)
    if fast is not None:
        raw, row_no = fast
    else:
        raw, row_no = _row_by_row(records, out)
    table, valid = _columns(raw, row_no, spec, out, controls=not records.plain)
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
        # Checks across columns run on every row, each on the values it needs that parsed
        # (`parsed`), so one pass reports them too, beside the bad values of other columns.
        assert "row" not in valid
        checked = pd.DataFrame({"row": row_no, **valid})
        for r, column, text in spec.check_rows(df, checked):
            out.add(r, column, text, order.get(column, 0))
    out.raise_if_any()
    return spec.complete(df) if spec.complete is not None else df


# Values joined by NUL (no plain file holds one) are searched at once for a value that starts
# or ends with white space; in most files none does, and nothing is stripped value by value. A
# pattern that starts with a literal is searched fast: the ends are found in the reversed text.
_SPACE_AFTER_NUL = re.compile(r"\x00\s")


def _edge_space(joined: str) -> bool:
    return (
        joined[:1].isspace()
        or joined[-1:].isspace()
        or _SPACE_AFTER_NUL.search(joined) is not None
        or _SPACE_AFTER_NUL.search(joined[::-1]) is not None
    )


def _plain_columns(records: Records) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The records as columns of stripped text, without blank records, and the spreadsheet row
    of each: for a plain file (no control character, no carriage return) with distinct header
    names whose every record has the header's width; None for any other (`_row_by_row`)."""
    header, rows = records.header, records.rows
    if (
        not records.plain
        or not rows
        or len(set(header)) != len(header)
        or set(map(len, rows)) != {len(header)}
    ):
        return None
    columns = {}
    for name, values in zip(header, zip(*rows, strict=True), strict=True):
        if _edge_space("\x00".join(values)):
            values = tuple(v.strip() for v in values)
        columns[name] = np.array(values, dtype=object)
    kept = ~np.logical_and.reduce([c == "" for c in columns.values()])  # blank lines, e.g. at the end
    frame = pd.DataFrame({k: v[kept] for k, v in columns.items()}, dtype=object)
    return frame, np.flatnonzero(kept) + 2


def _row_by_row(records: Records, out: Collector) -> tuple[pd.DataFrame, np.ndarray]:
    """The records as a frame of stripped text and the spreadsheet row of each, record by record:
    a record of another width than the header is reported, a blank one left out."""
    header = records.header
    rows: list[list[str]] = []
    numbers: list[int] = []
    for i, rec in enumerate(records.rows, start=2):
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
        if records.plain:
            rows.append([v.strip() for v in rec])
        else:
            rows.append([v.replace("\r\n", "\n").replace("\r", "\n").strip() for v in rec])
        numbers.append(i)
    raw = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    return raw, np.asarray(numbers, dtype=int)


def _columns(
    raw: pd.DataFrame, row_no: np.ndarray, spec: TableSpec, out: Collector, *, controls: bool
) -> tuple[dict[str, pd.Series], dict[str, np.ndarray]]:
    """Each column of `spec` parsed, its problems reported, and which of its values are valid."""
    order = {c.name: i for i, c in enumerate(spec.columns)}
    table: dict[str, pd.Series] = {}
    valid: dict[str, np.ndarray] = {}
    for col in spec.columns:
        values = raw[col.name].astype(str) if col.name in raw else pd.Series([""] * len(raw), dtype=str)
        values = values.reset_index(drop=True)
        empty = (values == "").to_numpy()
        if col.required:
            for r in row_no[empty]:
                out.add(int(r), col.name, "is empty but a value is required", order[col.name])
        filled = values.where(~empty, empty_value(col))
        parsed, bad, message = parse(col, filled)
        # Control characters, too long: said instead (a file with no control character is not
        # searched again column by column).
        refused = unstorable(filled, col.max_length, controls=controls)
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
                out.add(int(r), col.name, range_message(col, float(v)), order[col.name])
            bad |= off
        table[col.name] = parsed.reset_index(drop=True)
        # Parsed: a good value, or an optional one left empty (its default); a required empty
        # cell is reported above and parses as nothing.
        valid[col.name] = ~bad & ~(empty & col.required)
    return table, valid


def empty_value(col: Column) -> str:
    """What an empty optional cell of `col` reads as."""
    if col.default is not None:
        return col.default
    return {"bool": "false", "int": "0", "decimal": "0"}.get(col.kind, "")


def with_optional(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """`df` with every optional column of `spec` it lacks, as empty cells read: a frame made before
    a column was added (e.g. by the web app, from a database that does not hold it yet) works as
    a file without that column."""
    missing = [c for c in spec.columns if not c.required and c.name not in df]
    if not missing:
        return df
    empty = {
        c.name: pd.Series([empty_value(c)] * len(df), index=df.index, dtype=object).astype(str)
        for c in missing
    }
    return df.assign(**{c.name: parse(c, empty[c.name])[0] for c in missing})


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
    if col.kind == "optional_bool":
        return s.map(lambda b: "" if pd.isna(b) else "true" if b else "false")
    if col.kind in ("lad_list", "risk_list"):
        return s.map(lambda t: ";".join(t) if isinstance(t, tuple | list) else (t or ""))
    if col.kind in ("latitude", "longitude"):
        return s.map(lambda v: f"{v:.5f}")
    if col.kind == "decimal":
        return s.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
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
