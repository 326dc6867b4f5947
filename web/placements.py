"""Placement officers: the waiting list, matching, proposals and decisions, a person's options."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, case, func, select

from planner.data.districts import district_name
from planner.data.vocab import SUPPORT_LEVELS, URGENT_ACCOM
from planner.match.options import options, why_not
from web import answers, audit, decisions
from web.auth import roles_required, safe_next
from web.clock import due_by, horizon_days, today
from web.db import get_db
from web.models import Placement, Proposal, Scheme, User, YoungPerson
from web.paging import page_of
from web.store import people_frame, schemes_frame

bp = Blueprint("placements", __name__)
MAX_HORIZON_DAYS = 366
OFFICERS = ("officer",)
URGENCY = {
    "urgent": "In B&B, emergency or no fixed abode",
    "due": "Due within the horizon",
    "now": "Needed by today",
    "later": "Not due yet",
    "all": "All",
}


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _districts(codes: set[str]) -> list[tuple[str, str]]:
    return sorted(((c, district_name(c)) for c in codes), key=lambda t: t[1])


def _adult_born_by(on: date) -> date:
    """The latest date of birth of someone aged 18 or more on `on` (born on 29 February: 18 from
    1 March in a common year, as `planner.match.eligibility.ages_on` counts)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:  # `on` is 29 February and the year 18 before has none
        return date(on.year - 18, 2, 28)


def _urgent() -> ColumnElement[bool]:
    return func.substr(YoungPerson.current_accom, 1, 1).in_(sorted(URGENT_ACCOM))


@bp.get("/waiting-list")
@roles_required(*OFFICERS)
def waiting_list() -> ResponseReturnValue:
    """The waiting list in the order the optimiser serves it (under-18s, then those in B&B,
    emergency accommodation or with no fixed abode, then the soonest needed: PRODUCT.md s.3),
    filtered, counted, sorted and paged by the database."""
    db = get_db()
    on = today(current_app)
    last = due_by(current_app)
    district = request.args.get("district", "")
    need = request.args.get("need", "")
    urgency = request.args.get("urgency", "all")
    waiting = YoungPerson.status == "waiting"
    shown_if = {
        "urgent": _urgent(),
        "due": YoungPerson.needed_from <= last,
        "now": YoungPerson.needed_from <= on,
        "later": YoungPerson.needed_from > last,
    }
    where = [waiting]
    if district:
        where.append(YoungPerson.home_district == district)
    if need:
        where.append(YoungPerson.support_need == need)
    if urgency in shown_if:
        where.append(shown_if[urgency])
    total, urgent, due = db.execute(
        select(
            func.count(),
            func.count().filter(_urgent()),
            func.count().filter(YoungPerson.needed_from <= last),
        ).where(waiting)
    ).one()
    page = page_of(db.scalar(select(func.count()).select_from(YoungPerson).where(*where)) or 0)
    adult = case((YoungPerson.date_of_birth <= _adult_born_by(on), 1), else_=0)
    not_urgent = case((_urgent(), 0), else_=1)
    people = db.scalars(
        select(YoungPerson)
        .where(*where)
        .order_by(adult, not_urgent, YoungPerson.needed_from, YoungPerson.person_id)
        .offset(page.start)
        .limit(page.size)
    ).all()
    districts = db.scalars(select(YoungPerson.home_district).where(waiting).distinct()).all()
    return render_template(
        "waiting_list.html",
        people=people,
        shown=page.total,
        page=page,
        total=total,
        urgent=urgent,
        on=on,
        districts=_districts(set(districts)),
        needs=SUPPORT_LEVELS,
        urgencies=URGENCY,
        chosen={"district": district, "need": need, "urgency": urgency},
        urgent_codes=URGENT_ACCOM,
        run=decisions.latest_run(db),
        due_by=last,
        due=due,
        horizon_days=horizon_days(current_app),
    )


@bp.post("/matching/run")
@roles_required(*OFFICERS)
def run_matching() -> ResponseReturnValue:
    text = request.form.get("horizon_days", str(horizon_days(current_app))).strip()
    if not text.isdigit() or int(text) > MAX_HORIZON_DAYS:
        abort(
            400,
            description=f"Horizon: enter a whole number of days from 0 to {MAX_HORIZON_DAYS}, not {text!r}.",
        )
    run = decisions.run_matching(get_db(), _user(), on=today(current_app), horizon_days=int(text))
    flash(
        f"Matching proposed {run.placed} suitable places; {run.unsuitable} unsuitable (B&B or emergency) "
        f"and {run.unplaced} unplaced among those due within {run.horizon_days} days; {run.not_due} "
        "needed later stay on the list. Confirm or decline each proposal."
        + (
            " The optimiser hit its time limit: this is its best answer so far."
            if run.status != "optimal"
            else ""
        )
    )
    return redirect(url_for("placements.proposals"), code=303)


@bp.get("/proposals")
@roles_required(*OFFICERS)
def proposals() -> ResponseReturnValue:
    db = get_db()
    state = request.args.get("state", "proposed")
    query = select(Proposal)
    if state != "all":
        query = query.where(Proposal.state == state)
    page = page_of(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(db.scalars(query.order_by(Proposal.id).offset(page.start).limit(page.size)))
    schemes = _schemes_of(rows)
    return render_template(
        "proposals.html",
        proposals=rows,
        page=page,
        schemes=schemes,
        state=state,
        run=decisions.latest_run(db),
    )


def _schemes_of(proposals: Sequence[Proposal | None]) -> dict[str, Scheme]:
    """The schemes these proposals name (a page of them, not every scheme)."""
    ids = {p.scheme_id for p in proposals if p is not None and p.scheme_id}
    return (
        {s.scheme_id: s for s in get_db().scalars(select(Scheme).where(Scheme.scheme_id.in_(ids)))}
        if ids
        else {}
    )


def _refused(e: decisions.DecisionRefused) -> ResponseReturnValue:
    """The clear message, and when the place was lost, a fresh proposal from what is left."""
    db = get_db()
    fresh = None
    if e.no_vacancy and e.person_id:
        audit.record("confirm_failed", e.person_id, detail=e.message)
        db.commit()
        fresh = decisions.fresh_proposal(
            db, e.person_id, on=today(current_app), horizon_days=horizon_days(current_app)
        )
    return render_template("refused.html", message=e.message, fresh=fresh, schemes=_schemes_of([fresh])), 409


def _confirmed(person_id: str, scheme_id: str) -> None:
    scheme = get_db().get(Scheme, scheme_id)
    assert scheme is not None
    get_db().refresh(scheme)
    flash(
        f"Confirmed: {person_id} placed in {scheme_id} ({scheme.name}); "
        f"{scheme.vacancies} of {scheme.capacity} places there are still free."
    )


@bp.post("/proposals/<int:proposal_id>/confirm")
@roles_required(*OFFICERS)
def confirm(proposal_id: int) -> ResponseReturnValue:
    try:
        placement = decisions.confirm(get_db(), proposal_id, _user())
    except LookupError:
        abort(404)
    except decisions.DecisionRefused as e:
        return _refused(e)
    _confirmed(placement.person_id, placement.scheme_id)
    return redirect(safe_next(request.form.get("back")) or url_for("placements.proposals"), code=303)


@bp.post("/proposals/<int:proposal_id>/decline")
@roles_required(*OFFICERS)
def decline(proposal_id: int) -> ResponseReturnValue:
    try:
        proposal = decisions.decline(get_db(), proposal_id, _user())
    except LookupError:
        abort(404)
    except decisions.DecisionRefused as e:
        return _refused(e)
    flash(f"Declined the proposal for {proposal.person_id}. They stay on the waiting list.")
    return redirect(url_for("placements.proposals"), code=303)


@bp.post("/people/<person_id>/place")
@roles_required(*OFFICERS)
def place(person_id: str) -> ResponseReturnValue:
    """Confirm one of the ranked options shown on a person's page."""
    db = get_db()
    scheme_id = request.form.get("scheme_id", "")
    try:
        proposal = decisions.open_proposal_for(db, person_id, scheme_id, on=today(current_app))
        decisions.confirm(db, proposal.id, _user())
    except decisions.DecisionRefused as e:
        db.rollback()
        return _refused(e)
    _confirmed(person_id, scheme_id)
    return redirect(url_for("placements.person", person_id=person_id), code=303)


@bp.get("/people/<person_id>")
@roles_required(*OFFICERS)
def person(person_id: str) -> ResponseReturnValue:
    db = get_db()
    p = db.get(YoungPerson, person_id)
    if p is None:
        abort(404)
    audit.record("view_person", person_id)
    db.commit()
    on = today(current_app)
    opts, why = None, None
    why_scheme = request.args.get("why_not", "")
    if p.status == "waiting":
        # Impact on the rest of the list from the batch answer (web.answers): kept with the latest
        # matching run, or solved once for the data as they are now.
        horizon = horizon_days(current_app)
        batch = answers.for_today(db, on=on, horizon_days=horizon)
        me, schemes_now = people_frame(db, person_id=person_id), schemes_frame(db)
        opts = options(me, schemes_now, person_id, on=on, top=5, impact=True, horizon_days=horizon,
                       batch=batch)  # fmt: skip
        if why_scheme and db.get(Scheme, why_scheme) is not None:
            why = why_not(me, schemes_now, person_id, why_scheme, on=on)
    # Plain rows (attribute access, as the templates use it): 2,000 ORM objects take longer.
    columns = (Scheme.scheme_id, Scheme.name, Scheme.district, Scheme.vacancies, Scheme.capacity)
    schemes = {s.scheme_id: s for s in db.execute(select(*columns).order_by(Scheme.name))}
    history = list(
        db.scalars(select(Proposal).where(Proposal.person_id == person_id).order_by(Proposal.id.desc()))
    )
    placements = list(
        db.scalars(select(Placement).where(Placement.person_id == person_id).order_by(Placement.id.desc()))
    )
    return render_template(
        "person.html",
        p=p,
        on=on,
        opts=opts,
        why_scheme=why_scheme,
        why=why,
        schemes=schemes,
        history=history,
        placements=placements,
        urgent=p.current_accom[:1] in URGENT_ACCOM,
    )
