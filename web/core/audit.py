"""The audit log: every view of a young person's page, every decision, import and sign-in."""

from __future__ import annotations

from flask_login import current_user

from web.core.db import get_db
from web.core.models import AuditEvent

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "access_denied",
    "view_person",
    "run_matching",
    "confirm",
    "confirm_failed",
    "decline",
    "reopen",
    "undo",
    "end_placement",
    "view_scheme",
    "idle_sign_out",
    "edit_vacancies",
    "import",
    "user_added",
    "user_changed",
    "export_audit",
    "scenario_saved",
    "run_scenario",
    "scenario_copied",
    "scenario_renamed",
    "scenario_deleted",
    "plan_saved",
    "run_plan",
    "import_history",
    "cancel_scenario_run",
    "export_list",
    "referral_added",
    "referral_changed",
    "staying_put",
    "note",
)


def record(action: str, person_id: str | None = None, detail: str = "") -> AuditEvent:
    """Add an event to the request's session; the caller commits it with the change it records,
    so a decision and its audit entry are written together or not at all."""
    assert action in ACTIONS, action
    signed_in = current_user.is_authenticated
    event = AuditEvent(
        user_id=current_user.id if signed_in else None,
        username=current_user.username if signed_in else "",
        action=action,
        person_id=person_id,
        detail=detail,
    )
    get_db().add(event)
    return event
