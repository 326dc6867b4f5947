"""What an import would change, worked out by making it and rolling it back: people and schemes
added, changed and removed, the conflicts with what officers decided, and the places free after
it by the ledger's rule (`web.core.vacancies`). The same code makes the import for real
(`web.core.store.apply_dataset`), so the preview is what happens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.formats import plural, uk_date
from web.core.interim import is_interim
from web.core.models import Placement, Proposal, Scheme, User, YoungPerson
from web.core.store import Applied, Kept, apply_dataset, people_frame, records
from web.core.vacancies import free_places, holds

SHOWN = 200  # rows listed per kind of change; the counts are always whole


@dataclass(frozen=True, slots=True)
class Conflict:
    """Something the files say that contradicts what officers decided, and what will happen."""

    kind: str  # placed_listed | left_listed | interim_missing | withdrawn_with_residents | below_placements
    subject: str  # the person or scheme id
    message: str


@dataclass(frozen=True, slots=True)
class Places:
    """A scheme whose free places after the import are not simply the file's figure."""

    scheme_id: str
    name: str
    figure: int  # in the file
    before: int | None  # free now (None: a new scheme)
    after: int
    why: str


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """An open proposal the import withdraws (officers run matching again afterwards)."""

    person_id: str
    place: str  # the scheme's name and id, or "no place"
    outcome: str


@dataclass
class Preview:
    proposals_withdrawn: list[Withdrawn] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # what decisions in the web set, kept over the file
    people_added: list[str] = field(default_factory=list)
    people_changed: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    people_removed: list[str] = field(default_factory=list)
    back_on_list: list[str] = field(default_factory=list)
    schemes_added: list[str] = field(default_factory=list)
    schemes_changed: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    schemes_removed: list[str] = field(default_factory=list)
    schemes_withdrawn: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    places: list[Places] = field(default_factory=list)
    waiting_before: int = 0
    waiting_after: int = 0
    free_before: int = 0
    free_after: int = 0

    @property
    def empties_list(self) -> bool:
        """Nobody would be waiting after it, where people are waiting now."""
        return self.waiting_before > 0 and self.waiting_after == 0

    @property
    def fingerprint(self) -> str:
        """Changes when anything the officer was shown would be different."""
        text = repr((self.proposals_withdrawn, self.kept,
                     self.people_added, self.people_changed, self.people_removed, self.back_on_list,
                     self.schemes_added, self.schemes_changed, self.schemes_removed, self.schemes_withdrawn,
                     self.conflicts, self.places, self.waiting_after, self.free_after))  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def _diff(
    before: dict[str, dict[str, Any]], after: list[dict[str, Any]], key: str
) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    added, changed = [], []
    for row in after:
        old = before.get(row[key])
        if old is None:
            added.append(row[key])
            continue
        cols = tuple(c for c, v in row.items() if c != key and old.get(c) != v)
        if cols:
            changed.append((row[key], cols))
    return added, changed


def _live_by_scheme(db: Session, on: date) -> dict[str, list[str]]:
    rows = db.execute(select(Placement.scheme_id, Placement.person_id).where(holds(on)))
    out: dict[str, list[str]] = {}
    for scheme, person in rows:
        out.setdefault(scheme, []).append(person)
    return out


def _free(db: Session, on: date) -> dict[str, int]:
    f = free_places(on)
    return {s: int(n) for s, n in db.execute(select(f.c.scheme_id, f.c.free))}


def _hold(n: int) -> str:
    """`1 young person placed there holds a place`."""
    verb = "holds a place" if n == 1 else "hold places"
    return f"{plural(n, 'young person', 'young people')} placed there {verb}"


def _waiting(db: Session) -> int:
    return db.scalar(select(func.count()).where(YoungPerson.status == "waiting")) or 0


def _open_proposals(db: Session, names: dict[str, str]) -> list[Withdrawn]:
    """The open proposals, each of which an import withdraws."""
    rows = db.execute(
        select(Proposal.person_id, Proposal.scheme_id, Proposal.outcome)
        .where(Proposal.state == "proposed")
        .order_by(Proposal.person_id)
    ).all()
    return [
        Withdrawn(pid, f"{names.get(sid, sid)} ({sid})" if sid else "no place", outcome)
        for pid, sid, outcome in rows
    ]


def measure(
    db: Session, data: Dataset, *, on: date, user: User | None, import_id: int | None = None
) -> tuple[Preview, Applied]:
    """Make the import in the caller's transaction and say what it did; the caller commits it or
    rolls it back (a preview)."""
    out = Preview(waiting_before=_waiting(db))
    people_now = {r["person_id"]: r for r in records(people_frame(db, waiting_only=False), PEOPLE)}
    status = dict(db.execute(select(YoungPerson.person_id, YoungPerson.status)).all())
    schemes_now = {s.scheme_id: s for s in db.scalars(select(Scheme))}
    scheme_rows = {
        sid: {c: (s.imported_vacancies if c == "vacancies" else getattr(s, c)) for c in SCHEMES.names}
        for sid, s in schemes_now.items()
    }
    for r in scheme_rows.values():
        r["excluded_risks"] = r["excluded_risks"] or ""
    file_people, file_schemes = records(data.people, PEOPLE), records(data.schemes, SCHEMES)
    out.people_added, out.people_changed = _diff(people_now, file_people, "person_id")
    out.schemes_added, out.schemes_changed = _diff(scheme_rows, file_schemes, "scheme_id")
    live = _live_by_scheme(db, on)
    free_before = _free(db, on)
    out.free_before = sum(v for k, v in free_before.items() if not schemes_now[k].withdrawn)
    open_rows = db.execute(select(Placement).where(Placement.is_open())).scalars()
    open_by_person = {p.person_id: p for p in open_rows}
    names = {sid: s.name for sid, s in schemes_now.items()}

    out.proposals_withdrawn = _open_proposals(db, names)
    applied = apply_dataset(db, data, user=user, import_id=import_id)
    out.people_removed, out.back_on_list = applied.people_removed, applied.back_on_list
    out.kept = applied.kept
    kept = {(k.person_id, k.column) for k in applied.kept}  # not a change: the file is not followed there
    out.people_changed = [
        (pid, left)
        for pid, cols in out.people_changed
        if (left := tuple(c for c in cols if (pid, c) not in kept))
    ]
    out.schemes_removed, out.schemes_withdrawn = applied.schemes_removed, applied.schemes_withdrawn

    in_file = {r["person_id"] for r in file_people}
    for pid in sorted(in_file):
        was, placed = status.get(pid), open_by_person.get(pid)
        if was == "placed" and placed is not None:
            out.conflicts.append(Conflict("placed_listed", pid,
                f"{pid} is placed at {names.get(placed.scheme_id, placed.scheme_id)} since "
                f"{uk_date(placed.start_date)}, but the file lists them as needing a place: they stay placed "
                "(end the placement on their page if they have moved out)"))  # fmt: skip
        elif was == "left" and pid not in applied.back_on_list:
            out.conflicts.append(Conflict("left_listed", pid,
                f"{pid} left the waiting list when their placement ended, and the file's needed_from is not "
                "after their move-out: they stay off the list"))  # fmt: skip
    for pid, placed in sorted(open_by_person.items()):
        if pid not in in_file and status.get(pid) == "waiting" and is_interim(placed.accom_code):
            out.conflicts.append(Conflict("interim_missing", pid,
                f"{pid} is in {names.get(placed.scheme_id, placed.scheme_id)} (unsuitable) since "
                f"{uk_date(placed.start_date)} but not in the file: they stay on the waiting list until "
                "that placement ends"))  # fmt: skip
    for sid in applied.schemes_withdrawn:
        if live.get(sid):
            out.conflicts.append(Conflict("withdrawn_with_residents", sid,
                f"{names.get(sid, sid)} ({sid}) is not in the file, but {_hold(len(live[sid]))} "
                f"({', '.join(sorted(live[sid]))}): it stays on record for them, closed to new "
                "placements"))  # fmt: skip
    free_after = _free(db, on)
    for row in file_schemes:
        sid, figure, capacity = row["scheme_id"], row["vacancies"], row["capacity"]
        here = len(live.get(sid, []))
        after = free_after.get(sid, figure)
        if capacity - figure < here:
            out.conflicts.append(Conflict("below_placements", sid,
                f"{row['name']} ({sid}): the file says {figure:,} of {capacity:,} places are free, but "
                f"{_hold(here)}, so at most "
                f"{max(capacity - here, 0):,} can be: {after:,} free after this import"))  # fmt: skip
        if after != figure:
            same = sid in scheme_rows and sid not in applied.new_figures
            why = (
                "the file carries the same figure as the last import: the placements confirmed since "
                "still count"
                if same
                else f"capacity {capacity:,} less {plural(here, 'place', 'places')} held by placements"
            )
            out.places.append(Places(sid, row["name"], figure, free_before.get(sid), after, why))
    out.waiting_after = _waiting(db)
    out.free_after = sum(free_after.get(r["scheme_id"], 0) for r in file_schemes)
    return out, applied
