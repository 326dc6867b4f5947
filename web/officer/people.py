"""A young person's record changed in the web, one at a time: a referral added or corrected (the
contract's rules, an error on each field), staying put declined with the reason (or agreed again),
and a short note on a decision. Each is audit-logged; what a decision sets of where they live or
when they need a place is kept over a re-import (`web.core.store.mark_set_in_web`)."""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from planner.data.vocab import STAYING_PUT
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import today
from web.core.db import get_db
from web.core.models import AuditEvent, Scheme, User, YoungPerson
from web.core.notes import NOTE_MAX, Note
from web.core.store import KEPT_FROM_WEB, mark_set_in_web
from web.officer import record, referral

bp = Blueprint("people", __name__, template_folder="templates")
OFFICERS = ("officer",)
DECLINED_BECAUSE: Final = {
    "young_person": "The young person does not want to stay",
    "carers": "The former foster carers cannot continue",
    "needs": "It no longer meets their needs",
    "other": "Another reason",
}


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _referral_page(
    form: referral.Referral, *, person: YoungPerson | None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "officer/referral.html", form=form, person=person, on=today(current_app), choices=referral.choices(),
        errors=form.summary(),
    ), status  # fmt: skip


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def new() -> ResponseReturnValue:
    """Add one young person's referral to the waiting list."""
    if request.method == "GET":
        return _referral_page(referral.blank(request.args.get("person_id", "")[:64]), person=None)
    form = referral.read(request.form)
    if referral.change_lists(form, request.form.get("action", "")):
        return _referral_page(form, person=None)
    db = get_db()
    values = referral.check(form, on=today(current_app))
    if values is not None and db.get(YoungPerson, values["person_id"]) is not None:
        form.errors["person_id"] = (
            f"{values['person_id']} is already on the record: change their referral instead"
        )
        values = None
    if values is None:
        return _referral_page(form, person=None, status=400)
    db.add(YoungPerson(**values, status="waiting"))
    audit.record("referral_added", values["person_id"], detail=_described(values))
    db.commit()
    flash(f"Referral added: {values['person_id']} is on the waiting list, needed from "
          f"{values['needed_from']:%-d %b %Y}.", "success")  # fmt: skip
    return redirect(url_for("placements.person", person_id=values["person_id"]), code=303)


@bp.route("/people/<person_id>/edit", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def edit(person_id: str) -> ResponseReturnValue:
    """Correct one young person's referral; what changed is in the audit log."""
    db = get_db()
    person = db.get(YoungPerson, person_id)
    if person is None:
        abort(404)
    if request.method == "GET":
        return _referral_page(referral.of(person), person=person)
    form = referral.read(request.form, person_id=person_id)
    if referral.change_lists(form, request.form.get("action", "")):
        return _referral_page(form, person=person)
    values = referral.check(form, on=today(current_app))
    if values is None:
        return _referral_page(form, person=person, status=400)
    changed = [c for c, v in values.items() if getattr(person, c) != v]
    if not changed:
        flash(f"Nothing was changed in {person_id}'s referral.", "success")
        return redirect(url_for("placements.person", person_id=person_id), code=303)
    for c in changed:
        setattr(person, c, values[c])
    mark_set_in_web(person, *(c for c in changed if c in KEPT_FROM_WEB))
    audit.record(
        "referral_changed", person_id, detail="changed " + ", ".join(c.replace("_", " ") for c in changed)
    )
    db.commit()
    flash(f"Referral corrected: {', '.join(c.replace('_', ' ') for c in changed)} of {person_id}.", "success")
    return redirect(url_for("placements.person", person_id=person_id), code=303)


def _described(values: dict[str, Any]) -> str:
    return (
        f"born {values['date_of_birth']:%Y}, {values['home_district']}, support {values['support_need']}, "
        f"needed from {values['needed_from'].isoformat()}"
    )


@bp.route("/people/<person_id>/staying-put", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def staying_put(person_id: str) -> ResponseReturnValue:
    """Record that staying put was declined, with the reason: their carers' place stays reserved
    for them (nobody else is offered it) and they are matched like anyone else; or that it is
    agreed again."""
    db = get_db()
    person = db.get(YoungPerson, person_id)
    place = db.scalars(
        select(Scheme).where(Scheme.reserved_for == person_id, Scheme.accom_type == STAYING_PUT)
    ).first()
    if person is None or place is None:
        abort(404)
    choice, detail = request.form.get("decision", ""), (request.form.get("detail") or "").strip()
    why = request.form.get("reason", "")
    errors = []
    if request.method == "POST":
        if choice not in ("declined", "agreed"):
            errors.append({"href": "#decision", "text": "Choose whether staying put was declined or agreed"})
        elif choice == "declined" and why not in DECLINED_BECAUSE:
            errors.append({"href": "#reason", "text": "Choose why staying put was declined"})
        elif choice == "declined" and why == "other" and not detail:
            errors.append({"href": "#detail", "text": "Say why staying put was declined"})
        elif len(detail) > NOTE_MAX:
            errors.append({"href": "#detail", "text": f"The detail must be {NOTE_MAX} characters or fewer"})
        if not errors:
            declined = choice == "declined"
            person.staying_put = False if declined else None
            mark_set_in_web(person, "staying_put")
            text = (
                f"declined: {DECLINED_BECAUSE[why]}" + (f": {detail}" if detail else "")
                + f"; {place.scheme_id} stays reserved for them"
                if declined
                else f"agreed: {place.scheme_id} is theirs" + (f" ({detail})" if detail else "")
            )  # fmt: skip
            audit.record("staying_put", person_id, detail=text)
            db.commit()
            flash(
                f"Staying put {'declined' if declined else 'agreed'} for {person_id}: "
                + (f"{place.name} stays reserved for them; they are matched like anyone else."
                   if declined else f"{place.name} is theirs, before the rest of the list."),
                "success",
            )  # fmt: skip
            return redirect(url_for("placements.person", person_id=person_id), code=303)
    return render_template(
        "officer/staying_put.html", person=person, place=place, reasons=DECLINED_BECAUSE, errors=errors,
        chosen=choice or ("agreed" if person.staying_put is False else "declined"), why=why, detail=detail,
    ), (400 if errors else 200)  # fmt: skip


@bp.route("/people/<person_id>/notes/new", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def note(person_id: str) -> ResponseReturnValue:
    """A short note on one decision about them (`event`), or on their record as a whole."""
    db = get_db()
    if db.get(YoungPerson, person_id) is None and record.removed(db, person_id) is None:
        abort(404)
    event_id = request.values.get("event", "")
    event = db.get(AuditEvent, int(event_id)) if event_id.isdigit() else None
    if event_id and (event is None or event.person_id != person_id or event.action not in record.DECISIONS):
        abort(404)
    text = (request.form.get("text") or "").strip()
    errors = []
    if request.method == "POST":
        if not text:
            errors.append({"href": "#text", "text": "Enter the note"})
        elif len(text) > NOTE_MAX:
            errors.append({"href": "#text", "text": f"The note must be {NOTE_MAX} characters or fewer"})
        if not errors:
            user = _user()
            db.add(Note(user_id=user.id, username=user.username, person_id=person_id,
                        event_id=event.id if event else None, text=text))  # fmt: skip
            about = (
                f"on {record.DECISIONS[event.action].lower()} of {event.at:%Y-%m-%d}"
                if event
                else "on the record"
            )
            audit.record("note", person_id, detail=f"note {about}")
            db.commit()
            flash(f"Note added to {person_id}'s record.", "success")
            target = f"#decision-{event.id}" if event else "#history"
            return redirect(url_for("placements.person", person_id=person_id) + target, code=303)
    title = record.DECISIONS[event.action] if event is not None else ""
    return render_template(
        "officer/note.html",
        person_id=person_id,
        event=event,
        title=title,
        errors=errors,
        text=text,
        most=NOTE_MAX,
    ), (400 if errors else 200)
