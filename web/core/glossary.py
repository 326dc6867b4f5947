"""The glossary: the SSDA903 codes the pages use (accommodation, activity), legal statuses,
support levels, risks and the product's own terms, for everyone signed in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from planner.data.vocab import (
    ACCOM_LABELS,
    ACTIVITY_LABELS,
    LEGAL_STATUS_LABELS,
    NEVER_SUITABLE,
    RISKS,
    SUPPORT_LEVELS,
    UNSUITABLE_TYPES,
)
from web.core.auth import any_role

bp = Blueprint("glossary", __name__)  # the product's own terms are written in the template


@bp.get("/glossary")
@any_role
def index() -> ResponseReturnValue:
    accom = [
        (letter, label, "never" if letter in NEVER_SUITABLE else "suitable (1) or not (2)")
        for letter, label in ACCOM_LABELS.items()
    ]
    return render_template(
        "glossary.html", accom=accom, unsuitable=sorted(UNSUITABLE_TYPES),
        activity=ACTIVITY_LABELS, legal=LEGAL_STATUS_LABELS, levels=SUPPORT_LEVELS, risks=RISKS,
        horizon=current_app.config.get("HORIZON_DAYS", 28),
    )  # fmt: skip
