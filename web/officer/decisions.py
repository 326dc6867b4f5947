"""Matching for the waiting list and proposals for one person: what officers then decide on
(`web.officer.ledger` records the decisions).

Only one matching run at a time: a run takes an exclusive lock (PostgreSQL's advisory lock,
SQLite's write lock) before it reads anything, and is refused when another officer's run came
in after the page the officer pressed "Run matching" on, so officers pressing it together leave
one set of open proposals, and nobody replaces proposals they have not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from planner.data.contract import HORIZON_DAYS
from planner.data.formats import gbp, plural, uk_date
from planner.match.anticipate import LOOKAHEAD_DAYS
from planner.match.batch import match
from planner.match.solution import answer_of
from web.core import audit, versions
from web.core.db import exclusive, lock_people
from web.core.interim import is_interim
from web.core.models import MatchRun, Placement, Proposal, Scheme, User, YoungPerson
from web.core.store import people_frame, schemes_frame
from web.officer.ledger import DecisionRefused, open_placement

_NO_SYNC = {"synchronize_session": False}
MATCHING_LOCK = 0x6D61746368  # "match": every matching run asks for it
__all__ = ["DecisionRefused", "MatchingCheck", "run_matching"]


def _in_interim(db: Session) -> dict[str, str]:
    """Who is in B&B or emergency accommodation through an open placement, and where."""
    rows = db.execute(
        select(Placement.person_id, Placement.scheme_id, Placement.accom_code).where(Placement.is_open())
    )
    return {person: scheme for person, scheme, code in rows if is_interim(code)}


def _proposals(
    frame: pd.DataFrame, run_id: int | None, user: User | None, interim: dict[str, str] | None = None
) -> list[Proposal]:
    """A proposal per person due; people not due yet stay on the list with nothing to decide.
    Someone already in B&B or emergency accommodation is never proposed another: only a
    suitable place moves them on."""
    out = []
    for r in frame[frame["outcome"] != "not_due"].to_dict("records"):
        scheme = r.get("scheme_id")
        cost, dist = r.get("weekly_cost"), r.get("distance_km")
        if interim and r["outcome"] == "unsuitable" and str(r["person_id"]) in interim:
            r = {
                "person_id": r["person_id"],
                "outcome": "unplaced",
                "reason": f"no suitable place now; stays at {interim[str(r['person_id'])]} "
                "(unsuitable) meanwhile",
            }
            scheme, cost, dist = None, None, None
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
                created_by_id=user.id if user is not None else None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MatchingCheck:
    """Why a run was not made: another officer's run came in after the page the officer saw
    (`newer`), or open proposals of other officers' would be replaced (`others_open`)."""

    latest: MatchRun | None
    open_proposals: int
    others_open: int
    newer: bool


def run_matching(
    db: Session,
    user: User,
    *,
    on: date,
    horizon_days: int = HORIZON_DAYS,
    seen_run: int | None = None,
    replace_others: bool = False,
    anticipate: bool = False,
) -> MatchRun | MatchingCheck:
    """The optimiser over the whole waiting list and every scheme with a place free; open
    proposals from earlier runs are superseded by the new ones. People needed after the horizon
    get none. `seen_run`: the latest run on the officer's page (0: none); `replace_others`: the
    officer confirmed replacing other officers' open proposals. The run keeps the batch's answer
    for a person's options (`web.officer.answers`), with the data version it was solved on; older runs'
    answers are dropped. `anticipate`: plan for the coming weeks, holding places for people due
    soon after the horizon who would have no other (`planner.match.anticipate`), kept as proposals
    in state "held" that nobody confirms."""
    exclusive(db, MATCHING_LOCK)
    lock_people(db)  # it replaces everyone's open proposals: not while a decision is being made
    latest = latest_run(db)
    open_now = db.scalar(select(func.count()).where(Proposal.state == "proposed")) or 0
    mine = or_(
        Proposal.created_by_id == user.id,
        Proposal.run_id.in_(select(MatchRun.id).where(MatchRun.run_by_id == user.id)),
    )
    others = db.scalar(select(func.count()).where(Proposal.state == "proposed", ~mine)) or 0
    newer = seen_run is not None and (latest.id if latest is not None else 0) != seen_run
    if newer or (others and not replace_others):
        db.rollback()
        return MatchingCheck(latest, open_now, others, newer)
    version = versions.current(db)  # before the data: see web.core.versions
    people = people_frame(db)
    schemes = schemes_frame(db, with_vacancies_only=True, on=on)
    result = match(people, schemes, on=on, horizon_days=horizon_days,
                   anticipate_days=LOOKAHEAD_DAYS if anticipate else 0)  # fmt: skip
    outcome = result.matches["outcome"].value_counts()
    answer = None
    if result.status == "optimal" and result.solution is not None:  # a time-limited answer is not kept
        answer = answer_of(result.solution, people, schemes).to_bytes()
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
    db.execute(
        update(Proposal)
        .where(Proposal.state.in_(("proposed", "held")))
        .values(state="superseded", superseded_by_run_id=run.id),
        execution_options=_NO_SYNC,
    )
    proposals = _proposals(result.matches, run.id, user, _in_interim(db))
    held = _held(result.holds, run.id, user)
    db.add_all(held)
    run.unsuitable = sum(p.outcome == "unsuitable" for p in proposals)
    run.unplaced = sum(p.outcome == "unplaced" for p in proposals)
    db.add_all(proposals)
    audit.record(
        "run_matching",
        detail=f"{len(people)} waiting, {len(schemes)} schemes with vacancies, {horizon_days}-day horizon: "
        f"{run.placed} placed, {run.unsuitable} unsuitable, {run.unplaced} unplaced, {run.not_due} not due "
        f"({result.status})"
        + (f"; replaced {open_now} open proposals" if open_now else "")
        + (f"; planning for the coming weeks, {plural(len(held), 'place')} held" if anticipate else ""),
    )
    db.commit()
    return run


def _held(holds: pd.DataFrame | None, run_id: int, user: User) -> list[Proposal]:
    """A place held for someone due soon: a proposal in state "held" for them at that scheme, with
    the reason in plain words; a newer run supersedes it."""
    if holds is None:
        return []
    return [
        Proposal(run_id=run_id, person_id=str(h["person_id"]), scheme_id=str(h["scheme_id"]), outcome="held",
                 accom_code="", reason=str(h["reason"]), state="held", created_by_id=user.id)
        for h in holds.to_dict("records")
    ]  # fmt: skip


def _reaching(people: pd.DataFrame, on: date, horizon_days: int) -> int:
    """A horizon that reaches this one person: an officer deciding for them is planning ahead."""
    days = (people["needed_from"].max() - pd.Timestamp(on)).days if len(people) else 0
    return max(horizon_days, int(days))


def fresh_proposal(
    db: Session, person_id: str, user: User, *, on: date, horizon_days: int = HORIZON_DAYS
) -> Proposal | None:
    """After a place was lost to someone else: the best place for this person among the vacancies
    left now (the same optimiser, on this one person), stored as a new open proposal."""
    lock_people(db, [person_id])
    people = people_frame(db, person_id=person_id)
    if people.empty:
        return None
    horizon = _reaching(people, on, horizon_days)
    result = match(people, schemes_frame(db, with_vacancies_only=True, on=on), on=on, horizon_days=horizon)
    db.execute(
        update(Proposal)
        .where(Proposal.person_id == person_id, Proposal.state == "proposed")
        .values(state="superseded"),
        execution_options=_NO_SYNC,
    )
    (proposal,) = _proposals(result.matches, None, user, _in_interim(db))
    db.add(proposal)
    db.commit()
    return proposal


def proposal_for(db: Session, person_id: str, scheme_id: str, user: User, *, on: date) -> Proposal:
    """An officer chose a place from a person's options: the proposal to check and confirm (not
    yet stored: the caller adds it when the officer confirms)."""
    people = people_frame(db, person_id=person_id)
    schemes = schemes_frame(db, with_vacancies_only=True, on=on, scheme_id=scheme_id)
    if people.empty or schemes.empty:
        raise DecisionRefused(_not_here(db, person_id, scheme_id), person_id=person_id)
    horizon = _reaching(people, on, HORIZON_DAYS)
    (proposal,) = _proposals(match(people, schemes, on=on, horizon_days=horizon).matches, None, user)
    if proposal.scheme_id != scheme_id:
        raise DecisionRefused(
            f"{person_id} cannot be placed in {scheme_id}: {proposal.reason}", person_id=person_id
        )
    # The reason matching this one place alone gives ("best of 1", "no suitable scheme fits")
    # would mislead: the officer chose it from all the places the person could take.
    name = str(schemes["name"].iat[0])
    if proposal.outcome == "unsuitable":
        proposal.reason = (
            f"chosen by {user.username} as a last resort: {name}, {proposal.distance_km or 0:.1f} km "
            f"from home, {gbp(proposal.weekly_cost)} a week"
        )
    else:
        head = proposal.reason.split("; best of")[0]
        proposal.reason = f"chosen by {user.username} from the places {person_id} could take: {head}"
    return proposal


def latest_run(db: Session) -> MatchRun | None:
    return db.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))


def _not_here(db: Session, person_id: str, scheme_id: str) -> str:
    """Why this person cannot be placed in this scheme now, saying where they are if placed."""
    person = db.get(YoungPerson, person_id)
    if person is None:
        return f"{person_id} is not on the waiting list (an import removed them). Nothing was changed."
    current = open_placement(db, person_id)
    if person.status == "placed" and current is not None:
        scheme = db.get(Scheme, current.scheme_id)
        where = f"{scheme.name} ({current.scheme_id})" if scheme is not None else current.scheme_id
        return (
            f"{person_id} is already placed at {where} since {uk_date(current.start_date)}: end that "
            "placement first if they have moved out. Nothing was changed."
        )
    if person.status != "waiting":
        return f"{person_id} has left the waiting list: correct their referral if they need a place."
    scheme = db.get(Scheme, scheme_id)
    if scheme is None or scheme.withdrawn:
        return f"{scheme_id} is not open to placements now. Nothing was changed."
    return f"{scheme.name} ({scheme_id}) has no place free today. Nothing was changed."
