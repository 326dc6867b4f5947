"""What `planner serve` runs: migrations, the app, demo seeding, and werkzeug's threaded server.

Werkzeug's server is enough for a demo on one machine. A council deployment runs
`planner db upgrade`, then `web:create_app()` under gunicorn behind HTTPS (README, Operations).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date

from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, run_simple

from web import create_app
from web.core.app import configure
from web.core.db import database_url, make_engine, shown_url, upgrade
from web.core.seed import seed_demo
from web.core.site import DEMO_PASSWORD, demo_refusal, disable_demo_logins, set_mode


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
    url = database_url()
    where = shown_url(url)
    try:
        # The configuration first (no SECRET_KEY outside demo mode is refused): a serve that
        # cannot start must not have migrated the database or marked it live.
        configure(Flask("web", instance_relative_config=True), config)
    except RuntimeError as e:
        raise ValueError(str(e)) from None
    engine = make_engine(url)
    try:
        if demo and (why := demo_refusal(engine)):
            raise ValueError(
                f"planner serve --demo refuses the database {where}: {why}. Nothing in it was changed. "
                "Demo mode resets the demo users' passwords to 'demo', so it only uses a database it made: "
                "set DATABASE_URL to a new database (or remove the instance folder's planner.sqlite)."
            )
        upgrade(engine)  # one process here, so it migrates itself (gunicorn workers never do)
        with Session(engine) as db:
            set_mode(db, "demo" if demo else "live")
            if not demo:
                disable_demo_logins(db)
            db.commit()
        app = create_app(config)
    except RuntimeError as e:  # a failed migration; a demo database served for real
        raise ValueError(str(e)) from None
    except OperationalError as e:
        raise ValueError(f"cannot open the database {where}: {e.orig or e}") from None
    finally:
        engine.dispose()
    loaded: dict[str, int] = {}
    logins: tuple[str, ...] = ()
    if demo:
        loaded = seed_demo(app, on=on or date.today())
        logins = ("officer", "commissioner", "analyst", "admin")
    shown = f"[{host}]" if ":" in host else host
    return Prepared(app, f"http://{shown}:{port}/", loaded, logins, DEMO_PASSWORD if demo else "")


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler without its `Server: Werkzeug/3.x Python/3.x` header (no versions
    for an attacker to look up)."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)


def run(prepared: Prepared, host: str, port: int) -> None:
    run_simple(
        host,
        port,
        prepared.app,
        threaded=True,
        use_reloader=False,
        use_debugger=False,
        request_handler=_Handler,
    )
