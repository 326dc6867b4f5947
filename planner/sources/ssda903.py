"""Import a council's SSDA903 returns (DfE children looked after collection, 2017-18 to 2025-26)
into cohort.csv and a care leavers' accommodation history in the referrals.csv format, so the
forecast can run on a council's own data.

Files are found by their columns (`ssda903_files`), checked against their collection year's
code lists (`ssda903_codes`, `ssda903_check`), combined across years (an episode once, by CHILD
and DECOM, as the latest return has it), and turned into the two files (`ssda903_history`).
Every invalid value is listed by file, row and column; only that value is dropped where the row
is still usable (`on_error="skip"`), or nothing is written (`on_error="reject"`). Postcodes
become districts through the ONS Postcode Directory (`planner.data.postcodes`).
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, NamedTuple

import pandas as pd

from planner.data.formats import plural, uk_date
from planner.data.history_formats import COHORT, REFERRALS
from planner.data.postcodes import describe, locate
from planner.data.problems import InvalidInput, Problem
from planner.data.table import TableSpec, format_table, read_table
from planner.sources.collection_years import year_end, year_ends, year_label
from planner.sources.ssda903_check import DATES, check_file
from planner.sources.ssda903_codes import FIRST_YEAR, LAST_YEAR
from planner.sources.ssda903_council import child_districts, given_council, postcode_districts, whose
from planner.sources.ssda903_events import events
from planner.sources.ssda903_files import TABLES, TITLES, find_files, lists_year
from planner.sources.ssda903_history import Tally, at, cohort, history_rows
from planner.sources.ssda903_support import in_custody

log = logging.getLogger(__name__)

OnError = Literal["skip", "reject"]
MAX_LISTED = 50  # problems carried by a rejection; the count says how many more


class FileRead(NamedTuple):
    name: str
    table: str
    year: int
    year_from: str
    rows: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    cohort: pd.DataFrame  # cohort.csv, plus place_provider and urn (pseudonymised)
    referrals: pd.DataFrame  # referrals.csv, plus source, place_provider and urn
    problems: list[Problem]  # invalid values found (each dropped, its row kept where usable)
    notes: list[str] = field(default_factory=list)  # what was left out and why (not errors)
    files: list[FileRead] = field(default_factory=list)
    on: date = date(1970, 1, 1)  # the cohort's date
    council: str = ""  # "Leeds (E08000035), from the postcodes: 97% of ...", for the summary
    counts: dict[str, int] = field(default_factory=dict)
    council_code: str = ""  # given with --council or found from the postcodes; "" when neither


def import_903(
    folder: str | Path,
    *,
    on: date | None = None,
    on_error: OnError = "skip",
    salt: str | None = None,
    year: int | None = None,
    today: date | None = None,
    council: str | None = None,
) -> ImportResult:
    """Read the SSDA903 returns under `folder` and derive the cohort and care leavers' history.

    `year` (2024 for 2024-25) overrides the collection year told by names and dates; `on` is the
    cohort's date (default: 31 March ending the latest collection year); `salt` makes ids stable
    across imports (default: $PLANNER_903_SALT, else random, so ids do not link); `council` (a
    name or code) says whose returns they are where postcodes cannot. Raises
    InvalidInput when nothing useful can be written, or on any problem with `on_error="reject"`.
    """
    folder, today = Path(folder), today or date.today()
    given = given_council(council)
    files, problems, notes = find_files(folder, year=year, today=today)
    kinds = {f.table for f in files}
    if not {"header", "episodes"} <= kinds:
        absent = [t for t in ("header", "episodes") if t not in kinds]
        expected = "; ".join(f"{TITLES[t]}: {', '.join(TABLES[t][:7])}, ..." for t in absent)
        missing = " and ".join(TITLES[t] for t in absent)
        why = f"no SSDA903 {missing} file could be read (CSV files with the columns {expected})"
        raise InvalidInput(problems[:MAX_LISTED] + _as_problems(folder, [why, *notes]))
    checked: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    for f in files:
        df, found = check_file(f, today=today)
        checked[f.table].append(df)
        problems += found
    for y in sorted({f.year for f in files if lists_year(f.year) != f.year}):
        edge = "before" if y < FIRST_YEAR else "after"
        near = year_label(lists_year(y))
        notes.append(
            f"{year_label(y)} is {edge} the years with code lists here ({year_label(FIRST_YEAR)} to "
            f"{year_label(LAST_YEAR)}): its codes were checked against the {near} lists"
        )
    standing_in = sum(int(df["_placeholders"].sum()) for df in checked["episodes"])
    if standing_in:
        notes.append(
            f"{plural(standing_in, 'URN, HOME_POST or PL_POST value')} standing for 'not applicable' or "
            "'not known' (XXXXXXX, a ZZ99 pseudo-postcode): read as empty, not as a setting or an address"
        )
    head, eps, oc3, uasc, spells = (_combine(t, checked[t]) for t in TABLES)
    problems += _orphans(eps, head, checked["header"])
    eps = eps[eps["CHILD"].isin(head.index)]
    located, trouble, unknown_note = _postcodes(eps)
    problems += trouble
    notes += unknown_note
    problems.sort(key=lambda p: (p.file, p.row or 0))
    if problems and on_error == "reject":
        raise InvalidInput(problems[:MAX_LISTED], len(problems) > MAX_LISTED)
    latest_end = year_end(max(f.year for f in files))
    as_of = pd.Timestamp(on) if on is not None else min(latest_end, pd.Timestamp(today))
    if on is None and as_of < latest_end:
        notes.append(f"the latest return's year has not ended: the cohort is taken today, {uk_date(as_of)}")
    salt = salt or os.environ.get("PLANNER_903_SALT") or secrets.token_hex(16)
    tally = Tally(notes=notes)
    home, place = postcode_districts(eps, located)
    owner = whose(home, place, given)
    where = child_districts(home, place, owner)
    uasc_children = set(uasc.index[uasc["DUC"].isna() | (uasc["DUC"] > as_of)])
    if "UASC_STATUS" in head:  # newer extracts: the status in the Header, without an end date
        uasc_children |= set(head.index[head["UASC_STATUS"] == "1"])
    if not len(uasc) and "UASC_STATUS" not in head:
        notes.append("no UASC file or Header UASC_STATUS: uasc is false for every child")
    custody = in_custody(eps, oc3)
    young = cohort(head, eps, where, uasc_children, as_of, salt, tally, spells, custody)
    happened = events(head, eps, oc3, as_of, sorted({f.year for f in files}), tally)
    history = history_rows(happened, head, eps, where, salt, tally, spells, custody)
    if young.empty and history.empty:
        why = (
            f"nothing to write: no child looked after on {uk_date(as_of)} aged 13 to 17, and no care "
            "leaver's record with a district in England"
        )
        raise InvalidInput(problems[:MAX_LISTED] + _as_problems(folder, [why, *tally.notes]))
    young, history = _self_checked(young, COHORT), _self_checked(history, REFERRALS)
    log.info(
        "SSDA903 import: %d in cohort, %d history rows, %d problems", len(young), len(history), len(problems)
    )
    read = [FileRead(f.name, f.table, f.year, f.year_from, len(f.frame)) for f in files]
    counts = dict(tally.counts) | {"children": len(head)}
    return ImportResult(
        young, history, problems, tally.notes, read, as_of.date(), owner.line, counts, owner.code
    )


def _as_problems(folder: Path, reasons: list[str]) -> list[Problem]:
    """Why nothing can be written, as problems of the folder (the CLI prints them)."""
    return [Problem(folder.as_posix(), None, None, reason) for reason in reasons]


def _combine(table: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One table across files and years: usable rows, the latest year's value winning."""
    if not frames:  # an empty table of the right types, so that the steps after need no cases
        columns = {
            c: pd.Series(dtype="datetime64[ns]" if c in DATES[table] else object) for c in TABLES[table]
        }
        counts = dict.fromkeys(("_row", "_year", "_placeholders"), "int64")
        typed = {"_file": "object", "_usable": "bool"} | counts
        frames = [pd.DataFrame(columns | {c: pd.Series(dtype=t) for c, t in typed.items()})]
    df = pd.concat(frames, ignore_index=True)
    df = df[df["_usable"]].sort_values(["_year", "_file", "_row"], kind="stable")
    df = df.assign(_year_end=year_ends(df["_year"]))
    if table == "episodes":
        df = df.drop_duplicates(["CHILD", "DECOM"], keep="last")
        return df.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    if table == "oc3":
        return df.drop_duplicates(["CHILD", "_year"], keep="last").reset_index(drop=True)
    if table == "missing":  # a spell open at a year's end is in the next return too
        return df.drop_duplicates(["CHILD", "MIS_START"], keep="last").reset_index(drop=True)
    # Header and UASC: a child's latest valid value of each field (a later return corrects).
    values = df.drop(columns=["CHILD"]).mask(df.drop(columns=["CHILD"]) == "")
    merged = values.groupby(df["CHILD"]).last()
    text = [
        c
        for c in merged.columns
        if c in TABLES[table] and not pd.api.types.is_datetime64_any_dtype(merged[c])
    ]
    merged[text] = merged[text].fillna("")
    return merged.assign(CHILD=merged.index)


def _orphans(eps: pd.DataFrame, head: pd.DataFrame, headers: list[pd.DataFrame]) -> list[Problem]:
    """Episodes of a child with no usable Header row: left out, each named."""
    listed = set(pd.concat([h["CHILD"] for h in headers])) if headers else set()
    orphans = eps[~eps["CHILD"].isin(head.index)]
    unusable = "the child's Header row is not usable (see its problems), so the episode is left out"
    return [
        Problem(
            f, int(r), "CHILD", f"{c!r}: {unusable}" if c in listed else f"{c!r} is not in the Header file"
        )
        for f, r, c in zip(orphans["_file"], orphans["_row"], orphans["CHILD"], strict=True)
    ]


def _postcodes(eps: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Every HOME_POST and PL_POST looked up once; malformed ones are problems, ones not found in
    England are counted."""
    written = pd.unique(pd.concat([eps["HOME_POST"], eps["PL_POST"]]).astype(str))
    written = [w for w in written if w]
    found = locate(written).set_index(pd.Index(written))
    problems: list[Problem] = []
    elsewhere: dict[str, list[str]] = {}
    for col in ("HOME_POST", "PL_POST"):
        status = at(found["status"], eps[col])
        bad = status == "malformed"
        problems += [
            Problem(f, int(r), col, describe("malformed", v))
            for f, r, v in zip(eps["_file"][bad], eps["_row"][bad], eps[col][bad], strict=True)
        ]
        for s in ("unknown", "not_in_england", "no_location"):
            hit = status == s
            elsewhere.setdefault(s, []).extend(
                f"{f} row {r}" for f, r in zip(eps["_file"][hit], eps["_row"][hit], strict=True)
            )
    why = {
        "unknown": "not in the ONS Postcode Directory",
        "not_in_england": "outside England",
        "no_location": "without a location in the directory",
    }
    notes = [
        f"{plural(len(rows), 'HOME_POST or PL_POST value')} {why[s]} (e.g. {', '.join(rows[:3])}): "
        "no district from them"
        for s, rows in elsewhere.items()
        if rows
    ]
    return found, problems, notes


def _self_checked(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """What is written must read back under the file's own rules; the extra columns ride along."""
    checked = read_table(format_table(df[spec.names], spec).encode(), spec)
    extra = [c for c in df.columns if c not in spec.names]
    return pd.concat([checked, df[extra].reset_index(drop=True)], axis=1)


def write_import(result: ImportResult, out_dir: str | Path) -> list[Path]:
    """Write cohort.csv and referrals.csv (all or nothing: temporary files, then renamed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = ((COHORT, result.cohort), (REFERRALS, result.referrals))
    parts = [(out / spec.file, format_table(df, spec)) for spec, df in tables]
    for path, text in parts:
        path.with_name(path.name + ".part").write_text(text, encoding="utf-8")
    for path, _ in parts:
        path.with_name(path.name + ".part").replace(path)
    return [path for path, _ in parts]


__all__ = ["FileRead", "ImportResult", "import_903", "write_import"]
