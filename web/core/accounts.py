"""Accounts: the password rules, hashing, adding a user, and ending a user's sessions.

Used by the admin pages and by `planner users create` (the documented way to make the first
administrator), so both apply the same rules.
"""

from __future__ import annotations

import re

from flask import current_app, has_app_context
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from planner.data.limits import control_character
from web.core.models import ROLES, User, UserSession, utcnow

PASSWORD_MIN, PASSWORD_MAX = 12, 128
PASSWORD_RULE = (
    f"At least {PASSWORD_MIN} characters and hard to guess: three or more random words work well "
    "(a word with a year, digits or symbols added is among the first guesses)"
)
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
USERNAME_RULE = "2 to 64 letters, digits, '.', '-' or '_'"
# zxcvbn's estimate: 4 means at least 10^10 guesses, beyond reach of guessing online or, for a
# while, offline against a stolen scrypt hash; 3 (10^8) still lets through 'Winter2026!!'.
STRONG_ENOUGH = 4
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; a password this long is judged on its start
SERVICE_WORDS = ("planner", "care", "leaver", "leaving", "council", "placement", "accommodation")


class AccountError(ValueError):
    """A username, role or password that is refused, with the reason in plain English."""


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is refused (NCSC and NIST guidance: long, not easily guessed, not the
    username), or None when it is fine. How easily it is guessed is zxcvbn's estimate (Dropbox's
    model of how passwords are cracked: common passwords, words, names, dates, keyboard patterns,
    repeats and substitutions), not a list of our own."""
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    if len(password) < PASSWORD_MIN:
        return f"The password must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"The password must be {PASSWORD_MAX} characters or fewer"
    if (found := control_character(password)) is not None:
        return f"The password must not contain a control character ({found}): type it again"
    if username and username.lower() in password.lower():
        return "The password must not contain the username"
    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[username, *SERVICE_WORDS])
    if estimate["score"] < STRONG_ENOUGH:
        warning = str(estimate["feedback"].get("warning") or "").rstrip(".")
        why = (
            warning or "a common word or name with a year, digits or symbols added is among the first guesses"
        )
        return (
            f"That password is too easy to guess ({why[0].lower() + why[1:]}): try three or more random words"
        )
    return None


def hash_password(password: str) -> str:
    """The app's hash (scrypt; faster settings only in tests), or scrypt outside an app."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def add_user(db: Session, username: str, role: str, password: str, *, is_demo: bool = False) -> User:
    """A new user in the caller's transaction; AccountError when anything is refused (when
    another user of the name was made meanwhile, the caller's transaction is rolled back)."""
    if not USERNAME.match(username):
        raise AccountError(f"The username must be {USERNAME_RULE}")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    if (twin := find_user(db, username)) is not None:
        raise AccountError(_taken(twin.username))
    if not is_demo and (problem := password_problem(password, username)):
        raise AccountError(problem)
    user = User(username=username, role=role, password_hash=hash_password(password), is_demo=is_demo)
    db.add(user)
    try:
        db.flush()
    except IntegrityError:  # made at the same moment by someone else (the unique index on lower(name))
        db.rollback()
        raise AccountError(_taken(username)) from None
    return user


def _taken(name: str) -> str:
    return f"There is already a user called {name} (user names are the same whatever their case)"


def find_user(db: Session, username: str) -> User | None:
    """The user of that name, whatever its case (names are unique regardless of case)."""
    return db.scalar(select(User).where(func.lower(User.username) == username.lower()))


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
