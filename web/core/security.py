"""What every response carries and every request is checked for: security headers (a
Content-Security-Policy with a nonce per page for our few inline scripts, HSTS outside demo
mode), no caching of signed-in pages and JSON, the Host allow-list, and input that can never be
stored (NUL and other control characters) refused with a 400 naming the field.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from planner.data.limits import control_character

HSTS = "max-age=31536000; includeSubDomains"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]


def csp_nonce() -> str:
    """This response's nonce, for `<script nonce="...">` (one per request, unguessable)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def _policy(app: Flask) -> str:
    images = ["'self'", "data:"]
    tiles = app.config.get("MAP_TILES_URL")
    if tiles:  # e.g. https://tile.example/{z}/{x}/{y}.png: allow that server's images
        parts = urlsplit(tiles.replace("{s}", "a"))
        images.append(f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            # Leaflet and our templates set style attributes; styles cannot run code.
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(images)}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _refuse_control_characters() -> None:
    fields = [("the address", request.path)]
    fields += [(f"the query ({k})", v) for k, v in request.args.items(multi=True)]
    fields += [(f"the field {k!r}", v) for k, v in request.form.items(multi=True)]
    for where, value in fields:
        bad = control_character(value)  # tabs and line breaks (a text area's) are not among them
        if bad:
            abort(
                400, description=f"The character {bad} in {where} cannot be stored: remove it and try again."
            )


def _headers(app: Flask, response: Any) -> Any:
    from flask_login import current_user

    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _policy(app)
    if not app.config["DEMO"]:
        response.headers["Strict-Transport-Security"] = HSTS
    # The mimetype first: a stylesheet or script need not load the signed-in user.
    if response.mimetype == "application/json" or (
        response.mimetype in ("text/html", "text/csv") and current_user.is_authenticated
    ):
        # Pages about young people must not stay in a shared council PC's cache, nor status JSON.
        response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Server", None)
    return response


def init_app(app: Flask) -> None:
    if not app.config.get("TRUSTED_HOSTS"):
        # Outside demo mode set TRUSTED_HOSTS to the service's own name (planner.council.gov.uk):
        # other Host headers (cache poisoning, links in e-mails) get a 400.
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK_HOSTS)
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:  # behind a reverse proxy: the client's address and scheme from its headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.before_request(_refuse_control_characters)
    app.after_request(lambda response: _headers(app, response))
    app.jinja_env.globals["csp_nonce"] = csp_nonce
