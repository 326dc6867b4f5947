"""The app factory's parts (`web.create_app` calls them, before the blueprints): configuration
from the environment with a test mapping over it, secure defaults, the extensions, the error
pages, the database's state before every request, and `/healthz`."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from planner.data.settings import Settings

log = logging.getLogger(__name__)
csrf = CSRFProtect()


def _defaults(app: Flask, settings: Settings) -> dict[str, Any]:
    return {
        "DATABASE_URL": settings.database_url or f"sqlite:///{app.instance_path}/planner.sqlite",
        "SECRET_KEY": settings.secret_key,
        "DEMO": False,
        "TODAY": None,  # a fixed match date for tests and demos; None means today
        "HORIZON_DAYS": settings.horizon_days,  # matching places people due within this many days
        "BNB_ALERT_NIGHTS": settings.bnb_alert_nights,  # officers' alerts: B&B or emergency longer than this
        "MIGRATE_ON_START": False,  # `planner db upgrade` migrates; tests may ask for it here
        "TRUSTED_HOSTS": list(settings.trusted_hosts) or None,  # None: loopback names only
        "PROXIES": settings.proxies,  # reverse proxies in front, whose X-Forwarded-* to trust
        "RESUME_SCENARIO_RUNS": True,
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAP_TILES_URL": settings.map_tiles_url,
        "MAP_TILES_ATTRIBUTION": settings.map_tiles_attribution,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # uploads: a county's CSVs are well under this
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": None,  # None: decided by _secure_defaults
        "REMEMBER_COOKIE_SECURE": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_IDLE_SECONDS": 30 * 60,  # signed out after this long without a request
        "SESSION_WARNING_SECONDS": 2 * 60,  # the GOV.UK timeout warning comes this long before
    }


def configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Defaults from the environment (`Settings.from_env`), with `config` overriding them."""
    app.config.update(_defaults(app, Settings.from_env()))
    if config:
        app.config.update(config)
    _secure_defaults(app)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)  # the default database lives there


def _secure_defaults(app: Flask) -> None:
    """Cookies are Secure (HTTPS only) unless this is a demo or test on plain http://127.0.0.1,
    where a Secure cookie would never be sent back and nobody could sign in."""
    relaxed = bool(app.config["DEMO"] or app.config.get("TESTING") or app.debug)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = not relaxed
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise RuntimeError("SECRET_KEY is not set: set it in the environment (a long random string)")
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # demo/test: sessions end with the process


STORAGE_MIN_FREE = 16 * 1024 * 1024  # a SQLite database with less room than this is about to fail
STORAGE_TROUBLE_SECONDS = 300  # a refused write is reported this long (no cheap test of PostgreSQL's disk)


def storage_state(app: Flask) -> str:
    """`ok`, `full`, `read-only` (or `unknown`): a SQLite file's own disk, looked at; and, for either engine,
    a write the database refused for want of space in the last few minutes (`web.core.errors`)."""
    from web.core.db import engine_of
    from web.core.errors import STORAGE_TROUBLE

    url = engine_of(app).url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = os.path.abspath(str(url.database))
        try:
            free = shutil.disk_usage(os.path.dirname(path)).free
        except OSError:  # its folder is gone: the database is unreachable, as /healthz says
            return "unknown"
        if free < STORAGE_MIN_FREE:
            return "full"
        if not os.access(path, os.W_OK) or not os.access(os.path.dirname(path), os.W_OK):
            return "read-only"
    failed = app.extensions.get(STORAGE_TROUBLE)
    if failed is not None and time.monotonic() - failed < STORAGE_TROUBLE_SECONDS:
        return "full"
    return "ok"


def init_app(app: Flask) -> None:
    """The database, security, filters, CSRF, sign-in, throttling, error pages and `/healthz`."""
    from web.core import db, errors, filters, security, throttle
    from web.core.auth import login_manager
    from web.core.site import live_refusal, mode_refusal

    db.init_app(app)
    if not app.config["DEMO"] and (refused := live_refusal(db.engine_of(app))):
        raise RuntimeError(refused)
    security.init_app(app)
    filters.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    throttle.init_app(app)
    errors.init_app(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from web.core.nav import navigation

        return {"navigation": navigation(), "demo": app.config["DEMO"]}

    @app.before_request
    def _migrated() -> ResponseReturnValue | None:
        if request.endpoint in ("healthz", "static"):
            return None
        if db.schema_ready(app):
            refused = mode_refusal(app)
            return None if refused is None else errors.error_page(503, f"The service cannot open: {refused}.")
        if not app.extensions.get("planner_schema_reachable", True):
            return errors.error_page(503, errors.DATABASE_TROUBLE["unreachable"][1])
        return errors.error_page(503, "The service's database is being upgraded. Try again in a few minutes.")

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """The database and its migrations, as JSON: 200 when both are fine, 503 otherwise (for a
        load balancer or a monitor; `planner db upgrade` brings the migrations up to date)."""
        state = db.schema_state(db.engine_of(app))
        if state.reachable:
            try:
                db.get_db().execute(text("SELECT 1"))
            except SQLAlchemyError:
                log.exception("health check: database unavailable")
                state = db.SchemaState(False, state.current, state.head)
        storage = storage_state(app)
        fine = state.up_to_date and storage == "ok"
        body = {
            "status": "ok" if fine else "unavailable",
            "database": "ok" if state.reachable else "unreachable",
            "migrations": "current" if state.up_to_date else "pending" if state.reachable else "unknown",
            "storage": storage,
            "revision": state.current,
            "head": state.head,
        }
        return body, 200 if fine else 503

    healthz.public = True  # type: ignore[attr-defined]
