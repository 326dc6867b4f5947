"""The shortfall map for a month ahead: `planner.forecast.demand` on the database's referral history,
cohort, schemes and waiting list, shown with the same map as today's shortfall
(`web.commissioner.map.builder`).

The forecast is worked out once for every month the map offers, per data version (`web.core.versions`),
date and horizon, as a background run (`web.commissioner.map.forecast_runs`); the page waits a moment
for it, then shows how far it has got and refreshes itself until it is ready. Any month and support
level is then a slice of the same forecast, so switching between them is immediate.

Without a referral history there is nothing to forecast from: the page says so, and offers the
forecast from DfE's published figures for the council instead (`web.commissioner.map.published`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import pandas as pd
from flask import Flask, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy.orm import Session

from planner.data.districts import district_name
from planner.data.vocab import SUPPORT_LEVELS, UNSUITABLE_TYPES
from web.commissioner.map import published
from web.commissioner.map.builder import (
    assets,
    build_map,
    colour_of,
    council_names,
    schemes_serving,
    shortfall_bins,
)
from web.commissioner.map.forecast_runs import (
    FORECAST_RUNS,
    HORIZON_MONTHS,
    NO_HISTORY,
    SEED,
    Job,
    has_history,
    job_for,
    wait,
)
from web.core.clock import horizon_days
from web.core.db import get_db
from web.core.store import schemes_frame

__all__ = ["FORECAST_RUNS", "HORIZON_MONTHS", "NO_HISTORY", "SEED", "Job", "has_history", "job_for"]
WAIT_SECONDS: Final = 2.0  # a county's forecast is usually ready by then: no progress page at all
LONGEST_WAIT: Final = 600.0  # a CSV download waits at most this long for the forecast


def this_month(on: date) -> str:
    """Month 0: today's position, the map's today view (YYYY-MM)."""
    return str(pd.Period(on, "M"))


def months_ahead(on: date) -> list[tuple[str, str]]:
    """(YYYY-MM, "Jun 2027") for the months the map shows: this month (today's position), then the
    months it forecasts."""
    first = pd.Period(on, "M")
    months = pd.period_range(first, periods=HORIZON_MONTHS + 1, freq="M")
    return [(str(p), f"{p:%b %Y}" + (": today" if p == first else "")) for p in months]


def checked_month(value: str, on: date) -> str:
    allowed = dict(months_ahead(on))
    if value not in allowed:
        first, last = next(iter(allowed)), list(allowed)[-1]
        label = f"{pd.Period(first, 'M'):%b %Y} (today) to {pd.Period(last, 'M'):%b %Y}"
        abort(400, description=f"Month {value!r} is not a month from {label} (YYYY-MM).")
    return value


def forecast_tip(row: Any) -> str:
    return (
        f"<b>{escape(row.name)}</b> ({escape(row.district)})<br>"
        f"Places needed (mean): {row.demand_mean:.1f}<br>Places free (mean): {row.supply_mean:.1f}<br>"
        f"Shortfall (mean): {row.shortfall_mean:.1f}<br>Chance of a shortfall: {100 * row.p_shortfall:.0f}%"
        + (f"<br>Still waiting from today: {row.carried_mean:.1f}" if row.carried_mean else "")
    )


def forecast_table(
    db: Session,
    *,
    on: date,
    month: str,
    support_level: str | None,
    job: Job | None = None,
    schemes: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame | None, list[str]]:
    """One row per district for `month` (columns of `planner.forecast.demand`'s table plus those the map
    draws with), and notes; (None, [why]) when there is no history to forecast from. Waits for the
    forecast when it is still being worked out (`job`, or the one for the data as they are now).
    `schemes`: `schemes_frame(db)`, when the caller has it already."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if job is None:
        if not has_history(db):
            return None, [NO_HISTORY]
        job = job_for(app, db, on=on, horizon=horizon_days(current_app))
    job = wait(app, db, job, LONGEST_WAIT)
    if job.result is None:
        return None, job.notes
    t = job.result.table
    t = t[(t["month"] == month) & (t["support_level"] == (support_level or "all"))].copy()
    schemes = schemes_frame(db) if schemes is None else schemes
    suitable = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))]
    t["name"] = t["district"].map(district_name)
    t["shortfall"] = t["shortfall_mean"].round().astype(int)
    t["waiting"] = t["due"] = t["demand_mean"].round().astype(int)  # what the map's labels read
    t["suitable_vacancies"] = t["supply_mean"].round().astype(int)
    t["spare"] = 0  # the forecast does not say how many places are left unused
    t["in_bnb_or_emergency"] = 0
    t["schemes"] = t["district"].map(suitable["district"].value_counts()).fillna(0).astype(int)
    return t.sort_values("name", ignore_index=True), job.notes


def page(on: date, level: str | None, month: str) -> ResponseReturnValue:
    db = get_db()
    shared = {"on": on, "level": level, "level_options": [(v, v.capitalize()) for v in SUPPORT_LEVELS],
              "months": months_ahead(on), "month": month, "month_label": dict(months_ahead(on))[month],
              "runs": FORECAST_RUNS, "colour_of": colour_of}  # fmt: skip
    table, notes, job, schemes = None, [NO_HISTORY], None, None
    if has_history(db):
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        job = wait(app, db, job_for(app, db, on=on, horizon=horizon_days(current_app)), WAIT_SECONDS)
        schemes = schemes_frame(db)
        if not job.finished:  # the page shows how far it has got, and refreshes
            councils = council_names(schemes["district"])
            return render_template("commissioner/map_forecast.html", working=job, table=None, notes=[],
                                   published=None, map=None, bins=[], councils=councils,
                                   **shared)  # fmt: skip
        table, notes = forecast_table(db, on=on, month=month, support_level=level, job=job, schemes=schemes)
    parts = None
    if table is not None and not table.empty:
        js, css = assets()
        parts = build_map(
            table,
            schemes_serving(schemes_frame(db) if schemes is None else schemes, level),
            js=js,
            css=css,
            tiles_url=current_app.config.get("MAP_TILES_URL"),
            tiles_attribution=current_app.config.get("MAP_TILES_ATTRIBUTION"),
            tip=forecast_tip,
        )
    council = request.args.get("council", "").strip() or None
    return render_template(
        "commissioner/map_forecast.html",
        table=table,
        notes=notes,
        bins=shortfall_bins(table["shortfall"]) if table is not None else [],
        councils=council_names(table["district"]) if table is not None else [],
        map=parts,
        working=None,
        published=published.view(db, month=month, council=council) if table is None else None,
        **shared,
    )
