"""Imports: replace the waiting list and the schemes from two CSV files, all or nothing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.utils import secure_filename

from planner.contract import PEOPLE, SCHEMES, Dataset, read_table
from planner.problems import InvalidInput, Problem
from web import audit
from web.auth import roles_required
from web.db import get_db
from web.models import Import, User
from web.store import replace_all

bp = Blueprint("imports", __name__)
IMPORTERS = ("officer", "admin")


class ImportForm(FlaskForm):
    people = FileField(
        "young_people.csv", validators=[FileRequired(message="Choose a young_people.csv file")]
    )
    schemes = FileField("schemes.csv", validators=[FileRequired(message="Choose a schemes.csv file")])


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
        return render_template("imports.html", form=form, problems=[], history=_history())
    if not form.validate():
        problems = [
            Problem(f.label.text, None, None, m) for f in (form.people, form.schemes) for m in f.errors
        ]
        return render_template("imports.html", form=form, problems=problems, history=_history()), 400

    # Both files are read and every problem in either is listed before anything is written.
    found: list[Problem] = []
    truncated = False
    frames = {}
    for field, spec in ((form.people, PEOPLE), (form.schemes, SCHEMES)):
        try:
            frames[spec.file] = read_table(field.data.read(), spec)
        except InvalidInput as e:
            found += e.problems
            truncated = truncated or e.truncated
    if found:
        return render_template(
            "imports.html", form=form, problems=found, truncated=truncated, history=_history()
        ), 400

    data = Dataset(people=frames[PEOPLE.file], schemes=frames[SCHEMES.file])
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
