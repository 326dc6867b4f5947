"""What an SSDA903 import read, derived and left out, in words a council's data officer checks
against their own return (the command line prints it; a notebook can too)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from planner.data.formats import plural, uk_date
from planner.data.problems import Problem
from planner.sources.collection_years import year_label
from planner.sources.ssda903 import ImportResult
from planner.sources.ssda903_files import TITLES

LIST_ALL_UP_TO = 40  # more problems than this are summarised by file and column


def import_report(result: ImportResult, out_dir: Path, *, all_problems: bool = False) -> list[str]:
    lines = [*_files(result), *_derived(result)]
    if result.notes:
        lines.append("Left out or not used, with the reason:")
        lines += [f"  - {note}" for note in result.notes]
    lines += problem_lines(result.problems, all_problems=all_problems)
    start = (result.on.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    if result.referrals.empty:
        lines.append(
            "referrals.csv has no rows, so `planner forecast` has no referrals to fit; "
            "cohort.csv still counts the children turning 18."
        )
    else:
        lines.append(
            f"Next: planner forecast {out_dir} --start {start} (copy the council's schemes.csv into "
            f"{out_dir}/ first to set demand against supply)."
        )
    return lines


def _files(result: ImportResult) -> list[str]:
    years = sorted({f.year for f in result.files})
    lines = [f"Read SSDA903 returns for {plural(len(years), 'collection year')}:"]
    for y in years:
        mine = [f for f in result.files if f.year == y]
        how = sorted({f.year_from for f in mine})
        listed = ", ".join(f"{f.name} ({TITLES[f.table]}, {plural(f.rows, 'row')})" for f in mine)
        lines.append(f"  {year_label(y)} (from {' and '.join(how)}): {listed}")
    return lines


def _derived(result: ImportResult) -> list[str]:
    c = result.counts
    lines = [
        f"Council: {result.council}."
        if result.council
        else "Council: not known (no postcode found in England)."
    ]
    unknown = c.get("cohort_unknown_district", 0)
    kept = f"; {unknown} with district unknown (no postcode found in England), kept" if unknown else ""
    lines.append(
        f"Cohort on {uk_date(result.on)}: {len(result.cohort):,} children looked after aged 13 to 17 "
        f"(of {c.get('looked_after', 0):,} looked after, {c.get('children', 0):,} children in the Header)"
        f"{kept}."
    )
    not_known = c.get("oc3_not_known", 0)
    lines.append(
        f"Care leavers' history: {plural(c.get('history_leaving', 0), 'move')} out of care and "
        f"{plural(c.get('history_oc3', 0), 'OC3 accommodation record')}"
        + (f" ({not_known:,} 'not known' (R1): not in touch, or no accommodation given)" if not_known else "")
        + "."
    )
    return lines


def problem_lines(problems: list[Problem], *, all_problems: bool = False) -> list[str]:
    """Every problem, or past LIST_ALL_UP_TO a count per file and column with the first three."""
    if not problems:
        return ["No problems in the return."]
    head = (
        f"{plural(len(problems), 'problem')} in the return (a value that is not valid is dropped and its row "
        "kept where still usable; a code of another year is kept):"
    )
    if all_problems or len(problems) <= LIST_ALL_UP_TO:
        return [head, *(f"  {p}" for p in problems)]
    groups: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        groups[(p.file, p.column or "")].append(p)
    lines = [head]
    for (file, column), found in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {file}, column {column or '(whole row)'}: {len(found):,}, e.g.")
        lines += [f"    {p}" for p in found[:3]]
    lines.append("  (--all-problems lists every one)")
    return lines
