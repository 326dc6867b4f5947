"""Officers' decisions on proposals, each in one transaction that cannot lose a vacancy.

Confirming takes the vacancy with a guarded update (`... SET vacancies = vacancies - 1 WHERE
scheme_id = ? AND vacancies > 0`) and checks the row count: when two officers confirm the last
place at the same moment, the database lets exactly one update through (PostgreSQL locks the row
and re-checks the condition; SQLite lets one writer in at a time), and the other is told so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planner.data.contract import HORIZON_DAYS
from planner.match.batch import match
from planner.match.solution import answer_of
from web import audit, versions
from web.models import MatchRun, Placement, Proposal, Scheme, User, YoungPerson, utcnow
from web.store import people_frame, schemes_frame

_NO_SYNC = {"synchronize_session": False}


class DecisionRefused(Exception):
    """The decision could not be made; `message` says why in words an officer understands."""

    def __init__(self, message: str, *, person_id: str | None = None, no_vacancy: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.person_id = person_id
        self.no_vacancy = no_vacancy


def confirm(db: Session, proposal_id: int, user: User) -> Placement:
    """Record the placement, take the vacancy and move the person off the waiting list, together."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    person_id, scheme_id = proposal.person_id, proposal.scheme_id
    if not scheme_id:
        raise DecisionRefused("This proposal has no place to confirm.", person_id=person_id)
    now = utcnow()
    steps = (
        (
            update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.state == "proposed")
            .values(state="confirmed", decided_by_id=user.id, decided_at=now),
            "This proposal has already been decided (perhaps by another officer); nothing was changed.",
            False,
        ),
        (
            update(Scheme)
            .where(Scheme.scheme_id == scheme_id, Scheme.vacancies > 0)
            .values(vacancies=Scheme.vacancies - 1),
            f"Scheme {scheme_id} has no vacancy left: another placement took it first. "
            "Nothing was changed for this young person.",
            True,
        ),
        (
            update(YoungPerson)
            .where(YoungPerson.person_id == person_id, YoungPerson.status == "waiting")
            .values(status="placed", placed_scheme_id=scheme_id),
            f"{person_id} is no longer on the waiting list; nothing was changed.",
            False,
        ),
    )
    for statement, message, no_vacancy in steps:
        if db.execute(statement, execution_options=_NO_SYNC).rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            raise DecisionRefused(message, person_id=person_id, no_vacancy=no_vacancy)
    placement = Placement(
        person_id=person_id,
        scheme_id=scheme_id,
        proposal_id=proposal_id,
        accom_code=proposal.accom_code,
        weekly_cost=proposal.weekly_cost or 0.0,
        confirmed_by_id=user.id,
        confirmed_at=now,
    )
    db.add(placement)
    audit.record("confirm", person_id, detail=f"placed in {scheme_id} ({proposal.accom_code})")
    db.commit()
    return placement


def decline(db: Session, proposal_id: int, user: User) -> Proposal:
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise LookupError(proposal_id)
    done = db.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state == "proposed")
        .values(state="declined", decided_by_id=user.id, decided_at=utcnow()),
        execution_options=_NO_SYNC,
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise DecisionRefused(
            "This proposal has already been decided; nothing was changed.", person_id=proposal.person_id
        )
    audit.record("decline", proposal.person_id, detail=f"declined {proposal.scheme_id or 'no place'}")
    db.commit()
    db.refresh(proposal)
    return proposal


def _proposals(frame: pd.DataFrame, run_id: int | None) -> list[Proposal]:
    """A proposal per person due; people not due yet stay on the list with nothing to decide."""
    out = []
    for r in frame[frame["outcome"] != "not_due"].to_dict("records"):
        scheme = r.get("scheme_id")
        cost, dist = r.get("weekly_cost"), r.get("distance_km")
        out.append(
            Proposal(
                run_id=run_id,
                person_id=str(r["person_id"]),
                scheme_id=str(scheme) if isinstance(scheme, str) and scheme else None,
                outcome=str(r["outcome"]),
                accom_code=str(r.get("accom_code") or "") if pd.notna(r.get("accom_code")) else "",
                weekly_cost=float(cost) if cost is not None and pd.notna(cost) else None,
                distance_km=float(dist) if dist is not None and pd.notna(dist) else None,
                reason=str(r.get("reason") or ""),
            )
        )
    return out


def run_matching(db: Session, user: User, *, on: date, horizon_days: int = HORIZON_DAYS) -> MatchRun:
    """The optimiser over the whole waiting list and every scheme with a vacancy; open proposals
    from earlier runs are superseded by the new ones. People needed after the horizon get none.
    The run keeps the batch's answer for a person's options (`web.answers`), with the data
    version it was solved on; older runs' answers are dropped."""
    version = versions.current(db)  # before the data: see web.versions
    people = people_frame(db)
    schemes = schemes_frame(db, with_vacancies_only=True)
    result = match(people, schemes, on=on, horizon_days=horizon_days)
    outcome = result.matches["outcome"].value_counts()
    answer = None
    if result.status == "optimal" and result.solution is not None:  # a time-limited answer is not kept
        answer = answer_of(result.solution, people, schemes).to_bytes()
    db.execute(
        update(Proposal).where(Proposal.state == "proposed").values(state="superseded"),
        execution_options=_NO_SYNC,
    )
    db.execute(
        update(MatchRun).where(MatchRun.answer.is_not(None)).values(answer=None), execution_options=_NO_SYNC
    )
    run = MatchRun(
        run_by_id=user.id,
        match_date=on,
        status=result.status,
        seconds=float(result.seconds),
        placed=int(outcome.get("placed", 0)),
        unsuitable=int(outcome.get("unsuitable", 0)),
        unplaced=int(outcome.get("unplaced", 0)),
        not_due=int(outcome.get("not_due", 0)),
        horizon_days=horizon_days,
        objective="default",
        data_version=version,
        answer=answer,
    )
    db.add(run)
    db.flush()
    db.add_all(_proposals(result.matches, run.id))
    audit.record(
        "run_matching",
        detail=f"{len(people)} waiting, {len(schemes)} schemes with vacancies, {horizon_days}-day horizon: "
        f"{run.placed} placed, {run.unsuitable} unsuitable, {run.unplaced} unplaced, {run.not_due} not due "
        f"({result.status})",
    )
    db.commit()
    return run


def _reaching(people: pd.DataFrame, on: date, horizon_days: int) -> int:
    """A horizon that reaches this one person: an officer deciding for them is planning ahead."""
    days = (people["needed_from"].max() - pd.Timestamp(on)).days if len(people) else 0
    return max(horizon_days, int(days))


def fresh_proposal(
    db: Session, person_id: str, *, on: date, horizon_days: int = HORIZON_DAYS
) -> Proposal | None:
    """After a place was lost to someone else: the best place for this person among the vacancies
    left now (the same optimiser, on this one person), stored as a new open proposal."""
    people = people_frame(db)
    people = people[people["person_id"] == person_id]
    if people.empty:
        return None
    horizon = _reaching(people, on, horizon_days)
    result = match(people, schemes_frame(db, with_vacancies_only=True), on=on, horizon_days=horizon)
    db.execute(
        update(Proposal)
        .where(Proposal.person_id == person_id, Proposal.state == "proposed")
        .values(state="superseded"),
        execution_options=_NO_SYNC,
    )
    (proposal,) = _proposals(result.matches, None)
    db.add(proposal)
    db.commit()
    return proposal


def open_proposal_for(db: Session, person_id: str, scheme_id: str, *, on: date) -> Proposal:
    """An officer chose a place from a person's options: an open proposal to confirm."""
    people = people_frame(db)
    people = people[people["person_id"] == person_id]
    schemes = schemes_frame(db, with_vacancies_only=True)
    schemes = schemes[schemes["scheme_id"] == scheme_id]
    if people.empty or schemes.empty:
        raise DecisionRefused(f"{scheme_id} has no vacancy now, or {person_id} is not waiting.")
    horizon = _reaching(people, on, HORIZON_DAYS)
    (proposal,) = _proposals(match(people, schemes, on=on, horizon_days=horizon).matches, None)
    if proposal.scheme_id != scheme_id:
        raise DecisionRefused(f"{person_id} cannot be placed in {scheme_id}: {proposal.reason}")
    db.add(proposal)
    db.flush()
    return proposal


def latest_run(db: Session) -> MatchRun | None:
    return db.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
