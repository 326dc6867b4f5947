"""Demo databases and real ones are never mixed up, and the first administrator is made with
`planner users create`: SQLite and PostgreSQL, each test on a database of its own."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from web_support import EXAMPLE, ON

from planner.cli import cli
from planner.data.contract import load_folder
from web.core import seed, serve, site
from web.core.db import make_engine
from web.core.models import Site, User

GOOD = "violet-harbour-lantern"


@pytest.fixture
def database(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL for a new, empty database (a PostgreSQL schema of its own)."""
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setattr(seed, "demo_dataset", lambda on: (load_folder(EXAMPLE), "example"))
    return empty_database


def _users(url: str) -> dict[str, tuple[str, bool, str]]:
    engine = make_engine(url)
    with Session(engine) as db:
        found = {u.username: (u.password_hash, u.active, u.role) for u in db.scalars(select(User))}
    engine.dispose()
    return found


def _cli(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_the_first_admin_is_made_with_users_create_after_db_upgrade(database):
    assert _cli("users", "create", "alex", "--role", "admin", "--password-stdin", stdin=GOOD).exit_code == 2
    upgraded = _cli("db", "upgrade")
    assert upgraded.exit_code == 0 and "Upgraded" in upgraded.output and "test-secret" not in upgraded.output
    made = _cli("users", "create", "alex", "--role", "admin", "--password-stdin", stdin=GOOD + "\n")
    assert made.exit_code == 0, made.output
    assert _users(database)["alex"][2] == "admin"
    app = serve.prepare("127.0.0.1", 5000, demo=False, on=ON).app
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.test_client().post("/login", data={"username": "alex", "password": GOOD}).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567890", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("Winter2026!!", "too easy to guess"),
        ("violet\x00harbour-lantern", "control character"),
        ("alex-was-here-1", "username"),
    ],
)
def test_users_create_refuses_weak_passwords_with_exit_2_and_creates_nobody(database, password, message):
    _cli("db", "upgrade")
    result = _cli("users", "create", "alex", "--role", "admin", "--password-stdin", stdin=password)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert "alex" not in _users(database)


def test_users_create_asks_for_the_password_twice_without_password_stdin(database):
    _cli("db", "upgrade")
    result = _cli("users", "create", "sam", "--role", "officer", stdin=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0 and "Created sam (officer)" in result.output
    assert GOOD not in result.output


def test_serve_demo_refuses_a_live_database_and_changes_nothing_in_it(database):
    _cli("db", "upgrade")
    _cli("users", "create", "admin", "--role", "admin", "--password-stdin", stdin=GOOD)
    before = _users(database)
    result = _cli("serve", "--demo", "--port", "5991")
    assert result.exit_code == 2 and "refuses the database" in result.output
    assert "set up for real use" in result.output and "Nothing in it was changed" in result.output
    assert _users(database) == before  # the admin's password is not `demo`


def test_serve_demo_refuses_a_demo_database_someone_added_a_real_user_to(database):
    serve.prepare("127.0.0.1", 5000, demo=True, on=ON)
    engine = make_engine(database)
    with Session(engine) as db:
        from web.core.accounts import add_user

        add_user(db, "jo.real", "officer", GOOD)
        db.execute(text("UPDATE users SET active = :f WHERE username = 'analyst'"), {"f": False})
        db.commit()
    engine.dispose()
    before = _users(database)
    with pytest.raises(ValueError, match=r"holds 1 user not made by demo mode \(jo.real\)"):
        serve.prepare("127.0.0.1", 5000, demo=True, on=ON)
    assert _users(database) == before  # the analyst stays deactivated


def test_a_demo_database_is_never_served_without_demo(database):
    serve.prepare("127.0.0.1", 5000, demo=True, on=ON)
    result = _cli("serve", "--port", "5992")
    assert result.exit_code == 2 and "made by planner serve --demo" in result.output
    from web import create_app

    with pytest.raises(RuntimeError, match="only served with --demo"):  # gunicorn 'web:create_app()'
        create_app({"SECRET_KEY": "k"})
    made = _cli("users", "create", "alex", "--role", "admin", "--password-stdin", stdin=GOOD)
    assert made.exit_code == 2 and "made by planner serve --demo" in made.output


def test_serve_demo_keeps_its_promise_on_its_own_database(database):
    first = serve.prepare("127.0.0.1", 5000, demo=True, on=ON)
    example = load_folder(EXAMPLE)
    assert first.loaded == {"people": len(example.people), "schemes": len(example.schemes)}
    engine = make_engine(database)
    with Session(engine) as db:
        db.execute(text("UPDATE users SET active = :f WHERE username = 'analyst'"), {"f": False})
        db.commit()
        assert db.scalar(select(Site.mode)) == "demo"
    engine.dispose()
    serve.prepare("127.0.0.1", 5000, demo=True, on=ON)  # demo users work again
    assert _users(database)["analyst"][1] is True


def test_a_database_made_before_modes_were_recorded_is_judged_by_its_users(database):
    """An old demo database (the four logins, password `demo`) is a demo one after upgrading; one
    with anyone else is live."""
    engine = make_engine(database)
    from alembic import command

    from web.core.db import migration_config
    from web.core.site import demo_refusal

    cfg = migration_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    from werkzeug.security import generate_password_hash

    with engine.begin() as conn:
        for name in ("officer", "admin"):
            conn.execute(
                text("INSERT INTO users (username, password_hash, role, active, created_at) "
                     "VALUES (:n, :h, :n, :t, CURRENT_TIMESTAMP)"),
                {"n": name, "h": generate_password_hash("demo"), "t": True},
            )  # fmt: skip
    assert demo_refusal(engine) is None
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (username, password_hash, role, active, created_at) "
                 "VALUES ('kim', :h, 'officer', :t, CURRENT_TIMESTAMP)"),
            {"h": generate_password_hash(GOOD), "t": True},
        )  # fmt: skip
    assert "holds 1 user not made by demo mode (kim)" in (demo_refusal(engine) or "")
    assert _cli("db", "upgrade").exit_code == 0
    with Session(engine) as db:
        assert db.scalar(select(Site.mode)) == "live"
    engine.dispose()


def test_a_mode_recorded_by_another_process_between_the_read_and_the_insert_is_kept(database, monkeypatch):
    """Two `planner db upgrade` at once: both read no mode, one inserts first; the other keeps it."""
    assert _cli("db", "upgrade").exit_code == 0
    engine = make_engine(database)
    with Session(engine) as db:
        db.execute(text("DELETE FROM site"))
        db.add(Site(id=1, mode="demo"))  # the other process's row
        db.commit()
    real, stale = site.mode_of, [None]  # this process read once before that row was committed
    monkeypatch.setattr(site, "mode_of", lambda db: stale.pop() if stale else real(db))
    with Session(engine) as db:
        assert site.set_mode(db, "live") == "demo"
        db.commit()
    with Session(engine) as db:
        assert db.scalars(select(Site.mode)).all() == ["demo"]
    engine.dispose()
