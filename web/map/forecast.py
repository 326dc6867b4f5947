"""The shortfall map for a month ahead: `planner.forecast.demand` on the database's referral history,
cohort, schemes and waiting list, shown with the same map as today's shortfall (`web.map.builder`).

Without a referral history there is nothing to forecast from: the page says so, and offers the
forecast from DfE's published figures for the council instead (`web.map.published`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy.orm import Session

from planner.data.districts import district_name
from planner.data.problems import InvalidInput
from planner.data.vocab import SUPPORT_LEVELS, SUPPORT_RANK, UNSUITABLE_TYPES
from planner.forecast.demand import ForecastInputs, forecast
from web.clock import horizon_days
from web.db import get_db
from web.map import published
from web.map.builder import assets, build_map, colour_of, council_names, shortfall_bins
from web.store import cohort_frame, people_frame, referrals_frame, schemes_frame

HORIZON_MONTHS = 24
FORECAST_RUNS = 500  # about half a second for a county; the CLI defaults to 1,000
SEED = 0  # the same page shows the same figures


def months_ahead(on: date) -> list[tuple[str, str]]:
    """(YYYY-MM, "Jun 2027") for the months the map can forecast, from the month after `on`."""
    first = pd.Period(on, "M") + 1
    return [(str(p), f"{p:%b %Y}") for p in pd.period_range(first, periods=HORIZON_MONTHS, freq="M")]


def checked_month(value: str, on: date) -> str:
    allowed = dict(months_ahead(on))
    if value not in allowed:
        first, last = next(iter(allowed.values())), list(allowed.values())[-1]
        abort(400, description=f"Forecast month {value!r} is not a month from {first} to {last} (YYYY-MM).")
    return value


def forecast_tip(row: Any) -> str:
    return (
        f"<b>{escape(row.name)}</b> ({escape(row.district)})<br>"
        f"Places needed (mean): {row.demand_mean:.1f}<br>Places free (mean): {row.supply_mean:.1f}<br>"
        f"Shortfall (mean): {row.shortfall_mean:.1f}<br>Chance of a shortfall: {100 * row.p_shortfall:.0f}%"
    )


def forecast_table(
    db: Session, *, on: date, month: str, support_level: str | None
) -> tuple[pd.DataFrame | None, list[str]]:
    """One row per district for `month` (columns of `planner.forecast.demand`'s table plus those the map
    draws with), and notes; (None, [why]) when there is no history to forecast from."""
    referrals = referrals_frame(db)
    if referrals.empty:
        return None, [
            "There is no referral history in the database, so there is nothing to forecast from. "
            "Import referrals.csv (and cohort.csv) on the Imports page."
        ]
    cohort = cohort_frame(db)
    schemes = schemes_frame(db)
    inputs = ForecastInputs(referrals, None if cohort.empty else cohort, schemes, people_frame(db))
    ahead = max(1, (pd.Period(month, "M") - pd.Period(on, "M")).n)  # this month is today's position
    try:
        result = forecast(inputs, months=ahead, runs=FORECAST_RUNS, seed=SEED, on=on,
                          horizon_days=horizon_days(current_app))  # fmt: skip
    except (InvalidInput, ValueError) as e:
        return None, [f"The forecast could not run on the data in the database: {e}"]
    t = result.table
    t = t[(t["month"] == month) & (t["support_level"] == (support_level or "all"))].copy()
    suitable = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))]
    t["name"] = t["district"].map(district_name)
    t["shortfall"] = t["shortfall_mean"].round().astype(int)
    t["waiting"] = t["due"] = t["demand_mean"].round().astype(int)  # what the map's labels read
    t["suitable_vacancies"] = t["supply_mean"].round().astype(int)
    t["spare"] = 0  # the forecast does not say how many places are left unused
    t["in_bnb_or_emergency"] = 0
    t["schemes"] = t["district"].map(suitable["district"].value_counts()).fillna(0).astype(int)
    return t.sort_values("name", ignore_index=True), list(result.notes)


def page(on: date, level: str | None, month: str) -> ResponseReturnValue:
    table, notes = forecast_table(get_db(), on=on, month=month, support_level=level)
    parts = None
    if table is not None and not table.empty:
        js, css = assets()
        parts = build_map(
            table,
            data_schemes(level),
            js=js,
            css=css,
            tiles_url=current_app.config.get("MAP_TILES_URL"),
            tiles_attribution=current_app.config.get("MAP_TILES_ATTRIBUTION"),
            tip=forecast_tip,
        )
    return render_template(
        "map_forecast.html",
        on=on,
        level=level,
        level_options=[(v, v.capitalize()) for v in SUPPORT_LEVELS],
        months=months_ahead(on),
        month=month,
        month_label=dict(months_ahead(on))[month],
        runs=FORECAST_RUNS,
        table=table,
        notes=notes,
        bins=shortfall_bins(table["shortfall"]) if table is not None else [],
        colour_of=colour_of,
        councils=council_names(table["district"]) if table is not None else [],
        map=parts,
        published=published.view(
            get_db(), month=month, council=request.args.get("council", "").strip() or None
        )
        if table is None
        else None,
    )


def data_schemes(level: str | None) -> pd.DataFrame:
    """The scheme markers: those at `level` support or above, the places that could serve it."""
    shown = schemes_frame(get_db())
    if level is not None:
        shown = shown[shown["support_level"].map(SUPPORT_RANK) >= SUPPORT_RANK[level]]
    return shown
