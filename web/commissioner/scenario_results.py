"""A scenario run's results as the pages show them, from the CSV text the run keeps (the files
`planner scenario` writes): the headline, the summary against the baseline, nights by district,
and two runs side by side (`compare`)."""

from __future__ import annotations

import io
from typing import Any, Final

import pandas as pd

from planner.data.districts import district_name
from planner.simulate.gaps import GAP_LABELS
from planner.simulate.report import LABELS, POLICY_LABELS, _fmt
from web.core.scenario_models import ScenarioRun

NIGHTS: Final = ("bnb_nights", "emergency_nights")
# What two scenarios are compared on: the nights no young person should spend, and the cost.
COMPARED: Final = ("bnb_nights", "emergency_nights", "under18_waiting_nights", "people_unplaced",
                   "weekly_cost", "total_cost")  # fmt: skip
BY_DISTRICT: Final = ("bnb_nights", "emergency_nights", "under18_waiting_nights", "people_unplaced")
BY_MONTH: Final = ("bnb_nights", "emergency_nights", "under18_waiting_nights", "cost")


def frame(text: str) -> pd.DataFrame:
    """A stored result table back as a frame (empty when the run has none)."""
    return pd.read_csv(io.StringIO(text)) if text else pd.DataFrame()


def policy_of(summary: pd.DataFrame) -> str:
    """The policy a headline is about: the optimised panel when it was run, else a real policy
    (the clairvoyant bound has no split of nights, costs or districts)."""
    policies = list(dict.fromkeys(summary["policy"]))
    for choice in ("optimised", "fcfs"):
        if choice in policies:
            return choice
    return str(policies[0])


def _pick(summary: pd.DataFrame, scenario: str, policy: str, metric: str) -> pd.DataFrame:
    return summary[
        (summary["scenario"] == scenario) & (summary["policy"] == policy) & (summary["metric"] == metric)
    ]


def _mean(summary: pd.DataFrame, scenario: str, policy: str, metric: str) -> float:
    rows = _pick(summary, scenario, policy, metric)
    return float(rows["mean"].iloc[0]) if len(rows) else float("nan")


def change(metric: str, value: float) -> str:
    """A difference with its sign (a real minus sign), or "–" when there is none."""
    if pd.isna(value):
        return "–"
    text = (
        f"{100 * abs(value):.1f} points"
        if metric.startswith("unsuitable_share")
        else _fmt(metric, abs(value))
    )
    if not text.strip("£0.,% points"):  # rounds to nothing: no sign ("0", not "−0")
        return text
    return ("+" if value > 0 else "−") + text


def _name(summary: pd.DataFrame) -> str:
    return str(next(s for s in summary["scenario"] if s != "baseline"))


def headline(run: ScenarioRun) -> dict[str, Any] | None:
    """B&B nights, weekly cost and its cost to the council, scenario against baseline, for the list
    and comparisons (a run from before council costs were counted shows "–" for them)."""
    if run.status != "done":
        return None
    summary = frame(run.summary_csv)
    policy = policy_of(summary)
    name = _name(summary)
    out: dict[str, Any] = {"policy": POLICY_LABELS.get(policy, policy)}
    for metric in ("bnb_nights", "emergency_nights", "weekly_cost", "council_weekly_cost"):
        b, s = _mean(summary, "baseline", policy, metric), _mean(summary, name, policy, metric)
        out[metric] = {
            "baseline": _fmt(metric, b),
            "scenario": _fmt(metric, s),
            "change": change(metric, s - b),
        }
    return out


def _cell(rows: pd.DataFrame, metric: str) -> tuple[dict[str, str], float]:
    """A mean and its 80% interval as the pages write them, and the mean."""
    if rows.empty:
        return {"mean": "–", "interval": ""}, float("nan")
    mean, lo, hi = (float(rows[c].iloc[0]) for c in ("mean", "lo80", "hi80"))
    interval = "" if pd.isna(mean) else f"{_fmt(metric, lo)} to {_fmt(metric, hi)}"
    return {"mean": _fmt(metric, mean), "interval": interval}, mean


def summary_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Per policy, per metric: baseline and scenario means with 80% intervals, and the change."""
    name = _name(summary)
    # the gap to the hindsight bound, where it was simulated (runs before it have none)
    present = set(summary["metric"])
    labels = {**LABELS, **{m: label for m, label in GAP_LABELS.items() if m in present}}
    out = []
    for policy in dict.fromkeys(summary["policy"]):
        rows = []
        for metric, label in labels.items():
            base, b = _cell(_pick(summary, "baseline", str(policy), metric), metric)
            mine, s = _cell(_pick(summary, name, str(policy), metric), metric)
            rows.append({"metric": metric, "label": label, "baseline": base, "scenario": mine,
                         "change": change(metric, s - b)})  # fmt: skip
        out.append({"policy": policy, "label": POLICY_LABELS.get(str(policy), policy), "rows": rows})
    return out


def district_rows(by_district: pd.DataFrame, policy: str) -> list[dict[str, Any]]:
    """B&B and emergency nights and young people ever unplaced, by home district."""
    rows = by_district[by_district["policy"] == policy]
    nights = rows[rows["metric"].isin(NIGHTS)].pivot_table(
        index="district", columns="scenario", values="mean", aggfunc="sum"
    )
    unplaced = rows[rows["metric"] == "people_unplaced"].pivot_table(
        index="district", columns="scenario", values="mean", aggfunc="sum"
    )
    if nights.empty:  # the clairvoyant bound alone has no figures by district
        return []
    name = next(s for s in nights.columns if s != "baseline")
    before, after = nights["baseline"].astype(float).to_dict(), nights[name].astype(float).to_dict()
    unplaced_before = unplaced["baseline"].astype(float).to_dict()
    unplaced_after = unplaced[name].astype(float).to_dict()
    out = []
    for code in sorted(before, key=lambda c: -before[c]):
        b, s = before[code], after[code]
        if b == 0 and s == 0:
            continue
        out.append(
            {
                "district": code,
                "name": district_name(str(code)),
                "baseline": f"{b:,.0f}",
                "scenario": f"{s:,.0f}",
                "change": change("bnb_nights", s - b),
                "unplaced_baseline": f"{unplaced_before[code]:,.1f}",
                "unplaced_scenario": f"{unplaced_after[code]:,.1f}",
            }
        )
    return out


# ---- two runs side by side ----


def common_policy(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    """The policy both runs simulated that the pages lead with (optimised, else first come first
    served), or None when they share none with figures to compare."""
    shared = set(a["policy"]) & set(b["policy"])
    return next((p for p in ("optimised", "fcfs") if p in shared), None)


def _side(table: pd.DataFrame, policy: str, metric: str, **keys: str) -> pd.DataFrame:
    """A run's own scenario's rows (not its baseline) for one policy and metric."""
    rows = table[
        (table["policy"] == policy) & (table["metric"] == metric) & (table["scenario"] != "baseline")
    ]
    for k, v in keys.items():
        rows = rows[rows[k].astype(str) == v]
    return rows


def compare_summary(a: pd.DataFrame, b: pd.DataFrame, policy: str) -> list[dict[str, Any]]:
    """The compared measures for scenario A and B (each with its 80% interval) and B minus A."""
    out = []
    for metric in COMPARED:
        left, x = _cell(_side(a, policy, metric), metric)
        right, y = _cell(_side(b, policy, metric), metric)
        out.append(
            {
                "metric": metric,
                "label": LABELS[metric],
                "a": left,
                "b": right,
                "change": change(metric, y - x),
            }
        )
    return out


def compare_districts(a: pd.DataFrame, b: pd.DataFrame, policy: str) -> list[dict[str, Any]]:
    """By home district: each compared measure for A and B, with intervals; districts where either
    has any, worst first (A's B&B and emergency nights)."""
    codes = sorted(set(a["district"].astype(str)) | set(b["district"].astype(str)))
    out = []
    for code in codes:
        cells: dict[str, dict[str, Any]] = {}
        means: list[float] = []
        worst = 0.0
        for metric in BY_DISTRICT:
            left, x = _cell(_side(a, policy, metric, district=code), metric)
            right, y = _cell(_side(b, policy, metric, district=code), metric)
            cells[metric] = {"a": left, "b": right, "change": change(metric, y - x)}
            means += [v for v in (x, y) if not pd.isna(v)]
            worst += x if metric in NIGHTS and not pd.isna(x) else 0.0
        if any(means):
            out.append({"district": code, "name": district_name(code), "cells": cells, "worst": worst})
    return sorted(out, key=lambda r: -r["worst"])


def compare_months(a: pd.DataFrame, b: pd.DataFrame, policy: str) -> list[dict[str, Any]]:
    """By calendar month: B&B, emergency and under-18 nights and cost for A and B, with intervals."""
    months = sorted(set(a["month"].astype(str)) | set(b["month"].astype(str)))
    out = []
    for month in months:
        cells = {}
        for metric in BY_MONTH:
            shown = "weekly_cost" if metric == "cost" else metric  # money is formatted as money
            left, _ = _cell(_side(a, policy, metric, month=month), shown)
            right, _ = _cell(_side(b, policy, metric, month=month), shown)
            cells[metric] = {"a": left, "b": right}
        out.append({"month": month, "label": f"{pd.Period(month, 'M'):%b %Y}", "cells": cells})
    return out


def chart_rows(by_month: pd.DataFrame, label: str, policy: str) -> pd.DataFrame:
    """A run's own scenario's rows by month, named `label`, for one chart of both runs."""
    rows = by_month[(by_month["policy"] == policy) & (by_month["scenario"] != "baseline")]
    return rows.assign(scenario=label)
