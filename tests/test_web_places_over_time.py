"""A scheme's free places over time (web.vacancies.history): the rule of free places on each day
something changed, with the figure of that day and the ledger as it stood at the day's end,
worked out in one query however long the history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from flask import Flask
from sqlalchemy import DateTime, Integer, event, literal, select
from web_support import ON

from web.core.clock import ledger_now
from web.core.db import engine_of, get_db
from web.core.models import Placement, Scheme, VacancyFigure
from web.core.vacancies import _clamped, _count, _freed, history, holds, set_figure

FOYER = "SCH-002"  # 30 places


def _one_day(scheme_id: str, figure: VacancyFigure, on: date) -> int:
    """The rule for one day as the page worked it out before, a query a day: the reference."""
    db, until, at = get_db(), datetime.combine(on, time.max), literal(figure.at, DateTime)
    taken = _count(literal(scheme_id), Placement.confirmed_at > at, holds(on, until))
    freed = _count(literal(scheme_id), _freed(at, on, until))
    live = _count(literal(scheme_id), holds(on, until))
    value = _clamped(literal(figure.vacancies, Integer), taken, freed, literal(figure.capacity) - live)
    return int(db.scalar(select(value)) or 0)


def _long_history(app: Flask, days: int) -> None:
    """Figures and placements on most of `days` days before today: confirmed, undone, moved out
    (recorded on the day, or later), some figures taken between them."""
    rng = np.random.default_rng(7)
    now = ledger_now(app)
    with app.app_context():
        db = get_db()
        scheme = db.get(Scheme, FOYER)
        assert scheme is not None
        for k, back in enumerate(range(days, 0, -1)):
            day = now - timedelta(days=int(back))
            if rng.random() < 0.12:
                at = day + timedelta(hours=int(rng.integers(8, 18)))
                set_figure(db, scheme, int(rng.integers(0, 8)), source="edit", user=None, at=at)
            for j in range(int(rng.integers(0, 3))):
                confirmed = day + timedelta(hours=int(rng.integers(8, 18)), minutes=j)
                p = Placement(person_id=f"YP-H{k:04d}{j}", scheme_id=FOYER, accom_code="T1", weekly_cost=450,
                              confirmed_at=confirmed, start_date=confirmed.date())  # fmt: skip
                if rng.random() < 0.2:
                    p.undone_at = confirmed + timedelta(days=int(rng.integers(0, 3)), hours=1)
                elif rng.random() < 0.8:
                    p.end_date = confirmed.date() + timedelta(days=int(rng.integers(1, 40)))
                    p.ended_at = datetime.combine(p.end_date, time(9)) + timedelta(
                        days=int(rng.integers(-1, 4))
                    )
                db.add(p)
        db.commit()


def test_a_long_history_is_the_rule_on_each_day_in_one_query(web_app: Flask) -> None:
    _long_history(web_app, days=300)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = engine_of(web_app)
    with web_app.app_context():
        db = get_db()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            points = history(db, FOYER, today=ON)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        figures = list(db.scalars(select(VacancyFigure).where(VacancyFigure.scheme_id == FOYER)))
        expected = []
        for p in points:
            until = datetime.combine(p.on, time.max)
            figure = max((f for f in figures if f.at <= until), key=lambda f: f.at)
            expected.append(_one_day(FOYER, figure, p.on))
    assert len(points) > 200 and len(statements) == 3  # figures, placements, then the free places
    assert [p.free for p in points] == expected
    assert len({p.free for p in points}) > 5 and min(p.free for p in points) == 0  # the rule's clamp too
    assert [p.on for p in points] == sorted({p.on for p in points})
