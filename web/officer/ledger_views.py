"""Placement officers' decisions, each through a page that says what it will do: confirm (a
check-your-answers page), decline with a reason and reopen, undo a confirmation, end a placement,
and a placement's own (printable) page. The rules are `web.officer.ledger`'s."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from planner.data.formats import plural, uk_date
from planner.data.vocab import URGENT_ACCOM
from web.core import audit
from web.core.auth import roles_required, safe_next
from web.core.clock import horizon_days, today
from web.core.dates import DateField
from web.core.db import get_db
from web.core.interim import is_interim
from web.core.models import Placement, Proposal, Scheme, User, YoungPerson
from web.core.vacancies import count_for, free_on
from web.officer import check_answers, decisions, interim_check, ledger, money, queues, referral

bp = Blueprint("ledger", __name__, template_folder="templates")
OFFICERS = ("officer",)
LATEST_DAYS = 366


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _confirmed(placement: Placement) -> ResponseReturnValue | None:
    db = get_db()
    scheme = db.get(Scheme, placement.scheme_id)
    name = scheme.name if scheme is not None else placement.scheme_id
    free = free_on(db, placement.scheme_id, today(current_app))
    places = f"{plural(free, 'place')} of {scheme.capacity:,} free there now" if scheme is not None else ""
    if is_interim(placement.accom_code):
        flash(
            f"Recorded as a last resort: {placement.person_id} in {name} (unsuitable) from "
            f"{uk_date(placement.start_date)}. They stay on the waiting list, urgent, until a suitable place "
            f"is found; {places}.",
            "important",
        )
    else:
        flash(
            f"Placement confirmed: {placement.person_id} placed in {name} from "
            f"{uk_date(placement.start_date)}; {places}.",
            "success",
        )
    return None


def refused(e: ledger.DecisionRefused) -> ResponseReturnValue:
    """The clear message, and when the place was lost, a fresh proposal from what is left."""
    db = get_db()
    db.rollback()
    on = today(current_app)
    fresh, rows = None, []
    if e.no_vacancy and e.person_id:
        audit.record("confirm_failed", e.person_id, detail=e.message)
        db.commit()
        fresh = decisions.fresh_proposal(
            db, e.person_id, _user(), on=on, horizon_days=horizon_days(current_app)
        )
        if fresh is not None:
            rows = queues.proposal_rows(
                db, [Proposal.id == fresh.id], on=on, horizon_days=horizon_days(current_app)
            )
    return (
        render_template(
            "officer/refused.html",
            message=e.message,
            fresh=fresh,
            fresh_rows=rows,
            person_id=e.person_id,
            on=on,
            urgent_codes=URGENT_ACCOM,
        ),
        e.status,
    )


@bp.route("/proposals/<int:proposal_id>/confirm", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def confirm(proposal_id: int) -> ResponseReturnValue:
    db = get_db()
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    if request.method == "GET":
        if proposal.state != "proposed" or not proposal.scheme_id:
            return refused(
                ledger.DecisionRefused(ledger.why_not_open(db, proposal), person_id=proposal.person_id)
            )
        return check_answers.page(proposal, url_for("ledger.confirm", proposal_id=proposal_id))
    answers, shown = check_answers.read(proposal, db.get(YoungPerson, proposal.person_id))
    if answers is None:
        return check_answers.page(
            proposal, url_for("ledger.confirm", proposal_id=proposal_id), status=400, **shown
        )
    try:
        placement = ledger.confirm(db, proposal_id, _user(), answers, on=today(current_app))
    except LookupError:
        abort(404)
    except ledger.DecisionRefused as e:
        return refused(e)
    _confirmed(placement)
    return redirect(safe_next(request.form.get("back")) or url_for("placements.proposals"), code=303)


@bp.route("/people/<person_id>/place", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def place(person_id: str) -> ResponseReturnValue:
    """Confirm one of the places on a person's page, through the same check."""
    db = get_db()
    scheme_id = request.values.get("scheme_id", "")
    on = today(current_app)
    try:
        proposal = decisions.proposal_for(db, person_id, scheme_id, _user(), on=on)
    except ledger.DecisionRefused as e:
        return refused(e)
    action = url_for("ledger.place", person_id=person_id, scheme_id=scheme_id)
    if request.method == "GET":
        return check_answers.page(proposal, action)
    answers, shown = check_answers.read(proposal, db.get(YoungPerson, person_id))
    if answers is None:
        return check_answers.page(proposal, action, status=400, **shown)
    db.add(proposal)
    db.flush()
    try:
        placement = ledger.confirm(db, proposal.id, _user(), answers, on=on)
    except ledger.DecisionRefused as e:
        return refused(e)
    _confirmed(placement)
    return redirect(url_for("placements.person", person_id=person_id), code=303)


@bp.route("/proposals/<int:proposal_id>/decline", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def decline(proposal_id: int) -> ResponseReturnValue:
    db = get_db()
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    choice = request.form.get("reason", "")
    detail = (request.form.get("detail") or "").strip()
    errors = []
    if request.method == "POST":
        if choice == "dismissed" and not proposal.scheme_id:
            text = "No place was proposed: dismissed"
        elif choice not in ledger.DECLINE_REASONS:
            errors.append({"href": "#reason", "text": "Choose why you are declining this proposal"})
        elif choice == "other" and not detail:
            errors.append({"href": "#detail", "text": "Say why you are declining this proposal"})
        else:
            text = ledger.DECLINE_REASONS[choice] + (f": {detail}" if detail else "")
        if not errors:
            try:
                ledger.decline(db, proposal_id, _user(), text)
            except ledger.DecisionRefused as e:
                return refused(e)
            flash(
                f"Declined the proposal for {proposal.person_id}: {text}. They stay on the waiting list.",
                "success",
            )
            return redirect(safe_next(request.form.get("back")) or url_for("placements.proposals"), code=303)
    return (
        render_template(
            "officer/decline.html",
            proposal=proposal,
            scheme=db.get(Scheme, proposal.scheme_id or ""),
            reasons=ledger.DECLINE_REASONS,
            errors=errors,
            chosen=choice,
            detail=detail,
            back=safe_next(request.values.get("back")) or url_for("placements.proposals"),
        ),
        400 if errors else 200,
    )


@bp.post("/proposals/<int:proposal_id>/reopen")
@roles_required(*OFFICERS)
def reopen(proposal_id: int) -> ResponseReturnValue:
    try:
        proposal = ledger.reopen(get_db(), proposal_id, _user())
    except LookupError:
        abort(404)
    except ledger.DecisionRefused as e:
        return refused(e)
    flash(
        f"Reopened the proposal for {proposal.person_id}: it is open to confirm or decline again.", "success"
    )
    return redirect(url_for("placements.proposals"), code=303)


def _placement(placement_id: int) -> Placement:
    found = get_db().get(Placement, placement_id)
    if found is None:
        abort(404)
    return found


@bp.get("/placements/<int:placement_id>")
@roles_required(*OFFICERS)
def placement(placement_id: int) -> ResponseReturnValue:
    db = get_db()
    pl = _placement(placement_id)
    audit.record("view_person", pl.person_id, detail=f"placement {placement_id}")
    db.commit()
    users = {u.id: u.username for u in db.scalars(select(User))}
    scheme, person = db.get(Scheme, pl.scheme_id), db.get(YoungPerson, pl.person_id)
    paid = later = None
    if scheme is not None and person is not None:
        paid = money.paid_for(person, scheme, on=pl.start_date, weekly_cost=pl.weekly_cost)
        later = money.from_18th_birthday(person, scheme, pl, paid)
    return render_template(
        "officer/placement.html",
        pl=pl,
        scheme=scheme,
        person=person,
        paid=paid,
        later=later,
        users=users,
        on=today(current_app),
        end_reasons=ledger.END_REASONS,
        count=count_for(db, pl.scheme_id, today(current_app)),
        refused=interim_check.from_json(pl.suitable_refused),
    )


@bp.route("/placements/<int:placement_id>/undo", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def undo(placement_id: int) -> ResponseReturnValue:
    db = get_db()
    pl = _placement(placement_id)
    if (why := ledger.why_not_undone(pl, today(current_app))) is not None:  # closed after the move-in day
        return refused(ledger.DecisionRefused(why, person_id=pl.person_id))
    reason = (request.form.get("reason") or "").strip()
    errors = []
    if request.method == "POST":
        if not reason:
            errors.append({"href": "#reason", "text": "Enter why the confirmation is being undone"})
        else:
            try:
                ledger.undo(db, placement_id, _user(), reason, on=today(current_app))
            except ledger.DecisionRefused as e:
                return refused(e)
            flash(
                f"Undone: {pl.person_id} is back on the waiting list; the place at {pl.scheme_id} is free.",
                "success",
            )
            return redirect(url_for("placements.person", person_id=pl.person_id), code=303)
    return (
        render_template(
            "officer/undo.html", pl=pl, scheme=db.get(Scheme, pl.scheme_id), errors=errors, reason=reason
        ),
        400 if errors else 200,
    )


@bp.route("/placements/<int:placement_id>/end", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def end(placement_id: int) -> ResponseReturnValue:
    db = get_db()
    pl = _placement(placement_id)
    on = today(current_app)
    moved_out = DateField.showing("moved_out", "Move-out date", max(on, pl.start_date))
    choice = request.form.get("reason", "")
    needs = request.form.get("needs_place", "")
    note = (request.form.get("note") or "").strip()
    now_accom = request.form.get("now_accom", "")
    until = DateField("now_until", "Living there until")
    errors = []
    if request.method == "POST":
        value = moved_out.read(request.form, earliest=pl.start_date, latest=on + timedelta(days=LATEST_DAYS))
        if moved_out.error:
            errors.append({"href": "#moved_out-day", "text": moved_out.error})
        # In the order of the page: the error summary lists them so.
        if choice not in ledger.END_REASONS:
            errors.append({"href": "#reason", "text": "Choose why the placement ended"})
        elif choice == "other" and not note:
            errors.append({"href": "#note", "text": "Say why the placement ended"})
        if now_accom not in dict(referral.accom_codes()):
            errors.append(
                {"href": "#now_accom", "text": f"Choose where {pl.person_id} lives from the move-out date"}
            )
        until_value = None
        if until.given(request.form) and any((request.form.get(f"now_until-{p}") or "").strip()
                                             for p in ("day", "month", "year")):  # fmt: skip
            until_value = until.read(request.form, earliest=value or pl.start_date,
                                     latest=on + timedelta(days=LATEST_DAYS))  # fmt: skip
            if until.error:
                errors.append({"href": "#now_until-day", "text": until.error})
        if needs not in ("yes", "no"):
            errors.append({"href": "#needs_place", "text": f"Say whether {pl.person_id} still needs a place"})
        if not errors and value is not None:
            try:
                ledger.end(db, placement_id, _user(), moved_out=value, reason=choice, note=note,
                           needs_place=needs == "yes", on=on, now_accom=now_accom,
                           now_until=until_value)  # fmt: skip
            except ledger.DecisionRefused as e:
                return refused(e)
            back = (
                "back on the waiting list, needed from " + uk_date(value)
                if needs == "yes"
                else "off the list"
            )
            flash(f"Placement ended: {pl.person_id} moves out on {uk_date(value)} and is {back}; "
                  f"the place at {pl.scheme_id} is free from that day.", "success")  # fmt: skip
            return redirect(url_for("placements.person", person_id=pl.person_id), code=303)
    return (
        render_template(
            "officer/end.html",
            pl=pl,
            scheme=db.get(Scheme, pl.scheme_id),
            moved_out=moved_out,
            until=until,
            now_accom=now_accom,
            codes=referral.accom_codes(),
            reasons=ledger.END_REASONS,
            chosen=choice,
            needs=needs,
            note=note,
            errors=errors,
        ),
        400 if errors else 200,
    )
