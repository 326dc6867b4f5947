"""Placement officers: the waiting list, matching, proposals (most urgent first), a person's
options and record. The decisions themselves are `web.officer.ledger_views`."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from planner.data.districts import district_name
from planner.data.vocab import SUPPORT_LEVELS, URGENT_ACCOM
from planner.match.options import options, why_not
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import due_by, horizon_days, today
from web.core.db import get_db
from web.core.models import Placement, Proposal, Scheme, User, YoungPerson
from web.core.paging import page_of
from web.core.store import people_frame, schemes_frame
from web.officer import answers, decisions, ledger, queues

bp = Blueprint("placements", __name__, template_folder="templates")
MAX_HORIZON_DAYS = 366
MAX_WEEKS = 52
OPTIONS_PAGE = 10
OFFICERS = ("officer",)
OUTCOMES = {"placed": "Suitable place", "unsuitable": "Unsuitable (B&B or emergency)", "unplaced": "No place"}
STATES = {"proposed": "open", "confirmed": "confirmed", "declined": "declined", "all": "all"}
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
        "urgent": queues.urgent_now(),
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
            func.count().filter(queues.urgent_now()),
            func.count().filter(YoungPerson.needed_from <= last),
        ).where(waiting)
    ).one()
    page = page_of(db.scalar(select(func.count()).select_from(YoungPerson).where(*where)) or 0)
    people = db.scalars(
        select(YoungPerson)
        .where(*where)
        .order_by(*queues.urgency_order(on))
        .offset(page.start)
        .limit(page.size)
    ).all()
    districts = db.scalars(select(YoungPerson.home_district).where(waiting).distinct()).all()
    return render_template(
        "officer/waiting_list.html",
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
    seen = request.form.get("seen_run", "").strip()
    db = get_db()
    run = decisions.run_matching(
        db,
        _user(),
        on=today(current_app),
        horizon_days=int(text),
        seen_run=int(seen) if seen.isdigit() else None,
        replace_others=request.form.get("replace_others") == "yes",
        anticipate=request.form.get("anticipate") == "yes",
    )
    if isinstance(run, decisions.MatchingCheck):
        users = {u.id: u.username for u in db.scalars(select(User))}
        return render_template("officer/run_check.html", check=run, horizon_days=int(text), users=users), (
            409 if run.newer else 200
        )
    held = db.scalar(select(func.count()).where(Proposal.run_id == run.id, Proposal.state == "held")) or 0
    held_text = f"{held:,} {'place' if held == 1 else 'places'}"
    flash(
        f"Matching proposed {run.placed:,} suitable places; {run.unsuitable:,} unsuitable (B&B or emergency) "
        f"and {run.unplaced:,} unplaced among those due within {run.horizon_days} days; {run.not_due:,} "
        "needed later stay on the list. Confirm or decline each proposal."
        + (f" {held_text} held for people due soon who would have no other." if held else "")
        + (
            " The optimiser hit its time limit: this is its best answer so far."
            if run.status != "optimal"
            else ""
        ),
        "success",
    )
    return redirect(url_for("placements.proposals"), code=303)


@bp.get("/proposals")
@roles_required(*OFFICERS)
def proposals() -> ResponseReturnValue:
    """Proposals most urgent first, filtered by outcome, home district and how soon needed."""
    db = get_db()
    on = today(current_app)
    state = request.args.get("state") or "proposed"
    outcome = request.args.get("outcome", "")
    district = request.args.get("district", "")
    weeks = request.args.get("weeks", "").strip()
    if weeks and (not weeks.isdigit() or not 1 <= int(weeks) <= MAX_WEEKS):
        abort(
            400,
            description=f"Due within: enter a whole number of weeks from 1 to {MAX_WEEKS}, not {weeks!r}.",
        )
    where = []
    if state in STATES and state != "all":
        where.append(Proposal.state == state)
    if outcome in OUTCOMES:
        where.append(Proposal.outcome == outcome)
    if district:
        where.append(YoungPerson.home_district == district)
    if weeks:
        where.append(YoungPerson.needed_from <= on + timedelta(weeks=int(weeks)))
    page = page_of(queues.count(db, where))
    homes = db.scalars(select(YoungPerson.home_district).where(YoungPerson.status == "waiting").distinct())
    return render_template(
        "officer/proposals.html",
        rows=queues.proposal_rows(db, where, on=on, page=page),
        page=page,
        on=on,
        chosen={"state": state, "outcome": outcome, "district": district, "weeks": weeks},
        states=STATES,
        outcomes=OUTCOMES,
        districts=_districts(set(homes)),
        run=decisions.latest_run(db),
        urgent_codes=URGENT_ACCOM,
        held=queues.proposal_rows(db, [Proposal.state == "held"], on=on),
    )


def _options(db, p: YoungPerson, on):  # type: ignore[no-untyped-def]
    """This page of the person's eligible places, ranked, with their impact on the list: "others
    displaced" from the batch answer (web.officer.answers), kept with the latest matching run or solved
    once for the data as they are now."""
    horizon = horizon_days(current_app)
    batch = answers.for_today(db, on=on, horizon_days=horizon)
    me, schemes_now = people_frame(db, person_id=p.person_id), schemes_frame(db, on=on)
    if me.empty:  # placed by another officer since the page read them: no places to offer now
        return None, None, "", None
    wanted = page_of(10**9, OPTIONS_PAGE).number  # clamped below, once the number of places is known
    opts = options(me, schemes_now, p.person_id, on=on, top=OPTIONS_PAGE, impact=True, horizon_days=horizon,
                   start=(wanted - 1) * OPTIONS_PAGE, batch=batch)  # fmt: skip
    page = page_of(opts.eligible, OPTIONS_PAGE)
    if page.number != wanted:
        opts = options(me, schemes_now, p.person_id, on=on, top=OPTIONS_PAGE, impact=True,
                       horizon_days=horizon, start=page.start, batch=batch)  # fmt: skip
    why_scheme = request.args.get("why_not", "")
    why = None
    if why_scheme and why_scheme in set(opts.excluded["scheme_id"]):
        why = why_not(me, schemes_now, p.person_id, why_scheme, on=on)
    return opts, page, why_scheme, why


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
    opts = page = why = None
    why_scheme = ""
    if p.status == "waiting":
        opts, page, why_scheme, why = _options(db, p, on)
    placements = list(
        db.scalars(select(Placement).where(Placement.person_id == person_id).order_by(Placement.id.desc()))
    )
    named = {pl.scheme_id for pl in placements} | ({why_scheme} if why is not None else set())
    schemes = {s.scheme_id: s for s in db.scalars(select(Scheme).where(Scheme.scheme_id.in_(named)))}
    return render_template(
        "officer/person.html",
        p=p,
        on=on,
        opts=opts,
        page=page,
        why_scheme=why_scheme,
        why=why,
        schemes=schemes,
        rows=queues.proposal_rows(db, [Proposal.person_id == person_id], on=on),
        placements=placements,
        current=ledger.open_placement(db, person_id),
        end_reasons=ledger.END_REASONS,
        urgent=p.current_accom[:1] in URGENT_ACCOM,
        urgent_codes=URGENT_ACCOM,
    )
