"""User names are one whatever their case, on SQLite and PostgreSQL: `planner users create`
refuses a case twin (exit 2), creates made at the same moment give one winner and a clear
message (never a traceback), sign-in finds the name in any case, and an upgrade renames the
twins an older release let in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from upgrade_fixture import migrate_to

from planner.cli import cli
from web import create_app
from web.core.db import engine_of, make_engine

GOOD = "violet-harbour-lantern"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    return empty_database


def _names(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = sorted(conn.execute(text("SELECT username FROM users")).scalars())
    engine.dispose()
    return names


def _create(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", "users", "create", name, "--role", "officer", "--password-stdin"],
        input=GOOD + "\n", capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip


def test_users_create_refuses_a_name_that_differs_only_in_case(database: str):
    made = CliRunner().invoke(cli, ["users", "create", "Sam.Jones", "--role", "officer", "--password-stdin"],
                              input=GOOD)  # fmt: skip
    assert made.exit_code == 0, made.output
    twin = CliRunner().invoke(cli, ["users", "create", "sam.jones", "--role", "admin", "--password-stdin"],
                              input=GOOD)  # fmt: skip
    assert twin.exit_code == 2 and "Traceback" not in twin.output
    assert "already a user called Sam.Jones" in twin.output
    assert _names(database) == ["Sam.Jones"]


def test_users_created_at_the_same_moment_give_one_winner_and_a_clear_message(database: str):
    names = ["sam", "Sam", "SAM", "sAm", "saM", "SAm"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "planner", "users", "create", n, "--role", "officer", "--password-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )  # fmt: skip
        for n in names
    ]
    results = [p.communicate(GOOD + "\n", timeout=180) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 2, 2, 2, 2, 2], results
    for (out, err), code in zip(results, codes, strict=True):
        assert "Traceback" not in out + err
        if code == 2:
            assert "already a user called" in err
    assert len(_names(database)) == 1


def test_sign_in_finds_the_name_whatever_its_case(database: str):
    assert _create("Jo.Smith").returncode == 0
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "WTF_CSRF_ENABLED": False, "DATABASE_URL": database,
                      "RESUME_SCENARIO_RUNS": False})  # fmt: skip
    try:
        signed = app.test_client().post("/login", data={"username": "jo.smith", "password": GOOD})
        assert signed.status_code == 302
    finally:
        engine_of(app).dispose()


def test_the_upgrade_renames_case_twins_an_older_release_let_in(empty_database: str):
    migrate_to(empty_database, "0007")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        for i, name in enumerate(["Alex", "alex", "ALEX", "jo"], start=1):
            conn.execute(text("INSERT INTO users (id, username, password_hash, role, active, created_at, "
                              "is_demo) VALUES (:i, :n, 'x', 'officer', true, CURRENT_TIMESTAMP, false)"),
                         {"i": i, "n": name})  # fmt: skip
    engine.dispose()
    migrate_to(empty_database, "0009")
    assert _names(empty_database) == ["ALEX-3", "Alex", "alex-2", "jo"]
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        details = list(conn.execute(text("SELECT detail FROM audit_events ORDER BY id")).scalars())
    engine.dispose()
    assert [d.split(" by ")[0] for d in details] == ["alex renamed alex-2", "ALEX renamed ALEX-3"]
