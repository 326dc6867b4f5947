"""Plain summaries of a dataset, shared by the CLI, the web app and notebooks."""

from __future__ import annotations

import pandas as pd

from planner.contract import Dataset
from planner.districts import district_names


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
