"""Check your answers before a placement is confirmed: what confirming does to the waiting list
and the scheme's places, the move-in date, and for B&B or emergency accommodation the reason and
why each suitable place the planner finds today does not suit (`interim_check`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from web.core.auth import safe_next
from web.core.clock import due_by, today
from web.core.dates import DateField
from web.core.db import get_db
from web.core.interim import is_interim
from web.core.models import Proposal, Scheme, YoungPerson
from web.core.vacancies import free_on
from web.officer import interim_check, ledger

EARLIEST_DAYS = 28  # a move-in recorded late: up to four weeks back
LATEST_DAYS = 366


def _default_start(person: YoungPerson | None, on: date) -> date:
    return max(on, person.needed_from) if person is not None else on


def held_away(proposal: Proposal, on: date) -> list[Proposal]:
    """Places held at the proposal's scheme for others due soon (planning for the coming weeks)
    that confirming it would give away: the scheme has no more free places than are held."""
    db = get_db()
    if not proposal.scheme_id:
        return []
    held = db.scalars(
        select(Proposal).where(
            Proposal.scheme_id == proposal.scheme_id,
            Proposal.state == "held",
            Proposal.person_id != proposal.person_id,
        )
    ).all()
    if not held or free_on(db, proposal.scheme_id, on) > len(held):
        return []
    return list(held)


def _effect(proposal: Proposal, person: YoungPerson | None, on: date) -> dict[str, object]:
    """What confirming does to the waiting list and the scheme's places, for the page to say."""
    db = get_db()
    waiting = db.scalar(select(func.count()).where(YoungPerson.status == "waiting")) or 0
    due = (
        db.scalar(
            select(func.count()).where(
                YoungPerson.status == "waiting", YoungPerson.needed_from <= due_by(current_app)
            )
        )
        or 0
    )
    interim = is_interim(proposal.accom_code)
    leaves = not interim and person is not None and person.status == "waiting"
    is_due = person is not None and person.needed_from <= due_by(current_app)
    current = ledger.open_placement(db, proposal.person_id)
    return {
        "interim": interim,
        "waiting_after": waiting - leaves,
        "due_after": due - (leaves and is_due),
        "free": free_on(db, proposal.scheme_id or "", on),
        "current": current,
        "current_scheme": db.get(Scheme, current.scheme_id) if current is not None else None,
        "found": interim_check.suitable_places(db, proposal.person_id, on=on) if interim else [],
        "held": held_away(proposal, on),
    }


def page(proposal: Proposal, action: str, *, status: int = 200, **shown: object) -> ResponseReturnValue:
    db = get_db()
    on = today(current_app)
    person = db.get(YoungPerson, proposal.person_id)
    start = shown.pop("start", None) or DateField.showing("start", "Move-in date", _default_start(person, on))
    return (
        render_template(
            "officer/confirm.html",
            proposal=proposal,
            person=person,
            scheme=db.get(Scheme, proposal.scheme_id or ""),
            on=on,
            action=action,
            start=start,
            effect=_effect(proposal, person, on),
            back=safe_next(request.values.get("back")) or url_for("placements.proposals"),
            **shown,
        ),
        status,
    )


def read(proposal: Proposal, person: YoungPerson | None) -> tuple[ledger.Answers | None, dict[str, object]]:
    """The officer's answers from the form, or None and what to show again with the errors."""
    on = today(current_app)
    start = DateField.showing("start", "Move-in date", _default_start(person, on))
    value: date | None = _default_start(person, on)
    if start.given(request.form):  # the page always sends it; a bare POST takes the date it shows
        value = start.read(
            request.form, earliest=on - timedelta(days=EARLIEST_DAYS), latest=on + timedelta(days=LATEST_DAYS)
        )
    reason = (request.form.get("reason") or "").strip()
    no_suitable = request.form.get("no_suitable") == "yes"
    errors = []
    if start.error:
        errors.append({"href": "#start-day", "text": start.error})
    refused: list[interim_check.Refused] = []
    if is_interim(proposal.accom_code):
        found = interim_check.suitable_places(get_db(), proposal.person_id, on=on)
        refused, missing = interim_check.read(found, request.form)
        errors += missing
        if not reason:
            errors.append(
                {"href": "#reason", "text": "Enter why B&B or emergency accommodation is needed today"}
            )
        if not found and not no_suitable:
            errors.append(
                {"href": "#no_suitable", "text": "Confirm that no suitable place exists for them today"}
            )
    give_held = request.form.get("give_held") == "yes"
    held = held_away(proposal, on)
    if held and not give_held:
        errors.append({"href": "#give_held",
                       "text": f"Confirm that you are giving away the place held for {held[0].person_id}, "
                               "or cancel"})  # fmt: skip
    given = {r.scheme_id: r.reason for r in refused}
    shown = {"start": start, "errors": errors, "reason": reason, "no_suitable": no_suitable, "given": given,
             "give_held": give_held}  # fmt: skip
    if errors or value is None:
        return None, shown
    return ledger.Answers(start=value, reason=reason, no_suitable=no_suitable, refused=tuple(refused)), shown
