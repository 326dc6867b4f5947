"""Our own error pages, for every error the app can meet: never a traceback, never werkzeug's page."""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError

from web.core.db import trouble

log = logging.getLogger(__name__)

ERROR_TITLES = {
    400: "There is a problem with the request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That cannot be done on this page",
    409: "That could not be done just now",
    413: "The file is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def error_page(code: int, message: str | None = None) -> ResponseReturnValue:
    """Our own error page. The request's database session is rolled back first: after a failed
    statement (PostgreSQL refuses anything more in that transaction) the page itself may query."""
    session = g.get("db")
    if session is not None:
        try:
            session.rollback()
        except SQLAlchemyError:  # the database went away: the page is drawn without it
            _without_database()
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    return render_template("error.html", code=code, title=title, message=message), code


STORAGE_TROUBLE = "planner_storage_trouble_at"
DATABASE_TROUBLE = {
    "conflict": (
        409,
        "Someone else was changing the same records at that moment, so nothing was changed. "
        "Go back, reload the page and try again.",
    ),
    "storage": (
        503,
        "The service cannot save anything just now: its database's disk is full or cannot be written. "
        "Nothing was changed. Tell the service's administrator, then try again later.",
    ),
    "unreachable": (503, "The service cannot reach its database just now. Try again in a few minutes."),
}


def _without_database() -> None:
    """This request's page is drawn without the database: its session let go of, and the user
    taken as signed out for the page only (the cookie is untouched; the next page signs in)."""
    from web.core.auth import login_manager

    session = g.pop("db", None)
    if session is not None:
        try:
            session.close()
        except SQLAlchemyError:
            pass
    g._login_user = login_manager.anonymous_user()


def database_error(e: DBAPIError) -> ResponseReturnValue:
    """Our own page for a database that refused for reasons of its own: two writers crossing
    (409: try again), a full or read-only disk (503; `/healthz` reports it for a while), or the
    database unreachable (503); anything else is a 500."""
    kind = trouble(e)
    if kind is None:
        log.exception("unhandled database error")
        return error_page(500)
    code, message = DATABASE_TROUBLE[kind]
    log.warning("database %s: %s", kind, " ".join(str(e.orig).split())[:300])
    if kind == "storage":
        current_app.extensions[STORAGE_TROUBLE] = time.monotonic()
    if kind != "conflict":
        _without_database()
    return error_page(code, message)


def init_app(app: Flask) -> None:
    @app.errorhandler(DataError)
    def _data(e: DataError) -> ResponseReturnValue:
        # A value the database cannot hold that got past the forms' own limits: the request is
        # refused as bad input (logged, so the missing check can be added), never a 500.
        log.warning("database refused a value: %s", e.orig)
        return error_page(400, "A value was too long, too large or had characters that cannot be stored.")

    app.register_error_handler(DBAPIError, database_error)

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
        return error_page(
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
            return error_page(500)
        message = e.description if code in (400, 429, 503) else None
        return error_page(code if code in ERROR_TITLES else 400, message)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> ResponseReturnValue:
        # Logged for the operator with the traceback; the user sees a plain page, never the trace.
        log.exception("unhandled error")
        return error_page(500)
