"""Commissioning plans (PRODUCT.md s.1, job 2: "an optimiser recommends where to add capacity for
a given budget"): a budget and candidate places, saved like a scenario; each run chooses what to
buy with `planner.simulate.commission` (what `planner commission` runs) in the background, with
its progress, surviving a restart (`web.commissioner.scenario_runs`); then the plan as a table and
on the map, what it saves in B&B and emergency nights and council cost with intervals, beside the
simple rule it beats, and its files to download.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from planner.data.contract import Dataset
from planner.data.formats import spreadsheet_safe_csv
from planner.data.problems import InvalidInput
from planner.simulate.commissioning import default_candidates
from web.commissioner.commissioning_form import (
    PlanForm,
    blank,
    defaults,
    fill_candidates,
    fill_form,
    plan_yaml,
    set_choices,
)
from web.commissioner.commissioning_results import (
    PLAN_TABLES,
    district_rows,
    headline,
    plan_map,
    purchases,
    savings_rows,
)
from web.commissioner.saved import name_problem
from web.commissioner.scenario_form import council_districts, problems
from web.commissioner.scenario_runs import MIN_REFERRALS, is_stale, submit
from web.commissioner.scenario_yaml import parse
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import get_db
from web.core.models import Referral, utcnow
from web.core.roles import PLANNING, READING
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import people_frame, schemes_frame

bp = Blueprint("commissioning", __name__, template_folder="templates")


def _record(scenario_id: int) -> ScenarioRecord:
    record = get_db().get(ScenarioRecord, scenario_id)
    if record is None or record.kind != "commission":
        abort(404)
    return record


def _run(run_id: int) -> tuple[ScenarioRun, ScenarioRecord]:
    found = get_db().get(ScenarioRun, run_id)
    if found is None or found.kind != "plan" or found.scenario_id is None:
        abort(404)
    return found, _record(found.scenario_id)


def _referrals() -> int:
    return get_db().scalar(select(func.count()).select_from(Referral)) or 0


def _latest() -> dict[int, ScenarioRun]:
    runs = select(ScenarioRun).where(ScenarioRun.kind == "plan").order_by(ScenarioRun.id)
    return {r.scenario_id: r for r in get_db().scalars(runs) if r.scenario_id is not None}


@bp.get("/commissioning")
@roles_required(*READING)
def index() -> ResponseReturnValue:
    plans = select(ScenarioRecord).where(ScenarioRecord.kind == "commission")
    records = list(get_db().scalars(plans.order_by(ScenarioRecord.updated_at.desc())))
    latest = _latest()
    items = [
        {"record": r, "run": latest.get(r.id), "headline": headline(latest[r.id]) if r.id in latest else None}
        for r in records
    ]
    return render_template(
        "commissioner/plans.html",
        items=items,
        planner=current_user.role in PLANNING,
        referrals=_referrals(),
        min_referrals=MIN_REFERRALS,
    )


def _candidates_now() -> list[dict[str, Any]]:
    """The default candidates for the data as they are now (a run works them out again from its own)."""
    db = get_db()
    cands = default_candidates(Dataset(people_frame(db), schemes_frame(db)))
    return [asdict(c) for c in cands]


def _form_page(record: ScenarioRecord | None) -> ResponseReturnValue:
    db = get_db()
    schemes = schemes_frame(db)
    codes = council_districts(
        set(schemes["district"]) | set(people_frame(db, waiting_only=False)["home_district"])
    )
    form = PlanForm()
    if request.method == "GET":
        if record is None:
            defaults(form, today(current_app))
        else:
            fill_form(form, parse(record.yaml_text, set(schemes["scheme_id"])), record.budget)
    action = next((a for a in ("add_another", "remove", "use_defaults") if a in request.form), None)
    if action is not None:  # GOV.UK "add another": nothing is checked yet
        _change_list(form, action, request.form[action])
    set_choices(form, codes)
    if request.method == "GET" or action is not None:
        return _page(form, record)
    if not form.validate():
        return _page(form, record, problems(form), 400)
    text = plan_yaml(form)
    try:
        scenario = parse(text, set(schemes["scheme_id"]))
    except InvalidInput as e:  # the form's checks should leave nothing for this: say it plainly
        return _page(form, record, [{"text": str(p), "href": "#candidates"} for p in e.problems], 400)
    if message := name_problem(db, scenario.name, record):
        form.name.errors = [message]
        return _page(form, record, problems(form), 400)
    if record is None:
        record = ScenarioRecord(kind="commission", created_by_id=current_user.id)  # type: ignore[attr-defined]
        db.add(record)
    record.name, record.description, record.yaml_text = scenario.name, scenario.description, text
    record.budget, record.updated_at = float(form.budget.data), utcnow()
    db.flush()
    audit.record(
        "plan_saved", detail=f"commissioning plan {record.id} {record.name}, £{record.budget:,.0f} a week"
    )
    db.commit()
    flash(f"Commissioning plan {record.name} saved.")
    return redirect(url_for("commissioning.show", scenario_id=record.id), code=303)


def _change_list(form: PlanForm, action: str, value: str) -> None:
    entries = form.candidates.entries
    if action == "use_defaults":
        db = get_db()
        fill_candidates(form, default_candidates(Dataset(people_frame(db), schemes_frame(db))))
        form.which.data = "own"
    elif action == "add_another" and value == "candidates":
        form.candidates.append_entry()
    elif action == "remove" and any(e.name == value for e in entries):
        entries[:] = [e for e in entries if e.name != value]
        if not entries:
            form.candidates.append_entry()
    else:
        abort(400, description="The form asked to add or remove something it does not have.")


def _page(
    form: PlanForm,
    record: ScenarioRecord | None,
    found: list[dict[str, str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    own = [e for e in form.candidates if not blank(e)]
    return render_template(
        "commissioner/plan_form.html",
        form=form,
        record=record,
        problems=found or [],
        defaults=_candidates_now(),
        own=len(own),
    ), status


@bp.route("/commissioning/new", methods=["GET", "POST"])
@roles_required(*PLANNING)
def new() -> ResponseReturnValue:
    return _form_page(None)


@bp.route("/commissioning/<int:scenario_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNING)
def edit(scenario_id: int) -> ResponseReturnValue:
    return _form_page(_record(scenario_id))


@bp.get("/commissioning/<int:scenario_id>")
@roles_required(*READING)
def show(scenario_id: int) -> ResponseReturnValue:
    db = get_db()
    record = _record(scenario_id)
    runs = db.scalars(
        select(ScenarioRun).where(ScenarioRun.scenario_id == record.id).order_by(ScenarioRun.id.desc())
    )
    scenario = parse(record.yaml_text, set(schemes_frame(db)["scheme_id"]))
    cands = [asdict(c) for c in scenario.candidates]
    return render_template(
        "commissioner/plan.html",
        record=record,
        scenario=scenario,
        own=cands,
        defaults=_candidates_now() if not cands else [],
        runs=[(r, headline(r), is_stale(r)) for r in runs],
        planner=current_user.role in PLANNING,
        referrals=_referrals(),
        min_referrals=MIN_REFERRALS,
    )


@bp.post("/commissioning/<int:scenario_id>/run")
@roles_required(*PLANNING)
def run(scenario_id: int) -> ResponseReturnValue:
    db = get_db()
    record = _record(scenario_id)
    if _referrals() < MIN_REFERRALS:
        abort(400, description="There is no referral history to estimate demand from: import referrals.csv.")
    started = ScenarioRun(
        scenario_id=record.id,
        kind="plan",
        yaml_text=record.yaml_text,
        budget=record.budget,
        run_by_id=current_user.id,
    )  # type: ignore[attr-defined]
    db.add(started)
    db.flush()
    audit.record("run_plan", detail=f"commissioning plan {record.id} {record.name}, run {started.id}")
    db.commit()
    submit(current_app._get_current_object(), started.id, "plan")  # type: ignore[attr-defined]
    return redirect(url_for("commissioning.result", run_id=started.id), code=303)


@bp.get("/commissioning/runs/<int:run_id>")
@roles_required(*READING)
def result(run_id: int) -> ResponseReturnValue:
    found, record = _run(run_id)
    context: dict[str, Any] = {"run": found, "record": record, "stale": is_stale(found)}
    if found.status == "done":
        context |= {
            "headline": headline(found),
            "savings": savings_rows(found),
            "plan": purchases(found.plan_csv),
            "rule": purchases(found.rule_csv),
            "districts": district_rows(found),
            "map": plan_map(found),
            "tables": list(PLAN_TABLES),
        }
    return render_template("commissioner/plan_run.html", **context)


@bp.get("/commissioning/runs/<int:run_id>/<table>.csv")
@roles_required(*READING)
def download(run_id: int, table: str) -> ResponseReturnValue:
    if table not in PLAN_TABLES:
        abort(404)
    found, record = _run(run_id)
    if found.status != "done":
        abort(404)
    name = f"{record.name}-run-{found.id}-{table}.csv"
    return Response(
        spreadsheet_safe_csv(getattr(found, PLAN_TABLES[table])),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
