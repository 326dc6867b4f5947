"""The CSV files of SSDA903 returns in a folder: which table each is (by its columns, as councils
name files in many ways) and which collection year it is for (from `--year`, the folder or file
name, or the dates in the return, in that order).

A file that cannot be read as CSV, repeats a column or lacks one the import needs is reported
by file, row and column and left out; other files of the folder are still read.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import pandas as pd

from planner.data.formats import uk_date
from planner.data.problems import InvalidInput, Problem
from planner.sources.collection_years import year_end, year_label, year_of, year_of_day, year_start
from planner.sources.ssda903_codes import FIRST_YEAR, LAST_YEAR

TABLES: Final = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
}
# Read when present: newer extracts carry the UASC status in the Header (validator rule 231).
OPTIONAL: Final = {"header": ("UASC_STATUS",)}
TITLES: Final = {
    "header": "Header",
    "episodes": "Episodes",
    "oc3": "OC3",
    "uasc": "UASC",
    "missing": "Missing",
}
# A column only that table has (a UASC file has SEX and DOB, like the Header).
SIGNATURE: Final = {
    "episodes": "DECOM", "oc3": "IN_TOUCH", "uasc": "DUC", "missing": "MIS_START", "header": "ETHNIC"
}  # fmt: skip
# The columns without which a file of the table is of no use here.
NEEDED: Final = {
    "header": ("CHILD", "SEX", "DOB"),
    "episodes": ("CHILD", "DECOM", "PLACE", "DEC", "REC", "HOME_POST", "PL_POST"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACCOM"),
    "uasc": ("CHILD", "DUC"),
    "missing": ("CHILD", "MIS_START"),
}
# The other tables of the return, recognised so that the reader is told they are not needed.
OTHER_TABLES: Final = {
    "SDQ_SCORE": "OC2",
    "REVIEW": "Reviews",
    "DATE_INT": "AD1",
    "DATE_PLACED": "Placed for adoption",
    "PREV_PERM": "Previous permanence",
    "SW_ID": "Social worker episodes",
    "DOLO_START": "Deprivation of liberty orders",
}
# 2024-25, 2024_25, 202425, 2024-2025: a collection year by both its years. A lone 2025 (a bare
# year) is either: councils say "the 2025 return" for the year ending 31 March 2025, the field's
# demand model names 2025-episodes.csv the year starting 1 April 2025; the dates decide.
_YEAR_PAIR = re.compile(r"(?<!\d)(20\d\d)[ _/.-]?(?:20)?(\d\d)(?!\d)")
_BARE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """One file of a return: its table, collection year and rows (strings, `_row` as a spreadsheet
    numbers them, `_file` its name)."""

    name: str  # relative to the folder read, as problems name it
    table: str  # header, episodes, oc3, uasc
    year: int  # collection year, by the year it starts in (2024 is 2024-25)
    year_from: str  # how the year was told, for the reader
    frame: pd.DataFrame


def year_in_name(text: str) -> int | None:
    """The collection year a file or folder name gives by both its years (2024-25), or None."""
    for m in _YEAR_PAIR.finditer(text):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return start
    return None


def bare_year_in_name(text: str) -> int | None:
    """A lone year in a name (2019 in 2019-episodes.csv): which collection year it means is read
    from the dates (`_bare_year`)."""
    lone = _BARE_YEAR.search(text)
    return int(lone.group(1)) if lone else None


def read_csv(path: Path, name: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV file as strings with upper-case column names, or None and why it cannot be read."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's plain "CSV" on Windows
        except UnicodeDecodeError:
            return None, [
                Problem(name, None, None, "is not a text file (is it a spreadsheet saved as .csv?)")
            ]
    if "\x00" in text:
        return None, [
            Problem(name, None, None, "is not a CSV text file (it holds NUL bytes: a spreadsheet?)")
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as e:
        why = str(e)
        if "field larger than field limit" in why:
            why = f"a value is longer than {csv.field_size_limit():,} characters, not an SSDA903 code or date"
        return None, [Problem(name, reader.line_num, None, f"cannot be read as CSV: {why}")]
    if not records or not any(h.strip() for h in records[0]):
        return None, [Problem(name, 1, None, "is empty or has no header row")]
    header = [h.strip().upper() for h in records[0]]
    problems = [
        Problem(name, 1, col, "column appears more than once in the header row")
        for col in sorted({h for h in header if h and header.count(h) > 1})
    ]
    if problems:
        return None, problems
    rows, numbers = [], []
    for i, rec in enumerate(records[1:], start=2):
        if not any(v.strip() for v in rec):
            continue
        if len(rec) > len(header) and any(v.strip() for v in rec[len(header) :]):
            problems.append(Problem(name, i, None, f"has {len(rec)} values but the header has {len(header)}"))
            continue
        rows.append([v.strip() for v in rec[: len(header)]] + [""] * (len(header) - len(rec)))
        numbers.append(i)
    df = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    return df.assign(_row=pd.Series(numbers, dtype="int64"), _file=name), problems


def _table_of(columns: list[str]) -> str | None:
    return next((t for t, col in SIGNATURE.items() if col in columns), None)


def find_files(
    folder: Path, *, year: int | None = None, today: date
) -> tuple[list[ReturnFile], list[Problem], list[str]]:
    """Every SSDA903 Header, Episodes, OC3 and UASC file under `folder`, with its year; the
    problems that left a file out, and notes on files not used."""
    found: list[tuple[str, str, pd.DataFrame, Path]] = []
    problems: list[Problem] = []
    notes: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = path.relative_to(folder).as_posix()
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xls", ".xlsm"):
            notes.append(f"{name}: spreadsheets are not read; save each SSDA903 table as CSV")
        elif suffix == ".xml":
            notes.append(f"{name}: XML returns are not read; export the SSDA903 tables as CSV files")
        if suffix != ".csv":
            continue
        df, trouble = read_csv(path, name)
        problems += trouble
        if df is None:
            continue
        columns = [c for c in df.columns if not c.startswith("_")]
        table = _table_of(columns)
        if table is None:
            other = next((t for col, t in OTHER_TABLES.items() if col in columns), None)
            shown = ", ".join(columns[:6]) + (", ..." if len(columns) > 6 else "")
            if len(columns) == 1 and ";" in columns[0]:  # a spreadsheet set to a European list separator
                shown += "; its values are separated by ';', so save it as 'CSV (comma delimited)'"
            notes.append(
                f"{name}: the SSDA903 {other} table, not needed here"
                if other
                else f"{name}: not an SSDA903 table (columns {shown}), not read"
            )
            continue
        missing = [c for c in NEEDED[table] if c not in columns]
        if missing:
            problems += [
                Problem(
                    name,
                    1,
                    c,
                    f"required column is missing from the header row (an SSDA903 "
                    f"{TITLES[table]} file has {', '.join(TABLES[table])})",
                )
                for c in missing
            ]
            continue
        found.append(
            (
                name,
                table,
                df.reindex(
                    columns=[*TABLES[table], *OPTIONAL.get(table, ()), "_row", "_file"], fill_value=""
                ),
                path,
            )
        )
    files, trouble = _years(folder, found, year, today)
    return files, problems + trouble, notes


def _years(
    folder: Path, found: list[tuple[str, str, pd.DataFrame, Path]], given: int | None, today: date
) -> tuple[list[ReturnFile], list[Problem]]:
    """Each file's collection year: --year, else its file or folder name (a bare year read by the
    dates), else its folder's dates."""
    named: dict[str, tuple[int, str]] = {}
    bare: dict[str, tuple[Path, int, str]] = {}
    for name, _, _, path in found:
        folders = [*[p.name for p in path.relative_to(folder).parents if p.name], folder.resolve().name]
        texts = [(path.stem, "the file names"), *((part, f"the folder name {part!r}") for part in folders)]
        pair = next(((y, where) for text, where in texts if (y := year_in_name(text)) is not None), None)
        lone = next(((y, where) for text, where in texts if (y := bare_year_in_name(text)) is not None), None)
        if pair is not None:
            named[name] = pair
        elif lone is not None:
            bare[name] = (path.parent, *lone)
    if given is not None:
        years = sorted({year_label(y) for y, _ in named.values()} | {str(y) for _, y, _ in bare.values()})
        if len(years) > 1:
            listed = ", ".join(years[:-1]) + f" and {years[-1]}"
            message = f"--year {year_label(given)} is for one return, but the files are named for {listed}"
            raise InvalidInput([Problem(folder.as_posix(), None, None, message + ": leave --year out")])
        return [ReturnFile(n, t, given, "--year", df) for n, t, df, _ in found], []
    groups: dict[tuple[Path, int], list[pd.DataFrame]] = {}
    for name, table, df, _ in found:
        if name in bare:
            groups.setdefault(bare[name][:2], []).extend([df] if table == "episodes" else [])
    for name, (parent, year, where) in bare.items():
        named[name] = _bare_year(groups[(parent, year)], year, where, today)
    by_dates: dict[Path, tuple[int, str] | None] = {}
    for name, table, df, path in found:
        if name not in named and table == "episodes":
            by_dates[path.parent] = _year_of_dates(df, today) or by_dates.get(path.parent)
    latest = max([y for y, _ in named.values()] + [v[0] for v in by_dates.values() if v], default=None)
    # Without an Episodes file with dates nothing can be imported anyway: today's year stands in.
    fallback = (
        (latest, "the latest year of the other files")
        if latest is not None
        else (year_of_day(today), "today's date (no episode dates to tell it by)")
    )
    files = [
        ReturnFile(n, t, *(named.get(n) or by_dates.get(p.parent) or fallback), df) for n, t, df, p in found
    ]
    return files, []


def _dates(episodes: list[pd.DataFrame], col: str, today: date) -> pd.Series:
    """A column's valid dates, up to today (later ones are typing slips)."""
    raw = pd.concat([df[col] for df in episodes]) if episodes else pd.Series(dtype=object)
    d = pd.to_datetime(raw, format="%d/%m/%Y", errors="coerce")
    return d[d.notna() & (d <= pd.Timestamp(today))]


def _bare_year(episodes: list[pd.DataFrame], year: int, where: str, today: date) -> tuple[int, str]:
    """The collection year a bare year means: the one its episodes' end dates (DEC) fall in, of
    the year ending 31 March `year` and the year starting 1 April `year`; else as the latest start
    (DECOM) says; without dates, the year ending in it (as councils name "the 2025 return")."""
    verb = "says" if where.startswith("the folder") else "say"
    either = f"{where} {verb} only {year}, which could be {year_label(year - 1)} or {year_label(year)}"
    ends = _dates(episodes, "DEC", today)
    if len(ends):
        starting = int(((ends >= year_start(year)) & (ends <= year_end(year))).sum())
        ending = int(((ends >= year_start(year - 1)) & (ends <= year_end(year - 1))).sum())
        chosen = year if starting > ending else year - 1
        span = f"{uk_date(ends.min())} to {uk_date(ends.max())}"
        return chosen, f"the dates: {either}, and the episodes end {span}"
    starts = _dates(episodes, "DECOM", today)
    if len(starts):
        chosen = year if starts.max() >= year_start(year) else year - 1
        return chosen, f"the dates: {either}, and the latest episode starts {uk_date(starts.max())}"
    return year - 1, f"{where}: {year} read as the year ending 31 March {year}, with no episode dates to tell"


def _year_of_dates(episodes: pd.DataFrame, today: date) -> tuple[int, str] | None:
    """The latest collection year in which episodes end (DEC), else that of the latest start
    (DECOM). Dates after today are typing slips, and so is a year with a stray end date or two
    (under 5% of them): they do not count."""
    limit = pd.Timestamp(today)

    def years(col: str) -> pd.Series:
        d = pd.to_datetime(episodes[col], format="%d/%m/%Y", errors="coerce")
        d = d[d.notna() & (d <= limit)]
        return year_of(d)

    ends = years("DEC")
    if len(ends):
        counts = Counter(ends.tolist())
        year = max(
            y for y, n in counts.items() if n >= max(1.0, 0.05 * len(ends)) or n == max(counts.values())
        )
        return int(year), "the episodes' end dates (DEC)"
    starts = years("DECOM")
    if len(starts):
        return int(starts.max()), "the latest episode start date (DECOM)"
    return None


def lists_year(year: int) -> int:
    """The collection year whose code lists check a return of `year` (the nearest one held)."""
    return min(max(year, FIRST_YEAR), LAST_YEAR)
