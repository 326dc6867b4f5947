"""A scenario run's baseline, month by month and beside the council's DfE figures: the same as
`planner scenario` prints and its report.html shows (`planner.simulate.calibration`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.simulate.calibration import (
    MONTH_COLUMNS,
    baseline_by_month,
    calibrate,
    council_care_leavers,
    lines,
)
from planner.simulate.report import MONTH_LABELS, POLICY_LABELS, _fmt, month_name
from web.core.db import get_db
from web.core.store import people_frame, schemes_frame


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def baseline(summary: pd.DataFrame, by_month: pd.DataFrame) -> dict[str, Any] | None:
    """What the run page shows of the baseline; None for a run stored before these figures were."""
    if "unsuitable_per_night" not in set(summary["metric"]):
        return None
    db = get_db()
    codes = set(schemes_frame(db)["district"]) | set(people_frame(db, waiting_only=True)["home_district"])
    cal = calibrate(summary, council_care_leavers(codes))
    months = baseline_by_month(by_month, policy=cal.policy)
    said = [line.strip() for line in lines(cal)[1:]]
    return {
        "policy": POLICY_LABELS.get(cal.policy, cal.policy),
        "findings": [s for s in said if not s.startswith("WARNING")],
        "warnings": [_sentence(s.removeprefix("WARNING: ")) for s in said if s.startswith("WARNING")],
        "columns": [(c, MONTH_LABELS[c]) for c in MONTH_COLUMNS],
        "months": [
            {"month": month_name(str(r["month"])), "cells": [_fmt(c, float(r[c])) for c in MONTH_COLUMNS]}
            for _, r in months.iterrows()
        ],
    }
