"""What `planner serve` runs: the app, demo seeding, and werkzeug's threaded server.

Werkzeug's server is enough for a demo on one machine. A council deployment runs
`web:create_app()` under a production WSGI server (gunicorn, waitress) behind HTTPS instead.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.serving import run_simple

from planner.data.settings import Settings
from web import create_app
from web.seed import DEMO_PASSWORD, seed_demo


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Prepared:
    app: Flask
    url: str
    loaded: dict[str, int]
    logins: tuple[str, ...]
    password: str


def prepare(host: str, port: int, *, demo: bool, on: date | None) -> Prepared:
    """Create (and migrate) the database; in demo mode load the demo county and demo users."""
    if demo and not is_loopback(host):
        raise ValueError(
            f"--demo serves well-known passwords, so it only listens on this machine "
            f"(127.0.0.1, ::1 or localhost), not {host}"
        )
    config: dict[str, object] = {"DEMO": demo}
    if on is not None:
        config["TODAY"] = on
    try:
        app = create_app(config)
    except RuntimeError as e:  # e.g. no SECRET_KEY outside demo mode
        raise ValueError(str(e)) from None
    except OperationalError as e:
        where = make_url(app_url()).render_as_string(hide_password=True)
        raise ValueError(f"cannot open the database {where}: {e.orig or e}") from None
    loaded: dict[str, int] = {}
    logins: tuple[str, ...] = ()
    if demo:
        loaded = seed_demo(app, on=on or date.today())
        logins = ("officer", "commissioner", "analyst", "admin")
    shown = f"[{host}]" if ":" in host else host
    return Prepared(app, f"http://{shown}:{port}/", loaded, logins, DEMO_PASSWORD if demo else "")


def app_url() -> str:
    return Settings.from_env().database_url or "sqlite:///instance/planner.sqlite"


def run(prepared: Prepared, host: str, port: int) -> None:
    run_simple(host, port, prepared.app, threaded=True, use_reloader=False, use_debugger=False)
