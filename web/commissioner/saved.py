"""Scenarios and commissioning plans are saved alike, in one list of names: copy one (to try a
variant), rename it, or delete it with its runs, each after a page that asks (GOV.UK's
confirmation pattern), each in the audit log with who did it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from wtforms import StringField

from web.commissioner.scenario_form import name_rules
from web.commissioner.scenario_yaml import renamed
from web.core import audit
from web.core.auth import roles_required
from web.core.db import get_db
from web.core.models import utcnow
from web.core.roles import PLANNING
from web.core.scenario_models import ScenarioRecord, ScenarioRun

bp = Blueprint("saved", __name__, template_folder="templates")
WHAT = {"scenario": "scenario", "commission": "commissioning plan"}
SHOW = {"scenario": "scenarios.show", "commission": "commissioning.show"}


def name_problem(db: Session, name: str, record: ScenarioRecord | None) -> str | None:
    """Why `name` cannot be this scenario's or plan's (None when it can): the baseline's name, or
    another's (scenarios and plans share one list of names)."""
    if name == "baseline":
        return (
            f"Name {name!r} is the name of the no-change comparison every run includes: choose another name"
        )
    clash = db.scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))
    if clash is not None and clash is not record:
        return f"Name {name!r} is the name of another {WHAT[clash.kind]}: choose another name"
    return None


class NameForm(FlaskForm):
    name = StringField("Name", validators=name_rules("copy"))


class DeleteForm(FlaskForm):
    """Nothing to fill in: the form carries the CSRF token."""


def _record(scenario_id: int) -> ScenarioRecord:
    record = get_db().get(ScenarioRecord, scenario_id)
    if record is None:
        abort(404)
    return record


def _free_name(db: Session, name: str) -> str:
    """`name-copy`, or `name-copy-2` and so on when that is taken."""
    base = f"{name}-copy"
    taken = set(db.scalars(select(ScenarioRecord.name).where(ScenarioRecord.name.startswith(base))))
    n = 1
    while (candidate := base if n == 1 else f"{base}-{n}") in taken:
        n += 1
    return candidate


def _name_page(record: ScenarioRecord, form: NameForm, action: str, status: int = 200) -> ResponseReturnValue:
    return render_template("commissioner/saved_name.html", record=record, form=form, action=action,
                           what=WHAT[record.kind], show=SHOW[record.kind]), status  # fmt: skip


def _checked_name(db: Session, form: NameForm, record: ScenarioRecord | None) -> str | None:
    if not form.validate_on_submit():
        return None
    name = form.name.data.strip()
    if message := name_problem(db, name, record):
        form.name.errors = [message]
        return None
    return name


@bp.route("/scenarios/<int:scenario_id>/copy", methods=["GET", "POST"])
@roles_required(*PLANNING)
def copy(scenario_id: int) -> ResponseReturnValue:
    """A copy of a scenario or plan under a new name, to change without losing the original."""
    db, record = get_db(), _record(scenario_id)
    form = NameForm()
    if form.is_submitted():
        name = _checked_name(db, form, None)
        if name is None:
            return _name_page(record, form, "copy", 400)
        user = current_user.id  # type: ignore[attr-defined]
        twin = ScenarioRecord(name=name, kind=record.kind, budget=record.budget,
                              description=record.description, yaml_text=renamed(record.yaml_text, name),
                              created_by_id=user)  # fmt: skip
        db.add(twin)
        db.flush()
        audit.record(
            "scenario_copied", detail=f"{WHAT[record.kind]} {record.id} {record.name} as {twin.id} {name}"
        )
        db.commit()
        flash(f"Copied {record.name} as {name}.")
        return redirect(url_for(SHOW[record.kind], scenario_id=twin.id), code=303)
    form.name.data = _free_name(db, record.name)
    return _name_page(record, form, "copy")


@bp.route("/scenarios/<int:scenario_id>/rename", methods=["GET", "POST"])
@roles_required(*PLANNING)
def rename(scenario_id: int) -> ResponseReturnValue:
    """A new name; runs keep the YAML they ran with, the old name in it."""
    db, record = get_db(), _record(scenario_id)
    form = NameForm()
    if form.is_submitted():
        name = _checked_name(db, form, record)
        if name is None:
            return _name_page(record, form, "rename", 400)
        old = record.name
        record.name, record.yaml_text, record.updated_at = name, renamed(record.yaml_text, name), utcnow()
        audit.record("scenario_renamed", detail=f"{WHAT[record.kind]} {record.id} {old} as {name}")
        db.commit()
        flash(f"Renamed {old} as {name}.")
        return redirect(url_for(SHOW[record.kind], scenario_id=record.id), code=303)
    form.name.data = record.name
    return _name_page(record, form, "rename")


@bp.route("/scenarios/<int:scenario_id>/delete", methods=["GET", "POST"])
@roles_required(*PLANNING)
def remove(scenario_id: int) -> ResponseReturnValue:
    """Are you sure? Then the scenario or plan and every run of it go; the audit log keeps who."""
    db, record = get_db(), _record(scenario_id)
    runs = db.scalar(
        select(func.count()).select_from(ScenarioRun).where(ScenarioRun.scenario_id == record.id)
    )
    busy = db.scalar(
        select(func.min(ScenarioRun.id)).where(ScenarioRun.scenario_id == record.id,
                                               ScenarioRun.status.in_(("queued", "running")))
    )  # fmt: skip
    form = DeleteForm()
    context = {"record": record, "runs": runs or 0, "busy": busy, "form": form, "what": WHAT[record.kind],
               "show": SHOW[record.kind]}  # fmt: skip
    if not form.is_submitted():
        return render_template("commissioner/saved_delete.html", **context)
    if busy is not None:  # its thread would write results to a row that is gone
        return render_template("commissioner/saved_delete.html", **context), 409
    if not form.validate():
        abort(400)
    name, kind = record.name, record.kind
    db.execute(delete(ScenarioRun).where(ScenarioRun.scenario_id == record.id))
    db.delete(record)
    audit.record("scenario_deleted", detail=f"{WHAT[kind]} {scenario_id} {name} with {runs or 0} run(s)")
    db.commit()
    flash(f"Deleted {WHAT[kind]} {name} and its {runs or 0} run(s).")
    return redirect(url_for("commissioning.index" if kind == "commission" else "scenarios.index"), code=303)
