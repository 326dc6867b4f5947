"""Schemes: the list (free places by the ledger's rule), a page per scheme (its placements and
its places over time), and the vacancies form (officers); read-only for commissioners and
analysts."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, func, or_, select
from wtforms import HiddenField, StringField

from planner.data.districts import district_name
from planner.data.formats import plural
from planner.data.vocab import ACCOM_LABELS
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import exclusive, get_db
from web.core.models import Placement, Scheme, User
from web.core.paging import contains, page_of
from web.core.vacancies import Count, Point, count_for, free_places, history, set_figure
from web.officer.ledger import END_REASONS
from web.officer.money import split_of

bp = Blueprint("schemes", __name__, template_folder="templates")
READERS = ("officer", "commissioner", "analyst")
EDITORS = ("officer",)


class VacanciesForm(FlaskForm):
    vacancies = StringField("Places free now")
    seen = HiddenField()  # the figures the page showed: a save from an older page is refused

    def check(self, count: Count) -> int | None:
        """The number entered, or None with one plain message on the field."""
        text = (self.vacancies.data or "").strip()
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            self.vacancies.errors = ["Enter the number of places free now, a whole number"]
            return None
        value = int(text)
        most = max(count.capacity - count.live, 0)
        if not 0 <= value <= most:
            living = (
                f", less {plural(count.live, 'young person', 'young people')} placed there"
                if count.live
                else ""
            )
            self.vacancies.errors = [
                f"Vacancies must be between 0 and {most:,}: the capacity, {count.capacity:,}{living}"
            ]
            return None
        return value


def step_path(points: list[Point], on: date) -> str:
    """An SVG path of the free places over time as steps, in a 600 x 180 chart (the axes at
    x = 40..590 and y = 150 (0) up to 10 (the largest capacity))."""
    if not points:
        return ""
    first, top = points[0].on, max(max(p.capacity for p in points), 1)
    span = max((on - first).days, 1)

    def x(day: date) -> float:
        return 40 + 550 * (day - first).days / span

    def y(free: int) -> float:
        return 150 - 140 * free / top

    path = f"M{x(first):.1f} {y(points[0].free):.1f}"
    for pt in points[1:]:
        path += f" H{x(pt.on):.1f} V{y(pt.free):.1f}"
    return path + " H590"


def seen_token(count: Count) -> str:
    """What the page showed, to tell whether anything changed before it was saved."""
    return f"{count.figure}:{count.reported_at.isoformat()}:{count.free}:{count.live}"


@bp.get("/schemes")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    """Schemes by name with their free places today, filtered, counted and paged by the database."""
    db = get_db()
    free = free_places(today(current_app))
    district = request.args.get("district", "")
    kind = request.args.get("type", "")
    vacant = request.args.get("vacancies", "")
    text = request.args.get("q", "").strip()[:100]
    where: list[ColumnElement[bool]] = [Scheme.withdrawn.is_(False)]
    if text:  # a scheme's id, or part of its name or provider, whatever the case
        where.append(
            or_(Scheme.scheme_id == text, contains(Scheme.name, text), contains(Scheme.provider, text))
        )
    if district:
        where.append(Scheme.district == district)
    if kind:
        where.append(Scheme.accom_type == kind)
    if vacant == "yes":
        where.append(free.c.free > 0)
    elif vacant == "no":
        where.append(free.c.free == 0)
    joined = select(Scheme).join(free, free.c.scheme_id == Scheme.scheme_id).where(*where)
    shown, places, vacancies = db.execute(
        select(
            func.count(), func.coalesce(func.sum(Scheme.capacity), 0), func.coalesce(func.sum(free.c.free), 0)
        )
        .select_from(Scheme)
        .join(free, free.c.scheme_id == Scheme.scheme_id)
        .where(*where)
    ).one()
    page = page_of(shown)
    rows = db.execute(
        joined.add_columns(free.c.free, free.c.live)
        .order_by(Scheme.name, Scheme.scheme_id)
        .offset(page.start)
        .limit(page.size)
    ).all()
    withdrawn = list(db.scalars(select(Scheme).where(Scheme.withdrawn.is_(True)).order_by(Scheme.name)))
    districts = db.scalars(select(Scheme.district).distinct()).all()
    return render_template(
        "officer/schemes.html",
        rows=rows,
        shown=shown,
        page=page,
        total=db.scalar(select(func.count()).where(Scheme.withdrawn.is_(False))) or 0,
        withdrawn=withdrawn,
        districts=sorted(((c, district_name(c)) for c in districts), key=lambda t: t[1]),
        types=sorted(db.scalars(select(Scheme.accom_type).distinct()).all()),
        labels=ACCOM_LABELS,
        chosen={"district": district, "type": kind, "vacancies": vacant, "q": text},
        can_edit=current_user.role in EDITORS,
        places=places,
        vacancies=vacancies,
    )


@bp.get("/schemes/<scheme_id>")
@roles_required(*READERS)
def scheme(scheme_id: str) -> ResponseReturnValue:
    """One scheme: its provider and details, free places now and how they are counted, who is
    placed there (live and ended; officers only) and its free places over time."""
    db = get_db()
    found = db.get(Scheme, scheme_id)
    if found is None:
        abort(404)
    on = today(current_app)
    officer = current_user.role in EDITORS
    placements = []
    if officer:
        placements = list(
            db.scalars(
                select(Placement)
                .where(Placement.scheme_id == scheme_id)
                .order_by(Placement.end_date.is_not(None), Placement.start_date.desc(), Placement.id.desc())
            )
        )
        audit.record("view_scheme", detail=f"{scheme_id}: {len(placements)} placements listed")
        db.commit()
    points = history(db, scheme_id, today=on)
    return render_template(
        "officer/scheme.html",
        s=found,
        split=split_of(found),
        on=on,
        count=count_for(db, scheme_id, on),
        placements=placements,
        officer=officer,
        points=points,
        chart=step_path(points, on),
        users={u.id: u.username for u in db.scalars(select(User))},
        end_reasons=END_REASONS,
    )


@bp.route("/schemes/<scheme_id>/vacancies", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_vacancies(scheme_id: str) -> ResponseReturnValue:
    """An officer's count of the places free now becomes the scheme's figure from now. A save
    made from a page showing other figures (someone placed someone meanwhile) is refused."""
    db = get_db()
    scheme = db.get(Scheme, scheme_id)
    if scheme is None:
        abort(404)
    on = today(current_app)
    if request.method == "POST":
        exclusive(db, row=select(Scheme).where(Scheme.scheme_id == scheme_id))
        db.refresh(scheme)
    count = count_for(db, scheme_id, on)
    assert count is not None
    if request.method == "GET":
        form = VacanciesForm(data={"vacancies": str(count.free), "seen": seen_token(count)})
        return render_template("officer/vacancies.html", scheme=scheme, form=form, count=count)
    form = VacanciesForm()
    value = form.check(count) if form.validate() else None
    if value is None:
        db.rollback()
        return render_template("officer/vacancies.html", scheme=scheme, form=form, count=count), 400
    if form.seen.data != seen_token(count):
        db.rollback()
        form.seen.data = seen_token(count)
        return render_template(
            "officer/vacancies.html", scheme=scheme, form=form, count=count, stale=True
        ), 409
    set_figure(db, scheme, value, source="edit", user=current_user._get_current_object())  # type: ignore[attr-defined]
    audit.record("edit_vacancies", detail=f"{scheme_id}: {count.free} -> {value}")
    db.commit()
    flash(f"{scheme.name} now has {plural(value, 'place')} free of {scheme.capacity:,}.", "success")
    return redirect(url_for("schemes.scheme", scheme_id=scheme_id), code=303)
