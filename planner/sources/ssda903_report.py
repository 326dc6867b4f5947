"""What an SSDA903 import read, derived and left out, in words a council's data officer checks
against their own return (the command line prints it; a notebook can too)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from planner.data.districts import main_council
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
        council = f" --council {result.council_code}" if _council_needed(result) else ""
        lines.append(
            f"Next: planner forecast {out_dir} --start {start}{council} (copy the council's schemes.csv "
            f"into {out_dir}/ first to set demand against supply)."
        )
    return lines


def _council_needed(result: ImportResult) -> bool:
    """Whether the files written name the council by their districts, or the forecast needs telling."""
    known = [*result.cohort["district"], *result.referrals["home_district"]]
    return bool(result.council_code) and main_council(known) != result.council_code


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
        else "Council: not known (no postcode found in England): say whose returns these are with --council "
        "NAME|CODE"
    ]
    unknown = c.get("cohort_unknown_district", 0)
    kept = f"; {unknown} with district unknown (no postcode found in England), kept" if unknown else ""
    lines.append(
        f"Cohort on {uk_date(result.on)}: {len(result.cohort):,} children looked after aged 13 to 17 "
        f"(of {c.get('looked_after', 0):,} looked after, {c.get('children', 0):,} children in the Header)"
        f"{kept}."
    )
    lines += history_lines(c)
    return lines


def history_lines(c: dict[str, int]) -> list[str]:
    """What referrals.csv holds, by rule, and what the return showed that is not an event."""
    rules = ("left care", "moved", "released from custody")
    left, moved, released = (c.get(f"events_{r}", 0) for r in rules)
    needing = sum(c.get(f"demand_{r}", 0) for r in rules)
    not_known = c.get("not_known", 0)
    unknown = c.get("history_unknown_district", 0)
    return [
        f"Care leavers' history: {plural(left + moved + released, 'event')}, {needing:,} of them needing a "
        f"place: {left:,} left care at 16 to 18 ({c.get('demand_left care', 0):,} needing a place, the "
        f"rest to family, staying put or custody), {plural(moved, 'move')} into a place or into B&B, "
        f"emergency accommodation or no fixed abode, {plural(released, 'release')} from custody"
        + (f"; {unknown:,} with district unknown (no postcode found in England), kept." if unknown else "."),
        f"  Not events, not demand: {plural(c.get('stayed', 0), 'OC3 record')} in the same type of place "
        f"as before, {plural(c.get('to_family', 0), 'move')} back to family, "
        f"{plural(c.get('first_seen', 0), 'first record')} of someone who left care before the returns "
        "loaded, and "
        f"{plural(not_known, 'record')} 'not known' (R: not in touch, refused contact, returned home, no "
        f"longer requires services, no accommodation given; {c.get('left_not_known', 0):,} on leaving care), "
        "counted apart.",
    ]


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
