"""The date the app works on: `TODAY` in the configuration (demos and tests), else the real date;
one clock on the same calendar for everything the app stamps (the ledger, matching runs, the
audit log, imports, scenarios: `now`); and the matching horizon in days (`HORIZON_DAYS`, from
PLANNER_HORIZON_DAYS)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask, current_app, has_app_context


def today(app: Flask) -> date:
    fixed = app.config.get("TODAY")
    if isinstance(fixed, str):
        return date.fromisoformat(fixed)
    return fixed if isinstance(fixed, date) else date.today()


def ledger_now(app: Flask | None = None) -> datetime:
    """Now, on the calendar of `today` (naive UTC): the time stamps the ledger compares with the
    dates officers give (a move-out date against the day a vacancy figure was taken) must share
    one calendar, also in a demo whose date is fixed. With `TODAY` set, the real clock shifted
    by the days between the real date and `TODAY` when the app first asked (so it keeps its order)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    real = datetime.now(UTC).replace(tzinfo=None)
    if app.config.get("TODAY") is None:
        return real
    shift = app.extensions.setdefault("planner_clock_shift", today(app) - real.date())
    return real + shift


def horizon_days(app: Flask) -> int:
    return int(app.config.get("HORIZON_DAYS", 28))


def due_by(app: Flask) -> date:
    """The last `needed_from` a batch on today's date places: today plus the horizon."""
    return today(app) + timedelta(days=horizon_days(app))


def now() -> datetime:
    """Now (naive UTC) for a time stamp: the app's clock (`ledger_now`) inside the app, so that a
    demo whose date is fixed stamps its runs, audit entries and scenarios on that date, not the
    machine's; the real clock outside it (a migration, a command with no app)."""
    if has_app_context():
        return ledger_now()
    return datetime.now(UTC).replace(tzinfo=None)
