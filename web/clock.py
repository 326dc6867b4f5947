"""The date the app works on: `TODAY` in the configuration (demos and tests), else the real date;
and the matching horizon in days (`HORIZON_DAYS`, from PLANNER_HORIZON_DAYS)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask


def today(app: Flask) -> date:
    fixed = app.config.get("TODAY")
    if isinstance(fixed, str):
        return date.fromisoformat(fixed)
    return fixed if isinstance(fixed, date) else date.today()


def horizon_days(app: Flask) -> int:
    return int(app.config.get("HORIZON_DAYS", 28))


def due_by(app: Flask) -> date:
    """The last `needed_from` a batch on today's date places: today plus the horizon."""
    return today(app) + timedelta(days=horizon_days(app))
