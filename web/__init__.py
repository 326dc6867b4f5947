"""Flask application factory: configuration, database, security, blueprints, error pages."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import DataError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError

from planner.data.settings import Settings

log = logging.getLogger(__name__)
csrf = CSRFProtect()

ERROR_TITLES = {
    400: "There is a problem with the request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That cannot be done on this page",
    413: "The file is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _defaults(app: Flask, settings: Settings) -> dict[str, Any]:
    return {
        "DATABASE_URL": settings.database_url or f"sqlite:///{app.instance_path}/planner.sqlite",
        "SECRET_KEY": settings.secret_key,
        "DEMO": False,
        "TODAY": None,  # a fixed match date for tests and demos; None means today
        "HORIZON_DAYS": settings.horizon_days,  # matching places people due within this many days
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


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment (`Settings.from_env`) with `config` overriding."""
    app = Flask(__name__, instance_relative_config=True, template_folder="core/templates")
    app.config.update(_defaults(app, Settings.from_env()))
    if config:
        app.config.update(config)
    _secure_defaults(app)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)  # the default database lives there

    from web.commissioner import scenario_runs
    from web.core import db, filters, security, throttle
    from web.core.auth import login_manager
    from web.core.site import live_refusal

    db.init_app(app)
    if not app.config["DEMO"] and (refused := live_refusal(db.engine_of(app))):
        raise RuntimeError(refused)
    security.init_app(app)
    filters.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    throttle.init_app(app)
    _register_blueprints(app)
    _register_errors(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from web.core.nav import navigation

        return {"navigation": navigation(), "demo": app.config["DEMO"]}

    @app.before_request
    def _migrated() -> ResponseReturnValue | None:
        if request.endpoint in ("healthz", "static") or db.schema_ready(app):
            return None
        return _error_page(503, "The service's database is being upgraded. Try again in a few minutes.")

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
        body = {
            "status": "ok" if state.up_to_date else "unavailable",
            "database": "ok" if state.reachable else "unreachable",
            "migrations": "current" if state.up_to_date else "pending" if state.reachable else "unknown",
            "revision": state.current,
            "head": state.head,
        }
        return body, 200 if state.up_to_date else 503

    healthz.public = True  # type: ignore[attr-defined]

    if app.config["RESUME_SCENARIO_RUNS"]:
        scenario_runs.recover(app)
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
    from web.admin import imports, users
    from web.commissioner import map as map_page
    from web.commissioner import scenarios
    from web.core import auth
    from web.officer import ledger_views, placements, schemes

    for module in (auth, placements, ledger_views, schemes, map_page, scenarios, imports, users):
        app.register_blueprint(module.bp)


def _error_page(code: int, message: str | None = None) -> ResponseReturnValue:
    """Our own error page. The request's database session is rolled back first: after a failed
    statement (PostgreSQL refuses anything more in that transaction) the page itself may query."""
    session = g.get("db")
    if session is not None:
        session.rollback()
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    return render_template("error.html", code=code, title=title, message=message), code


def _register_errors(app: Flask) -> None:
    page = _error_page

    @app.errorhandler(DataError)
    def _data(e: DataError) -> ResponseReturnValue:
        # A value the database cannot hold that got past the forms' own limits: the request is
        # refused as bad input (logged, so the missing check can be added), never a 500.
        log.warning("database refused a value: %s", e.orig)
        return page(400, "A value was too long, too large or had characters that cannot be stored.")

    @app.errorhandler(SecurityError)
    def _host(e: SecurityError) -> ResponseReturnValue:
        # A Host header not in TRUSTED_HOSTS: no page of ours, whose links would carry that host.
        return (
            "This service is not at this address (the host is not trusted).",
            400,
            {"Content-Type": "text/plain"},
        )

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> ResponseReturnValue:
        from flask_login import current_user

        from web.core.auth import signed_out_notice

        if request.endpoint != "auth.login" and not current_user.is_authenticated:
            # A form from a session that has ended (timed out, signed out in another tab): the
            # sign-in page says so, never an error page.
            signed_out_notice(had_session=True)
            return redirect(url_for("auth.login"))
        return page(
            400,
            "The form was out of date or did not come from this service, so nothing was changed. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> ResponseReturnValue:
        if e.response is not None:  # e.g. the sign-in page with how long to wait (web.core.throttle)
            return e.response
        code = e.code or 500
        if code >= 500:
            return page(500)
        message = e.description if code in (400, 429, 503) else None
        return page(code if code in ERROR_TITLES else 400, message)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> ResponseReturnValue:
        # Logged for the operator with the traceback; the user sees a plain page, never the trace.
        log.exception("unhandled error")
        return page(500)
