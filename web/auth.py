"""Signing in and out, and the role check every view carries."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from web import audit
from web.db import get_db
from web.models import ROLES, AuditEvent, User, utcnow

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])
MAX_FAILURES = 10
LOCKOUT = timedelta(minutes=15)

# Where each role starts after signing in.
HOME = {
    "officer": "placements.waiting_list",
    "commissioner": "map.index",
    "analyst": "map.index",
    "admin": "admin.users",
}


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The signed-in user, unless deactivated or their password changed since signing in."""
    user_id, _, token = session_id.partition(":")
    user = get_db().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not hmac.compare_digest(token, user.session_token()):
        return None
    return user


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


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
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password")])


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


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db = get_db()
        name = form.username.data.strip()[:64]
        tried = f"username {name!r}"
        if _recent_failures(tried) >= MAX_FAILURES:
            error = f"Too many attempts to sign in as this user: wait {LOCKOUT.seconds // 60} minutes"
            return render_template("login.html", form=form, error=error), 429
        user = db.scalar(select(User).where(User.username == name))
        if user is not None and user.active and check_password_hash(user.password_hash, form.password.data):
            login_user(user)
            audit.record("login")
            db.commit()
            return redirect(safe_next(request.args.get("next")) or home_url())
        # One message for unknown user, wrong password and deactivated account: no user enumeration.
        error = "The username or password is not right, or the account is not active"
        audit.record("login_failed", detail=tried)
        db.commit()
    if request.method == "POST":
        status = 400
    return render_template("login.html", form=form, error=error), status


def _recent_failures(tried: str) -> int:
    """Failed sign-ins for one username in the last LOCKOUT: guessing passwords is slowed down."""
    since = utcnow() - LOCKOUT
    query = select(func.count()).where(
        AuditEvent.action == "login_failed", AuditEvent.detail == tried, AuditEvent.at >= since
    )
    return get_db().scalar(query) or 0


login.public = True  # type: ignore[attr-defined]


@bp.route("/logout", methods=["POST"])
@any_role
def logout() -> ResponseReturnValue:
    audit.record("logout")
    get_db().commit()
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
