"""Signing out after 30 minutes without activity, with the GOV.UK timeout warning two minutes
before (web/static/app/timeout.js).

The server decides: each request of a signed-in user moves the session's `last_seen_at` on (at
most every TOUCH seconds, so a page costs no write; on the request's own connection, committed
at once: a second connection for it would let 15 requests at once after an idle spell take
every connection of the pool and wait for a second forever); a
session idle for longer than SESSION_IDLE_SECONDS is ended on the server, and the next request
goes to the sign-in page with "You were signed out". The warning's own questions (how long is
left? stay signed in) are answered by `web.core.auth`; asking how long is left is not activity.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request
from sqlalchemy import update

from web.core.db import get_db
from web.core.models import UserSession, utcnow

TOUCH = timedelta(seconds=30)
# Not activity: the warning asking how long is left, or signing out for it.
QUIET = frozenset({"auth.session_status", "auth.session_timeout", "static", "healthz"})


def idle_limit(app: Flask) -> timedelta:
    return timedelta(seconds=int(app.config.get("SESSION_IDLE_SECONDS", 1800)))


def warning_seconds(app: Flask) -> int:
    return int(app.config.get("SESSION_WARNING_SECONDS", 120))


def _write(row_id: int, **values: object) -> None:
    db = get_db()
    db.execute(
        update(UserSession).where(UserSession.id == row_id).values(**values),
        execution_options={"synchronize_session": False},
    )
    if not (db.new or db.dirty or db.deleted):  # as always: sign-in is checked before a page writes
        db.commit()


def still_active(row: UserSession) -> bool:
    """Whether the session is within its idle time (moved on if so); ended on the server if not."""
    idle = utcnow() - row.last_seen_at
    if idle > idle_limit(current_app):
        end(row)
        return False
    if idle > TOUCH and request.endpoint not in QUIET:
        keep(row)
    return True


def remaining() -> int:
    """Seconds this request's session has left before it is ended for inactivity."""
    row = g.get("user_session")
    if row is None:
        return 0
    left = idle_limit(current_app) - (utcnow() - row.last_seen_at)
    return max(int(left.total_seconds()), 0)


def keep(row: UserSession) -> None:
    """Activity now, whatever the last touch was."""
    now = utcnow()
    _write(row.id, last_seen_at=now)
    row.last_seen_at = now


def end(row: UserSession) -> None:
    """Ended for inactivity, on the server."""
    now = utcnow()
    _write(row.id, ended_at=now, end_reason="idle")
    row.ended_at, row.end_reason = now, "idle"
    g.session_ended = "idle"


def signed_out_message() -> str:
    minutes = int(idle_limit(current_app).total_seconds() // 60)
    return f"You were signed out because you were inactive for {minutes} minutes. Sign in again to continue."
