"""Administrators: users and roles, and the audit log with filters and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from planner.data.formats import parse_date, spreadsheet_cell
from web.core import audit
from web.core.accounts import (
    PASSWORD_RULE,
    USERNAME,
    USERNAME_RULE,
    AccountError,
    add_user,
    end_sessions,
    password_problem,
)
from web.core.auth import hash_password, roles_required
from web.core.db import get_db
from web.core.filters import uk_datetime
from web.core.models import ROLE_LABELS, ROLES, AuditEvent, User

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


ADMINS = ("admin",)
ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]


def _good_password(form: FlaskForm, field: PasswordField) -> None:
    """The password rules of `web.core.accounts` (12 to 128 characters, hard to guess)."""
    username = getattr(form, "username", None)
    name = username.data if username is not None else getattr(form, "for_username", "")
    if field.data and (problem := password_problem(field.data, name or "")):
        raise ValidationError(problem)


class NewUserForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired(message="Enter a username"),
            Regexp(USERNAME.pattern, message=f"Use {USERNAME_RULE}"),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField(
        "Password", validators=[DataRequired(message="Enter a password"), _good_password]
    )


class ChangeUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Account active")
    password = PasswordField("New password (leave empty to keep)", validators=[Optional(), _good_password])
    for_username = ""  # the user being changed, for the password rules


@bp.route("/users", methods=["GET", "POST"])
@roles_required(*ADMINS)
def users() -> ResponseReturnValue:
    db = get_db()
    form = NewUserForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            name = form.username.data.strip()
            try:
                add_user(db, name, form.role.data, form.password.data)
            except AccountError as e:
                form.username.errors = [str(e)]
            else:
                audit.record("user_added", detail=f"{name} as {form.role.data}")
                db.commit()
                flash(f"Added {name} as {ROLE_LABELS[form.role.data]}.")
                return redirect(url_for("admin.users"), code=303)
        status = 400
    everyone = list(db.scalars(select(User).order_by(User.username)))
    return render_template("admin/users.html", form=form, users=everyone, password_rule=PASSWORD_RULE), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def user(user_id: int) -> ResponseReturnValue:
    db = get_db()
    u = db.get(User, user_id)
    if u is None:
        abort(404)
    form = ChangeUserForm(data={"role": u.role, "active": u.active} if request.method == "GET" else None)
    form.for_username = u.username
    if request.method == "POST":
        if not form.validate():
            return _user_page(form, u, 400)
        if u.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            form.role.errors = ["You cannot remove your own administrator access"]
            return _user_page(form, u, 400)
        changes = []
        if form.role.data != u.role:
            changes.append(f"role {u.role} -> {form.role.data}")
            u.role = form.role.data
        if bool(form.active.data) != u.active:
            changes.append("activated" if form.active.data else "deactivated")
            u.active = bool(form.active.data)
            if not u.active:
                end_sessions(db, u.id, "deactivated")
        if form.password.data:
            changes.append("password reset")
            u.password_hash = hash_password(form.password.data)
            end_sessions(db, u.id, "password_changed")  # signed out everywhere, copied cookies too
        if changes:
            audit.record("user_changed", detail=f"{u.username}: {', '.join(changes)}")
            db.commit()
            flash(f"Changed {u.username}: {', '.join(changes)}.")
        return redirect(url_for("admin.users"), code=303)
    return _user_page(form, u)


def _user_page(form: ChangeUserForm, u: User, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/user.html", form=form, u=u, password_rule=PASSWORD_RULE), status


def _day(text: str | None) -> date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        abort(400, description=f"{text!r} is not a date (expected e.g. 23/11/2026)")


def _audit_query() -> tuple[Select[AuditEvent], dict[str, str]]:
    args = {k: request.args.get(k, "").strip() for k in ("user", "action", "person", "from", "to")}
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if args["user"]:
        query = query.where(AuditEvent.username == args["user"])
    if args["action"]:
        query = query.where(AuditEvent.action == args["action"])
    if args["person"]:
        query = query.where(AuditEvent.person_id == args["person"])
    start, end = _day(args["from"]), _day(args["to"])
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, datetime.min.time()))
    if end:  # the whole of the last day
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    return query, args


@bp.get("/audit", endpoint="audit")
@roles_required(*ADMINS)
def audit_log() -> ResponseReturnValue:
    query, args = _audit_query()
    events = list(get_db().scalars(query.limit(500)))
    usernames = sorted(get_db().scalars(select(User.username)))
    return render_template(
        "admin/audit.html", events=events, args=args, actions=audit.ACTIONS, users=usernames
    )


@bp.get("/audit.csv")
@roles_required(*ADMINS)
def audit_csv() -> ResponseReturnValue:
    query, args = _audit_query()
    db = get_db()
    events = list(db.scalars(query))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["when_utc", "when", "user", "action", "person_id", "detail"])
    for e in events:
        w.writerow(
            [e.at.isoformat(timespec="seconds"), uk_datetime(e.at), spreadsheet_cell(e.username), e.action,
             spreadsheet_cell(e.person_id or ""), spreadsheet_cell(e.detail)]
        )  # fmt: skip
    audit.record("export_audit", detail=f"{len(events)} events; filters {args}")
    db.commit()
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit.csv"},
    )
