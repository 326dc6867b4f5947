"""Backing up and restoring the database, safe while the app is serving.

SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent snapshot
page by page while others read and write (copying the file of a live WAL database can lose
committed changes). PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean
--single-transaction`, so a restore replaces everything or nothing. Either way the backup
records its migration revision, and a restore refuses a backup newer than this code.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from web.core.db import head_revision, make_engine, migration_config, schema_state, upgrade

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason in plain English."""


def _sqlite(path: str, **kwargs: Any) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path, **kwargs))  # closed after, not just committed


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_env(url: URL) -> tuple[dict[str, str], list[str]]:
    """libpq settings from the SQLAlchemy URL (the password in the environment, never on the
    command line), and the schemas named by a `search_path` option, if any."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):  # fmt: skip
        if value is not None:
            env[key] = str(value)
    schemas: list[str] = []
    options = url.query.get("options")
    if options:
        text = options if isinstance(options, str) else " ".join(options)
        env["PGOPTIONS"] = text
        for part in text.split():
            if part.startswith("-csearch_path="):
                schemas = [s.strip() for s in part.split("=", 1)[1].split(",") if s.strip()]
    return env, schemas


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.returncode}")


def backup(database_url: str, file: Path) -> str:
    """Write a backup of the database to `file` (replaced only once complete); returns the
    backup's migration revision."""
    url = make_url(database_url)
    engine = make_engine(database_url)
    try:
        state = schema_state(engine)
        if not state.reachable:
            raise BackupError("cannot reach the database")
        if state.current is None:
            raise BackupError("the database is empty (no migrations have run): nothing to back up")
    finally:
        engine.dispose()
    file = Path(file)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}-", dir=file.parent or Path("."))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if url.get_backend_name() == "sqlite":
            with _sqlite(str(_sqlite_path(url))) as src, _sqlite(str(tmp)) as dest:
                src.backup(dest)
        else:
            env, schemas = _pg_env(url)
            args = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}"]
            args += [f"--schema={s}" for s in schemas]
            _run(args, env)
        os.replace(tmp, file)
    finally:
        tmp.unlink(missing_ok=True)
    return str(state.current)


def _backup_revision(file: Path, kind: str, env: dict[str, str] | None) -> str | None:
    if kind == "sqlite":
        with _sqlite(f"file:{file}?mode=ro", uri=True) as conn:
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                return None
        return str(row[0]) if row else None
    args = [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)]
    listing = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    lines = listing.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("COPY ") and "alembic_version" in line]
    if not starts or starts[0] + 1 >= len(lines) or lines[starts[0] + 1] == "\\.":
        return None
    return lines[starts[0] + 1].strip()


def restore(database_url: str, file: Path) -> str:
    """Replace the database's contents with the backup in `file`, then migrate it to this
    code's revision; returns the revision restored. Refuses a file of the wrong kind or a
    backup made by newer code."""
    url = make_url(database_url)
    file = Path(file)
    head = file.read_bytes()[:16] if file.is_file() else b""
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    wanted = SQLITE_MAGIC if kind == "sqlite" else PG_MAGIC
    if not head.startswith(wanted):
        what = "a SQLite database" if kind == "sqlite" else "a pg_dump custom-format file"
        raise BackupError(f"{file} is not {what} (the database is {kind}): nothing was changed")
    env, schemas = _pg_env(url) if kind == "postgresql" else (None, [])
    revision = _backup_revision(file, kind, env)
    if revision is None:
        raise BackupError(f"{file} holds no planner database (no migration revision): nothing was changed")
    if not _known_revision(revision):
        raise BackupError(f"{file} was made by a newer version of the planner (revision {revision}; this "
                          f"version knows up to {head_revision()}): upgrade the planner first")  # fmt: skip
    if kind == "sqlite":
        target = _sqlite_path(url)
        with _sqlite(f"file:{file}?mode=ro", uri=True) as src, _sqlite(str(target), timeout=30) as dest:
            src.backup(dest)  # takes the write lock: readers see the old or the new, never half
    else:
        assert env is not None
        args = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                f"--dbname={env.get('PGDATABASE', '')}"]  # fmt: skip
        args += [f"--schema={s}" for s in schemas]
        _run([*args, str(file)], env)
    engine: Engine = make_engine(database_url)
    try:
        upgrade(engine)  # a backup from an older version is brought up to date
    finally:
        engine.dispose()
    return revision


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(migration_config()).get_revision(revision) is not None
    except CommandError:
        return False
