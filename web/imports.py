"""Imports: replace the waiting list and the schemes from two CSV files, all or nothing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from planner.data.contract import read_dataset
from planner.data.problems import InvalidInput, Problem
from planner.data.table import read_table
from planner.forecast.history import COHORT, REFERRALS
from web import audit
from web.auth import roles_required
from web.db import get_db
from web.models import CohortChild, Import, Referral, User
from web.store import replace_all, replace_history

bp = Blueprint("imports", __name__)
IMPORTERS = ("officer", "admin")


class ImportForm(FlaskForm):
    people = FileField(
        "young_people.csv", validators=[FileRequired(message="Choose a young_people.csv file")]
    )
    schemes = FileField("schemes.csv", validators=[FileRequired(message="Choose a schemes.csv file")])


class HistoryForm(FlaskForm):
    """The referral history (for scenarios and forecasts) and, optionally, the looked-after cohort."""

    referrals = FileField("referrals.csv", validators=[FileRequired(message="Choose a referrals.csv file")])
    cohort = FileField("cohort.csv (optional)")


def _page(status: int = 200, **context: object) -> ResponseReturnValue:
    db = get_db()
    counts = {
        "referrals": db.scalar(select(func.count()).select_from(Referral)) or 0,
        "cohort": db.scalar(select(func.count()).select_from(CohortChild)) or 0,
    }
    defaults: dict[str, object] = {
        "form": ImportForm(formdata=None),
        "history_form": HistoryForm(formdata=None),
        "problems": [],
        "history_problems": [],
        "history": _history(),
        "counts": counts,
    }
    return render_template("imports.html", **(defaults | context)), status


def _history() -> list[tuple[Import, str]]:
    db = get_db()
    users = {u.id: u.username for u in db.scalars(select(User))}
    rows = db.scalars(select(Import).order_by(Import.id.desc()).limit(20))
    return [(i, users.get(i.user_id or 0, "")) for i in rows]


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def index() -> ResponseReturnValue:
    form = ImportForm()
    if not form.is_submitted():
        return _page(form=form)
    if not form.validate():
        problems = [
            Problem(f.label.text, None, None, m) for f in (form.people, form.schemes) for m in f.errors
        ]
        return _page(400, form=form, problems=problems)

    # Both files are read and every problem in either is listed before anything is written.
    try:
        data = read_dataset(form.people.data.read(), form.schemes.data.read())
    except InvalidInput as e:
        return _page(400, form=form, problems=e.problems, truncated=e.truncated)

    db = get_db()
    names = [secure_filename(f.data.filename or "") or f.label.text for f in (form.people, form.schemes)]
    replace_all(db, data)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    db.add(
        Import(
            user_id=user.id,
            people_file=names[0],
            schemes_file=names[1],
            people_count=len(data.people),
            schemes_count=len(data.schemes),
        )
    )
    audit.record(
        "import",
        detail=f"{names[0]}: {len(data.people)} young people; {names[1]}: {len(data.schemes)} schemes",
    )
    db.commit()  # one transaction: the old lists are gone only if the new ones are all written
    flash(f"Imported {len(data.people)} young people and {len(data.schemes)} schemes.")
    return redirect(url_for("imports.index"), code=303)


@bp.post("/imports/history")
@roles_required(*IMPORTERS)
def history() -> ResponseReturnValue:
    """Replace the referral history (and the cohort when a file is given), all or nothing."""
    form = HistoryForm()
    if not form.validate():
        problems = [Problem(REFERRALS.file, None, None, m) for m in form.referrals.errors]
        return _page(400, history_form=form, history_problems=problems)
    found: list[Problem] = []
    frames = {}
    given = [(form.referrals, REFERRALS)] + ([(form.cohort, COHORT)] if form.cohort.data else [])
    for field, spec in given:
        try:
            frames[spec.file] = read_table(field.data.read(), spec)
        except InvalidInput as e:
            found += e.problems
    if found:
        return _page(400, history_form=form, history_problems=found)
    db = get_db()
    referrals, cohort = frames[REFERRALS.file], frames.get(COHORT.file)
    replace_history(db, referrals, cohort)
    detail = f"referrals.csv: {len(referrals)} referrals" + (
        f"; cohort.csv: {len(cohort)} children" if cohort is not None else ""
    )
    audit.record("import_history", detail=detail)
    db.commit()
    flash(f"Imported {detail}.")
    return redirect(url_for("imports.index"), code=303)
