"""Commissioners: shortfall of suitable places by district, as a map, a table and a CSV file.

Today's shortfall is drawn here; a month ahead comes from the forecast (`web.commissioner.map.forecast`).
Both use the same map (`web.commissioner.map.builder`). The forecast's month 0 is today's position,
so `?month=` this month is today's map, counted by the same rule as the forecast's first row.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.data.contract import Dataset
from planner.data.formats import spreadsheet_safe
from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.shortfall import shortfall_by_district
from planner.forecast.tables import FORECAST_COLUMNS
from web.commissioner.map import forecast as map_forecast
from web.commissioner.map.builder import (
    MapParts,
    assets,
    boundaries_geojson,
    build_map,
    colour_of,
    council_names,
    schemes_serving,
    shortfall_bins,
)
from web.core import versions
from web.core.auth import roles_required
from web.core.clock import due_by, horizon_days, today
from web.core.db import get_db
from web.core.store import people_frame, schemes_frame

bp = Blueprint("map", __name__, template_folder="../templates")
ROLES = ("commissioner", "analyst", "admin")


def _support_level() -> str | None:
    level = request.args.get("support_level", "").strip()
    if not level:
        return None
    if level not in SUPPORT_LEVELS:
        abort(400, description=f"Support level {level!r} is not one of {', '.join(SUPPORT_LEVELS)}.")
    return level


def _dataset() -> Dataset:
    db = get_db()
    return Dataset(people_frame(db, waiting_only=True), schemes_frame(db))


def _today(on: date, level: str | None) -> tuple[pd.DataFrame, int, MapParts | None]:
    """Today's shortfall table, the number of schemes shown and the drawn map: the same for every
    commissioner until the data change, so worked out once per data version, date, level and
    horizon (`web.core.versions.kept`). Drawing it is most of the page's work (folium builds and
    compiles a template for every element)."""
    horizon = horizon_days(current_app)

    def make() -> tuple[pd.DataFrame, int, MapParts | None]:
        data = _dataset()
        table = shortfall_by_district(data, on=on, support_level=level, horizon_days=horizon)
        shown = schemes_serving(data.schemes, level)
        if table.empty:
            return table, len(shown), None
        js, css = assets()
        parts = build_map(table, shown, js=js, css=css, tiles_url=current_app.config.get("MAP_TILES_URL"),
                          tiles_attribution=current_app.config.get("MAP_TILES_ATTRIBUTION"))  # fmt: skip
        return table, len(shown), parts

    keep = 2 * (1 + len(SUPPORT_LEVELS))  # every level's, for today and the day before midnight
    return versions.kept(get_db(), "today_map", (on, level, horizon), make, keep=keep)


def _month(on: date) -> str | None:
    """The forecast month asked for (`?month=YYYY-MM`), or None for today's position (month 0)."""
    month = request.args.get("month", "").strip()
    if not month:
        return None
    month = map_forecast.checked_month(month, on)
    return None if month == map_forecast.this_month(on) else month


def _can_see(endpoint: str) -> bool:
    """Whether the signed-in user's role may open `endpoint` (roles kept by `roles_required`)."""
    view = current_app.view_functions.get(endpoint)
    return view is not None and current_user.role in getattr(view, "roles", ())


@bp.get("/map")
@roles_required(*ROLES)
def index() -> ResponseReturnValue:
    on = today(current_app)
    level = _support_level()
    month = _month(on)
    if month is not None:  # a month ahead: the forecast's shortfall
        return map_forecast.page(on, level, month)
    table, scheme_count, parts = _today(on, level)
    totals = table[["waiting", "due", "needed_now", "suitable_vacancies", "shortfall", "spare",
                    "in_bnb_or_emergency"]].sum()  # fmt: skip
    return render_template(
        "commissioner/map.html",
        on=on,
        level=level,
        level_options=[(v, v.capitalize()) for v in SUPPORT_LEVELS],
        table=table,
        totals={k: int(v) for k, v in totals.items()},
        scheme_count=scheme_count,
        allowed={e for e in ("schemes.index",) if _can_see(e)},
        councils=council_names(table["district"]),
        bins=shortfall_bins(table["shortfall"]),
        colour_of=colour_of,
        map=parts,
        months=map_forecast.months_ahead(on),
        month=map_forecast.this_month(on),
        due_by=due_by(current_app),
        horizon_days=horizon_days(current_app),
    )


@bp.get("/map/boundaries.geojson")
@roles_required(*ROLES)
def boundaries() -> ResponseReturnValue:
    """Every district's boundary (ONS, OGL): the same for every map page, so the browser keeps it
    (a day; revalidated by ETag) instead of each page carrying it."""
    body, etag = boundaries_geojson()
    response = Response(body, mimetype="application/geo+json")
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)


@bp.get("/map.csv")
@roles_required(*ROLES)
def download() -> ResponseReturnValue:
    """The table under the map: today's shortfall, or with `?month=` a forecast month's."""
    on = today(current_app)
    level = _support_level()
    month = _month(on)
    if month is not None:
        table = _forecast_csv(on, month, level)
        name = f"forecast-by-district-{month}{'-' + level if level else ''}.csv"
    else:
        table = shortfall_by_district(
            _dataset(), on=on, support_level=level, horizon_days=horizon_days(current_app)
        )
        table.insert(2, "support_level", level or "all")
        name = f"shortfall-by-district-{on:%Y-%m-%d}{'-' + level if level else ''}.csv"
    buf = io.StringIO()
    spreadsheet_safe(table).to_csv(buf, index=False, lineterminator="\n")
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _forecast_csv(on: date, month: str, level: str | None) -> pd.DataFrame:
    """A forecast month's rows, as `planner forecast` writes them, with the district's name."""
    table, notes = map_forecast.forecast_table(get_db(), on=on, month=month, support_level=level)
    if table is None:
        abort(400, description=" ".join(notes))
    return table[["month", "district", "name", "support_level", *FORECAST_COLUMNS[3:]]]
