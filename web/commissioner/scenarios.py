"""Commissioners: create, edit, run and compare scenarios (PRODUCT.md s.1, job 2).

A scenario is the YAML of data/scenarios/ (made with the form or written by hand) run on the
database's current waiting list, schemes and referral history, always with its baseline (no
changes), in the background (`web.commissioner.scenario_runs`). Results: the summary, the
baseline month by month beside the council's DfE figures (`web.commissioner.scenario_baseline`),
B&B and emergency nights by month, nights without a suitable place by district, and the CSV files
`planner scenario` writes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from planner.data.formats import spreadsheet_safe_csv
from planner.data.problems import InvalidInput, Problem
from planner.simulate.report import POLICY_LABELS
from web.commissioner.saved import name_problem
from web.commissioner.scenario_baseline import baseline
from web.commissioner.scenario_fill import Written, defaults, field_for, fill_form, form_yaml
from web.commissioner.scenario_form import ScenarioForm, add_or_remove, council_districts, set_choices
from web.commissioner.scenario_form import problems as form_problems
from web.commissioner.scenario_results import district_rows, frame, headline, policy_of, summary_rows
from web.commissioner.scenario_runs import MIN_REFERRALS, is_stale, submit
from web.commissioner.scenario_runs import cancel as cancel_run
from web.commissioner.scenario_yaml import parse, starter_yaml
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import get_db
from web.core.models import Referral, User, utcnow
from web.core.roles import PLANNING, READING
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import people_frame, schemes_frame

bp = Blueprint("scenarios", __name__, template_folder="templates")
TABLES = {"summary": "summary_csv", "by_district": "by_district_csv", "by_month": "by_month_csv"}


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _record(scenario_id: int) -> ScenarioRecord:
    record = get_db().get(ScenarioRecord, scenario_id)
    if record is None or record.kind != "scenario":  # a commissioning plan has pages of its own
        abort(404)
    return record


def _referral_count() -> int:
    return get_db().scalar(select(func.count()).select_from(Referral)) or 0


@bp.get("/scenarios")
@roles_required(*READING)
def index() -> ResponseReturnValue:
    db = get_db()
    mine = select(ScenarioRecord).where(ScenarioRecord.kind == "scenario")
    records = list(db.scalars(mine.order_by(ScenarioRecord.updated_at.desc())))
    latest: dict[int, ScenarioRun] = {}
    for run in db.scalars(select(ScenarioRun).where(ScenarioRun.kind == "scenario").order_by(ScenarioRun.id)):
        if run.scenario_id is not None:
            latest[run.scenario_id] = run  # the newest run of each scenario wins
    items = [
        {"record": r, "run": latest.get(r.id), "headline": headline(latest[r.id]) if r.id in latest else None}
        for r in records
    ]
    return render_template("commissioner/scenarios.html", items=items, referrals=_referral_count(),
                           min_referrals=MIN_REFERRALS, planner=current_user.role in PLANNING)  # fmt: skip


def _form_page(record: ScenarioRecord | None) -> ResponseReturnValue:
    db = get_db()
    schemes = schemes_frame(db)
    codes = set(schemes["district"]) | set(people_frame(db, waiting_only=False)["home_district"])
    scheme_ids = set(schemes["scheme_id"])
    form = ScenarioForm()
    source = request.form.get("source", "form")
    fits = True
    if request.method == "GET" or source == "yaml":  # the form part shows what is saved
        fits = _prefill(form, record, scheme_ids)
    if request.method == "GET":
        form.yaml_text.data = record.yaml_text if record else starter_yaml(today(current_app))
    set_choices(form, council_districts(codes), schemes)
    if request.method == "GET":
        return _page(form, record, fits=fits)
    action = next((a for a in ("add_another", "remove") if a in request.form), None)
    if source == "form" and action is not None:  # GOV.UK "add another": nothing is checked yet
        if not add_or_remove(form, action, request.form[action]):
            abort(400, description="The form asked to add or remove something it does not have.")
        set_choices(form, council_districts(codes), schemes)
        return _page(form, record)

    written = Written(form.yaml_text.data or "")
    if source != "yaml":
        if not form.validate():
            return _page(form, record, problems=form_problems(form), status=400)
        written = form_yaml(form)
        form.yaml_text.data = written.text
    try:
        scenario = parse(written.text, scheme_ids)
    except InvalidInput as e:
        found = []
        for p in e.problems:
            field = field_for(form, p, written.entries) if source == "form" else None
            if field is not None:
                field.errors = [*field.errors, p.message]
            href = f"#{field.id}" + ("-day" if hasattr(field, "boxes") else "") if field else "#yaml_text"
            found.append({"text": _where(p), "href": href})
        return _page(form, record, problems=found, yaml_open=source == "yaml", status=400)
    if message := name_problem(db, scenario.name, record):
        if source == "form":
            form.name.errors = [*form.name.errors, message]
        found = [{"text": message, "href": "#name" if source == "form" else "#yaml_text"}]
        return _page(form, record, problems=found, yaml_open=source == "yaml", status=400)

    if record is None:
        record = ScenarioRecord(created_by_id=_user().id)
        db.add(record)
    record.name, record.description, record.yaml_text = scenario.name, scenario.description, written.text
    record.updated_at = utcnow()
    db.flush()
    audit.record("scenario_saved", detail=f"scenario {record.id} {scenario.name}")
    db.commit()
    flash(f"Scenario {scenario.name} saved.")
    return redirect(url_for("scenarios.show", scenario_id=record.id), code=303)


def _page(form: ScenarioForm, record: ScenarioRecord | None, *, fits: bool = True,
          problems: list[dict[str, str]] | None = None, yaml_open: bool = False,
          status: int = 200) -> ResponseReturnValue:  # fmt: skip
    page = render_template("commissioner/scenario_form.html", form=form, record=record, fits=fits,
                           problems=problems or [], yaml_open=yaml_open or not fits)  # fmt: skip
    return page, status


def _prefill(form: ScenarioForm, record: ScenarioRecord | None, scheme_ids: set[str]) -> bool:
    """The form's fields from the saved scenario (or the defaults for a new one); False when the
    scenario has more than the form can show."""
    if record is None:
        defaults(form, today(current_app))
        return True
    try:
        return fill_form(form, parse(record.yaml_text, scheme_ids))
    except InvalidInput:
        defaults(form, today(current_app))
        return False  # e.g. a closed scheme was removed by an import since


def _where(p: Problem) -> str:
    where = [f"line {p.row}"] if p.row is not None else []
    where += [f"key {p.column}"] if p.column else []
    return f"{', '.join(where).capitalize()}: {p.message}" if where else p.message


@bp.route("/scenarios/new", methods=["GET", "POST"])
@roles_required(*PLANNING)
def new() -> ResponseReturnValue:
    return _form_page(None)


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNING)
def edit(scenario_id: int) -> ResponseReturnValue:
    return _form_page(_record(scenario_id))


@bp.get("/scenarios/<int:scenario_id>")
@roles_required(*READING)
def show(scenario_id: int) -> ResponseReturnValue:
    db = get_db()
    record = _record(scenario_id)
    runs = list(
        db.scalars(
            select(ScenarioRun).where(ScenarioRun.scenario_id == record.id).order_by(ScenarioRun.id.desc())
        )
    )
    users = {u.id: u.username for u in db.scalars(select(User))}
    return render_template(
        "commissioner/scenario.html",
        record=record,
        runs=[(r, users.get(r.run_by_id or 0, ""), headline(r), is_stale(r)) for r in runs],
        referrals=_referral_count(),
        min_referrals=MIN_REFERRALS,
        planner=current_user.role in PLANNING,
    )


@bp.post("/scenarios/<int:scenario_id>/run")
@roles_required(*PLANNING)
def run(scenario_id: int) -> ResponseReturnValue:
    db = get_db()
    record = _record(scenario_id)
    if _referral_count() < MIN_REFERRALS:
        abort(400, description="There is no referral history to estimate demand from: import referrals.csv.")
    started = ScenarioRun(scenario_id=record.id, yaml_text=record.yaml_text, run_by_id=_user().id)
    db.add(started)
    db.flush()
    audit.record("run_scenario", detail=f"scenario {record.id} {record.name}, run {started.id}")
    db.commit()
    submit(current_app._get_current_object(), started.id)  # type: ignore[attr-defined]
    return redirect(url_for("scenarios.result", run_id=started.id), code=303)


def _run(run_id: int) -> ScenarioRun:
    found = get_db().get(ScenarioRun, run_id)
    if found is None:
        abort(404)
    return found


@bp.get("/scenarios/runs/<int:run_id>")
@roles_required(*READING)
def result(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    record = _record(found.scenario_id or 0)
    mine = found.run_by_id == _user().id or _user().role == "admin"
    context: dict[str, Any] = {"run": found, "record": record, "stale": is_stale(found), "may_cancel": mine}
    if found.status == "done":
        summary = frame(found.summary_csv)
        policy = policy_of(summary)
        context |= {
            "policies": summary_rows(summary),
            "policy_label": POLICY_LABELS.get(policy, policy),
            "districts": district_rows(frame(found.by_district_csv), policy),
            "baseline": baseline(summary, frame(found.by_month_csv)),
            "tables": list(TABLES),
        }
    return render_template("commissioner/scenario_run.html", **context)


@bp.post("/scenarios/runs/<int:run_id>/cancel")
@roles_required(*PLANNING)
def cancel(run_id: int) -> ResponseReturnValue:
    """Stop a queued or running run: for whoever started it, or an administrator."""
    found, user = _run(run_id), _user()
    if found.run_by_id != user.id and user.role != "admin":
        abort(403, description="Only whoever started a run, or an administrator, can cancel it.")
    if cancel_run(get_db(), found, user):
        flash(f"Run {run_id} cancelled.", "success")
    return redirect(url_for("scenarios.result", run_id=run_id), code=303)


@bp.get("/scenarios/runs/<int:run_id>/status")
@roles_required(*READING)
def status(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    return {
        "status": "failed" if is_stale(found) else found.status,
        "done": found.done,
        "total": found.total,
        "message": found.message,
    }


@bp.get("/scenarios/runs/<int:run_id>/<table>.csv")
@roles_required(*READING)
def download(run_id: int, table: str) -> ResponseReturnValue:
    if table not in TABLES:
        abort(404)
    found = _run(run_id)
    if found.status != "done":
        abort(404)
    name = f"{_record(found.scenario_id or 0).name}-run-{found.id}-{table}.csv"
    return Response(
        spreadsheet_safe_csv(getattr(found, TABLES[table])),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
