"""A commissioning plan's run as its pages show it, from the CSV text the run keeps (the files
`planner commission` writes): what to buy and why, what it saves against buying nothing beside
what the simple rule saves (with 80% intervals), nights by district, and the plan on the map."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
from flask import current_app
from markupsafe import escape

from planner.data.districts import district_name
from planner.data.formats import gbp
from web.commissioner.map.builder import MapParts, assets, build_map
from web.commissioner.scenario_results import frame
from web.core.scenario_models import ScenarioRun

SAVED_LABELS: Final = {
    "unsuitable_nights": "B&B and emergency nights",
    "bnb_nights": "B&B nights",
    "emergency_nights": "Emergency accommodation nights",
    "under18_waiting_nights": "Nights an under-18 waits past their need date (in their placement or care)",
    "people_unplaced": "Young people ever without a suitable place",
    "weekly_cost": "Council cost a week (places bought, B&B and emergency)",
    "total_cost": "Council cost over the period",
}
SIDES: Final = ("plan", "simple-rule")
PLAN_TABLES: Final = {
    "plan": "plan_csv",
    "rule": "rule_csv",
    "savings": "savings_csv",
    "verification": "summary_csv",
    "by_district": "by_district_csv",
    "by_month": "by_month_csv",
}


def _number(metric: str, v: float) -> str:
    if metric.endswith("cost"):
        return ("−" if v < 0 else "") + gbp(abs(v))
    return f"{v:,.0f}" if abs(v) >= 10 or metric != "people_unplaced" else f"{v:,.1f}"


def _cell(rows: pd.DataFrame, side: str, metric: str) -> dict[str, str]:
    hit = rows[(rows["scenario"] == side) & (rows["metric"] == metric)]
    if hit.empty:
        return {"mean": "–", "interval": ""}
    r = hit.iloc[0]
    return {
        "mean": _number(metric, float(r["mean"])),
        "interval": f"{_number(metric, float(r['lo80']))} to {_number(metric, float(r['hi80']))}",
    }


def savings_rows(run: ScenarioRun) -> list[dict[str, Any]]:
    """Per measure, what the plan and the simple rule save against buying nothing (a cost saving
    below 0 is a cost), each with the range 80% of runs fell in."""
    saved = frame(run.savings_csv)
    return [
        {"metric": m, "label": label, **{side: _cell(saved, side, m) for side in SIDES}}
        for m, label in SAVED_LABELS.items()
    ]


def headline(run: ScenarioRun) -> dict[str, Any] | None:
    """Places bought, their expected cost, and the nights they save, for lists and the page's top."""
    if run.status != "done" or not run.savings_csv:
        return None
    plan, saved = frame(run.plan_csv), frame(run.savings_csv)
    nights = saved[(saved["scenario"] == "plan") & (saved["metric"] == "unsuitable_nights")]
    rule = saved[(saved["scenario"] == "simple-rule") & (saved["metric"] == "unsuitable_nights")]
    block, spot = _contracts(plan)
    used = int(round(spot.sum() + 1e-9))  # spot places in use on average, whole
    places = f"{int(block.sum())} block places" + (f" and about {used} spot" if used else "")
    return {
        "places": places,
        "districts": int((block.add(spot, fill_value=0) >= 0.5).sum()),
        "cost": f"£{float(plan['expected_weekly_cost'].sum()):,.0f}" if len(plan) else "£0",
        "nights": _cell(saved, "plan", "unsuitable_nights"),
        "rule_nights": _cell(saved, "simple-rule", "unsuitable_nights"),
        "beats_rule": bool(len(nights) and len(rule) and nights["mean"].iloc[0] > rule["mean"].iloc[0]),
    }


def _contracts(plan: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """By district: block places bought, and spot places expected in use (a spot contract's places
    are the most the optimiser allows, paid for only when used: not places bought)."""
    if plan.empty:
        return pd.Series(dtype=float), pd.Series(dtype=float)
    block = plan[plan["contract"] == "block"].groupby("district")["places"].sum().astype(float)
    spot = plan[plan["contract"] == "spot"].groupby("district")["expected_places_used"].sum().astype(float)
    return block, spot


def purchases(text: str) -> list[dict[str, Any]]:
    """plan.csv or rule.csv rows as the page lists them."""
    table = frame(text)
    return [] if table.empty else [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]


def _nights(by_district: pd.DataFrame) -> pd.DataFrame:
    """B&B and emergency nights by district (rows) for buying nothing, the plan and the rule."""
    rows = by_district[by_district["metric"].isin(["bnb_nights", "emergency_nights"])]
    table = rows.pivot_table(index="district", columns="scenario", values="mean", aggfunc="sum")
    return table.reindex(columns=["baseline", *SIDES]).fillna(0.0)


def district_rows(run: ScenarioRun) -> list[dict[str, Any]]:
    """By home district: places the plan buys there, and B&B and emergency nights with nothing
    bought, with the plan and with the rule (means of the check's runs)."""
    nights, plan = _nights(frame(run.by_district_csv)), frame(run.plan_csv)
    block, spot = _contracts(plan)
    out = []
    for code, row in nights.sort_values("baseline", ascending=False).iterrows():
        out.append(
            {
                "district": code,
                "name": district_name(str(code)),
                "places": int(block.get(code, 0)),
                "spot": f"{spot.get(code, 0.0):.1f}",
                "baseline": f"{row['baseline']:,.0f}",
                "plan": f"{row['plan']:,.0f}",
                "rule": f"{row['simple-rule']:,.0f}",
            }
        )
    return out


def _tip(row: Any) -> str:
    bought = "<br>".join(escape(b) for b in row.bought) or "Nothing bought here"
    return (
        f"<b>{escape(row.name)}</b> ({escape(row.district)})<br>{bought}<br>B&amp;B and emergency nights: "
        f"{row.baseline:,.0f} with nothing bought, {row.planned:,.0f} with the plan"
    )


def _label(row: Any) -> str:
    spot = int(round(row.spot + 1e-9))  # places in use on average, whole: half a place shows as 1
    parts = ([f"{row.block} block"] if row.block else []) + ([f"~{spot} spot"] if spot else [])
    value = ", ".join(parts) or "None bought"
    return (
        f"<span class='map-label__inner'><span class='map-label__name'>{escape(row.name)}</span>"
        f"<span class='map-label__value'>{value}</span></span>"
    )


def plan_map(run: ScenarioRun) -> MapParts | None:
    """The council's districts shaded by the places the plan buys in each, labelled, with what
    it buys there and the nights it saves in the tooltip."""
    nights, plan = _nights(frame(run.by_district_csv)), frame(run.plan_csv)
    if nights.empty:
        return None
    table = pd.DataFrame({"district": nights.index.astype(str)})
    table["name"] = table["district"].map(district_name)
    block, spot = _contracts(plan)
    table["shortfall"] = [round(block.get(d, 0) + spot.get(d, 0)) for d in table["district"]]  # the colour
    table["block"] = [int(block.get(d, 0)) for d in table["district"]]
    table["spot"] = [float(spot.get(d, 0)) for d in table["district"]]
    table["bought"] = [
        [
            f"{int(r.places)} {r.accom_type} {r.support_level} {r.contract} "
            f"at {gbp(float(r.unit_weekly_cost))}"
            for r in plan[plan["district"] == d].itertuples()
        ]
        if len(plan)
        else []
        for d in table["district"]
    ]
    table["baseline"] = nights["baseline"].to_numpy()
    table["planned"] = nights["plan"].to_numpy()
    js, css = assets()
    return build_map(
        table,
        pd.DataFrame(columns=["latitude", "longitude"]),
        js=js,
        css=css,
        tiles_url=current_app.config.get("MAP_TILES_URL"),
        tiles_attribution=current_app.config.get("MAP_TILES_ATTRIBUTION"),
        tip=_tip,
        label=_label,
        legend=("Places the plan buys (block, and spot in use)", ("None", "")),
    )
