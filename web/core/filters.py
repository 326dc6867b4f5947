"""Jinja filters for what a person reads: UK dates, GBP, SSDA903 labels, district names, ages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from planner.data.districts import district_name
from planner.data.formats import gbp, uk_date
from planner.data.vocab import ACCOM_LABELS, accom_label

UK_TIME = ZoneInfo("Europe/London")


def uk_datetime(value: datetime | None) -> str:
    """`23 Nov 2026 14:05`, UK time (stored as UTC; GMT or BST as the date needs)."""
    if value is None:
        return ""
    local = (
        value.replace(tzinfo=UTC).astimezone(UK_TIME) if value.tzinfo is None else value.astimezone(UK_TIME)
    )
    return f"{uk_date(local)} {local:%H:%M}"


def km(value: float | None) -> str:
    if value is None or value != value:  # NaN
        return ""
    return f"{value:,.1f} km"


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def district(code: str | None) -> str:
    """`Gloucester (E07000081)`."""
    if not code:
        return ""
    name = district_name(code)
    return code if name == code else f"{name} ({code})"


def district_list(codes: str | tuple[str, ...] | None) -> str:
    if not codes:
        return ""
    items = codes.split(";") if isinstance(codes, str) else list(codes)
    return ", ".join(district_name(c) for c in items if c)


def accom_type(letter: str | None) -> str:
    """`E Supported lodgings`."""
    if not letter:
        return ""
    return f"{letter} {ACCOM_LABELS.get(letter, 'Unknown')}"


def tokens(value: str | None) -> str:
    """`self_harm;going_missing` -> `self harm, going missing`."""
    if not value:
        return ""
    return ", ".join(t.replace("_", " ") for t in value.split(";") if t)


def init_app(app: Flask) -> None:
    filters: dict[str, Any] = {
        "uk_date": uk_date,
        "uk_datetime": uk_datetime,
        "gbp": gbp,
        "km": km,
        "district": district,
        "district_name": district_name,
        "district_list": district_list,
        "accom_label": accom_label,
        "accom_type": accom_type,
        "tokens": tokens,
    }
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals["age_on"] = age_on
