"""The officers' decisions as a ledger: confirm a proposal, undo a confirmation, end a placement,
decline a proposal and reopen it. Each is one transaction with its audit entry.

Every decision first locks the young person it is about, then what else it changes (the
scheme, the placement, the proposal), in that order (`web.core.db.lock_people`; row locks on
PostgreSQL, SQLite's one write lock): decisions about one person, and an import or matching
run meanwhile, take turns instead of writing back what another has just changed. Confirming
then counts the scheme's free places by the ledger's rule (`web.core.vacancies`): two officers
confirming the last place at the same moment take turns, and the second finds none. A person
has at most one open placement (a unique index on the open rows), and their placements never
overlap in time: a new one starts on or after the move-out date of any other.

B&B and emergency accommodation (W, V) is interim: it is confirmed only with the reason and the
officer's word that no suitable place exists today, and the young person stays on the waiting
list, now urgent; confirming a suitable place later ends it on the day they move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.data.formats import uk_date
from web.core import audit
from web.core.clock import ledger_now
from web.core.db import exclusive, lock_people
from web.core.interim import is_interim
from web.core.models import Import, MatchRun, Placement, Proposal, Scheme, User, YoungPerson
from web.core.store import mark_set_in_web
from web.core.vacancies import free_on
from web.officer import interim_check
from web.officer.ledger_refusals import DecisionRefused, clash_message, holding, scheme_name, why_not_open

__all__ = ["DecisionRefused", "why_not_open"]

_NO_SYNC = {"synchronize_session": False}
END_REASONS = {
    "moved_on": "Moved on to other accommodation",
    "own_tenancy": "Moved into their own tenancy",
    "returned_home": "Returned to family",
    "breakdown": "Placement breakdown",
    "custody": "Went into custody",
    "hospital": "Went into hospital",
    "other": "Another reason",
}
DECLINE_REASONS = {
    "young_person": "The young person does not want it",
    "provider": "The provider will not take them",
    "needs": "It does not meet their needs after all",
    "other": "Another reason",
}
MOVED_TO_SUITABLE = "moved_to_suitable"


def open_placement(db: Session, person_id: str) -> Placement | None:
    """The person's open placement (no end recorded, not undone), as the database has it now."""
    return db.scalar(
        select(Placement)
        .where(Placement.person_id == person_id, Placement.is_open())
        .execution_options(populate_existing=True)
    )


def _fresh(db: Session, model: type, key: object) -> object | None:
    return db.get(model, key, populate_existing=True)


@dataclass(frozen=True, slots=True)
class Answers:
    """What the officer gave on the check-your-answers page."""

    start: date
    reason: str = ""  # B&B or emergency: why
    no_suitable: bool = False  # B&B or emergency, when the planner finds no suitable place: none exists
    refused: tuple[
        interim_check.Refused, ...
    ] = ()  # B&B or emergency: why each suitable place found does not suit


def _interim_refused(db: Session, person_id: str, answers: Answers, on: date) -> list[interim_check.Refused]:
    """B&B or emergency accommodation is confirmed only with the reason and, for each suitable
    place the planner finds today, why it does not suit (with none found: the officer's word that
    none exists). The places and the reasons, as kept."""
    found = interim_check.suitable_places(db, person_id, on=on)
    gaps = interim_check.missing(found, answers.refused)
    if not answers.reason.strip() or gaps or (not found and not answers.no_suitable):
        raise DecisionRefused(
            "B&B or emergency accommodation is confirmed only with the reason"
            + (f" and why each of the {len(found)} suitable places the planner finds today does not suit"
               if found else " and your confirmation that no suitable place exists today") + ".",
            person_id=person_id,
            status=400,
        )  # fmt: skip
    said = {r.scheme_id: r for r in answers.refused}
    return [said[f.scheme_id] for f in found]


def confirm(db: Session, proposal_id: int, user: User, answers: Answers, *, on: date) -> Placement:
    """Record the placement from the proposal: the place is taken (by the rule of free places)
    and the person leaves the waiting list (stays on it, urgent, for B&B or emergency), together."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    person_id, scheme_id = proposal.person_id, proposal.scheme_id
    if not scheme_id:
        raise DecisionRefused("This proposal has no place to confirm.", person_id=person_id)
    interim = is_interim(proposal.accom_code)
    refused = _interim_refused(db, person_id, answers, on) if interim else []
    lock_people(db, [person_id])
    exclusive(db, row=select(Scheme).where(Scheme.scheme_id == scheme_id))
    proposal = _fresh(db, Proposal, proposal_id)  # type: ignore[assignment]
    if proposal.state != "proposed":
        raise _refuse(db, why_not_open(db, proposal), person_id)
    person = _fresh(db, YoungPerson, person_id)
    if not isinstance(person, YoungPerson):
        raise _refuse(
            db, f"{person_id} is no longer on the waiting list (an import removed them).", person_id
        )
    current = open_placement(db, person_id)
    if current is not None and (not is_interim(current.accom_code) or interim):
        raise _refuse(
            db,
            f"{person_id} is already placed at {scheme_name(db, current.scheme_id)} since "
            f"{uk_date(current.start_date)}: end that placement first. Nothing was changed.",
            person_id,
        )
    if person.status != "waiting":
        raise _refuse(db, f"{person_id} is not on the waiting list now; nothing was changed.", person_id)
    if (clash := holding(db, person_id, answers.start, current)) is not None:
        raise _refuse(db, clash_message(db, clash, answers.start), person_id)
    if free_on(db, scheme_id, on) <= 0:
        raise _refuse(
            db,
            f"Scheme {scheme_id} has no vacancy left: another placement took it first. "
            "Nothing was changed for this young person.",
            person_id,
            no_vacancy=True,
        )
    now = ledger_now()
    done = db.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state == "proposed")
        .values(state="confirmed", decided_by_id=user.id, decided_at=now),
        execution_options=_NO_SYNC,
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise _refuse(db, "This proposal has already been decided; nothing was changed.", person_id)
    if current is not None:  # moving on from B&B or emergency accommodation, the day they move
        current.end_date, current.end_reason = answers.start, MOVED_TO_SUITABLE
        current.ended_at, current.ended_by_id = now, user.id
        db.flush()
    placement = Placement(
        person_id=person_id,
        scheme_id=scheme_id,
        proposal_id=proposal_id,
        accom_code=proposal.accom_code,
        weekly_cost=proposal.weekly_cost or 0.0,
        confirmed_by_id=user.id,
        confirmed_at=now,
        confirm_reason=answers.reason.strip() if interim else "",
        suitable_refused=interim_check.to_json(refused) if refused else "",
        accom_before=person.current_accom,
        start_date=answers.start,
    )
    db.add(placement)
    if interim:
        person.current_accom = proposal.accom_code  # in B&B or emergency accommodation: urgent
        mark_set_in_web(person, "current_accom")
    else:
        person.status = "placed"
    db.execute(
        update(Proposal)
        .where(Proposal.person_id == person_id, Proposal.state == "proposed")
        .values(state="superseded"),
        execution_options=_NO_SYNC,
    )
    try:
        db.flush()
    except IntegrityError as e:  # the unique index on open placements: someone placed them meanwhile
        raise _refuse(
            db, f"{person_id} was placed by someone else meanwhile; nothing was changed.", person_id
        ) from e
    if current is not None:
        current.replaced_by_id = placement.id
    detail = f"placed in {scheme_id} ({proposal.accom_code}) from {answers.start.isoformat()}"
    if interim:
        detail += f"; why B&B or emergency: {answers.reason.strip()}"
        detail += f"; suitable places found and why not: {interim_check.described(refused)}" if refused else (
            "; the planner found no suitable place today")  # fmt: skip
    audit.record("confirm", person_id, detail=detail)
    db.commit()
    return placement


def _person_of(db: Session, model: type[Placement] | type[Proposal], key: int) -> str:
    """Whom a placement or proposal is about (to lock them first); LookupError when it does not exist."""
    person_id = db.scalar(select(model.person_id).where(model.id == key))
    if person_id is None:
        raise LookupError(key)
    return str(person_id)


def _refuse(db: Session, message: str, person_id: str | None, *, no_vacancy: bool = False) -> DecisionRefused:
    db.rollback()
    return DecisionRefused(message, person_id=person_id, no_vacancy=no_vacancy)


def why_not_undone(placement: Placement, on: date) -> str | None:
    """Why a confirmation can no longer be undone on `on` (the form closes after the move-in day)."""
    if placement.undone_at is not None or placement.end_date is not None:
        return "This placement has already been undone or ended; nothing was changed."
    if placement.start_date < on:
        return (
            f"{placement.person_id} moved in on {uk_date(placement.start_date)}: a placement that has "
            "started cannot be undone. End it instead, with the move-out date."
        )
    return None


def undo(db: Session, placement_id: int, user: User, reason: str, *, on: date) -> Placement:
    """Take back a confirmation made in error, before the young person has moved in (until the
    move-in day itself): the place was never used; they go back to the list as they were."""
    if not reason.strip():
        raise DecisionRefused("Give the reason for undoing the confirmation.", status=400)
    lock_people(db, [_person_of(db, Placement, placement_id)])
    exclusive(db, row=select(Placement).where(Placement.id == placement_id))
    placement = _fresh(db, Placement, placement_id)
    if not isinstance(placement, Placement):
        raise LookupError(placement_id)
    if (why := why_not_undone(placement, on)) is not None:
        raise _refuse(db, why, placement.person_id)
    placement.undone_at, placement.undone_by_id, placement.undo_reason = ledger_now(), user.id, reason.strip()
    person = db.get(YoungPerson, placement.person_id)
    if placement.proposal_id is not None:
        db.execute(
            update(Proposal).where(Proposal.id == placement.proposal_id).values(state="undone"),
            execution_options=_NO_SYNC,
        )
    db.flush()
    replaced = db.scalar(select(Placement).where(Placement.replaced_by_id == placement.id))
    if person is not None:
        person.status, person.current_accom = "waiting", placement.accom_before
        mark_set_in_web(person, "current_accom")
        if replaced is not None:  # they stay where they were, in B&B or emergency accommodation
            replaced.end_date, replaced.end_reason, replaced.ended_at = None, "", None
            replaced.ended_by_id, replaced.replaced_by_id = None, None
            person.current_accom = replaced.accom_code
    audit.record("undo", placement.person_id, detail=f"undid {placement.scheme_id}: {reason.strip()}")
    db.commit()
    return placement


def end(
    db: Session,
    placement_id: int,
    user: User,
    *,
    moved_out: date,
    reason: str,
    note: str,
    needs_place: bool,
    on: date,
    now_accom: str = "",
    now_until: date | None = None,
) -> Placement:
    """The young person moves out on `moved_out`: the place is free from that day; back on the
    waiting list (needed from that day) when they still need a place, off it otherwise. Where they
    live from then (`now_accom`, an SSDA903 ACCOM code, until `now_until` if that ends) is where
    their record says they live, kept over a re-import."""
    if reason not in END_REASONS:
        raise DecisionRefused("Choose why the placement ended.", status=400)
    lock_people(db, [_person_of(db, Placement, placement_id)])
    exclusive(db, row=select(Placement).where(Placement.id == placement_id))
    placement = _fresh(db, Placement, placement_id)
    if not isinstance(placement, Placement):
        raise LookupError(placement_id)
    if placement.undone_at is not None or placement.end_date is not None:
        raise _refuse(db, "This placement has already ended; nothing was changed.", placement.person_id)
    if moved_out < placement.start_date:
        raise DecisionRefused(
            f"The move-out date must be on or after the move-in date, {uk_date(placement.start_date)}.",
            person_id=placement.person_id,
            status=400,
        )
    placement.end_date, placement.end_reason, placement.end_note = moved_out, reason, note.strip()
    placement.ended_at, placement.ended_by_id = ledger_now(), user.id
    placement.moved_to_accom, placement.moved_to_until = now_accom, now_until
    person = db.get(YoungPerson, placement.person_id)
    if person is not None:
        person.status = "waiting" if needs_place else "left"
        if needs_place:
            person.needed_from = moved_out
        person.current_accom, person.current_until = now_accom, now_until
        mark_set_in_web(person, "current_accom", "current_until", *(("needed_from",) if needs_place else ()))
    until = f" until {now_until.isoformat()}" if now_until else ""
    audit.record(
        "end_placement",
        placement.person_id,
        detail=f"{placement.scheme_id} ended {moved_out.isoformat()}: {END_REASONS[reason]}"
        + ("; back on the waiting list" if needs_place else "; no other place needed")
        + (f"; living from then: {now_accom}{until}" if now_accom else ""),
    )
    db.commit()
    return placement


def decline(db: Session, proposal_id: int, user: User, reason: str) -> Proposal:
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    if not reason.strip():
        raise DecisionRefused("Give the reason for declining.", person_id=proposal.person_id, status=400)
    done = db.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state == "proposed")
        .values(state="declined", decided_by_id=user.id, decided_at=ledger_now())
        .values(decline_reason=reason.strip()),
        execution_options=_NO_SYNC,
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(proposal)
        raise _refuse(db, why_not_open(db, proposal), proposal.person_id)
    audit.record(
        "decline", proposal.person_id, detail=f"declined {proposal.scheme_id or 'no place'}: {reason}"
    )
    db.commit()
    db.refresh(proposal)
    return proposal


def reopen(db: Session, proposal_id: int, user: User) -> Proposal:
    """A declined proposal open again, while the matching run and the data it came from are the
    latest and the person is still waiting; other open proposals for them are replaced."""
    lock_people(db, [_person_of(db, Proposal, proposal_id)])
    exclusive(db, row=select(Proposal).where(Proposal.id == proposal_id))
    proposal = _fresh(db, Proposal, proposal_id)
    if not isinstance(proposal, Proposal):
        raise LookupError(proposal_id)
    if proposal.state != "declined":
        raise _refuse(
            db, "Only a declined proposal can be reopened; nothing was changed.", proposal.person_id
        )
    latest = db.scalar(select(MatchRun.id).order_by(MatchRun.id.desc()).limit(1))
    imported = db.scalar(select(Import.imported_at).order_by(Import.id.desc()).limit(1))
    if (proposal.run_id is not None and proposal.run_id != latest) or (
        imported is not None and imported > proposal.created_at
    ):
        raise _refuse(
            db,
            "Matching was re-run or the data imported again since this proposal: it no longer holds. "
            "Use the open proposals, or the young person's page.",
            proposal.person_id,
        )
    person = db.get(YoungPerson, proposal.person_id)
    if person is None or person.status != "waiting":
        raise _refuse(
            db, f"{proposal.person_id} is not waiting now; nothing was changed.", proposal.person_id
        )
    db.execute(
        update(Proposal)
        .where(Proposal.person_id == proposal.person_id, Proposal.state == "proposed")
        .values(state="superseded"),
        execution_options=_NO_SYNC,
    )
    proposal.state, proposal.decided_by_id, proposal.decided_at = "proposed", None, None
    audit.record("reopen", proposal.person_id, detail=f"reopened {proposal.scheme_id or 'no place'}")
    db.commit()
    return proposal
