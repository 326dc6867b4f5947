"""Slowing down password guessing without letting a stranger lock anyone out (Flask-Limiter).

Only failed sign-ins count, in moving windows, so the wait grows with the failures:
- from one address, for one username: 5 a minute, 10 in 10 minutes, 20 an hour;
- from one address, whatever the usernames: 20 a minute, 200 an hour (password spraying);
- for one username from anywhere, more than 20 in 10 minutes or 50 an hour (guessing from many
  addresses) puts that username under watch: then each address not known to it (below) has one
  try for it every 10 minutes. A stranger with many addresses is held to that, and the user in a
  new browser still has their try: nobody can lock a user out, of their own browser or a new one.
  A browser that has signed in as that user before (a signed "device" cookie, as OWASP's device
  cookies) keeps the ordinary limits. Guessing stays far too slow for passwords zxcvbn rates
  hard to guess (`web.core.accounts`: at least 10^10 guesses; 100 addresses get 600 an hour).

Counts live in the limiter's storage: memory by default, each server process its own, or a
shared store through RATELIMIT_STORAGE_URI (e.g. redis://) for exact counts across workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, Response, current_app, make_response, request
from flask_limiter import Limiter, RequestLimit
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many

F = TypeVar("F", bound=Callable[..., Any])

PER_USER_AND_ADDRESS = "5 per minute;10 per 10 minutes;20 per hour"
PER_ADDRESS = "20 per minute;200 per hour"
PER_USER_FROM_NEW_BROWSERS = "20 per 10 minutes;50 per hour"  # beyond this, the username is watched
PER_USER_AND_ADDRESS_WATCHED = "1 per 10 minutes"
DEVICE_COOKIE = "planner_device"
DEVICE_DAYS = 90


def _address() -> str:
    return request.remote_addr or "unknown"


def _username() -> str:
    return (request.form.get("username") or "").strip().lower()[:64]


limiter = Limiter(key_func=_address, strategy="moving-window", headers_enabled=True)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)


def _failed(response: Response) -> bool:
    return request.method == "POST" and response.status_code not in (302, 303)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="planner-device")


def _known_device() -> bool:
    """The browser has signed in as the username it is trying (a cookie only we can sign)."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        signed_in_as = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return bool(signed_in_as == _username())


def _watched() -> bool:
    """More failed sign-ins for this username, from browsers not known to it, than one person
    makes (PER_USER_FROM_NEW_BROWSERS): guessing from many addresses."""
    name = _username()
    items = parse_many(PER_USER_FROM_NEW_BROWSERS)
    return any(not limiter.limiter.test(item, "watch", name) for item in items)


def note_failure() -> None:
    """A failed sign-in for the username asked for: counted towards watching it, unless the
    browser is known to it (its own user mistyping)."""
    if not _known_device():
        for item in parse_many(PER_USER_FROM_NEW_BROWSERS):
            limiter.limiter.hit(item, "watch", _username())


def _per_user_and_address() -> str:
    return PER_USER_AND_ADDRESS_WATCHED if _watched() and not _known_device() else PER_USER_AND_ADDRESS


def remember_device(response: Any, username: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(username.lower()),
        max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()),
        path="/login",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def sign_in_limits(page: Callable[[str], Any]) -> Callable[[F], F]:
    """The limits above on the sign-in view (POST only; the view calls `note_failure` when a
    sign-in fails); `page(message)` is the sign-in page with that error, answered with 429 and
    how long to wait."""

    def too_many(limit: RequestLimit) -> Response:
        seconds = max(1, math.ceil(limit.reset_at - time.time()))
        wait = max(1, round(seconds / 60))
        minutes = f"{wait} minute{'s' if wait != 1 else ''}"
        response = make_response(page(f"Too many failed attempts to sign in: wait {minutes}, then try again"))
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response

    return lambda view: _limited(view, too_many)


def _limited(view: F, too_many: Callable[[RequestLimit], Response]) -> F:
    common: dict[str, Any] = {"methods": ["POST"], "deduct_when": _failed, "on_breach": too_many}
    limits: list[tuple[Any, Callable[[], str]]] = [
        (_per_user_and_address, lambda: f"u+a:{_username()}:{_address()}"),
        (PER_ADDRESS, lambda: f"a:{_address()}"),
    ]
    limited: Any = view
    for limit, key in limits:
        limited = limiter.limit(limit, key_func=key, **common)(limited)
    return limited  # type: ignore[no-any-return]
