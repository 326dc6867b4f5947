"""Security headers: a Content-Security-Policy whose nonce is on every script of the page (new
for every response), HSTS outside demo mode, the Host allow-list, no caching of pages about
young people or of JSON status, and no server version."""

from __future__ import annotations

import re
import threading
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from web_support import ON, build_app, signer
from werkzeug.serving import make_server

from web import create_app
from web.core.serve import _Handler


def _nonce(response) -> str:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy
        and "object-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    return re.search(r"'nonce-([^']+)'", policy).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize(("role", "url"), [("commissioner", "/map"), ("commissioner", "/scenarios/new"),
                                           ("officer", "/waiting-list"), (None, "/login")])  # fmt: skip
def test_every_script_on_a_page_carries_the_nonce_of_its_policy(web_app: Flask, role, url):
    client = signer(web_app)(role) if role else web_app.test_client()
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200
    nonce = _nonce(first)
    scripts = re.findall(r"<script\b[^>]*>", first.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts), scripts
    assert _nonce(second) != nonce  # a new one every time


def test_hsts_and_secure_cookies_outside_demo_mode_and_neither_in_demo(tmp_path: Path):
    live = create_app(
        {"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite", "MIGRATE_ON_START": True}
    )
    response = live.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert live.config["SESSION_COOKIE_SECURE"]
    demo = create_app(
        {"DEMO": True, "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite", "MIGRATE_ON_START": True}
    )
    assert "Strict-Transport-Security" not in demo.test_client().get("/healthz").headers
    assert not demo.config["SESSION_COOKIE_SECURE"]


def test_only_trusted_hosts_are_served(tmp_path: Path, request: pytest.FixtureRequest):
    app = build_app("sqlite", tmp_path, request, data=False, TRUSTED_HOSTS=["planner.council.gov.uk"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "planner.council.gov.uk"}).status_code == 200
    refused = client.get("/login", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "not trusted" in refused.get_data(as_text=True)
    (tmp_path / "d").mkdir()
    default = build_app("sqlite", tmp_path / "d", request, data=False)  # loopback names only
    assert default.test_client().get("/login", headers={"Host": "planner.example"}).status_code == 400
    assert default.test_client().get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_pages_about_young_people_and_json_status_are_never_cached(web_app: Flask):
    officer = signer(web_app)("officer")
    assert officer.get("/people/YP-0001").headers["Cache-Control"] == "no-store"
    assert web_app.test_client().get("/healthz").headers["Cache-Control"] == "no-store"


def test_the_server_of_planner_serve_sends_no_version(tmp_path: Path, request: pytest.FixtureRequest):
    app = build_app("sqlite", tmp_path, request, data=False, TODAY=ON)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz", timeout=10) as r:
            assert r.status == 200 and "Server" not in r.headers and "Werkzeug" not in str(r.headers)
    finally:
        server.shutdown()
        thread.join(timeout=5)
