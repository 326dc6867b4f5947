"""Flask application factory: configuration, database, security, blueprints, error pages."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from planner.data.settings import Settings

log = logging.getLogger(__name__)
csrf = CSRFProtect()

ERROR_TITLES = {
    400: "There is a problem with the request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That cannot be done on this page",
    413: "The file is too large",
    500: "Sorry, there is a problem with the service",
}


def _defaults(app: Flask, settings: Settings) -> dict[str, Any]:
    return {
        "DATABASE_URL": settings.database_url or f"sqlite:///{app.instance_path}/planner.sqlite",
        "SECRET_KEY": settings.secret_key,
        "DEMO": False,
        "TODAY": None,  # a fixed match date for tests and demos; None means today
        "HORIZON_DAYS": settings.horizon_days,  # matching places people due within this many days
        "MIGRATE_ON_START": True,
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
    }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment (`Settings.from_env`) with `config` overriding."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(_defaults(app, Settings.from_env()))
    if config:
        app.config.update(config)
    _secure_defaults(app)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)  # the default database lives there

    from web import db, filters
    from web.auth import login_manager

    db.init_app(app)
    filters.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    _register_blueprints(app)
    _register_errors(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from web.nav import navigation

        return {"navigation": navigation(), "demo": app.config["DEMO"]}

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """`ok` when the app can reach its database (for a load balancer or a monitor)."""
        plain = {"Content-Type": "text/plain; charset=utf-8"}
        try:
            db.get_db().execute(text("SELECT 1"))
        except SQLAlchemyError:
            log.exception("health check: database unavailable")
            return "database unavailable", 503, plain
        return "ok", 200, plain

    healthz.public = True  # type: ignore[attr-defined]

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated and response.mimetype in ("text/html", "text/csv"):
            # Pages about young people must not stay in a shared council PC's cache.
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


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


def _register_blueprints(app: Flask) -> None:
    from web import admin, auth, imports, placements, scenarios, schemes
    from web import map as map_page

    for module in (auth, placements, schemes, map_page, scenarios, imports, admin):
        app.register_blueprint(module.bp)


def _register_errors(app: Flask) -> None:
    def page(code: int, message: str | None = None) -> ResponseReturnValue:
        title = ERROR_TITLES.get(code, ERROR_TITLES[500])
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> ResponseReturnValue:
        return page(
            400,
            "The form was out of date or did not come from this service, so nothing was changed. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> ResponseReturnValue:
        code = e.code or 500
        if code >= 500:
            return page(500)
        message = e.description if code == 400 else None
        return page(code if code in ERROR_TITLES else 400, message)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> ResponseReturnValue:
        # Logged for the operator with the traceback; the user sees a plain page, never the trace.
        log.exception("unhandled error")
        return page(500)
