"""Why a decision is refused, in words an officer understands: a proposal replaced or decided
already, and a placement that would overlap another of the same young person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.data.formats import uk_date
from web.core.filters import uk_datetime
from web.core.models import Import, MatchRun, Placement, Proposal, Scheme, User


class DecisionRefused(Exception):
    """The decision could not be made; `message` says why in words an officer understands.
    `status`: 409 when the state of things forbids it, 400 when something asked for is missing."""

    def __init__(
        self, message: str, *, person_id: str | None = None, no_vacancy: bool = False, status: int = 409
    ) -> None:
        super().__init__(message)
        self.message = message
        self.person_id = person_id
        self.no_vacancy = no_vacancy
        self.status = status


def scheme_name(db: Session, scheme_id: str) -> str:
    scheme = db.get(Scheme, scheme_id)
    return f"{scheme.name} ({scheme_id})" if scheme is not None else scheme_id


def why_not_open(db: Session, proposal: Proposal) -> str:
    """Why a proposal can no longer be decided, naming what replaced it."""
    if proposal.state == "superseded":
        if proposal.superseded_by_run_id is not None:
            run = db.get(MatchRun, proposal.superseded_by_run_id)
            who = db.get(User, run.run_by_id) if run is not None and run.run_by_id else None
            when = uk_datetime(run.run_at) if run is not None else "since"
            by = f" by {who.username}" if who is not None else ""
            return (
                f"Matching was re-run at {when}{by} after this proposal was made, so it was replaced: "
                f"decide on the new proposal for {proposal.person_id} instead. Nothing was changed."
            )
        if proposal.superseded_by_import_id is not None:
            done = db.get(Import, proposal.superseded_by_import_id)
            when = uk_datetime(done.imported_at) if done is not None else "since"
            return (
                f"The waiting list and schemes were imported again at {when}, which withdrew this proposal. "
                "Run matching for new proposals. Nothing was changed."
            )
        return (
            f"A newer proposal for {proposal.person_id} replaced this one: decide on that one instead. "
            "Nothing was changed."
        )
    decider = db.get(User, proposal.decided_by_id) if proposal.decided_by_id else None
    by_whom = f" by {decider.username}" if decider is not None else ""
    at = f" at {uk_datetime(proposal.decided_at)}" if proposal.decided_at else ""
    return f"This proposal has already been decided ({proposal.state}{by_whom}{at}); nothing was changed."


def holding(db: Session, person_id: str, start: date, replacing: Placement | None) -> Placement | None:
    """A placement of the person that still holds a place on `start` or later (its move-out
    after `start`, or none yet), other than the B&B or emergency one this confirmation ends
    on `start` (which must have begun by then)."""
    query = select(Placement).where(
        Placement.person_id == person_id,
        Placement.undone_at.is_(None),
        or_(Placement.end_date.is_(None), Placement.end_date > start),
    )
    if replacing is not None and replacing.start_date <= start:
        query = query.where(Placement.id != replacing.id)
    return db.scalars(query.order_by(Placement.start_date)).first()


def clash_message(db: Session, clash: Placement, start: date) -> str:
    where = scheme_name(db, clash.scheme_id)
    if clash.end_date is None:
        held = f"has been at {where} since {uk_date(clash.start_date)}"
        earliest = "end that placement first, on the day they move"
    else:
        held = f"holds a place at {where} until {uk_date(clash.end_date)} (the move-out date on record)"
        earliest = f"a new placement can start on {uk_date(clash.end_date)} at the earliest"
    return (
        f"{clash.person_id} {held}, so cannot also move in elsewhere on {uk_date(start)}: {earliest}. "
        "Nothing was changed."
    )
