"""The forecast from DfE's published figures (`planner.forecast.published`) on the forecast map, for a
council whose database has no referral history yet: the same figures `planner forecast --published
--council CODE` prints, for the council the database's districts are in (or one chosen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandas as pd
from flask import abort
from sqlalchemy.orm import Session

from planner.data.districts import districts
from planner.forecast.dfe_series import DfeSeries, load_dfe_series
from planner.forecast.published import PublishedForecast, forecast_published
from planner.forecast.published_places import PLACES_PER_CARE_LEAVER
from planner.forecast.published_report import SOURCE, council_frame
from web.core.store import people_frame, schemes_frame

RUNS = 1000
SEED = 0  # the same page shows the same figures


@dataclass(frozen=True, slots=True)
class PublishedView:
    code: str | None  # None: no council in the database and none chosen yet
    name: str
    frame: pd.DataFrame  # rows: measures; columns: last published years, then the forecast years
    notes: list[str]
    year: int  # the DfE year (to 31 March) the chosen month falls in
    places_in_year: float | None  # mean places needed in that year, all support levels
    choices: list[tuple[str, str]]  # (code, name) of every council DfE publishes for
    source: str = SOURCE
    rates: dict[str, float] = field(default_factory=lambda: dict(PLACES_PER_CARE_LEAVER))


@cache
def _series() -> DfeSeries:
    return load_dfe_series()


@cache
def _forecast(code: str) -> PublishedForecast:
    """One council's forecast; the shipped series does not change while the app runs."""
    return forecast_published(_series(), councils=[code], runs=RUNS, seed=SEED)


def database_councils(db: Session) -> list[str]:
    """The councils (upper tier) of the districts of the database's schemes and waiting list."""
    codes = pd.concat([schemes_frame(db)["district"], people_frame(db)["home_district"]])
    utla = districts()["utla_code"]
    found = codes[codes.isin(utla.index)].map(utla)
    return list(found.value_counts().index.astype(str))


def view(db: Session, *, month: str, council: str | None) -> PublishedView:
    """The published-data forecast for `council` (a code), else the database's main council."""
    series = _series()
    current = series.current_councils()
    choices = sorted(((c, str(series.names[c])) for c in current), key=lambda c: c[1])
    code: str | None = None
    if council:
        if council not in current:
            abort(400, description=f"Council {council!r} is not an English council DfE publishes figures for "
                                   "(give its ONS code, e.g. E10000013).")  # fmt: skip
        code = council
    else:
        ours = [c for c in database_councils(db) if c in current]
        code = ours[0] if ours else None
    period = pd.Period(month, "M")
    year = period.year + (1 if period.month > 3 else 0)
    if code is None:
        return PublishedView(None, "", pd.DataFrame(), [], year, None, choices)
    fc = _forecast(code)
    places = fc.council(code)
    hit = places[(places["measure"] == "places_needed") & (places["year"] == year)]
    return PublishedView(
        code=code,
        name=str(series.names[code]),
        frame=council_frame(fc, series, code),
        notes=[n for n in fc.notes if f"({code})" in n],
        year=year,
        places_in_year=float(hit["mean"].iloc[0]) if len(hit) else None,
        choices=choices,
    )
