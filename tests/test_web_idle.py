"""Sessions end after 30 minutes without activity, on the server; the next page is the sign-in
page saying "You were signed out", never an error page, also for a form posted from a page left
open; the timeout warning's questions are answered without counting as activity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from web_support import BACKENDS, PASSWORD, build_app

from web.core.db import engine_of, get_db
from web.core.models import UserSession, utcnow


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """CSRF on, as in service: a form left open carries its token."""
    built = build_app(request.param, tmp_path, request, WTF_CSRF_ENABLED=True)
    yield built
    engine_of(built).dispose()


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _sign_in(app: Flask, role: str = "officer") -> FlaskClient:
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _age(app: Flask, minutes: float) -> None:
    """Every open session last seen `minutes` ago."""
    with app.app_context():
        db = get_db()
        db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
        db.commit()


def _last_seen_ago(app: Flask) -> float:
    with app.app_context():
        seen = get_db().scalar(select(UserSession.last_seen_at))
        return (utcnow() - seen).total_seconds()


def test_thirty_minutes_idle_ends_the_session_and_the_next_page_says_so(app: Flask):
    officer = _sign_in(app)
    _age(app, 31)
    response = officer.get("/waiting-list")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/waiting-list"
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you were inactive for 30 minutes. Sign in again to continue." in page
    with app.app_context():
        row = get_db().scalar(select(UserSession))
        assert row.ended_at is not None and row.end_reason == "idle"
    _age(app, 0)  # the server's end stands, whatever the row's last activity
    assert officer.get("/waiting-list").status_code == 302


def test_a_form_posted_after_the_timeout_goes_to_sign_in_not_an_error(app: Flask):
    officer = _sign_in(app)
    token = _token(officer.get("/waiting-list").get_data(as_text=True))
    _age(app, 45)
    response = officer.post("/matching/run", data={"csrf_token": token, "horizon_days": "28"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = officer.get("/login").get_data(as_text=True)
    assert "You were signed out because you were inactive" in page


def test_a_form_from_a_browser_signed_out_meanwhile_goes_to_sign_in_not_a_400(app: Flask):
    officer = _sign_in(app)
    token = _token(officer.get("/waiting-list").get_data(as_text=True))
    officer.post("/logout", data={"csrf_token": token})  # e.g. in another tab
    response = officer.post("/matching/run", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You were signed out. Sign in again to continue." in officer.get("/login").get_data(as_text=True)


def test_activity_moves_the_session_on_at_most_every_half_minute(app: Flask):
    officer = _sign_in(app)
    _age(app, 10)
    officer.get("/waiting-list")
    assert _last_seen_ago(app) < 5
    _age(app, 0.2)  # 12 seconds ago: no write for this page
    officer.get("/proposals")
    assert 10 < _last_seen_ago(app) < 20


def test_the_warning_asks_without_counting_as_activity_and_signs_out_when_it_runs_out(app: Flask):
    officer = _sign_in(app)
    token = _token(officer.get("/waiting-list").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    _age(app, 5)
    state = officer.get("/session/status").get_json()
    assert state["signed_out"] is False and 1490 < state["remaining"] <= 1500
    assert _last_seen_ago(app) > 290  # asking is not activity
    kept = officer.post("/session/timeout", headers=headers).get_json()  # another tab was used
    assert kept["signed_out"] is False and officer.get("/waiting-list").status_code == 200
    _age(app, 29)
    assert officer.post("/session/keep-alive", headers=headers).get_json()["remaining"] >= 1799
    _age(app, 29)
    out = officer.post("/session/timeout", headers=headers).get_json()
    assert out == {"remaining": 0, "signed_out": True, "url": "/login"}
    assert officer.get("/waiting-list").status_code == 302
    assert "You were signed out because you were inactive" in officer.get("/login").get_data(as_text=True)


def test_every_signed_in_page_carries_the_timeout_warning_with_its_times(app: Flask):
    page = _sign_in(app).get("/proposals").get_data(as_text=True)
    assert 'id="timeout-warning"' in page and 'data-idle="1800"' in page and 'data-warning="120"' in page
    assert re.search(r'<script type="module" nonce="[^"]+" src="/static/app/timeout.js">', page)
    assert 'id="timeout-warning"' not in app.test_client().get("/login").get_data(as_text=True)
