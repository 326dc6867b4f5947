"""Any two scenarios side by side (PRODUCT.md s.1, job 2): B&B, emergency and under-18 nights,
young people without a place and cost, over the whole period, by home district and by month,
each with the range 80% of runs fell in. Each side is its scenario's latest finished run."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from planner.simulate.report import POLICY_LABELS, chart_by_month
from web.commissioner.scenario_results import (
    chart_rows,
    common_policy,
    compare_districts,
    compare_months,
    compare_summary,
    frame,
)
from web.core.auth import roles_required
from web.core.db import get_db
from web.core.roles import READING
from web.core.scenario_models import ScenarioRecord, ScenarioRun

bp = Blueprint("compare", __name__, template_folder="templates")


def _latest_done() -> dict[int, ScenarioRun]:
    """Each scenario's latest finished run."""
    done = select(ScenarioRun).where(ScenarioRun.status == "done", ScenarioRun.kind == "scenario")
    return {
        r.scenario_id: r for r in get_db().scalars(done.order_by(ScenarioRun.id)) if r.scenario_id is not None
    }


def _chosen(key: str, records: dict[int, ScenarioRecord], runs: dict[int, ScenarioRun]) -> int | None:
    value = request.args.get(key, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) not in records:
        abort(
            400,
            description=f"Scenario {key.upper()} ({value!r}) is not a scenario: choose one from the list.",
        )
    if int(value) not in runs:
        name = records[int(value)].name
        abort(400, description=f"Scenario {name} has no finished run to compare: run it first.")
    return int(value)


@bp.get("/scenarios/compare")
@roles_required(*READING)
def compare() -> ResponseReturnValue:
    db = get_db()
    scenarios = select(ScenarioRecord).where(ScenarioRecord.kind == "scenario").order_by(ScenarioRecord.name)
    records = {r.id: r for r in db.scalars(scenarios)}
    runs = {k: v for k, v in _latest_done().items() if k in records}
    a, b = _chosen("a", records, runs), _chosen("b", records, runs)
    context: dict[str, Any] = {
        "options": [(str(i), r.name) for i, r in records.items() if i in runs],
        "a": records.get(a) if a else None,
        "b": records.get(b) if b else None,
        "run_a": runs.get(a) if a else None,
        "run_b": runs.get(b) if b else None,
    }
    if a is not None and b is not None:
        context |= _side_by_side(records[a], runs[a], records[b], runs[b])
    return render_template("commissioner/compare.html", **context)


def _side_by_side(ra: ScenarioRecord, a: ScenarioRun, rb: ScenarioRecord, b: ScenarioRun) -> dict[str, Any]:
    sa, sb = frame(a.summary_csv), frame(b.summary_csv)
    policy = common_policy(sa, sb)
    if policy is None:
        return {"policy": None}
    ma, mb = frame(a.by_month_csv), frame(b.by_month_csv)
    both = pd.concat([chart_rows(ma, ra.name, policy), chart_rows(mb, rb.name, policy)], ignore_index=True)
    return {
        "policy": policy,
        "policy_label": POLICY_LABELS.get(policy, policy),
        "summary": compare_summary(sa, sb, policy),
        "districts": compare_districts(frame(a.by_district_csv), frame(b.by_district_csv), policy),
        "months": compare_months(ma, mb, policy),
        "chart": chart_by_month(both),
    }
