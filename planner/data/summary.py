"""Plain summaries of a dataset, shared by the CLI, the web app and notebooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from planner.data.contract import CONTRACT_VERSION, Dataset
from planner.data.districts import district_names
from planner.data.formats import uk_date
from planner.data.vocab import UNSUITABLE_TYPES, URGENT_ACCOM


def by_district(data: Dataset) -> pd.DataFrame:
    """People waiting, schemes, places and vacancies per district (districts with any of them)."""
    people = data.people.groupby("home_district").size().rename("people")
    s = data.schemes.groupby("district")
    table = pd.concat(
        [people, s.size().rename("schemes"), s["capacity"].sum().rename("places"),
         s["vacancies"].sum().rename("vacancies")],
        axis=1,
    ).fillna(0).astype(int)  # fmt: skip
    table.index.name = "district"
    table.insert(0, "name", [district_names().get(c, c) for c in table.index])
    return table.sort_values("name")


def validation_report(folder: Path, data: Dataset, *, on: date | None = None) -> list[str]:
    """What a data officer needs to see after a good check: counts, then a table by district.
    `on`: the match date ages and legal statuses were checked on (None: not checked)."""
    p, s = data.people, data.schemes
    lines = [f"{folder}: young_people.csv and schemes.csv are valid (data contract v{CONTRACT_VERSION})."]
    lines += _people_lines(p) + _scheme_lines(s) + _district_lines(data)
    if on is not None:
        lines.append(f"  ages (15 to 25) and legal statuses checked on {uk_date(on)}")
    else:
        lines.append("  ages and legal statuses not checked: give --date, the match date")
    return lines


def _people_lines(p: pd.DataFrame) -> list[str]:
    people = f"  {len(p):,} young {'person' if len(p) == 1 else 'people'}"
    if len(p):
        urgent = int(p["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum())
        people += (
            f", needed from {uk_date(p['needed_from'].min())} to {uk_date(p['needed_from'].max())}; "
            f"{urgent} now in B&B, emergency accommodation or with no fixed abode"
        )
    return [people]


def _scheme_lines(s: pd.DataFrame) -> list[str]:
    places, vacancies = int(s["capacity"].sum()), int(s["vacancies"].sum())
    schemes = f"  {len(s):,} schemes, {places:,} places, {vacancies:,} vacancies"
    if len(s):
        suitable = int(s.loc[~s["accom_type"].isin(list(UNSUITABLE_TYPES)), "vacancies"].sum())
        schemes += (
            f" ({suitable:,} not in B&B or emergency accommodation); "
            f"£{s['weekly_cost'].min():,.0f} to £{s['weekly_cost'].max():,.0f} a week per place"
        )
    return [schemes]


def _district_lines(data: Dataset) -> list[str]:
    lines: list[str] = []
    table = by_district(data).reset_index()
    if table.empty:
        return lines
    counts = ["people", "schemes", "places", "vacancies"]
    grid: list[list[str]] = [["district", "name", "young people", "schemes", "places", "vacancies"]]
    for record in table.to_dict("records"):
        grid.append([str(record["district"]), str(record["name"]), *(f"{int(record[c]):,}" for c in counts)])
    grid.append(["", "total", *(f"{int(table[c].sum()):,}" for c in counts)])
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    for row in grid:  # names left-aligned, counts right-aligned
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in pairs]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines
