"""Our own error pages, for every error the app can meet: never a traceback, never werkzeug's page."""

from __future__ import annotations

import logging

from flask import Flask, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError

log = logging.getLogger(__name__)

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


def error_page(code: int, message: str | None = None) -> ResponseReturnValue:
    """Our own error page. The request's database session is rolled back first: after a failed
    statement (PostgreSQL refuses anything more in that transaction) the page itself may query."""
    session = g.get("db")
    if session is not None:
        session.rollback()
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(DataError)
    def _data(e: DataError) -> ResponseReturnValue:
        # A value the database cannot hold that got past the forms' own limits: the request is
        # refused as bad input (logged, so the missing check can be added), never a 500.
        log.warning("database refused a value: %s", e.orig)
        return error_page(400, "A value was too long, too large or had characters that cannot be stored.")

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
