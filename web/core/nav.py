"""Navigation by role: a link is shown only to roles its view lets in."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user

ITEMS = (
    ("placements.waiting_list", "Waiting list"),
    ("placements.proposals", "Proposals"),
    ("alerts.index", "Alerts"),
    ("schemes.index", "Schemes"),
    ("map.index", "Shortfall map"),
    ("analysis.forecast", "Forecast"),
    ("analysis.history", "History"),
    ("scenarios.index", "Scenarios"),
    ("commissioning.index", "Commissioning"),
    ("imports.index", "Imports"),
    ("admin.users", "Users"),
    ("admin.audit", "Audit log"),
    ("glossary.index", "Glossary"),
)


def navigation() -> list[dict[str, object]]:
    if not current_user.is_authenticated:
        return []
    items: list[dict[str, object]] = []
    for endpoint, label in ITEMS:
        view = current_app.view_functions.get(endpoint)
        if view is None or current_user.role not in getattr(view, "roles", ()):
            continue
        blueprint = endpoint.split(".")[0]
        items.append(
            {
                "href": url_for(endpoint),
                "label": label,
                "active": request.endpoint == endpoint
                or (request.blueprint == blueprint and blueprint not in ("placements", "admin", "analysis")),
            }
        )
    return items
