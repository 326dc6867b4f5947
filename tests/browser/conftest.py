"""Browser tests: Debian's chromium driven by Playwright against the app on a live local server.

`playwright install` cannot download a browser here, so the launch uses the system chromium
($CHROMIUM_PATH, or `chromium` on PATH). The server is werkzeug on 127.0.0.1 with a free port,
on a temporary SQLite database seeded with the demo county and one user per role.
Screenshots of every page visited go to <--output>/screenshots (test-results/ by default).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, Route
from web_support import BACKENDS, build_app
from web_support import PASSWORD as TEST_PASSWORD
from werkzeug.serving import make_server

from web import create_app
from web.core.db import engine_of
from web.core.seed import DEMO_PASSWORD, seed_demo

ON = date(2026, 11, 23)
PASSWORD = DEMO_PASSWORD
APP_HOST = "127.0.0.1"
SHOT_MAX_HEIGHT = 2400  # px


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.skip("no chromium: install Debian's chromium package (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": path}


def seed(app: Flask) -> None:
    """The demo county and the four demo users (password `demo`), as `planner serve --demo`."""
    seed_demo(app, on=ON)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "TESTING": True,  # plain-http cookies; CSRF stays on
            "DEMO": True,  # the demo's database and logins are served in demo mode only
            "DATABASE_URL": f"sqlite:///{folder}/planner.sqlite",
            "TODAY": ON,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast sign-ins
            "MIGRATE_ON_START": True,
            "MAP_TILES_URL": None,  # the offline default, whatever the environment says
        }
    )
    seed(app)
    yield from serve(app)


def serve(app: Flask) -> Iterator[LiveServer]:
    server = make_server(APP_HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://{APP_HOST}:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=BACKENDS)
def example_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh app on SQLite or PostgreSQL with data/example and one user per role (password
    web_support.PASSWORD), CSRF on: for flows whose every step is checked in the database."""
    app = build_app(request.param, tmp_path, request, WTF_CSRF_ENABLED=True, MAP_TILES_URL=None)
    yield from serve(app)
    engine_of(app).dispose()


@dataclass
class Visit:
    """A page whose network is limited to the app, with what it tried and what went wrong."""

    page: Page
    base: str
    shots: Path
    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    password: str = PASSWORD

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        """The whole page, cut at SHOT_MAX_HEIGHT: a list of hundreds of rows would take many
        seconds to capture, and its top shows what there is to see."""
        path = self.shots / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        height = self.page.evaluate("document.documentElement.scrollHeight")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, SHOT_MAX_HEIGHT)}
        self.page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]
        return path

    def sign_in(self, role: str) -> None:
        self.go("/login")
        self.page.get_by_label("Username").fill(role)
        self.page.get_by_label("Password").fill(self.password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{role} could not sign in"

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(r"/login"))


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Path:
    """<--output>/screenshots, made after pytest-playwright empties the output folder."""
    request.getfixturevalue("delete_output_dir")
    folder = Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def quick_timeout_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The example data, with sessions ending after 8 seconds idle and the warning 5 seconds before."""
    app = build_app("sqlite", tmp_path, request, WTF_CSRF_ENABLED=True, SESSION_IDLE_SECONDS=8,
                    SESSION_WARNING_SECONDS=5)  # fmt: skip
    yield from serve(app)
    engine_of(app).dispose()


@pytest.fixture
def visit(page: Page, live_server: LiveServer, screenshots: Path) -> Iterator[Visit]:
    yield from _visit(page, live_server, screenshots)


@pytest.fixture
def example_visit(page: Page, example_server: LiveServer, screenshots: Path) -> Iterator[Visit]:
    """A page on `example_server` (whose users' password is the tests' own)."""
    yield from _visit(page, example_server, screenshots, password=TEST_PASSWORD)


def _visit(page: Page, server: LiveServer, screenshots: Path, password: str = PASSWORD) -> Iterator[Visit]:
    v = Visit(page, server.url, screenshots, password=password)

    def only_the_app(route: Route) -> None:
        url = route.request.url
        v.requested.append(url)
        if urlsplit(url).hostname == APP_HOST:
            route.continue_()
        else:  # council networks and CI have no internet: anything else is a bug
            v.blocked.append(url)
            route.abort()

    page.context.route("**/*", only_the_app)
    page.on("pageerror", lambda e: v.errors.append(str(e)))
    page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(10_000)
    yield v


SignIn = Callable[[str], Visit]
