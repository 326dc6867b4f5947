"""Demo or live: a database made by `planner serve --demo` (synthetic people, the well-known
password `demo`) is never served for real, and demo mode never touches a real database.

The mode is recorded once, in the `site` table, by whatever first uses an empty database:
`planner serve --demo` marks it `demo`; `planner db upgrade`, `planner serve` and
`planner users create` mark it `live`. The checks read the database before changing anything.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from web.core.accounts import end_sessions
from web.core.models import ROLES, AuditEvent, Site, User

DEMO_PASSWORD = "demo"
DEMO_DATABASE = (
    "this database was made by planner serve --demo: its people are synthetic and its users "
    "have the well-known password 'demo', so it is only served with --demo. For real use, set "
    "DATABASE_URL to a new database, run planner db upgrade and planner users create"
)


def mode_of(db: Session) -> str | None:
    """`demo`, `live`, or None for a database nobody has used yet."""
    return db.scalar(select(Site.mode).where(Site.id == 1))


def set_mode(db: Session, mode: str) -> str:
    """Record `mode` unless one is recorded already; returns the recorded one (caller commits).
    Two processes may both read none (two `planner db upgrade` at once): the one whose insert
    loses keeps the winner's mode rather than failing."""
    recorded = mode_of(db)
    if recorded is not None:
        return recorded
    try:
        with db.begin_nested():
            db.add(Site(id=1, mode=mode))
    except IntegrityError:
        return mode_of(db) or mode
    return mode


def disable_demo_logins(db: Session) -> list[str]:
    """In a live database, the demo's own logins are deactivated (caller commits): one of the four
    role names with the password 'demo', as `planner serve --demo` made them before the mode was
    recorded, which an upgrade of such a database once carried into live use. Their sessions end
    and each is in the audit log; returns their names."""
    if mode_of(db) != "live":
        return []
    disabled = []
    for user in db.scalars(select(User).where(User.username.in_(ROLES) | User.is_demo).order_by(User.id)):
        if user.active and (user.is_demo or check_password_hash(user.password_hash, DEMO_PASSWORD)):
            user.active, user.is_demo = False, True
            end_sessions(db, user.id, "deactivated")
            db.add(AuditEvent(action="user_changed", username="", detail=(
                f"{user.username} deactivated by planner db upgrade: a demo login with the password "
                "'demo' in a live database")))  # fmt: skip
            disabled.append(user.username)
    return disabled


def _recorded_mode(engine: Engine) -> tuple[set[str], str | None]:
    tables = set(inspect(engine).get_table_names())
    if "site" not in tables:
        return tables, None
    with engine.connect() as conn:
        return tables, conn.execute(text("SELECT mode FROM site WHERE id = 1")).scalar()


def demo_refusal(engine: Engine) -> str | None:
    """Why `planner serve --demo` must not use this database (it would reset the demo users'
    passwords and reactivate them), or None. Reads only; changes nothing."""
    tables, mode = _recorded_mode(engine)
    if mode == "live":
        return "it was set up for real use, not by planner serve --demo"
    if "users" not in tables:
        return None  # empty: demo mode may make it
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    query = "SELECT username, password_hash" + (", is_demo" if "is_demo" in columns else "") + " FROM users"
    with engine.connect() as conn:
        users = conn.execute(text(query)).all()
        people = conn.execute(text("SELECT COUNT(*) FROM young_people")).scalar() if not users else 0

    def made_by_demo(row: tuple[object, ...]) -> bool:
        if "is_demo" in columns:
            return bool(row[2])
        # Made before the mode was recorded: the demo's own logins with the demo's password.
        return row[0] in ROLES and check_password_hash(str(row[1]), DEMO_PASSWORD)

    others = sorted(str(u[0]) for u in users if not made_by_demo(tuple(u)))
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        return f"it holds {len(others)} user{'s' if len(others) > 1 else ''} not made by demo mode ({shown})"
    if mode is None and people:
        return "it holds young people loaded outside demo mode"
    return None


def live_refusal(engine: Engine) -> str | None:
    """Why this database must not be served outside demo mode (it was made by demo mode), or
    None. A database not migrated yet has no mode, and is not refused here."""
    try:
        _, mode = _recorded_mode(engine)
    except SQLAlchemyError:
        return None  # unreachable now: /healthz and the 503 page say so
    return DEMO_DATABASE if mode == "demo" else None


RECHECK_SECONDS = 5.0


def mode_refusal(app: Flask) -> str | None:
    """Why this app must not serve its database now, asked of the database at most every
    RECHECK_SECONDS: a restore may have swapped in a demo database under a live service (or a
    live one under the demo) since it started."""
    from web.core.db import engine_of

    ext = app.extensions
    if time.monotonic() - ext.get("planner_mode_checked", -RECHECK_SECONDS) >= RECHECK_SECONDS:
        try:
            _, mode = _recorded_mode(engine_of(app))
        except SQLAlchemyError:
            mode = None  # unreachable: the schema check and /healthz say so
        ext["planner_mode"], ext["planner_mode_checked"] = mode, time.monotonic()
    mode = ext.get("planner_mode")
    if not app.config["DEMO"] and mode == "demo":
        return DEMO_DATABASE
    if app.config["DEMO"] and mode == "live":
        return "this database was set up for real use since demo mode started: demo mode does not serve it"
    return None
