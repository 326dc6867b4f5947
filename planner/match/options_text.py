"""One person's ranked places as the command line prints them (`options.format_options`): the
table, with what each place costs and what it costs the council, and the score's meaning for the
objective."""

from __future__ import annotations

from typing import Final

import pandas as pd

from planner.data.formats import gbp
from planner.data.funding import short_summary

SCORE: Final = {
    "default": "score = weekly cost + distance + unused support, £ a week",
    "cost": "score = weekly cost, £ a week",
    "council": "score = cost to the council, £ a week",
}


def table_lines(
    ranked: pd.DataFrame, *, staying_put: bool, objective: str, short_why: str, council_meets: bool
) -> list[str]:
    """The ranked places (or their staying-put place alone) and what the columns mean."""
    t = ranked.copy()
    for column in ("weekly_cost", "council_weekly", "score"):
        t[column] = t[column].map(lambda v: gbp(round(v)))
    t["district"] = t["district_name"] + " (" + t["district"] + ")"
    t = t.drop(columns=["district_name", "housing_benefit_weekly", "rent_not_met_weekly", "split_assumed"])
    t = t.rename(columns={"council_weekly": "to_council", "distance_km": "km_home", "near_km": "km_nearest",
                          "others_displaced": "displaces"})  # fmt: skip
    notes = ["to_council: the council's share of the weekly cost (housing benefit meets the rent from 18)."]
    if ranked["split_assumed"].any():
        notes.append(
            "Rent and support assumed by accommodation type where schemes.csv does not give them "
            "(data/README.md, 'Who pays')."
        )
    short = ranked["rent_not_met_weekly"].max() if len(ranked) else 0.0
    summary = short_summary(short_why, float(short), council_meets=council_meets)
    if summary:
        notes.append(f"{summary} See each place's rent_not_met.")
        t.insert(list(t.columns).index("to_council") + 1, "rent_not_met",
                 ranked["rent_not_met_weekly"].map(lambda v: gbp(round(v))))  # fmt: skip
    if staying_put:
        return [
            "Their place with former foster carers:",
            t.drop(columns=["displaces"]).to_string(index=False),
            *notes,
        ]
    t.insert(0, "rank", range(1, len(t) + 1))
    return [
        f"Best places ({SCORE.get(objective, SCORE['default'])}):",
        t.to_string(index=False),
        "displaces: how many fewer others on the waiting list get a suitable place if this one is "
        "taken (as if the batch were solved again with it forced).",
        *notes,
    ]
