"""Engine, one session per request (closed on teardown), and migrations.

Migrations run once, by `planner db upgrade` (or `planner serve`, a single process): never by
the workers of a production server as they start, where several would race each other. Until
the database is at the newest revision the app answers 503 (`schema_state`, `/healthz`).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from web.core import versions

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30


def database_url() -> str:
    """DATABASE_URL, or the SQLite file `create_app` uses by default (in the instance folder)."""
    from planner.data.settings import Settings

    url = Settings.from_env().database_url
    if url:
        return url
    instance = Flask("web", instance_relative_config=True).instance_path
    os.makedirs(instance, exist_ok=True)
    return f"sqlite:///{instance}/planner.sqlite"


def shown_url(url: str) -> str:
    """`url` with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


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


def migration_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@cache  # the migrations a running app has do not change; reading them takes a while
def head_revision() -> str:
    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    assert head is not None
    return head


class MigrationFailed(RuntimeError):
    """The migrations could not run; nothing they did is kept (the database is as it was)."""


def upgrade(engine: Engine) -> None:
    """`alembic upgrade head` on `engine`, with the configuration built here (no alembic.ini),
    all in one transaction: a migration that fails leaves the database as it was, and a retry
    starts again from there (MigrationFailed says why).

    On PostgreSQL an advisory lock makes two upgrades at once take turns (the second finds
    nothing to do); SQLite's write lock, taken first, does the same there."""
    cfg = migration_config()
    try:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            _upgrade_sqlite(engine, cfg)
            return
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (SQLAlchemyError, CommandError) as e:
        raise MigrationFailed(_reason(e)) from e


def _reason(e: Exception) -> str:
    orig = getattr(e, "orig", None)
    return " ".join(str(orig or e).split())[:300]


def _upgrade_sqlite(engine: Engine, cfg: Config) -> None:
    """Alembic's batch recipe for SQLite, on a connection of its own. Batch mode copies a table
    and drops the old one, which fails with foreign keys on once other rows refer to it, so they
    are off (SQLite only allows that outside a transaction) and `foreign_key_check` runs before
    the commit instead. pysqlite runs DDL outside any transaction unless told otherwise, which
    once left half a migration (and an `_alembic_tmp_` table) behind: here every statement runs
    in one explicit transaction, taken with the write lock."""
    migrator = create_engine(engine.url, connect_args={"timeout": SQLITE_BUSY_SECONDS}, poolclass=NullPool)

    @event.listens_for(migrator, "connect")
    def _autocommit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # pysqlite issues no BEGIN or COMMIT of its own
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")
        dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")

    @event.listens_for(migrator, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with _sqlite_lock(migrator), migrator.begin() as conn:
            _drop_leftovers(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                table, row, parent = broken[0][0], broken[0][1], broken[0][2]
                raise MigrationFailed(
                    f"{len(broken)} row(s) would refer to rows that do not exist (e.g. {table} row {row} "
                    f"to {parent}): nothing was changed"
                )
    finally:
        migrator.dispose()


def _drop_leftovers(conn: Any) -> None:
    """Tables a batch migration left behind when DDL was not yet in its transaction (an older
    release): never data, only a copy that was never finished; a retry would stop on them."""
    names = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_alembic\\_tmp\\_%' ESCAPE '\\'"
    ).scalars()
    for name in list(names):
        conn.exec_driver_sql(f'DROP TABLE "{name}"')


@contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on a file beside a SQLite database while it is migrated (SQLite takes
    its own write lock only at the first write, after the check of what to do)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


MIGRATION_LOCK = 0x706C616E  # any constant shared by every upgrade of this app ("plan")


@dataclass(frozen=True, slots=True)
class SchemaState:
    reachable: bool
    current: str | None  # the database's revision; None when it has none (empty)
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """Whether the database answers, and its revision against the code's newest."""
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError:
        return SchemaState(False, None, head_revision())
    return SchemaState(True, current, head_revision())


RECHECK_SECONDS = 5.0
_SCHEMA_LOCK = threading.Lock()


def schema_ready(app: Flask) -> bool:
    """Whether the database is migrated, asked of it at most every RECHECK_SECONDS until it is
    (then once is enough: a running app's code does not change)."""
    ext = app.extensions
    if ext.get("planner_schema_ready"):
        return True
    with _SCHEMA_LOCK:  # one thread asks; the others wait for its answer rather than guess
        if ext.get("planner_schema_ready"):
            return True
        if time.monotonic() - ext.get("planner_schema_checked", -RECHECK_SECONDS) < RECHECK_SECONDS:
            return False
        state = schema_state(ext["planner_engine"])
        ext["planner_schema_ready"], ext["planner_schema_reachable"] = state.up_to_date, state.reachable
        ext["planner_schema_checked"] = time.monotonic()
        return bool(ext["planner_schema_ready"])


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    if app.config.get("MIGRATE_ON_START"):  # tests only: deployments run `planner db upgrade`
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


def exclusive(db: Session, key: int | None = None, *, row: Any = None) -> None:
    """Serialise this transaction with every other one asking for the same thing, until it ends:
    on PostgreSQL an advisory lock on `key` (or a row lock on the `row` query, SELECT ... FOR
    UPDATE); on SQLite, which has one writer at a time, its write lock taken now, before anything
    is read, so what is read next is what the previous writer committed."""
    conn = db.connection()
    if conn.dialect.name == "postgresql":
        if row is not None:
            db.execute(row.with_for_update())
        if key is not None:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return
    raw = conn.connection.driver_connection
    if raw is not None and not raw.in_transaction:  # nothing written yet in this transaction
        raw.execute("BEGIN IMMEDIATE")


def lock_people(db: Session, person_ids: list[str] | None = None) -> None:
    """Serialise on young people's rows (all of them with None), before anything else is locked
    or read for a change: the ledger's decisions lock the person they are about, imports and
    matching runs lock everyone. Locks are always taken in one order, so two writers never wait
    for each other in a circle: an advisory lock (one import or matching run at a time), then
    people by person_id, then the scheme, then placements and proposals; the data version last,
    at the commit. On PostgreSQL SELECT ... FOR UPDATE; on SQLite its one write lock."""
    from web.core.models import YoungPerson

    if db.connection().dialect.name != "postgresql":
        exclusive(db)
        return
    query = select(YoungPerson.person_id).order_by(YoungPerson.person_id).with_for_update()
    if person_ids is not None:
        query = query.where(YoungPerson.person_id.in_(sorted(set(person_ids))))
    db.execute(query).all()


# SQLSTATEs (PostgreSQL) and messages (SQLite) of what is not the request's fault.
_CONFLICT_STATES = {"40P01", "40001", "55P03"}  # deadlock, serialisation failure, lock not available
_STORAGE_STATES = {"53100"}  # disk full
_DOWN_STATES = {"57P01", "57P02", "57P03"}  # shut down, crashed, starting up


def trouble(e: DBAPIError) -> str | None:
    """What went wrong with the database, when it is not the request's fault: `conflict` (two
    writers crossed: try again), `storage` (its disk is full or read-only), `unreachable`; None
    for anything else (a bug, a constraint)."""
    orig = e.orig
    state = str(getattr(orig, "sqlstate", "") or "")
    message = str(orig).lower()
    if state in _CONFLICT_STATES or "database is locked" in message:
        return "conflict"
    if state in _STORAGE_STATES or "disk is full" in message or "readonly database" in message:
        return "storage"
    down = state[:2] == "08" or state in _DOWN_STATES
    if down or e.connection_invalidated or isinstance(e, InterfaceError):
        return "unreachable"
    psycopg = "psycopg" in type(orig).__module__
    if isinstance(e, OperationalError) and psycopg and not state:
        return "unreachable"  # it could not connect at all: no SQLSTATE without a server
    return None
