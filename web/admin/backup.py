"""Backing up the database, safe while the app is serving (restoring: `web.admin.restore`).

SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent snapshot
page by page while others read and write (copying the file of a live WAL database can lose
committed changes). PostgreSQL: `pg_dump --format=custom`. Either way the backup records its
migration revision, and is written beside its final name and renamed only once complete: a
full disk leaves no half-written backup.
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
from sqlalchemy.engine import URL, make_url

from web.core.db import make_engine, migration_config, schema_state

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason in plain English."""


def sqlite_connection(path: str, **kwargs: Any) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path, **kwargs))  # closed after, not just committed


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def pg_env(url: URL) -> tuple[dict[str, str], list[str]]:
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


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def run_tool(args: list[str], env: dict[str, str]) -> None:
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
    folder = file.parent if str(file.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"the folder {folder} does not exist: nothing was written")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}-", dir=folder)
    except OSError as e:
        raise BackupError(f"cannot write in {folder} ({e.strerror}): nothing was written") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if url.get_backend_name() == "sqlite":
            with sqlite_connection(str(sqlite_path(url))) as src, sqlite_connection(str(tmp)) as dest:
                src.backup(dest)
        else:
            env, schemas = pg_env(url)
            args = [tool("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}"]
            args += [f"--schema={s}" for s in schemas]
            run_tool(args, env)
        os.replace(tmp, file)
    except (OSError, sqlite3.Error) as e:  # e.g. the disk filled up while writing
        raise BackupError(f"could not write {file} ({e}): nothing was written") from None
    finally:
        tmp.unlink(missing_ok=True)
    return str(state.current)


def dump_revision(file: Path, env: dict[str, str]) -> str | None:
    """The migration revision a pg_dump file records, or None when it has none."""
    args = [tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)]
    listing = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    lines = listing.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("COPY ") and "alembic_version" in line]
    if not starts or starts[0] + 1 >= len(lines) or lines[starts[0] + 1] == "\\.":
        return None
    return lines[starts[0] + 1].strip()


def known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(migration_config()).get_revision(revision) is not None
    except CommandError:
        return False
