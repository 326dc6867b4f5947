"""Restoring a backup: into a copy first, checked and migrated there, then swapped in whole.

The copy is a file beside a SQLite database, or a scratch database on the PostgreSQL server.
There the backup must pass SQLite's integrity check, be this planner's database (its tables, at
a revision this code knows, exactly the schema once migrated), and not be a demo database about
to replace a live one (unless forced); it is migrated to this code's revision and its data
version moved past the live one's (so nothing worked out from the live data is taken for it).
Only then is it swapped in: SQLite's backup API copies it into the live file under the write
lock (readers see the old or the new, never half), PostgreSQL's `pg_restore --single-transaction`
replaces the live tables in one transaction. Anything failing before leaves the live database
as it was, byte for byte.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from web.admin.backup import (
    PG_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    dump_revision,
    known_revision,
    pg_env,
    run_tool,
    sqlite_connection,
    sqlite_path,
    tool,
)
from web.core.db import MigrationFailed, head_revision, make_engine, upgrade
from web.core.models import Base
from web.core.site import disable_demo_logins, mode_of

# Tables every revision of the planner has had, from the first.
CORE_TABLES = frozenset({"users", "young_people", "schemes", "placements", "proposals", "audit_events"})


def restore(database_url: str, file: Path, *, force: bool = False) -> str:
    """Replace the database's contents with the backup in `file`, migrated to this code's
    revision; returns the backup's revision. BackupError, with nothing changed, for a file that is
    not a sound backup of this planner, one from newer code, or a demo backup over a live
    database (unless `force`)."""
    url = make_url(database_url)
    file = Path(file)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    head = file.read_bytes()[:16] if file.is_file() else b""
    if not head.startswith(SQLITE_MAGIC if kind == "sqlite" else PG_MAGIC):
        what = "a SQLite database" if kind == "sqlite" else "a pg_dump custom-format file"
        raise BackupError(f"{file} is not {what} (the database is {kind}): nothing was changed")
    restore_into = _restore_sqlite if kind == "sqlite" else _restore_postgresql
    return restore_into(url, file, force)


def _refuse(message: str) -> BackupError:
    return BackupError(f"{message}: nothing was changed")


def _check_revision(revision: str | None, file: Path) -> str:
    if revision is None:
        raise _refuse(f"{file} holds no planner database (no migration revision)")
    if not known_revision(revision):
        known = head_revision()
        raise _refuse(
            f"{file} was made by a newer version of the planner, or is not the planner's (revision "
            f"{revision}; this version knows up to {known}): upgrade the planner first"
        )
    return revision


def _prepare(copy: Engine, live: Engine, file: Path, force: bool) -> None:
    """Check and migrate the copy of the backup; it is swapped in only if this returns."""
    with copy.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    if missing := CORE_TABLES - tables:
        raise _refuse(f"{file} is not a planner database (no table {', '.join(sorted(missing))})")
    try:
        upgrade(copy)
    except MigrationFailed as e:
        raise _refuse(f"{file} could not be brought up to this version's revision ({e})") from None
    with copy.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")  # SQLite cannot reflect lower(name)
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    if diff:
        raise _refuse(f"{file} is not this planner's database once migrated ({len(diff)} differences, "
                      f"e.g. {str(diff[0])[:120]})")  # fmt: skip
    with Session(copy) as db, Session(live) as now:
        backup_mode, live_mode = mode_of(db), _live_mode(now)
        if backup_mode == "demo" and live_mode == "live" and not force:
            raise _refuse(
                f"{file} is a backup of a demo database (made by planner serve --demo: synthetic people, "
                "users with the password 'demo') and this database is live. Restore a backup of this "
                "service instead, or add --force if the demo is really meant to replace it"
            )
        if backup_mode == "live":
            disable_demo_logins(db)
        version = max(_data_version(db), _data_version(now)) + 1
        db.execute(text("DELETE FROM data_version"))
        db.execute(text("INSERT INTO data_version (id, version, changed_at) "
                        "VALUES (1, :v, CURRENT_TIMESTAMP)"), {"v": version})  # fmt: skip
        db.commit()


def _live_mode(db: Session) -> str | None:
    try:
        return mode_of(db)
    except SQLAlchemyError:  # an empty database, or one from before the mode was recorded
        db.rollback()
        return None


def _data_version(db: Session) -> int:
    try:
        return int(db.scalar(text("SELECT MAX(version) FROM data_version")) or 0)
    except SQLAlchemyError:
        db.rollback()
        return 0


@contextmanager
def _engine(url: str | URL) -> Iterator[Engine]:
    engine = make_engine(url if isinstance(url, str) else url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()


def _restore_sqlite(url: URL, file: Path, force: bool) -> str:
    target = sqlite_path(url)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}-restore-", dir=target.parent)
    os.close(fd)
    copy = Path(name)
    try:
        try:
            source = sqlite_connection(f"file:{file}?mode=ro", uri=True)
            with source as src, sqlite_connection(str(copy)) as dest:
                src.backup(dest)
                problems = [r[0] for r in dest.execute("PRAGMA integrity_check").fetchall()]
                if problems != ["ok"]:
                    raise _refuse(f"{file} is damaged (SQLite's integrity check: {'; '.join(problems[:3])})")
                revision = _check_revision(_version_in(dest), file)
        except sqlite3.Error as e:
            raise _refuse(f"{file} cannot be read as a database ({e})") from None
        with _engine(f"sqlite:///{copy}") as checked, _engine(url) as live:
            _prepare(checked, live, file, force)
        try:
            with sqlite_connection(str(copy)) as src, sqlite_connection(str(target), timeout=30) as dest:
                src.backup(dest)  # takes the write lock: readers see the old or the new, never half
        except sqlite3.Error as e:
            raise _refuse(f"the restored copy could not be written into {target} ({e})") from None
        return revision
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), Path(f"{copy}.migrate-lock")):
            leftover.unlink(missing_ok=True)


def _version_in(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _restore_postgresql(url: URL, file: Path, force: bool) -> str:
    env, schemas = pg_env(url)
    revision = _check_revision(dump_revision(file, env), file)
    backed_up, wanted = _schema_of(file, env), (schemas[:1] or ["public"])[0]
    scratch = f"planner_restore_{uuid.uuid4().hex[:12]}"
    _create(url, scratch)
    try:
        scratch_url = url.set(database=scratch)
        scratch_env = env | {"PGDATABASE": scratch}
        run_tool([tool("pg_restore"), "--no-owner", f"--dbname={scratch}", str(file)], scratch_env)
        if backed_up != wanted:  # a backup of another schema (another service's, a test's): moved here
            with _engine(url.set(database=scratch, query={})) as moving, moving.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{wanted}" CASCADE'))
                conn.execute(text(f'ALTER SCHEMA "{backed_up}" RENAME TO "{wanted}"'))
        with _engine(scratch_url) as checked, _engine(url) as live:
            _prepare(checked, live, file, force)
        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / "checked.backup"
            args = [tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}"]
            run_tool(args + [f"--schema={s}" for s in schemas], scratch_env)
            args = [tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={env.get('PGDATABASE', '')}"]  # fmt: skip
            run_tool(args + [f"--schema={s}" for s in schemas] + [str(dump)], env)
        return revision
    finally:
        _drop(url, scratch)


def _schema_of(file: Path, env: dict[str, str]) -> str:
    """The one schema holding the planner's tables in a pg_dump file (from its list of contents)."""
    listing = subprocess.run([tool("pg_restore"), "--list", str(file)], env=env, capture_output=True,
                             text=True, check=False)  # fmt: skip
    found = {parts[5] for line in listing.stdout.splitlines() if len(parts := line.split()) > 6
             and parts[3] == "TABLE" and parts[6] in CORE_TABLES}  # fmt: skip
    if len(found) != 1:
        what = f"none of {', '.join(sorted(CORE_TABLES))}" if not found else f"in {len(found)} schemas"
        raise _refuse(f"{file} is not a planner database ({what})")
    return found.pop()


def _server(url: URL) -> Engine:
    engine = make_engine(url.render_as_string(hide_password=False))
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _create(url: URL, name: str) -> None:
    engine = _server(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as e:
        raise _refuse(
            "a restore checks the backup in a scratch database first, and the database role may not make one "
            f"(grant it: ALTER ROLE {url.username} CREATEDB): {' '.join(str(getattr(e, 'orig', e)).split())}"
        ) from None
    finally:
        engine.dispose()


def _drop(url: URL, name: str) -> None:
    engine = _server(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
