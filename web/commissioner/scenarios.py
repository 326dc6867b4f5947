"""Commissioners: create, edit, run and compare scenarios (PRODUCT.md s.1, job 2).

A scenario is the YAML of data/scenarios/ (made with the form or written by hand) run on the
database's current waiting list, schemes and referral history, always with its baseline (no
changes), in the background (`web.commissioner.scenario_runs`). Results: the summary, B&B nights by month,
nights without a suitable place by district, and the CSV files `planner scenario` writes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from planner.data.districts import district_name
from planner.data.formats import spreadsheet_safe_csv
from planner.data.problems import InvalidInput, Problem
from planner.simulate.report import LABELS, POLICY_LABELS, _fmt
from web.commissioner.scenario_form import (
    DEFAULT_MONTHS,
    DEFAULT_RUNS,
    ScenarioForm,
    council_districts,
    field_for,
    fill_form,
    form_yaml,
    parse,
    set_choices,
    starter_yaml,
)
from web.commissioner.scenario_runs import MIN_REFERRALS, frame, is_stale, submit
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import get_db
from web.core.models import Referral, User, utcnow
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import people_frame, schemes_frame

bp = Blueprint("scenarios", __name__, template_folder="templates")
ROLES = ("commissioner", "admin")
TABLES = {"summary": "summary_csv", "by_district": "by_district_csv", "by_month": "by_month_csv"}
NIGHTS = ("bnb_nights", "emergency_nights")


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _policy(summary: pd.DataFrame) -> str:
    """The policy a headline is about: the optimised panel when it was run, else a real policy
    (the clairvoyant bound has no split of nights, costs or districts)."""
    policies = list(dict.fromkeys(summary["policy"]))
    for choice in ("optimised", "fcfs"):
        if choice in policies:
            return choice
    return str(policies[0])


def _pick(summary: pd.DataFrame, scenario: str, policy: str, metric: str) -> pd.DataFrame:
    return summary[
        (summary["scenario"] == scenario) & (summary["policy"] == policy) & (summary["metric"] == metric)
    ]


def _mean(summary: pd.DataFrame, scenario: str, policy: str, metric: str) -> float:
    rows = _pick(summary, scenario, policy, metric)
    return float(rows["mean"].iloc[0]) if len(rows) else float("nan")


def _change(metric: str, value: float) -> str:
    if pd.isna(value):
        return "–"
    text = f"{100 * abs(value):.1f} points" if metric == "share_suitable" else _fmt(metric, abs(value))
    if not text.strip("£0.,% points"):  # rounds to nothing: no sign ("0", not "−0")
        return text
    return ("+" if value > 0 else "−") + text  # a real minus sign


HEADLINE = ("bnb_nights", "emergency_nights", "weekly_cost", "council_weekly_cost")


def headline(run: ScenarioRun) -> dict[str, Any] | None:
    """B&B nights, weekly cost and its cost to the council, scenario against baseline, for the list
    and comparisons (a run from before council costs were counted shows "–" for them)."""
    if run.status != "done":
        return None
    summary = frame(run.summary_csv)
    policy = _policy(summary)
    name = next(s for s in summary["scenario"] if s != "baseline")
    out: dict[str, Any] = {"policy": POLICY_LABELS.get(policy, policy)}
    for metric in HEADLINE:
        b, s = _mean(summary, "baseline", policy, metric), _mean(summary, name, policy, metric)
        out[metric] = {
            "baseline": _fmt(metric, b),
            "scenario": _fmt(metric, s),
            "change": _change(metric, s - b),
        }
    return out


def _summary_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Per policy, per metric: baseline and scenario means with 80% intervals, and the change."""
    name = next(s for s in summary["scenario"] if s != "baseline")
    out = []
    for policy in dict.fromkeys(summary["policy"]):
        rows = []
        for metric, label in LABELS.items():
            if not len(_pick(summary, "baseline", str(policy), metric)):
                continue  # a run from before the metric was counted (council cost)
            cells: dict[str, dict[str, str]] = {}
            means: dict[str, float] = {}
            for which in ("baseline", name):
                r = _pick(summary, which, str(policy), metric)
                mean, lo, hi = (float(r[c].iloc[0]) for c in ("mean", "lo80", "hi80"))
                interval = "" if pd.isna(mean) else f"{_fmt(metric, lo)} to {_fmt(metric, hi)}"
                cells[which], means[which] = {"mean": _fmt(metric, mean), "interval": interval}, mean
            rows.append(
                {
                    "metric": metric,
                    "label": label,
                    "baseline": cells["baseline"],
                    "scenario": cells[name],
                    "change": _change(metric, means[name] - means["baseline"]),
                }
            )
        out.append({"policy": policy, "label": POLICY_LABELS.get(str(policy), policy), "rows": rows})
    return out


def _district_rows(by_district: pd.DataFrame, policy: str) -> list[dict[str, Any]]:
    """B&B and emergency nights and young people ever unplaced, by home district."""
    rows = by_district[by_district["policy"] == policy]
    nights = rows[rows["metric"].isin(NIGHTS)].pivot_table(
        index="district", columns="scenario", values="mean", aggfunc="sum"
    )
    unplaced = rows[rows["metric"] == "people_unplaced"].pivot_table(
        index="district", columns="scenario", values="mean", aggfunc="sum"
    )
    if nights.empty:  # the clairvoyant bound alone has no figures by district
        return []
    name = next(s for s in nights.columns if s != "baseline")
    before, after = nights["baseline"].astype(float).to_dict(), nights[name].astype(float).to_dict()
    unplaced_before = unplaced["baseline"].astype(float).to_dict()
    unplaced_after = unplaced[name].astype(float).to_dict()
    out = []
    for code in sorted(before, key=lambda c: -before[c]):
        b, s = before[code], after[code]
        if b == 0 and s == 0:
            continue
        out.append(
            {
                "district": code,
                "name": district_name(str(code)),
                "baseline": f"{b:,.0f}",
                "scenario": f"{s:,.0f}",
                "change": _change("bnb_nights", s - b),
                "unplaced_baseline": f"{unplaced_before[code]:,.1f}",
                "unplaced_scenario": f"{unplaced_after[code]:,.1f}",
            }
        )
    return out


def _record(scenario_id: int) -> ScenarioRecord:
    record = get_db().get(ScenarioRecord, scenario_id)
    if record is None:
        abort(404)
    return record


def _referral_count() -> int:
    return get_db().scalar(select(func.count()).select_from(Referral)) or 0


@bp.get("/scenarios")
@roles_required(*ROLES)
def index() -> ResponseReturnValue:
    db = get_db()
    records = list(db.scalars(select(ScenarioRecord).order_by(ScenarioRecord.updated_at.desc())))
    latest: dict[int, ScenarioRun] = {}
    for run in db.scalars(select(ScenarioRun).order_by(ScenarioRun.id)):
        latest[run.scenario_id] = run  # the newest run of each scenario wins
    items = [
        {"record": r, "run": latest.get(r.id), "headline": headline(latest[r.id]) if r.id in latest else None}
        for r in records
    ]
    return render_template(
        "commissioner/scenarios.html",
        items=items,
        referrals=_referral_count(),
        min_referrals=MIN_REFERRALS,
        headline_metrics=HEADLINE,
    )


def _form_page(record: ScenarioRecord | None) -> ResponseReturnValue:
    db = get_db()
    schemes = schemes_frame(db)
    codes = set(schemes["district"]) | set(people_frame(db, waiting_only=False)["home_district"])
    scheme_ids = set(schemes["scheme_id"])
    form = ScenarioForm()
    set_choices(form, council_districts(codes), schemes)
    fits = True
    if request.method == "GET":
        form.yaml_text.data = record.yaml_text if record else starter_yaml(today(current_app))
        fits = _prefill(form, record, scheme_ids)
        return render_template(
            "commissioner/scenario_form.html", form=form, record=record, fits=fits, problems=[]
        )

    source = request.form.get("source", "form")
    problems: list[dict[str, str]] = []
    if source == "yaml":
        text = form.yaml_text.data or ""
        _prefill(form, record, scheme_ids)  # the form part shows what is saved, not an empty form
    elif not form.validate():
        return render_template(
            "commissioner/scenario_form.html", form=form, record=record, fits=True, problems=[]
        ), 400
    else:
        text = form_yaml(form)
        form.yaml_text.data = text
    try:
        scenario = parse(text, scheme_ids)
    except InvalidInput as e:
        for p in e.problems:
            field = field_for(p) if source == "form" else None
            if field is not None:
                getattr(form, field).errors = [*getattr(form, field).errors, p.message]
            problems.append({"text": _where(p), "href": f"#{field or 'yaml_text'}"})
        return _invalid(form, record, problems, source)
    clash = db.scalar(select(ScenarioRecord).where(ScenarioRecord.name == scenario.name))
    if scenario.name == "baseline" or (clash is not None and clash is not record):
        why = (
            "is the name of the no-change comparison every run includes"
            if scenario.name == "baseline"
            else "is the name of another scenario"
        )
        message = f"Name {scenario.name!r} {why}: choose another name"
        if source == "form":
            form.name.errors = [*form.name.errors, message]
        problems.append({"text": message, "href": "#name" if source == "form" else "#yaml_text"})
        return _invalid(form, record, problems, source)

    if record is None:
        record = ScenarioRecord(created_by_id=_user().id)
        db.add(record)
    record.name, record.description, record.yaml_text = scenario.name, scenario.description, text
    record.updated_at = utcnow()
    db.flush()
    audit.record("scenario_saved", detail=f"scenario {record.id} {scenario.name}")
    db.commit()
    flash(f"Scenario {scenario.name} saved.")
    return redirect(url_for("scenarios.show", scenario_id=record.id), code=303)


def _prefill(form: ScenarioForm, record: ScenarioRecord | None, scheme_ids: set[str]) -> bool:
    """The form's fields from the saved scenario (or the defaults for a new one); False when the
    scenario has more than the form can show."""
    if record is None:
        form.start.data, form.months.data, form.runs.data = today(current_app), DEFAULT_MONTHS, DEFAULT_RUNS
        form.policies.data, form.growth_percent.data = ["fcfs", "optimised"], 0.0
        form.add_contract.data, form.add_ofsted.data = "block", True
        return True
    try:
        return fill_form(form, parse(record.yaml_text, scheme_ids))
    except InvalidInput:
        return False  # e.g. a closed scheme was removed by an import since


def _where(p: Problem) -> str:
    where = [f"line {p.row}"] if p.row is not None else []
    where += [f"key {p.column}"] if p.column else []
    return f"{', '.join(where).capitalize()}: {p.message}" if where else p.message


def _invalid(
    form: ScenarioForm, record: ScenarioRecord | None, problems: list[dict[str, str]], source: str
) -> ResponseReturnValue:
    page = render_template(
        "commissioner/scenario_form.html",
        form=form,
        record=record,
        fits=True,
        problems=problems,
        yaml_open=source == "yaml",
    )
    return page, 400


@bp.route("/scenarios/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def new() -> ResponseReturnValue:
    return _form_page(None)


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit(scenario_id: int) -> ResponseReturnValue:
    return _form_page(_record(scenario_id))


@bp.get("/scenarios/<int:scenario_id>")
@roles_required(*ROLES)
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
    )


@bp.post("/scenarios/<int:scenario_id>/run")
@roles_required(*ROLES)
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
@roles_required(*ROLES)
def result(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    record = _record(found.scenario_id)
    context: dict[str, Any] = {"run": found, "record": record, "stale": is_stale(found)}
    if found.status == "done":
        summary = frame(found.summary_csv)
        policy = _policy(summary)
        context |= {
            "policies": _summary_rows(summary),
            "policy_label": POLICY_LABELS.get(policy, policy),
            "districts": _district_rows(frame(found.by_district_csv), policy),
            "tables": list(TABLES),
        }
    return render_template("commissioner/scenario_run.html", **context)


@bp.get("/scenarios/runs/<int:run_id>/status")
@roles_required(*ROLES)
def status(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    return {
        "status": "failed" if is_stale(found) else found.status,
        "done": found.done,
        "total": found.total,
        "message": found.message,
    }


@bp.get("/scenarios/runs/<int:run_id>/<table>.csv")
@roles_required(*ROLES)
def download(run_id: int, table: str) -> ResponseReturnValue:
    if table not in TABLES:
        abort(404)
    found = _run(run_id)
    if found.status != "done":
        abort(404)
    name = f"{_record(found.scenario_id).name}-run-{found.id}-{table}.csv"
    return Response(
        spreadsheet_safe_csv(getattr(found, TABLES[table])),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
