"""`planner db restore` checks a backup in a copy before it touches anything, on SQLite and
PostgreSQL: a damaged backup, another application's database and a demo backup over a live
database are refused with the live database as it was (SQLite: byte for byte); `--force` lets a
demo backup in, and the running app then stops serving it; a backup of the previous release
restores over the upgraded database (a rollback) and is migrated; a full disk is exit 2 with
nothing half-written."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from upgrade_fixture import REAL_ADMIN, REAL_PASSWORD, previous_release
from web_support import EXAMPLE, ON, POSTGRES_URL, _postgres_schema

from planner.cli import cli
from planner.data.contract import load_folder
from web import create_app
from web.core import seed, serve, site
from web.core.db import engine_of, head_revision, make_engine

GOOD = "violet-harbour-lantern"


def _cli(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def live(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A live database with a real administrator, and DATABASE_URL pointing at it."""
    if empty_database.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    assert _cli("db", "upgrade").exit_code == 0
    assert (
        _cli("users", "create", "alex.admin", "--role", "admin", "--password-stdin", stdin=GOOD).exit_code
        == 0
    )
    return empty_database


def _state(url: str) -> object:
    """What a failed restore must leave as it was: every user and the revision; for SQLite the
    database file's bytes too."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = (sorted(conn.execute(text("SELECT username, active, password_hash FROM users")).all()),
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar())  # fmt: skip
    engine.dispose()
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return rows, hashlib.sha256(path.read_bytes()).hexdigest()
    return rows


@contextmanager
def _another(live: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A second database of the same engine as `live`."""
    if live.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/{name}.sqlite"
        return
    with _postgres_schema() as url:
        yield url


def _backup(tmp_path: Path, name: str = "good.backup") -> Path:
    file = tmp_path / name
    made = _cli("db", "backup", str(file))
    assert made.exit_code == 0, made.output
    return file


def _refused(file: Path, live: str, *words: str) -> None:
    before = _state(live)
    result = _cli("db", "restore", str(file))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "nothing was changed" in result.output and all(w in result.output for w in words), result.output
    assert _state(live) == before
    leftovers = [p.name for p in Path(live.removeprefix("sqlite:///")).parent.glob("*-restore-*")]
    assert leftovers == []


def test_a_backup_with_8_kb_of_noise_is_refused_and_the_live_database_is_untouched(live: str, tmp_path: Path):
    file = _backup(tmp_path)
    data = bytearray(file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = os.urandom(8192)
    file.write_bytes(bytes(data))
    _refused(file, live)


def test_another_applications_database_with_a_migration_row_is_refused(live: str, tmp_path: Path):
    if live.startswith("sqlite"):
        other = tmp_path / "other.sqlite"
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            conn.execute("INSERT INTO alembic_version VALUES ('0003')")
            conn.execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT)")
            conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        _refused(other, live, "is not a planner database")
        return
    schema = f"other_{uuid.uuid4().hex[:8]}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'CREATE TABLE "{schema}".alembic_version (version_num VARCHAR(32) NOT NULL)'))
        conn.execute(text(f"INSERT INTO \"{schema}\".alembic_version VALUES ('0003')"))
        conn.execute(text(f'CREATE TABLE "{schema}".widgets (id INTEGER PRIMARY KEY)'))
    try:
        dump = tmp_path / "other.backup"
        url = engine.url
        env = dict(os.environ, PGHOST=str(url.host), PGPORT=str(url.port), PGUSER=str(url.username),
                   PGPASSWORD=str(url.password), PGDATABASE=str(url.database))  # fmt: skip
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}"], env=env, check=True
        )
        _refused(dump, live, "is not a planner database")
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_a_backup_from_newer_code_is_refused(live: str, tmp_path: Path):
    file = _backup(tmp_path)
    if not live.startswith("sqlite"):
        pytest.skip("the revision is read from a pg_dump file as the other tests show")
    with sqlite3.connect(file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    _refused(file, live, "newer version of the planner")


def test_a_demo_backup_never_replaces_a_live_database_unless_forced(
    live: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    with _another(live, tmp_path, "demo") as demo_url:
        monkeypatch.setenv("DATABASE_URL", demo_url)
        monkeypatch.setattr(seed, "demo_dataset", lambda on: (load_folder(EXAMPLE), "example"))
        engine_of(serve.prepare("127.0.0.1", 5000, demo=True, on=ON).app).dispose()
        demo_backup = _backup(tmp_path, "demo.backup")
    monkeypatch.setenv("DATABASE_URL", live)
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "WTF_CSRF_ENABLED": False, "DATABASE_URL": live,
                      "RESUME_SCENARIO_RUNS": False})  # fmt: skip
    try:
        assert app.test_client().get("/login").status_code == 200
        _refused(demo_backup, live, "is a backup of a demo database", "--force")
        forced = _cli("db", "restore", str(demo_backup), "--force")
        assert forced.exit_code == 0, forced.output
        monkeypatch.setattr(site, "RECHECK_SECONDS", 0.0)  # rather than wait for the app's next look
        page = app.test_client().get("/login")
        assert page.status_code == 503 and "made by planner serve --demo" in page.get_data(as_text=True)
    finally:
        engine_of(app).dispose()


def test_the_previous_releases_backup_restores_over_the_upgraded_database(
    live: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A rollback: the backup taken before the upgrade, restored and migrated again."""
    with _another(live, tmp_path, "old") as old_url:
        previous_release(old_url)
        monkeypatch.setenv("DATABASE_URL", old_url)
        old = _backup(tmp_path, "previous-release.backup")
    monkeypatch.setenv("DATABASE_URL", live)
    restored = _cli("db", "restore", str(old))
    assert restored.exit_code == 0, restored.output
    assert "backup revision 0002, now up to date" in restored.output
    engine = make_engine(live)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        users = dict(conn.execute(text("SELECT username, active FROM users")).all())
        assert conn.execute(text("SELECT COUNT(*) FROM placements")).scalar() == 1
    engine.dispose()
    assert users == {
        "officer": False,
        "commissioner": False,
        "analyst": False,
        "admin": False,
        REAL_ADMIN: True,
    }
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "WTF_CSRF_ENABLED": False, "DATABASE_URL": live,
                      "RESUME_SCENARIO_RUNS": False})  # fmt: skip
    try:
        login = app.test_client().post("/login", data={"username": REAL_ADMIN, "password": REAL_PASSWORD})
        assert login.status_code == 302
        assert (
            app.test_client().post("/login", data={"username": "admin", "password": "demo"}).status_code
            == 400
        )
    finally:
        engine_of(app).dispose()


class _FullDisk:
    """A SQLite connection whose copy stops as a full disk stops it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def backup(self, dest: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> object:
        return getattr(self.conn, name)


def test_backup_and_restore_on_a_full_disk_are_exit_2_with_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from web.admin import backup, restore

    url = f"sqlite:///{tmp_path}/live/planner.sqlite"
    (tmp_path / "live").mkdir()
    monkeypatch.setenv("DATABASE_URL", url)
    assert _cli("db", "upgrade").exit_code == 0
    good = _backup(tmp_path)
    full = lambda path, **kw: _FullDisk(sqlite3.connect(path, **kw))  # noqa: E731
    monkeypatch.setattr(backup, "sqlite_connection", full)
    failed = _cli("db", "backup", str(tmp_path / "new.backup"))
    assert (
        failed.exit_code == 2 and "disk is full" in failed.output and "nothing was written" in failed.output
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.backup", "live"]
    monkeypatch.setattr(restore, "sqlite_connection", full)
    _refused(good, url, "disk is full")
    assert "Traceback" not in failed.output
