"""Signing in: guessing is slowed down without a stranger ever locking a user out, an unknown
user takes as long to refuse as a wrong password, and sessions end on the server (a copied
cookie stops working). SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_support import BACKENDS, PASSWORD, build_app, signer

from web.core.db import engine_of, get_db
from web.core.models import User, UserSession
from web.core.throttle import DEVICE_COOKIE


def _from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client: FlaskClient, username: str, password: str) -> int:
    return client.post("/login", data={"username": username, "password": password}).status_code


def test_twenty_failed_sign_ins_from_one_address_do_not_stop_the_user_signing_in_from_another(web_app):
    stranger = _from(web_app, "203.0.113.7")
    codes = [_try(stranger, "officer", f"guess-{i}") for i in range(20)]
    assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}  # slowed down after five
    assert _try(stranger, "officer", PASSWORD) == 429  # even the right password waits, from there
    assert _try(_from(web_app, "198.51.100.20"), "officer", PASSWORD) == 302


def test_the_wait_is_shown_on_the_sign_in_page_with_retry_after(web_app):
    client = _from(web_app, "203.0.113.8")
    for i in range(5):
        _try(client, "analyst", f"guess-{i}")
    response = client.post("/login", data={"username": "analyst", "password": "guess-6"})
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and "Too many failed attempts to sign in: wait 1 minute" in body
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in body  # the page itself, not a bare error


def test_successful_sign_ins_are_not_counted_so_a_shared_office_address_is_never_slowed(web_app):
    office = "192.0.2.50"
    for _ in range(30):
        client = _from(web_app, office)
        assert _try(client, "commissioner", PASSWORD) == 302


def test_guessing_one_username_from_many_addresses_never_stops_the_user_in_their_own_browser_or_a_new_one(
    web_app,
):
    own = _from(web_app, "198.51.100.30")
    assert _try(own, "officer", PASSWORD) == 302
    assert own.get_cookie(DEVICE_COOKIE, path="/login") is not None
    own.post("/logout")
    strangers = [_from(web_app, f"203.0.113.{i}") for i in range(100)]
    for i, stranger in enumerate(strangers):  # 100 wrong passwords from 100 addresses
        assert _try(stranger, "officer", f"guess-{i}") == 400
    # Watched now: each stranger's address has had its try for the next 10 minutes...
    assert {_try(s, "officer", f"again-{i}") for i, s in enumerate(strangers[-30:])} == {429}
    # ...while the user signs in from a new browser, and from their own.
    assert _try(_from(web_app, "198.51.100.31"), "officer", PASSWORD) == 302
    assert _try(own, "officer", PASSWORD) == 302
    # Other users are not watched.
    assert _try(_from(web_app, "203.0.113.99"), "analyst", PASSWORD) == 302


def test_a_watched_username_gives_each_new_address_one_try_in_ten_minutes(web_app):
    for i in range(25):
        _try(_from(web_app, f"203.0.113.{i}"), "admin", f"guess-{i}")
    newcomer = _from(web_app, "198.51.100.40")
    assert _try(newcomer, "admin", "a-typo") == 400
    response = newcomer.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 429 and "wait 10 minutes" in response.get_data(as_text=True)


def test_a_device_cookie_for_another_user_or_forged_does_not_lift_the_watch(web_app):
    for i in range(25):
        _try(_from(web_app, f"203.0.113.{i}"), "admin", f"guess-{i}")
    forged = _from(web_app, "203.0.113.24")  # failed once since admin was watched
    forged.set_cookie(DEVICE_COOKIE, "admin", path="/login")
    assert _try(forged, "admin", PASSWORD) == 429
    other = _from(web_app, "198.51.100.41")
    assert _try(other, "analyst", PASSWORD) == 302  # a device cookie for analyst
    assert _try(other, "admin", "a-guess") == 400
    assert _try(other, "admin", PASSWORD) == 429


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unknown_username_takes_as_long_as_a_wrong_password(backend, tmp_path: Path, request):
    # A slow hash, as in use (scrypt): the difference would show if unknown users skipped it.
    app = build_app(backend, tmp_path, request, data=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:150000")
    try:
        with app.app_context():
            db = get_db()
            from web.core.accounts import hash_password

            db.get(User, 1).password_hash = hash_password(PASSWORD)
            db.commit()
        timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
        for i in range(8):
            for kind, name in (("unknown", f"nobody{i}"), ("wrong", "officer")):
                client = _from(app, f"10.9.{i}.{len(kind)}")
                start = time.perf_counter()
                assert _try(client, name, "not-the-password") == 400
                timings[kind].append(time.perf_counter() - start)
        unknown, wrong = (statistics.median(timings[k]) for k in ("unknown", "wrong"))
        assert 0.5 < unknown / wrong < 2, timings  # without the dummy hash: about 0.1
    finally:
        engine_of(app).dispose()


def test_a_session_cookie_copied_before_sign_out_stops_working_after_it(web_app):
    officer = signer(web_app)("officer")
    copy = web_app.test_client()
    cookie = officer.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/waiting-list").status_code == 200  # the copy works while signed in
    assert officer.post("/logout").status_code == 302
    assert copy.get("/waiting-list").status_code == 302  # and not after signing out
    with web_app.app_context():
        ended = get_db().scalars(select(UserSession.end_reason).where(UserSession.ended_at.is_not(None)))
        assert list(ended) == ["signed_out"]


def test_signing_out_ends_only_that_session(web_app):
    first, second = signer(web_app)("officer"), signer(web_app)("officer")
    first.post("/logout")
    assert second.get("/waiting-list").status_code == 200


def test_a_password_reset_ends_copies_of_the_users_session_cookie_too(web_app):
    analyst = signer(web_app)("analyst")
    copy = web_app.test_client()
    copy.set_cookie("session", analyst.get_cookie("session").value)
    with web_app.app_context():
        analyst_id = get_db().scalar(select(User.id).where(User.username == "analyst"))
    reset = {"role": "analyst", "active": "y", "password": "violet-harbour-lantern"}
    assert signer(web_app)("admin").post(f"/admin/users/{analyst_id}", data=reset).status_code == 303
    assert copy.get("/schemes").status_code == 302 and analyst.get("/schemes").status_code == 302
    with web_app.app_context():
        reasons = set(
            get_db().scalars(select(UserSession.end_reason).where(UserSession.user_id == analyst_id))
        )
    assert reasons == {"password_changed"}


def test_the_database_keeps_a_digest_of_the_session_token_never_the_token(web_app):
    officer = signer(web_app)("officer")
    cookie = officer.get_cookie("session").value
    with web_app.app_context():
        digests = list(get_db().scalars(select(UserSession.token_digest)))
    assert len(digests) == 1 and len(digests[0]) == 64 and digests[0] not in cookie
