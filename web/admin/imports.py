"""Imports: the waiting list and the schemes from two CSV files, previewed first (what changes,
and what conflicts with officers' decisions) and made only when the officer confirms, all or
nothing; the referral history and cohort."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import delete, func, select
from werkzeug.utils import secure_filename

from planner.data.contract import Dataset, read_dataset
from planner.data.formats import plural
from planner.data.problems import InvalidInput, Problem
from planner.data.table import read_table
from planner.forecast.history import COHORT, REFERRALS
from web.admin.import_plan import SHOWN, measure
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import exclusive, get_db, lock_people
from web.core.models import CohortChild, Import, PendingImport, Referral, User, utcnow
from web.core.store import replace_history

bp = Blueprint("imports", __name__, template_folder="templates")
IMPORTERS = ("officer", "admin")
IMPORT_LOCK = 0x696D706F7274  # "import": one import made at a time
MAX_PROBLEMS = 1_000  # every problem in one round (a file of thousands of bad rows: the first 1,000)
KEEP_PENDING = timedelta(days=1)


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
    return render_template("admin/imports.html", **(defaults | context)), status


def _history() -> list[tuple[Import, str]]:
    db = get_db()
    users = {u.id: u.username for u in db.scalars(select(User))}
    rows = db.scalars(select(Import).order_by(Import.id.desc()).limit(20))
    return [(i, users.get(i.user_id or 0, "")) for i in rows]


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def index() -> ResponseReturnValue:
    """Upload both files: checked (every problem listed), then kept for the preview."""
    form = ImportForm()
    if not form.is_submitted():
        return _page(form=form)
    if not form.validate():
        problems = [
            Problem(f.label.text, None, None, m) for f in (form.people, form.schemes) for m in f.errors
        ]
        return _page(400, form=form, problems=problems)
    people, schemes = form.people.data.read(), form.schemes.data.read()
    # Both files are read and every problem in either is listed before anything is kept.
    try:
        read_dataset(people, schemes, max_problems=MAX_PROBLEMS)
    except InvalidInput as e:
        return _page(400, form=form, problems=e.problems, truncated=e.truncated)
    db = get_db()
    names = [secure_filename(f.data.filename or "") or f.label.text for f in (form.people, form.schemes)]
    db.execute(delete(PendingImport).where(PendingImport.created_at < utcnow() - KEEP_PENDING))
    pending = PendingImport(
        user_id=_user().id,
        people_file=names[0],
        schemes_file=names[1],
        people_csv=people,
        schemes_csv=schemes,
    )
    db.add(pending)
    db.commit()
    return redirect(url_for("imports.preview", pending_id=pending.id), code=303)


def _pending(pending_id: int) -> tuple[PendingImport, Dataset]:
    pending = get_db().get(PendingImport, pending_id)
    if pending is None or pending.user_id != _user().id:
        abort(404)
    return pending, read_dataset(pending.people_csv, pending.schemes_csv, max_problems=MAX_PROBLEMS)


def _preview_page(
    pending: PendingImport, data: Dataset, status: int = 200, **shown: object
) -> ResponseReturnValue:
    """What the import would change: made, measured and rolled back."""
    db = get_db()
    exclusive(db, IMPORT_LOCK)
    lock_people(db)  # the preview makes the import (then rolls it back): as the import does
    preview, _ = measure(db, data, on=today(current_app), user=_user())
    db.rollback()
    return render_template(
        "admin/import_preview.html", pending=pending, preview=preview, shown_rows=SHOWN, **shown
    ), status


@bp.get("/imports/<int:pending_id>")
@roles_required(*IMPORTERS)
def preview(pending_id: int) -> ResponseReturnValue:
    pending, data = _pending(pending_id)
    return _preview_page(pending, data)


@bp.post("/imports/<int:pending_id>/confirm")
@roles_required(*IMPORTERS)
def confirm(pending_id: int) -> ResponseReturnValue:
    """Make the import previewed, unless what it would do changed since the preview was shown
    (then show it again), or it empties the waiting list without the second confirmation."""
    pending, data = _pending(pending_id)
    db = get_db()
    exclusive(db, IMPORT_LOCK)
    # Every person's row before their status is read: an end or confirm meanwhile waits for the
    # import, or the import for it, and the status written back is the one after it.
    lock_people(db)
    record = Import(
        user_id=_user().id,
        people_file=pending.people_file,
        schemes_file=pending.schemes_file,
        people_count=len(data.people),
        schemes_count=len(data.schemes),
    )
    db.add(record)
    db.flush()
    done, applied = measure(db, data, on=today(current_app), user=_user(), import_id=record.id)
    if done.fingerprint != request.form.get("fingerprint"):
        db.rollback()
        return _preview_page(pending, data, 409, changed=True)
    if done.empties_list and request.form.get("confirm_empty") != "yes":
        db.rollback()
        return _preview_page(pending, data, 400, empty_error=True)
    db.delete(pending)
    audit.record(
        "import",
        detail=f"{pending.people_file}: {len(data.people)} young people; {pending.schemes_file}: "
        f"{len(data.schemes)} schemes; {len(done.people_added)} added, {len(done.people_removed)} removed, "
        f"{len(done.conflicts)} conflicts kept as decided",
    )
    db.commit()  # one transaction: the old lists are gone only if the new ones are all written
    flash(
        f"Imported {plural(len(data.people), 'young person', 'young people')} and "
        f"{plural(len(data.schemes), 'scheme')}: {done.waiting_after:,} waiting, "
        f"{plural(done.free_after, 'place')} free."
        + (f" {plural(len(done.conflicts), 'conflict')} kept as officers decided." if done.conflicts else ""),
        "success",
    )
    return redirect(url_for("imports.index"), code=303)


@bp.post("/imports/<int:pending_id>/cancel")
@roles_required(*IMPORTERS)
def cancel(pending_id: int) -> ResponseReturnValue:
    db = get_db()
    pending = db.get(PendingImport, pending_id)
    if pending is None or pending.user_id != _user().id:
        abort(404)
    db.delete(pending)
    db.commit()
    flash("Import cancelled: nothing was changed.", "success")
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
