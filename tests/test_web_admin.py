"""Administrators manage users and read the audit log (filters, CSV export)."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from sqlalchemy import select
from web_support import PASSWORD, SignIn

from web.core.db import get_db
from web.core.models import User


def test_admin_adds_a_user_who_can_then_sign_in_with_a_hashed_password(web_app: Flask, sign_in: SignIn):
    admin = sign_in("admin")
    secret = "violet-harbour-lantern"
    response = admin.post(
        "/admin/users", data={"username": "jo.smith", "role": "commissioner", "password": secret}
    )
    assert response.status_code == 303
    with web_app.app_context():
        user = get_db().scalar(select(User).where(User.username == "jo.smith"))
        assert user.role == "commissioner" and secret not in user.password_hash
    login = web_app.test_client().post("/login", data={"username": "jo.smith", "password": secret})
    assert login.status_code == 302


def test_new_users_need_a_long_hard_to_guess_password_and_a_free_name(sign_in: SignIn):
    admin = sign_in("admin")
    for password, message in [
        ("short", "at least 12 characters"),
        ("1234567890", "at least 12 characters"),
        ("password1234", "too easy to guess (this is a very common password)"),
        ("qwertyuiop12", "too easy to guess (this is similar to a commonly used password)"),
        ("x" * 129, "128 characters or fewer"),
        ("aaaaaaaaaaaaaaa", "too easy to guess (repeats like"),
        ("jo.blogs-at-home", "must not contain the username"),
        ("letmein12345", "too easy to guess (this is similar to a commonly used password)"),
        ("Winter2026!!", "too easy to guess (a common word or name with a year, digits or symbols added"),
        ("Passw0rd!234", "too easy to guess (this is similar to a commonly used password)"),
        ("abcdabcdabcd", "too easy to guess (repeats like"),
        ("violet\x00harbour-lantern", "NUL (0x00)"),  # the web refuses it before the password rules do
    ]:
        refused = admin.post(
            "/admin/users", data={"username": "jo.blogs", "role": "officer", "password": password}
        )
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), password
    taken = admin.post(
        "/admin/users", data={"username": "officer", "role": "officer", "password": "violet-harbour-lantern"}
    )
    assert taken.status_code == 400 and "already a user called officer" in taken.get_data(as_text=True)
    twin = admin.post(
        "/admin/users", data={"username": "Officer", "role": "officer", "password": "violet-harbour-lantern"}
    )
    assert twin.status_code == 400 and "already a user called officer" in twin.get_data(as_text=True)


def test_the_password_hint_says_what_is_enforced(sign_in: SignIn):
    admin = sign_in("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "At least 12 characters and hard to guess" in page and "10 characters" not in page
    assert "At least 12 characters and hard to guess" in admin.get("/admin/users/1").get_data(as_text=True)


def test_admin_changes_a_role_resets_a_password_and_cannot_lock_themself_out(web_app: Flask, sign_in: SignIn):
    admin = sign_in("admin")
    with web_app.app_context():
        ids = {u.username: u.id for u in get_db().scalars(select(User))}
    changed = admin.post(
        f"/admin/users/{ids['analyst']}",
        data={"role": "officer", "active": "y", "password": "tidal-copper-meadow-lamp"},
    )
    assert changed.status_code == 303
    client = web_app.test_client()
    assert client.post("/login", data={"username": "analyst", "password": PASSWORD}).status_code == 400
    assert (
        client.post(
            "/login", data={"username": "analyst", "password": "tidal-copper-meadow-lamp"}
        ).status_code
        == 302
    )
    assert client.get("/waiting-list").status_code == 200  # now an officer
    own = admin.post(f"/admin/users/{ids['admin']}", data={"role": "officer", "active": "y"})
    assert own.status_code == 400 and "cannot remove your own administrator access" in own.get_data(
        as_text=True
    )


def test_audit_log_filters_and_exports_csv(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.get("/people/YP-0001")
    officer.get("/people/YP-0002")
    admin = sign_in("admin")
    page = admin.get("/admin/audit?action=view_person&person=YP-0002").get_data(as_text=True)
    assert "1 events" in page and "YP-0002" in page and "YP-0001</td>" not in page
    by_user = admin.get("/admin/audit?user=officer&from=2000-01-01&to=2999-12-31").get_data(as_text=True)
    assert "3 events" in by_user  # login and two views
    none = admin.get("/admin/audit?to=2000-01-01").get_data(as_text=True)
    assert "No events match" in none
    response = admin.get("/admin/audit.csv?action=view_person")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["person_id"] for r in rows) == ["YP-0001", "YP-0002"]
    assert all(r["user"] == "officer" and r["action"] == "view_person" for r in rows)
    assert re.fullmatch(
        r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", rows[0]["when"]
    )  # UK style, e.g. 23 Nov 2026
    exported = admin.get("/admin/audit?action=export_audit").get_data(as_text=True)
    assert "1 events" in exported  # the export itself is recorded
