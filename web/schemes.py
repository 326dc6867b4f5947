"""Schemes: list, filter, and edit vacancies (officers); read-only for commissioners and analysts."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import StringField

from planner.data.districts import district_name
from planner.data.vocab import ACCOM_LABELS
from web import audit
from web.auth import roles_required
from web.db import get_db
from web.models import Scheme
from web.paging import page_of

bp = Blueprint("schemes", __name__)
READERS = ("officer", "commissioner", "analyst")
EDITORS = ("officer",)


class VacanciesForm(FlaskForm):
    vacancies = StringField("Vacancies")

    def check(self, capacity: int) -> int | None:
        """The number entered, or None with one plain message on the field."""
        text = (self.vacancies.data or "").strip()
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            self.vacancies.errors = ["Enter the number of vacancies, a whole number"]
            return None
        value = int(text)
        if not 0 <= value <= capacity:
            self.vacancies.errors = [f"Vacancies must be between 0 and the capacity, {capacity}"]
            return None
        return value


@bp.get("/schemes")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    """Schemes by name, filtered, counted and paged by the database (2,000 at England scale)."""
    db = get_db()
    district = request.args.get("district", "")
    kind = request.args.get("type", "")
    vacant = request.args.get("vacancies", "")
    text = request.args.get("q", "").strip()[:100]
    where = []
    if text:  # a scheme's id, or part of its name or provider, whatever the case
        like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                Scheme.scheme_id == text,
                func.lower(Scheme.name).like(like, escape="\\"),
                func.lower(Scheme.provider).like(like, escape="\\"),
            )  # fmt: skip
        )
    if district:
        where.append(Scheme.district == district)
    if kind:
        where.append(Scheme.accom_type == kind)
    if vacant == "yes":
        where.append(Scheme.vacancies > 0)
    elif vacant == "no":
        where.append(Scheme.vacancies == 0)
    shown, places, vacancies = db.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Scheme.capacity), 0),
            func.coalesce(func.sum(Scheme.vacancies), 0),
        ).where(*where)  # fmt: skip
    ).one()
    page = page_of(shown)
    rows = db.scalars(
        select(Scheme)
        .where(*where)
        .order_by(Scheme.name, Scheme.scheme_id)
        .offset(page.start)
        .limit(page.size)
    ).all()
    districts = db.scalars(select(Scheme.district).distinct()).all()
    return render_template(
        "schemes.html",
        schemes=rows,
        shown=shown,
        page=page,
        total=db.scalar(select(func.count()).select_from(Scheme)) or 0,
        districts=sorted(((c, district_name(c)) for c in districts), key=lambda t: t[1]),
        types=sorted(db.scalars(select(Scheme.accom_type).distinct()).all()),
        labels=ACCOM_LABELS,
        chosen={"district": district, "type": kind, "vacancies": vacant, "q": text},
        can_edit=current_user.role in EDITORS,
        places=places,
        vacancies=vacancies,
    )


@bp.route("/schemes/<scheme_id>/vacancies", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_vacancies(scheme_id: str) -> ResponseReturnValue:
    db = get_db()
    scheme = db.get(Scheme, scheme_id)
    if scheme is None:
        abort(404)
    form = VacanciesForm(data={"vacancies": str(scheme.vacancies)} if request.method == "GET" else None)
    if request.method == "POST":
        value = form.check(scheme.capacity) if form.validate() else None
        if value is None:
            return render_template("vacancies.html", scheme=scheme, form=form), 400
        before = scheme.vacancies
        scheme.vacancies = value
        audit.record("edit_vacancies", detail=f"{scheme_id}: {before} -> {scheme.vacancies}")
        db.commit()
        flash(f"{scheme.name} now has {scheme.vacancies} of {scheme.capacity} places free.")
        return redirect(url_for("schemes.index"), code=303)
    return render_template("vacancies.html", scheme=scheme, form=form)
