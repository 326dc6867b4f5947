"""A young person's record as their page shows it: where they live now (the ledger first: an open
placement that has started is where they are), their history of decisions with the notes officers
added, and what is kept of someone an import removed from the list (their page stays, read-only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.data.ages import legal_statuses
from planner.data.roof import roof
from web.core.interim import is_interim
from web.core.models import AuditEvent, Import, Placement, Proposal, Scheme, YoungPerson
from web.core.notes import Note

# The audit entries that are decisions about a young person, as their history names them.
DECISIONS: Final = {
    "confirm": "Placement confirmed",
    "confirm_failed": "Confirmation refused: the place was taken",
    "decline": "Proposal declined",
    "reopen": "Proposal reopened",
    "undo": "Confirmation undone",
    "end_placement": "Placement ended",
    "staying_put": "Staying put",
    "referral_added": "Referral added in the web",
    "referral_changed": "Referral corrected in the web",
}


@dataclass(frozen=True, slots=True)
class LivingNow:
    """Where someone lives today: an SSDA903 ACCOM code, the scheme when the ledger says so, from
    and until when, and their roof (`planner.data.roof.Roof`)."""

    code: str
    scheme_id: str = ""
    scheme_name: str = ""
    since: date | None = None
    until: date | None = None
    roof: str = "housed"

    @property
    def from_ledger(self) -> bool:
        return bool(self.scheme_id)


def living_now(db: Session, person: YoungPerson, placement: Placement | None, on: date) -> LivingNow:
    """The ledger first: an open placement that has started is where they live (B&B or emergency
    accommodation included); otherwise where the waiting list (the file, or the end of their last
    placement) says."""
    if placement is not None and placement.start_date <= on:
        scheme = db.get(Scheme, placement.scheme_id)
        return LivingNow(
            placement.accom_code,
            placement.scheme_id,
            scheme.name if scheme is not None else placement.scheme_id,
            placement.start_date,
            roof="in_emergency" if is_interim(placement.accom_code) else "housed",
        )
    frame = pd.DataFrame(
        {
            "current_accom": [person.current_accom],
            "current_until": pd.Series([person.current_until], dtype="datetime64[ns]"),
        }
    )
    return LivingNow(person.current_accom, until=person.current_until, roof=str(roof(frame, on=on)[0]))


def legal_status(person: YoungPerson, on: date) -> str:
    """Their legal status: as recorded, or from their age on `on` (`planner.data.ages`)."""
    born = pd.Series([person.date_of_birth], dtype="datetime64[ns]")
    frame = pd.DataFrame({"legal_status": [person.legal_status], "date_of_birth": born})
    return str(legal_statuses(frame, on)[0])


def birthday(born: date, age: int) -> date:
    """The day someone born on `born` turns `age` (29 February: 1 March in a common year, as
    `planner.data.formats.ages_on` counts)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


@dataclass
class Entry:
    """One decision in a young person's history, with the notes on it."""

    event: AuditEvent
    title: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class History:
    entries: list[Entry]
    loose: list[Note]  # notes on the record as a whole


def history(db: Session, person_id: str) -> History:
    """Every decision about them, newest first, each with its notes."""
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.person_id == person_id, AuditEvent.action.in_(list(DECISIONS)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    notes = db.scalars(select(Note).where(Note.person_id == person_id).order_by(Note.at, Note.id)).all()
    entries = [Entry(e, DECISIONS[e.action]) for e in events]
    by_event = {e.event.id: e for e in entries}
    loose = []
    for n in notes:
        if n.event_id in by_event:
            by_event[n.event_id].notes.append(n)
        else:
            loose.append(n)
    return History(entries, loose)


@dataclass(frozen=True, slots=True)
class Removed:
    """Someone no longer in the young people's table: when the import that removed them was
    made (as best the record says), and what is on record about them."""

    person_id: str
    removed_at: datetime | None
    placements: Sequence[Placement]
    proposals: int


def removed(db: Session, person_id: str) -> Removed | None:
    """What the record keeps of someone not in the table; None when nothing about them was ever
    recorded (an unknown id: not found)."""
    placements = db.scalars(
        select(Placement).where(Placement.person_id == person_id).order_by(Placement.id.desc())
    ).all()
    proposed = db.scalars(select(Proposal.created_at).where(Proposal.person_id == person_id)).all()
    about = select(AuditEvent.at).where(AuditEvent.person_id == person_id)
    decided = db.scalar(about.where(AuditEvent.action.in_(list(DECISIONS))).order_by(AuditEvent.at.desc()))
    viewed = db.scalar(about.where(AuditEvent.action == "view_person").order_by(AuditEvent.at))
    if not placements and not proposed and decided is None and viewed is None:
        return None
    # The import that removed them came after the last thing recorded of them on the list.
    known = [t for t in (*proposed, decided, *(p.confirmed_at for p in placements)) if t is not None]
    after = max(known) if known else viewed or datetime.min
    gone = db.scalar(
        select(Import.imported_at).where(Import.imported_at >= after).order_by(Import.imported_at).limit(1)
    )
    return Removed(person_id, gone, placements, len(proposed))
