"""`planner db upgrade` from the previous release's database (revision 0002, the demo used for
real: demo logins, a real administrator, sign-ins, placements, audit rows), on SQLite and
PostgreSQL: everything kept, the demo logins never sign in to the live service, and a failed
upgrade leaves the database as it was, so that a retry works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text
from upgrade_fixture import (
    AUDIT_ROWS,
    DEMO_LOGINS,
    PREVIOUS,
    REAL_ADMIN,
    REAL_PASSWORD,
    count,
    previous_release,
)

from planner.cli import cli
from web import create_app
from web.core.db import engine_of, head_revision


@pytest.fixture
def previous(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    previous_release(empty_database)
    return empty_database


def _app(url: str) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "s", "WTF_CSRF_ENABLED": False, "DATABASE_URL": url,
                       "RESUME_SCENARIO_RUNS": False})  # fmt: skip


def _signs_in(app: Flask, name: str, password: str) -> bool:
    return app.test_client().post("/login", data={"username": name, "password": password}).status_code == 302


def test_upgrade_from_the_previous_release_keeps_everything_and_disables_the_demo_logins(previous: str):
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"from revision {PREVIOUS} to {head_revision()}" in result.output
    assert "Deactivated the demo logins officer, commissioner, analyst, admin" in result.output
    app = _app(previous)
    try:
        engine = engine_of(app)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT mode FROM site")).scalar() == "live"
            users = dict(conn.execute(text("SELECT username, active FROM users")).all())
        assert users == {**dict.fromkeys(DEMO_LOGINS, False), REAL_ADMIN: True}
        assert count(engine, "placements") == 1 and count(engine, "proposals") == 1
        assert count(engine, "young_people") == 2 and count(engine, "schemes") == 1
        # Every sign-in and decision kept, and one entry more for each demo login deactivated.
        assert count(engine, "audit_events") == AUDIT_ROWS + len(DEMO_LOGINS)
        for name in DEMO_LOGINS:
            assert not _signs_in(app, name, "demo")
        assert _signs_in(app, REAL_ADMIN, REAL_PASSWORD)
        # A second upgrade has nothing to do and finds nothing more to deactivate.
        again = CliRunner().invoke(cli, ["db", "upgrade"])
        assert again.exit_code == 0 and "is up to date" in again.output and "Deactivated" not in again.output
    finally:
        engine_of(app).dispose()


def test_a_live_service_never_signs_in_the_demo_password_even_before_the_upgrade_deactivates_it(
    previous: str,
):
    """A database upgraded by the previous release's migrations kept the demo logins active:
    the sign-in itself refuses them."""
    from web.core.db import make_engine, upgrade

    engine = make_engine(previous)
    upgrade(engine)  # the migrations alone, as the previous release ran them
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO site (id, mode, created_at) SELECT 1, 'live', CURRENT_TIMESTAMP "
                          "WHERE NOT EXISTS (SELECT 1 FROM site)"))  # fmt: skip
        assert conn.execute(text("SELECT COUNT(*) FROM users WHERE active AND username = 'admin'")).scalar()
    engine.dispose()
    app = _app(previous)
    try:
        assert not _signs_in(app, "admin", "demo")
        assert _signs_in(app, REAL_ADMIN, REAL_PASSWORD)
    finally:
        engine_of(app).dispose()


def _schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())


def _sqlite_previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "planner.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    previous_release(f"sqlite:///{path}")
    return path


def test_a_failed_sqlite_upgrade_leaves_the_database_as_it_was_and_a_retry_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = _sqlite_previous(tmp_path, monkeypatch)
    with sqlite3.connect(path) as conn:  # a failure after several migrations' table copies
        conn.execute("CREATE TRIGGER fail BEFORE UPDATE ON alembic_version WHEN NEW.version_num = '0006' "
                     "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END")  # fmt: skip
    before = _schema(path)
    failed = CliRunner().invoke(cli, ["db", "upgrade"])
    assert failed.exit_code == 2 and "Traceback" not in failed.output
    assert "nothing was changed (still at revision 0002)" in failed.output
    assert "simulated failure" in failed.output
    assert _schema(path) == before  # no _alembic_tmp_ table, no half-made column
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(PREVIOUS,)]
        conn.execute("DROP TRIGGER fail")
    retried = CliRunner().invoke(cli, ["db", "upgrade"])
    assert retried.exit_code == 0, retried.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT COUNT(*) FROM audit_events").fetchone() == (AUDIT_ROWS + 4,)


def test_a_sqlite_database_left_half_migrated_by_the_previous_release_upgrades(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The previous release's failed runs left an `_alembic_tmp_` table behind, on which every
    retry stopped."""
    path = _sqlite_previous(tmp_path, monkeypatch)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE _alembic_tmp_young_people (person_id VARCHAR(64) NOT NULL)")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert not [n for n in names if n.startswith("_alembic_tmp_")]
