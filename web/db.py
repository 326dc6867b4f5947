"""Engine, one session per request (closed on teardown), and migrations run at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from web import versions

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so concurrent writers wait, not fail."""
    if url.startswith("postgresql://"):
        # psycopg2 is not installed; psycopg 3 is (STACK.md).
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL
        cur.close()

    return engine


def upgrade(engine: Engine) -> None:
    """`alembic upgrade head` on `engine`, with the configuration built here (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    if app.config.get("MIGRATE_ON_START", True):
        upgrade(engine)
    app.extensions["planner_engine"] = engine
    sessions = sessionmaker(engine, expire_on_commit=False)
    versions.track(sessions)
    app.extensions["planner_sessions"] = sessions
    app.teardown_appcontext(close_db)


def get_db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        g.db = current_app.extensions["planner_sessions"]()
    session: Session = g.db
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()  # rolls back anything not committed


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["planner_engine"]
    return engine
