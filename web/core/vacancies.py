"""Free places, derived from the ledger and never stored, by one rule every page and every
calculation uses (README, data/README "Free places"):

    free = reported figure - taken since it + freed since it,
           at least 0 and at most capacity - the placements living there

- the reported figure is the provider's, from the import in which it last changed (a file that
  carries the same figure again brings no news), or an officer's count on the vacancies form;
  it was taken at a time R;
- taken since: placements confirmed after R that hold a place on the day (not undone; no
  move-out date, or one after the day);
- freed since: placements confirmed by R (so counted in the figure) that no longer hold theirs:
  undone after R, or moved out by the day, after R's day (or on it, recorded after R): a figure
  taken after someone moved out already counts their place as free;
- a scheme can never have more free places than its capacity less the placements living there,
  and a withdrawn scheme (not in the last import, kept for its placements) has none.

Confirming, undoing and ending are then only rows in the ledger, and re-importing the same
files changes nothing that was decided. Matching, the map, the forecast, scenarios and the
schemes pages all read `free_places` (through `web.core.store.schemes_frame` or directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    and_,
    case,
    column,
    func,
    literal,
    or_,
    select,
    values,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import Date, DateTime

from web.core.clock import ledger_now
from web.core.models import Placement, Scheme, User, VacancyFigure

P = Placement


def holds(
    on: date | ColumnElement[Any], until: datetime | ColumnElement[Any] | None = None
) -> ColumnElement[bool]:
    """A placement holding its place on `on` (as the ledger stood at `until`, or now)."""
    lasts = or_(P.end_date.is_(None), P.end_date > on)
    if until is None:
        return and_(P.undone_at.is_(None), lasts)
    return and_(P.confirmed_at <= until, or_(P.undone_at.is_(None), P.undone_at > until), lasts)


def _freed(
    reported_at: Any, on: date | ColumnElement[Any], until: datetime | ColumnElement[Any] | None
) -> ColumnElement[bool]:
    """A placement the figure taken at `reported_at` counted that no longer holds its place."""
    undone: ColumnElement[bool] = P.undone_at > reported_at
    kept: ColumnElement[bool] = P.undone_at.is_(None)
    if until is not None:
        undone = and_(undone, P.undone_at <= until)
        kept = or_(kept, P.undone_at > until)
    day = func.date(reported_at)
    moved_out = and_(
        kept,
        P.end_date <= on,
        or_(P.end_date > day, and_(P.end_date == day, P.ended_at > reported_at)),
    )
    return and_(P.confirmed_at <= reported_at, or_(undone, moved_out))


def _count(scheme_id: Any, *where: ColumnElement[bool]) -> Any:
    return select(func.count()).where(P.scheme_id == scheme_id, *where).scalar_subquery()


def _clamped(figure: Any, taken: Any, freed: Any, room: Any, withdrawn: Any = None) -> ColumnElement[int]:
    raw = figure - taken + freed
    closed = [] if withdrawn is None else [(withdrawn, 0)]
    return case(*closed, (raw <= 0, 0), (room <= 0, 0), (raw > room, room), else_=raw)


@lru_cache(maxsize=32)
def free_places(on: date, *, scheme_id: str | None = None) -> Subquery:
    """Per scheme: `free` places on `on`, with the parts of the rule (`figure`, `taken`,
    `freed`, `live`, `reported_at`) for explanations. Join it on `scheme_id`.

    Built once per day and scheme in this process: a statement is immutable and holds no data,
    and building this one took a quarter of the proposals list's time under load."""
    s = Scheme
    inner = select(
        s.scheme_id,
        s.reported_vacancies.label("figure"),
        s.reported_at,
        s.capacity,
        s.withdrawn,
        _count(s.scheme_id, P.confirmed_at > s.reported_at, holds(on, None)).label("taken"),
        _count(s.scheme_id, _freed(s.reported_at, on, None)).label("freed"),
        _count(s.scheme_id, holds(on, None)).label("live"),
    )
    if scheme_id is not None:
        inner = inner.where(s.scheme_id == scheme_id)
    c = inner.subquery().c
    free = _clamped(c.figure, c.taken, c.freed, c.capacity - c.live, c.withdrawn)
    return select(
        c.scheme_id, c.figure, c.reported_at, c.capacity, c.withdrawn, c.taken, c.freed, c.live,
        free.label("free"),
    ).subquery("free_places")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Count:
    """One scheme's free places on a day and how the rule got there."""

    free: int
    figure: int
    reported_at: datetime
    capacity: int
    taken: int
    freed: int
    live: int
    withdrawn: bool


def count_for(db: Session, scheme_id: str, on: date) -> Count | None:
    """The rule for one scheme (None: no such scheme)."""
    f = free_places(on, scheme_id=scheme_id)
    row = db.execute(select(f)).one_or_none()
    if row is None:
        return None
    return Count(
        free=int(row.free),
        figure=int(row.figure),
        reported_at=row.reported_at,
        capacity=int(row.capacity),
        taken=int(row.taken),
        freed=int(row.freed),
        live=int(row.live),
        withdrawn=bool(row.withdrawn),
    )


def free_on(db: Session, scheme_id: str, on: date) -> int:
    found = count_for(db, scheme_id, on)
    return found.free if found is not None else 0


def set_figure(
    db: Session,
    scheme: Scheme,
    vacancies: int,
    *,
    source: str,
    user: User | None,
    import_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """A new reported figure, taken now (or at `at`: one time for a whole import): placements
    confirmed before then count as in it."""
    now = at or ledger_now()
    scheme.reported_vacancies, scheme.reported_at = vacancies, now
    db.add(
        VacancyFigure(
            scheme_id=scheme.scheme_id,
            at=now,
            vacancies=vacancies,
            capacity=scheme.capacity,
            source=source,
            import_id=import_id,
            user_id=user.id if user is not None else None,
        )
    )


@dataclass(frozen=True, slots=True)
class Point:
    """Free places at the end of a day on which something changed, and what changed."""

    on: date
    free: int
    capacity: int
    events: tuple[str, ...]


def history(db: Session, scheme_id: str, *, today: date) -> list[Point]:
    """Free places over time at one scheme, by the same rule, at the end of each day a figure
    came in or a placement was confirmed, undone, started or ended (oldest first)."""
    figures = list(
        db.scalars(
            select(VacancyFigure).where(VacancyFigure.scheme_id == scheme_id).order_by(VacancyFigure.at)
        )
    )
    placements = list(db.scalars(select(P).where(P.scheme_id == scheme_id)))
    events: dict[date, list[str]] = {}
    for f in figures:
        events.setdefault(f.at.date(), []).append(
            f"{'imported' if f.source == 'import' else 'counted by an officer'}: {f.vacancies:,} free "
            f"of {f.capacity:,}"
        )
    for p in placements:
        events.setdefault(p.confirmed_at.date(), []).append(f"{p.person_id} confirmed")
        if p.undone_at is not None:
            events.setdefault(p.undone_at.date(), []).append(f"{p.person_id} undone")
        if p.end_date is not None and p.end_date <= today:
            events.setdefault(p.end_date, []).append(f"{p.person_id} moved out")
    days: list[tuple[date, datetime, VacancyFigure]] = []
    for day in sorted(d for d in events if d <= today):
        until = datetime.combine(day, time.max)
        figure = next((f for f in reversed(figures) if f.at <= until), None)
        if figure is not None:
            days.append((day, until, figure))
    free = _free_on_days(db, scheme_id, days)
    return [Point(day, n, f.capacity, tuple(events[day])) for (day, _, f), n in zip(days, free, strict=True)]


def _free_on_days(db: Session, scheme_id: str, days: list[tuple[date, datetime, VacancyFigure]]) -> list[int]:
    """The rule for one scheme on each day, with the figure it had then and the ledger as it stood
    at `until`: one query over a table of the days, however long the history."""
    if not days:
        return []
    d = (
        values(
            column("i", Integer),
            column("day", Date),
            column("until", DateTime),
            column("at", DateTime),
            column("figure", Integer),
            column("capacity", Integer),
            name="days",
        )
        .data([(i, day, until, f.at, f.vacancies, f.capacity) for i, (day, until, f) in enumerate(days)])
        .cte()
    )
    scheme = literal(scheme_id)
    taken = _count(scheme, P.confirmed_at > d.c.at, holds(d.c.day, d.c.until))
    freed = _count(scheme, _freed(d.c.at, d.c.day, d.c.until))
    live = _count(scheme, holds(d.c.day, d.c.until))
    value = _clamped(d.c.figure, taken, freed, d.c.capacity - live)
    return [int(n or 0) for n in db.scalars(select(value).select_from(d).order_by(d.c.i))]
