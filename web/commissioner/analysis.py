"""Analysts (and commissioners) at home in the web: the forecast as tables, month by month with
their 80% intervals, for the council or a district and any support level, from the same
background forecast as the map (`web.commissioner.map.forecast`: its progress while it works);
and the referral history and the children in care turning 18, by district and month. Each with
its CSV file; counts only, never a young person."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pandas as pd
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from planner.data.districts import district_name
from planner.data.formats import spreadsheet_safe
from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.summaries import COHORT_COUNTS, REFERRAL_COUNTS, cohort_by_month, referrals_by_month
from planner.forecast.tables import council_rows
from web.commissioner.map import forecast as map_forecast
from web.commissioner.map import forecast_runs
from web.core.auth import roles_required
from web.core.clock import horizon_days, today
from web.core.db import get_db
from web.core.roles import READING
from web.core.store import cohort_frame, referrals_frame

bp = Blueprint("analysis", __name__, template_folder="templates")
HISTORY_MONTHS = 36  # the referral history shown month by month (the CSV has all of it)
COHORT_MONTHS = 24  # the months ahead the forecast reads the cohort for


def _csv(table: pd.DataFrame, name: str) -> Response:
    buf = io.StringIO()
    spreadsheet_safe(table).to_csv(buf, index=False, float_format="%.3f", lineterminator="\n")
    return Response(
        buf.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _level() -> str:
    level = request.args.get("support_level", "").strip()
    if level and level not in SUPPORT_LEVELS:
        abort(400, description=f"Support level {level!r} is not one of {', '.join(SUPPORT_LEVELS)}.")
    return level or "all"


def _district(known: list[str]) -> str | None:
    code = request.args.get("district", "").strip()
    if code and code not in known:
        abort(400, description=f"District {code!r} is not one of this council's districts.")
    return code or None


def _label(month: str) -> str:
    return f"{pd.Period(month, 'M'):%b %Y}"


def _job(seconds: float) -> tuple[forecast_runs.Job | None, list[str]]:
    """The map's forecast for the data as they are now (started if need be), once finished or as
    far as it has got after `seconds`; or why there is none."""
    db = get_db()
    if not forecast_runs.has_history(db):
        return None, [forecast_runs.NO_HISTORY]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = forecast_runs.job_for(app, db, on=today(current_app), horizon=horizon_days(current_app))
    return forecast_runs.wait(app, db, job, seconds), []


@bp.get("/forecast")
@roles_required(*READING)
def forecast() -> ResponseReturnValue:
    on, level = today(current_app), _level()
    context: dict[str, Any] = {
        "on": on,
        "level": level,
        "levels": [(s, s.capitalize()) for s in SUPPORT_LEVELS],
        "district": None,
        "districts": [],
        "rows": [],
        "ages": [],
        "working": None,
        "notes": [],
        "runs": map_forecast.FORECAST_RUNS,
    }
    job, notes = _job(map_forecast.WAIT_SECONDS)
    if job is not None and not job.finished:
        return render_template("commissioner/forecast.html", **(context | {"working": job}))
    result = job.result if job is not None else None
    if result is None:
        return render_template("commissioner/forecast.html", **(context | {"notes": notes or job.notes}))  # type: ignore[union-attr]
    known = sorted(set(result.table["district"]), key=district_name)
    district = _district(known)
    t = result.table
    if district is None:
        rows = council_rows(t, result.quantiles, level)
    else:
        rows = t[(t["district"] == district) & (t["support_level"] == level)]
    ages = [
        {"month": m, "label": _label(str(m)), "bands": {str(r.age_band): r for r in g.itertuples()}}
        for m, g in result.by_age.groupby("month", sort=True)
    ]
    return render_template(
        "commissioner/forecast.html",
        **(
            context
            | {
                "district": district,
                "districts": [(d, f"{district_name(d)} ({d})") for d in known],
                "rows": rows.assign(label=rows["month"].map(_label)).to_dict("records"),
                "ages": ages,
                "notes": result.notes,
                "today_month": str(pd.Period(on, "M")),
            }
        ),
    )


def _kept() -> forecast_runs.Kept:
    """The finished forecast for a download (waiting for it), or 400 saying why there is none."""
    job, notes = _job(map_forecast.LONGEST_WAIT)
    if job is None or job.result is None:
        abort(400, description=" ".join(notes or (job.notes if job else [])))
    return job.result


@bp.get("/forecast.csv")
@roles_required(*READING)
def forecast_csv() -> ResponseReturnValue:
    """The whole forecast, every month, district and support level: the file `planner forecast` writes."""
    return _csv(_kept().table, f"forecast-{today(current_app):%Y-%m-%d}.csv")


@bp.get("/forecast/by-age.csv")
@roles_required(*READING)
def forecast_ages_csv() -> ResponseReturnValue:
    return _csv(_kept().by_age, f"forecast-by-age-{today(current_app):%Y-%m-%d}.csv")


def _tables(on: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    db = get_db()
    return referrals_by_month(referrals_frame(db)), cohort_by_month(
        cohort_frame(db), on=on, months=COHORT_MONTHS
    )


def _district_label(code: str) -> str:
    return "District not known" if code == "unknown" else f"{district_name(code)} ({code})"


def _by_month(table: pd.DataFrame, counts: list[str], district: str | None) -> list[dict[str, Any]]:
    mine = table if district is None else table[table["district"] == district]
    sums = mine.groupby("month")[counts].sum().sort_index(ascending=False)
    return [
        {"month": m, "label": _label(str(m)), **{c: int(r[c]) for c in counts}} for m, r in sums.iterrows()
    ]


def _by_district(table: pd.DataFrame, counts: list[str]) -> list[dict[str, Any]]:
    sums = table.groupby(["district", "name"])[counts].sum().reset_index().sort_values("name")
    return [{str(k): v for k, v in r.items()} for r in sums.to_dict("records")]


@bp.get("/history")
@roles_required(*READING)
def history() -> ResponseReturnValue:
    on = today(current_app)
    referrals, cohort = _tables(on)
    known = sorted(set(referrals["district"]) | set(cohort["district"]), key=lambda d: (d == "unknown", d))
    district = _district(known)
    recent = referrals[referrals["month"] >= str(pd.Period(on, "M") - 12)]
    shown = referrals[referrals["month"] >= str(pd.Period(on, "M") - HISTORY_MONTHS)]
    coming = cohort[cohort["month"] < str(pd.Period(on, "M") + 12)]
    r_counts, c_counts = list(REFERRAL_COUNTS), list(COHORT_COUNTS)
    return render_template(
        "commissioner/history.html",
        on=on,
        district=district,
        history_months=HISTORY_MONTHS,
        districts=[(d, _district_label(d)) for d in known],
        referral_months=_by_month(shown, r_counts, district),
        referral_districts=_by_district(recent, r_counts),
        cohort_months=_by_month(cohort, c_counts, district)[::-1],
        cohort_districts=_by_district(coming, c_counts),
        total_referrals=len(referrals) and int(referrals["referrals"].sum()),
        cohort_months_ahead=COHORT_MONTHS,
    )


@bp.get("/history/referrals.csv")
@roles_required(*READING)
def referrals_csv() -> ResponseReturnValue:
    return _csv(_tables(today(current_app))[0], "referrals-by-month-and-district.csv")


@bp.get("/history/cohort.csv")
@roles_required(*READING)
def cohort_csv() -> ResponseReturnValue:
    on = today(current_app)
    return _csv(_tables(on)[1], f"cohort-turning-18-by-month-and-district-from-{on:%Y-%m}.csv")
