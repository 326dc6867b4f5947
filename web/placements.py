"""Placement officers: the waiting list, matching, proposals and decisions, a person's options."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from planner.data.districts import district_name
from planner.data.vocab import SUPPORT_LEVELS, URGENT_ACCOM
from planner.match.options import options, why_not
from web import audit, decisions
from web.auth import roles_required, safe_next
from web.clock import due_by, horizon_days, today
from web.db import get_db
from web.filters import age_on
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


@bp.get("/waiting-list")
@roles_required(*OFFICERS)
def waiting_list() -> ResponseReturnValue:
    db = get_db()
    on = today(current_app)
    everyone = list(
        db.scalars(
            select(YoungPerson)
            .where(YoungPerson.status == "waiting")
            .order_by(YoungPerson.needed_from, YoungPerson.person_id)
        )
    )
    district = request.args.get("district", "")
    need = request.args.get("need", "")
    urgency = request.args.get("urgency", "all")
    last = due_by(current_app)
    # The order the optimiser serves them in: under-18s, then those in B&B, emergency or with no
    # fixed abode, then the soonest needed (PRODUCT.md s.3).
    everyone.sort(key=lambda p: (age_on(p.date_of_birth, on) >= 18, p.current_accom[:1] not in URGENT_ACCOM,
                                 p.needed_from, p.person_id))  # fmt: skip
    shown = {
        "urgent": lambda p: p.current_accom[:1] in URGENT_ACCOM,
        "due": lambda p: p.needed_from <= last,
        "now": lambda p: p.needed_from <= on,
        "later": lambda p: p.needed_from > last,
    }.get(urgency, lambda p: True)
    people = [
        p
        for p in everyone
        if (not district or p.home_district == district) and (not need or p.support_need == need) and shown(p)
    ]
    urgent = sum(p.current_accom[:1] in URGENT_ACCOM for p in everyone)
    page = page_of(len(people))
    return render_template(
        "waiting_list.html",
        people=people[page.start : page.end],
        shown=len(people),
        page=page,
        total=len(everyone),
        urgent=urgent,
        on=on,
        districts=_districts({p.home_district for p in everyone}),
        needs=SUPPORT_LEVELS,
        urgencies=URGENCY,
        chosen={"district": district, "need": need, "urgency": urgency},
        urgent_codes=URGENT_ACCOM,
        run=decisions.latest_run(db),
        due_by=last,
        due=sum(p.needed_from <= last for p in everyone),
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
    schemes = {s.scheme_id: s for s in db.scalars(select(Scheme))}
    return render_template(
        "proposals.html",
        proposals=rows,
        page=page,
        schemes=schemes,
        state=state,
        run=decisions.latest_run(db),
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
    schemes = {s.scheme_id: s for s in db.scalars(select(Scheme))}
    return render_template("refused.html", message=e.message, fresh=fresh, schemes=schemes), 409


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
    if p.status == "waiting":  # the single-person function over the whole list, for its impact
        waiting, schemes_now = people_frame(db), schemes_frame(db)
        opts = options(waiting, schemes_now, person_id, on=on, top=5, impact=True,
                       horizon_days=horizon_days(current_app))  # fmt: skip
        if why_scheme and db.get(Scheme, why_scheme) is not None:
            why = why_not(waiting, schemes_now, person_id, why_scheme, on=on)
    schemes = {s.scheme_id: s for s in db.scalars(select(Scheme).order_by(Scheme.name))}
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
