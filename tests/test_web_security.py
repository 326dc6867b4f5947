"""Signing in and out, role checks on every route, CSRF, cookies, error pages, serve --demo."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from web_support import BACKENDS, PASSWORD, build_app, signer

from planner.cli import cli
from web import create_app
from web.core.db import engine_of, get_db, head_revision
from web.core.models import ROLES, AuditEvent, User

# The url map, read from an app that touches no database, to parametrize over every route.
_MAP_APP = create_app(
    {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "MIGRATE_ON_START": False}
)
PUBLIC = {"static", "healthz", "auth.login", "auth.index"}
SAMPLE_ARGS = {"person_id": "YP-0001", "scheme_id": "SCH-001", "proposal_id": 1, "user_id": 1,
               "scenario_id": 1, "run_id": 1, "table": "summary", "placement_id": 1,
               "pending_id": 1}  # fmt: skip
ROUTES = sorted(
    (rule.endpoint, re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(SAMPLE_ARGS[m.group(1)]), rule.rule), method)
    for rule in _MAP_APP.url_map.iter_rules()
    if rule.endpoint not in PUBLIC
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
)
WRONG_ROLES = [
    (endpoint, url, method, role)
    for endpoint, url, method in ROUTES
    for role in ROLES
    if role not in _MAP_APP.view_functions[endpoint].roles
]


@pytest.fixture(scope="module", params=BACKENDS)
def shared_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app per backend for the read-only route checks (refused requests change nothing)."""
    app = build_app(request.param, tmp_path_factory.mktemp("routes"), request)
    yield app
    engine_of(app).dispose()


def test_every_route_except_sign_in_and_health_declares_its_roles():
    assert len(ROUTES) >= 15
    for endpoint, _, _ in ROUTES:
        assert _MAP_APP.view_functions[endpoint].roles, endpoint


@pytest.mark.parametrize(("endpoint", "url", "method"), ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in_from_every_route(shared_app, endpoint, url, method):
    response = shared_app.test_client().open(url, method=method)
    assert response.status_code == 302, endpoint
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("endpoint", "url", "method", "role"), WRONG_ROLES)
def test_every_route_refuses_roles_it_does_not_serve(shared_app, endpoint, url, method, role):
    response = signer(shared_app)(role).open(url, method=method)
    assert response.status_code == 403, endpoint
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_analysts_see_no_young_persons_page_but_see_schemes(shared_app):
    analyst = signer(shared_app)("analyst")
    assert analyst.get("/people/YP-0001").status_code == 403
    with shared_app.app_context():
        denied = get_db().scalar(
            select(AuditEvent).where(AuditEvent.action == "access_denied").order_by(AuditEvent.id.desc())
        )
    assert (denied.username, denied.person_id, denied.detail) == ("analyst", "YP-0001", "GET /people/YP-0001")
    assert analyst.get("/waiting-list").status_code == 403
    assert analyst.get("/schemes").status_code == 200


def test_sign_in_records_the_login_and_sign_out_ends_the_session(web_app):
    client = signer(web_app)("officer")
    assert client.get("/waiting-list").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/waiting-list").status_code == 302
    with web_app.app_context():
        actions = list(get_db().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["login", "logout"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("officer", "wrong"), ("nobody", PASSWORD), ("", "")],
)
def test_wrong_credentials_are_refused_with_one_message(web_app, username, password):
    response = web_app.test_client().post("/login", data={"username": username, "password": password})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert ("Enter your username" in body) if not username else ("username or password is not right" in body)


def test_signed_in_pages_are_not_cached(web_app):
    officer = signer(web_app)("officer")
    assert officer.get("/people/YP-0001").headers["Cache-Control"] == "no-store"
    assert "no-store" not in web_app.test_client().get("/login").headers.get("Cache-Control", "")


def test_deactivating_a_user_or_resetting_their_password_ends_their_sessions(web_app):
    analyst, officer = signer(web_app)("analyst"), signer(web_app)("officer")
    admin = signer(web_app)("admin")
    with web_app.app_context():
        ids = {u.username: u.id for u in get_db().scalars(select(User))}
    assert (
        admin.post(f"/admin/users/{ids['analyst']}", data={"role": "analyst"}).status_code == 303
    )  # unticked
    assert analyst.get("/schemes").status_code == 302
    reset = {"role": "officer", "active": "y", "password": "tidal-copper-meadow-lamp"}
    assert admin.post(f"/admin/users/{ids['officer']}", data=reset).status_code == 303
    assert officer.get("/waiting-list").status_code == 302


def test_a_deactivated_user_cannot_sign_in(web_app):
    admin = signer(web_app)("admin")
    admin.post("/admin/users/1", data={"role": "officer", "password": ""})  # user 1 is officer; unticked
    response = web_app.test_client().post("/login", data={"username": "officer", "password": PASSWORD})
    assert response.status_code == 400


def test_the_sign_in_page_sends_a_signed_in_user_to_their_start_page(web_app):
    assert signer(web_app)("admin").get("/login").headers["Location"] == "/admin/users"


def test_sign_in_only_redirects_within_the_site(web_app):
    client = web_app.test_client()
    data = {"username": "officer", "password": PASSWORD}
    response = client.post("/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/waiting-list"


def test_a_post_without_a_csrf_token_is_refused_with_400(tmp_path, request):
    app = build_app("sqlite", tmp_path, request, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "officer", "password": PASSWORD}).status_code == 400
    signed = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302
    refused = client.post("/schemes/SCH-001/vacancies", data={"vacancies": "0"})
    assert refused.status_code == 400
    assert "did not come from this service" in refused.get_data(as_text=True)
    assert client.post("/logout").status_code == 400  # even signing out needs the token


def test_session_cookie_is_httponly_samesite_and_secure_outside_demo_and_tests(tmp_path):
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    demo = create_app({"DEMO": True, "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"})
    assert demo.config["SESSION_COOKIE_SECURE"] is False  # plain http://127.0.0.1 in a demo
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"})


def test_sign_in_sets_an_httponly_samesite_cookie(web_app):
    response = web_app.test_client().post("/login", data={"username": "officer", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_healthz_reports_the_database_and_its_migrations_without_signing_in(web_app):
    response = web_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json == {"status": "ok", "database": "ok", "migrations": "current", "storage": "ok",
                             "revision": head_revision(), "head": head_revision()}  # fmt: skip


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/gone/x.sqlite"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert (response.json["database"], response.json["migrations"]) == ("unreachable", "unknown")


def test_error_pages_are_our_own_and_never_show_a_traceback(tmp_path, request):
    app = build_app("sqlite", tmp_path, request, data=False)

    @app.get("/boom")
    def boom() -> str:
        raise ZeroDivisionError("secret detail")

    client = app.test_client()
    for url, code, title in [
        ("/no-such-page", 404, "Page not found"),
        ("/boom", 500, "Sorry, there is a problem"),
    ]:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == code and title in body
        assert "Traceback" not in body and "secret detail" not in body and "ZeroDivisionError" not in body
    bad_date = signer(app)("admin").get("/admin/audit?from=31/02/2026")  # no such day
    assert bad_date.status_code == 400 and "is not a date" in bad_date.get_data(as_text=True)
    assert signer(app)("admin").get("/admin/audit?from=23/11/2026").status_code == 200  # as typed in England


def test_serve_demo_refuses_a_host_that_is_not_loopback():
    result = CliRunner().invoke(cli, ["serve", "--demo", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "only listens on this machine" in result.output
    assert "Traceback" not in result.output


def test_serve_demo_prepares_the_demo_database_and_logins(tmp_path, monkeypatch):
    from web_support import EXAMPLE, ON

    from planner.data.contract import load_folder
    from web.core import seed, serve

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/demo.sqlite")
    monkeypatch.setattr(seed, "demo_dataset", lambda on: (load_folder(EXAMPLE), "example"))
    ready = serve.prepare("127.0.0.1", 5999, demo=True, on=ON)
    assert ready.url == "http://127.0.0.1:5999/" and ready.loaded == {"people": 6, "schemes": 7}
    ready.app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own test
    client = ready.app.test_client()
    for role in ROLES:
        signed = client.post("/login", data={"username": role, "password": "demo"})
        assert signed.status_code == 302, role
        client.post("/logout")
    again = serve.prepare("::1", 5999, demo=True, on=ON)  # not empty now: nothing loaded twice
    assert again.loaded == {"people": 0, "schemes": 0} and again.url == "http://[::1]:5999/"


def test_no_demo_users_without_demo_mode(tmp_path, monkeypatch):
    from web.core import serve

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite")
    monkeypatch.setenv("SECRET_KEY", "k")
    ready = serve.prepare("0.0.0.0", 5000, demo=False, on=None)
    assert ready.logins == () and ready.loaded == {}
    assert not Path(tmp_path / "prod.sqlite").stat().st_size == 0  # created and migrated


def test_serve_without_a_secret_key_outside_demo_mode_says_so_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--port", "5998"])
    assert result.exit_code == 2 and "SECRET_KEY is not set" in result.output
    assert "Traceback" not in result.output
