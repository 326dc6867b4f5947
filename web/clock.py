"""The date the app works on: `TODAY` in the configuration (demos and tests), else the real date."""

from __future__ import annotations

from datetime import date

from flask import Flask


def today(app: Flask) -> date:
    fixed = app.config.get("TODAY")
    if isinstance(fixed, str):
        return date.fromisoformat(fixed)
    return fixed if isinstance(fixed, date) else date.today()
