"""Accounts: the password rules, hashing, adding a user, and ending a user's sessions.

Used by the admin pages and by `planner users create` (the documented way to make the first
administrator), so both apply the same rules.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from web.core.models import ROLES, User, UserSession, utcnow

PASSWORD_MIN, PASSWORD_MAX = 12, 128
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
USERNAME_RULE = "2 to 64 letters, digits, '.', '-' or '_'"
# Django's list of 20,000 common passwords (BSD licence), shipped as data: see web/data/README.md.
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


class AccountError(ValueError):
    """A username, role or password that is refused, with the reason in plain English."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is refused (NCSC and NIST guidance: long, not a known common password,
    not the username), or None when it is fine."""
    if len(password) < PASSWORD_MIN:
        return f"The password must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"The password must be {PASSWORD_MAX} characters or fewer"
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is on a list of common passwords: choose another"
    if username and username.lower() in lowered:
        return "The password must not contain the username"
    if len(set(password)) < 4:
        return "The password repeats too few characters: choose another"
    return None


def hash_password(password: str) -> str:
    """The app's hash (scrypt; faster settings only in tests), or scrypt outside an app."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def add_user(db: Session, username: str, role: str, password: str, *, is_demo: bool = False) -> User:
    """A new user in the caller's transaction; AccountError when anything is refused."""
    if not USERNAME.match(username):
        raise AccountError(f"The username must be {USERNAME_RULE}")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    if db.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"There is already a user called {username}")
    if not is_demo and (problem := password_problem(password, username)):
        raise AccountError(problem)
    user = User(username=username, role=role, password_hash=hash_password(password), is_demo=is_demo)
    db.add(user)
    return user


def end_sessions(db: Session, user_id: int, reason: str) -> int:
    """End every open session of a user (password changed, account deactivated), in the
    caller's transaction; returns how many were open."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
