"""Signing in and out, server-side sessions, and the role check every view carries.

Sessions: the signed session cookie holds a random token; `user_sessions` holds its digest.
Signing out, a password change and deactivation end the row, so a copy of the cookie stops
working too. Guessing is slowed by `web.core.throttle`, never stopped by a lock a stranger could set.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from web.core import audit, idle, throttle
from web.core.accounts import PASSWORD_MAX, find_user, hash_password
from web.core.db import get_db, schema_ready
from web.core.models import ROLES, User, UserSession, utcnow
from web.core.site import DEMO_PASSWORD, mode_of

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "sid"  # the session cookie's entry holding this session's token
__all__ = ["hash_password", "login_manager", "roles_required", "any_role", "bp"]

# Where each role starts after signing in.
HOME = {
    "officer": "placements.waiting_list",
    "commissioner": "map.index",
    "analyst": "map.index",
    "admin": "admin.users",
}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The signed-in user, while their session is open on the server, has not been idle too
    long (`web.core.idle`) and they are active."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not user_id.isdigit() or not schema_ready(current_app):
        return None
    db = get_db()
    # The session and its user in one statement: every request of every signed-in user asks.
    found = db.execute(
        select(UserSession, User)
        .outerjoin(User, User.id == UserSession.user_id)
        .where(UserSession.token_digest == UserSession.digest(token))
    ).first()
    row, user = (None, None) if found is None else found.tuple()
    if row is None or row.user_id != int(user_id) or row.ended_at is not None:
        g.session_ended = row.end_reason if row is not None and row.ended_at is not None else "ended"
        return None
    if user is None or not user.active:
        g.session_ended = "ended"
        return None
    if not idle.still_active(row):
        return None
    g.user_session = row  # for signing out and the idle time-out
    return user


def signed_out_notice(*, had_session: bool = False) -> None:
    """On the way to the sign-in page from a session that has ended: say so (`had_session`: it
    is known there was one, e.g. a form of this service was posted)."""
    if g.get("session_ended") == "idle":
        flash(idle.signed_out_message(), "important")
    elif had_session or g.get("session_ended") or session.get(SESSION_KEY):
        flash("You were signed out. Sign in again to continue.", "important")
    else:
        flash(login_manager.login_message or "", "message")
    session.pop(SESSION_KEY, None)


@login_manager.unauthorized_handler
def _unauthorized() -> ResponseReturnValue:
    signed_out_notice()
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=safe_next(target)))


def _start_session(user: User) -> None:
    """A new server-side session and a fresh cookie (nothing carried over from before signing in)."""
    token = secrets.token_urlsafe(32)
    get_db().add(UserSession(token_digest=UserSession.digest(token), user_id=user.id))
    session.clear()
    login_user(user)
    session[SESSION_KEY] = token


def dummy_hash() -> str:
    """A hash in the app's method, checked when the username is unknown, so that an unknown
    user takes as long to refuse as a wrong password (no user enumeration by timing)."""
    found = current_app.extensions.get("planner_dummy_hash")
    if found is None:
        found = current_app.extensions["planner_dummy_hash"] = hash_password(secrets.token_hex(16))
    return str(found)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-out users go to the sign-in page; signed-in users without one of `roles` get 403.

    The roles are kept on the view (`view.roles`) so the tests can check every route.
    """
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                # Attempts on pages a role may not see are worth knowing about, personal ones most.
                audit.record(
                    "access_denied",
                    person_id=kwargs.get("person_id"),
                    detail=f"{request.method} {request.path}",
                )
                get_db().commit()
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.roles = frozenset(roles)  # type: ignore[attr-defined]
        return guarded  # type: ignore[no-any-return]

    return decorate


def any_role(view: F) -> F:
    """Any signed-in user (e.g. signing out)."""
    return roles_required(*ROLES)(view)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(message="Enter your username")])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=PASSWORD_MAX, message=f"Passwords are {PASSWORD_MAX} characters or fewer"),
        ],
    )


def safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the sign-in page cannot be used to send people elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_url() -> str:
    return url_for(HOME.get(current_user.role, "auth.login"))


@bp.route("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_url())


index.public = True  # type: ignore[attr-defined]


def _sign_in_page(error: str) -> str:
    return render_template("login.html", form=LoginForm(), error=error)


@bp.route("/login", methods=["GET", "POST"])
@throttle.sign_in_limits(_sign_in_page)
def login() -> ResponseReturnValue:
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db = get_db()
        name = form.username.data.strip()
        user = find_user(db, name) if len(name) <= 64 else None
        # The same work whoever it is: a hash is checked for an unknown user too.
        right = check_password_hash(user.password_hash if user else dummy_hash(), form.password.data)
        if right and user is not None and not current_app.config["DEMO"]:
            # The demo's logins, and its well-known password, never sign in to a live service.
            right = not (user.is_demo or (form.password.data == DEMO_PASSWORD and mode_of(db) == "live"))
        if user is not None and user.active and right:
            _start_session(user)
            audit.record("login")
            db.commit()
            response = redirect(safe_next(request.args.get("next")) or home_url())
            throttle.remember_device(response, user.username)
            return response
        # One message for unknown user, wrong password and deactivated account: no user enumeration.
        error = "The username or password is not right, or the account is not active"
        throttle.note_failure()
        audit.record("login_failed", detail=f"username {name[:64]!r}")
        db.commit()
    if request.method == "POST":
        status = 400
    return render_template("login.html", form=form, error=error), status


login.public = True  # type: ignore[attr-defined]


@bp.route("/logout", methods=["POST"])
@any_role
def logout() -> ResponseReturnValue:
    audit.record("logout")
    row = g.get("user_session")
    if row is not None:
        row.ended_at, row.end_reason = utcnow(), "signed_out"
    get_db().commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


# The timeout warning's questions (web/static/app/timeout.js), as JSON; a signed-out browser is
# sent to sign in like anywhere else.


def _session_state(signed_out: bool = False) -> dict[str, object]:
    if signed_out:
        return {"remaining": 0, "signed_out": True, "url": url_for("auth.login")}
    return {"remaining": idle.remaining(), "signed_out": False}


@bp.get("/session/status")
@any_role
def session_status() -> ResponseReturnValue:
    """Seconds left before signing out for inactivity (another tab's use counts)."""
    return _session_state()


@bp.post("/session/keep-alive")
@any_role
def session_keep_alive() -> ResponseReturnValue:
    """ "Stay signed in"."""
    row = g.get("user_session")
    if row is not None:
        idle.keep(row)
    return _session_state()


@bp.post("/session/timeout")
@any_role
def session_timeout() -> ResponseReturnValue:
    """The warning ran out: sign out now, unless another tab was used meanwhile."""
    row = g.get("user_session")
    if row is not None and idle.remaining() > idle.warning_seconds(current_app):
        return _session_state()
    if row is not None:
        idle.end(row)
    audit.record("idle_sign_out")
    get_db().commit()
    logout_user()
    session.clear()
    flash(idle.signed_out_message(), "important")
    return _session_state(signed_out=True)
