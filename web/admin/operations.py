"""What the operator runs from the command line (`planner db ...`, `planner users create`), on
DATABASE_URL (or the default SQLite file) without starting the app."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from web.core.accounts import AccountError, add_user
from web.core.db import MigrationFailed, make_engine, schema_state, upgrade
from web.core.site import disable_demo_logins, mode_of, set_mode


@dataclass(frozen=True, slots=True)
class Upgraded:
    before: str | None  # revision before (None: an empty database)
    after: str
    mode: str  # demo or live
    disabled: tuple[str, ...] = ()  # demo logins (password 'demo') found in a live database


def upgrade_database(url: str) -> Upgraded:
    """Run the migrations once (several at once take turns), mark a new database `live`, and
    deactivate any demo login a live database still holds."""
    engine = make_engine(url)
    try:
        before = schema_state(engine)
        if not before.reachable:
            raise AccountError("cannot reach the database: check DATABASE_URL and that the server runs")
        try:
            upgrade(engine)
        except MigrationFailed as e:
            at = before.current or "none"
            why = f"the migrations failed, so nothing was changed (still at revision {at}): {e}"
            raise AccountError(why) from None
        with Session(engine) as db:
            mode = set_mode(db, "live")
            disabled = disable_demo_logins(db)
            db.commit()
        return Upgraded(before.current, before.head, mode, tuple(disabled))
    finally:
        engine.dispose()


def create_user(url: str, username: str, role: str, password: str) -> None:
    """Add a user (the first administrator, say); AccountError when refused, nothing changed."""
    engine = make_engine(url)
    try:
        state = schema_state(engine)
        if not state.up_to_date:
            raise AccountError("the database is not ready: run planner db upgrade first")
        with Session(engine) as db:
            if mode_of(db) == "demo":
                raise AccountError(
                    "this database was made by planner serve --demo, whose users have the password 'demo': "
                    "make real users in a database of their own (set DATABASE_URL, run planner db upgrade)"
                )
            add_user(db, username, role, password)
            set_mode(db, "live")
            db.commit()
    finally:
        engine.dispose()
