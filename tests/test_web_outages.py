"""When the database cannot do its part the app says so on its own page, never a bare 500: a
database that is down (503, the sign-in page too), a full disk (503, and `/healthz` says so),
writers crossing (409, try again); and `planner serve` answers 40 requests at once after an
idle spell (the idle touch on the request's own connection, not a second one from the pool)."""

from __future__ import annotations

import http.cookiejar
import io
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from web_support import BACKENDS, EXAMPLE, PASSWORD, build_app, signer
from werkzeug.serving import make_server

from web.core.db import engine_of, get_db, trouble
from web.core.models import UserSession, utcnow

OUR_PAGE = "Care leaver accommodation planner"
USERS = 40
NOWHERE = "postgresql+psycopg://planner:planner@127.0.0.1:1/planner?connect_timeout=2"  # nothing listens


def _opener(base: str) -> urllib.request.OpenerDirector:
    """A browser of its own (cookies), signed in as an officer through the form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = urllib.parse.urlencode({"username": "officer", "password": PASSWORD}).encode()
    with opener.open(base + "/login", data=form, timeout=60) as r:
        assert r.status == 200 and r.url.endswith("/waiting-list")
    return opener


def _get(opener: urllib.request.OpenerDirector, url: str) -> int:
    try:
        with opener.open(url, timeout=120) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@pytest.mark.parametrize("backend", BACKENDS)
def test_forty_requests_at_once_after_an_idle_spell_are_all_answered(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
):
    app = build_app(backend, tmp_path, request)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # what planner serve runs
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        browsers = [_opener(base) for _ in range(USERS)]
        with app.app_context():  # 31 seconds idle: every request now moves its session on
            db = get_db()
            db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(seconds=31)))
            db.commit()
        start = threading.Barrier(USERS)
        codes: list[int] = []

        def ask(opener: urllib.request.OpenerDirector) -> None:
            start.wait()
            codes.append(_get(opener, base + "/waiting-list"))

        threads = [threading.Thread(target=ask, args=(b,)) for b in browsers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert sorted(codes) == [200] * USERS, codes
    finally:
        server.shutdown()
        serving.join(timeout=10)
        engine_of(app).dispose()


def _unreachable(app: Flask) -> None:
    """The database goes away (nothing listens on port 1)."""
    gone = create_engine(NOWHERE)
    app.extensions["planner_engine"] = gone
    app.extensions["planner_sessions"] = sessionmaker(gone, expire_on_commit=False)


@pytest.mark.postgres
def test_postgresql_down_gives_our_own_503_page_sign_in_too(tmp_path: Path, request: pytest.FixtureRequest):
    app = build_app("postgresql", tmp_path, request)
    live = engine_of(app)
    try:
        officer = signer(app)("officer")
        assert officer.get("/waiting-list").status_code == 200
        _unreachable(app)
        for response in (
            officer.get("/waiting-list"),
            app.test_client().post("/login", data={"username": "officer", "password": PASSWORD}),
        ):
            body = response.get_data(as_text=True)
            assert response.status_code == 503 and OUR_PAGE in body
            assert "cannot reach its database" in body and "Traceback" not in body
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    finally:
        live.dispose()


def test_a_database_unreachable_from_the_start_gives_our_own_503_page(tmp_path: Path):
    from web import create_app

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "RESUME_SCENARIO_RUNS": False, "DATABASE_URL": NOWHERE}
    )
    response = app.test_client().get("/login")
    assert response.status_code == 503 and "cannot reach its database" in response.get_data(as_text=True)


def _fill_the_disk(app: Flask, backend: str) -> None:
    engine = engine_of(app)
    if backend == "sqlite":
        engine.dispose()  # new connections, each allowed no more pages than the file has now
        with engine.connect() as conn:  # and none of them free
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _no_more_pages(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        return
    with engine.begin() as conn:  # the server's own refusal, as when its disk is full
        conn.execute(text("CREATE FUNCTION no_space() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                          "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                          "END $$ LANGUAGE plpgsql"))  # fmt: skip
        conn.execute(text("CREATE TRIGGER no_space BEFORE INSERT ON pending_imports "
                          "FOR EACH ROW EXECUTE FUNCTION no_space()"))  # fmt: skip


def _upload_a_long_list(client):  # type: ignore[no-untyped-def]
    """Upload 300 young people: kept for the preview, some tens of kilobytes to write."""
    lines = (EXAMPLE / "young_people.csv").read_text().splitlines()
    rows = [f"YP-D{i:04d}," + lines[1].split(",", 1)[1] for i in range(300)]
    data = {"people": (io.BytesIO(("\n".join([*lines, *rows]) + "\n").encode()), "young_people.csv"),
            "schemes": (io.BytesIO((EXAMPLE / "schemes.csv").read_bytes()), "schemes.csv")}  # fmt: skip
    return client.post("/imports", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_full_disk_gives_a_503_and_healthz_says_so(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
):
    app = build_app(backend, tmp_path, request)
    try:
        officer = signer(app)("officer")
        assert app.test_client().get("/healthz").get_json()["storage"] == "ok"
        _fill_the_disk(app, backend)
        response = _upload_a_long_list(officer)
        body = response.get_data(as_text=True)
        assert response.status_code == 503 and OUR_PAGE in body, body[:2000]
        assert "disk is full or cannot be written" in body
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and health.get_json()["storage"] == "full"
    finally:
        if backend == "postgresql":
            with engine_of(app).begin() as conn:
                conn.execute(text("DROP TRIGGER no_space ON pending_imports; DROP FUNCTION no_space()"))
        engine_of(app).dispose()


@pytest.mark.parametrize(
    ("orig", "kind"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), "conflict"),
        (psycopg.errors.SerializationFailure("could not serialize access"), "conflict"),
        (psycopg.errors.DiskFull("could not extend file"), "storage"),
        (psycopg.errors.AdminShutdown("terminating connection"), "unreachable"),
        (psycopg.OperationalError("connection failed: Connection refused"), "unreachable"),
        (__import__("sqlite3").OperationalError("database is locked"), "conflict"),
        (__import__("sqlite3").OperationalError("database or disk is full"), "storage"),
        (__import__("sqlite3").OperationalError("attempt to write a readonly database"), "storage"),
        (__import__("sqlite3").OperationalError("no such table: users"), None),
    ],
)
def test_database_errors_are_told_apart(orig: Exception, kind: str | None):
    assert trouble(OperationalError("SELECT 1", {}, orig)) == kind
