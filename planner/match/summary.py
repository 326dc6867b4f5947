"""What a batch match comes to: the counts behind its summary (`breakdown`), the placement rates
by group a panel checks for fairness (`placement_rates`) and the command line's summary
(`format_summary`)."""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.ages import legal_statuses
from planner.data.contract import due_by
from planner.data.formats import ages_on, uk_date
from planner.data.roof import adults, in_emergency, no_roof
from planner.data.vocab import LEGAL_STATUSES
from planner.match.explain import unplaced_kinds
from planner.match.solution import OUTCOMES, MatchResult, Solution

AGE_BANDS: Final = ((16, 17, "16-17"), (18, 20, "18-20"), (21, 25, "21-25"))


def breakdown(matches: pd.DataFrame, people: pd.DataFrame, sol: Solution, *, on: date) -> dict[str, float]:
    """Counts and totals of a batch's answer (`MatchResult.objective`)."""
    outcome = matches["outcome"]
    placed = (outcome == "placed").to_numpy()
    unplaced = (outcome == "unplaced").to_numpy()
    # Level 2's second class: adults needed now with no roof or in B&B or emergency accommodation.
    urgent = sol.now & adults(people, on=on) & (no_roof(people, on=on) | in_emergency(people))
    under_18 = ages_on(people["date_of_birth"], on) < 18
    kinds = unplaced_kinds(people, sol, unplaced, on=on)
    chosen, cost, rank = sol.chosen, sol.cost, sol.rank
    got = chosen >= 0
    return {
        "due": float(sol.due.sum()),
        "placed": float(placed.sum()),
        "staying_put": float(sol.staying_put.sum()),
        "unsuitable": float((outcome == "unsuitable").sum()),
        "unplaced": float(unplaced.sum()),
        **{f"unplaced_{k}": float((kinds == k).sum()) for k in UNPLACED_LINES},
        "not_due": float((outcome == "not_due").sum()),
        "weekly_cost": float(matches["weekly_cost"].sum()),
        "weekly_cost_placed": float(matches["weekly_cost"][placed].sum()),
        **_paid(matches),
        "mean_distance_km": float(matches["distance_km"][placed].mean()) if placed.any() else 0.0,
        "level3_cost": float(cost[chosen[got & placed]].sum()) / 100,
        "urgent_waiting": float(urgent.sum()),
        "urgent_placed": float((urgent & placed).sum()),
        "under_18_due": float((under_18 & sol.due).sum()),
        "under_18_placed": float((under_18 & placed).sum()),
        "rank_sum_placed": float(rank[placed].sum()),
        "eligible_pairs": float(sol.eligible),
    }


def _paid(matches: pd.DataFrame) -> dict[str, float]:
    """Who pays for the places given (`explain.PAID_COLUMNS`), where the matches carry them."""
    if "council_weekly" not in matches:
        return {}
    got = matches["scheme_id"] != ""
    return {
        "council_weekly": float(matches["council_weekly"].sum()),
        "housing_benefit_weekly": float(matches["housing_benefit_weekly"].sum()),
        "rent_not_met_weekly": float(matches["rent_not_met_weekly"].sum()),
        "rent_short_people": float((matches["rent_not_met_weekly"] > 0.005).sum()),
        "split_assumed_places": float((matches["split_assumed"].astype(bool) & got).sum()),
        "places_given": float(got.sum()),
    }


def format_paid(o: dict[str, float], *, council_meets: bool = False) -> list[str]:
    """The summary's lines on who pays, when the result carries them."""
    if "council_weekly" not in o:
        return []
    lines = [
        f"  of which to the council £{o['council_weekly']:,.0f} a week; housing benefit (or universal "
        f"credit's housing element) £{o['housing_benefit_weekly']:,.0f}"
    ]
    if o["rent_short_people"]:
        who = (
            "the council meets it: PLANNER_COUNCIL_MEETS_RENT_SHORTFALL" if council_meets else "theirs to pay"
        )
        lines.append(
            f"  rent not met by housing benefit £{o['rent_not_met_weekly']:,.0f} a week for "
            f"{o['rent_short_people']:,.0f} in work or full-time higher education ({who})"
        )
    if o["split_assumed_places"]:
        lines.append(
            f"  rent and support assumed by accommodation type for {o['split_assumed_places']:,.0f} of the "
            f"{o['places_given']:,.0f} places given (schemes.csv gives no weekly_rent and weekly_support; "
            "data/README.md, 'Who pays')"
        )
    return lines


# The unplaced, by what happens to them meanwhile (`explain.unplaced_kinds`), as the summary says it.
UNPLACED_LINES: Final = {
    "no_roof": "no roof: refer to the district housing authority",
    "under_18": "under 18: the council must accommodate them",
    "in_emergency": "still in B&B or emergency (not moved to another)",
    "housed": "stay where they live until a place is found",
}


def placement_rates(result: MatchResult, people: pd.DataFrame, *, on: date) -> pd.DataFrame:
    """Outcomes by gender, age band, legal status, support need, UASC and home district: the
    fairness check a panel asks for. Columns: group, value, people, due, placed, unsuitable,
    unplaced, not_due, placed_pct (the share of those due placed in a suitable place)."""
    from planner.data.districts import district_names

    age = ages_on(people["date_of_birth"], on)
    band = np.full(len(people), "other", dtype=object)
    for lo, hi, label in AGE_BANDS:
        band[(age >= lo) & (age <= hi)] = label
    names = district_names()
    groups = {
        "gender": people["gender"].to_numpy(dtype=object),
        "age band": band,
        "legal status": legal_statuses(people, on),
        "support need": people["support_need"].to_numpy(dtype=object),
        "UASC": np.where(people["uasc"].to_numpy(dtype=bool), "yes", "no").astype(object),
        "home district": np.array(
            [f"{names.get(c, c)} ({c})" for c in people["home_district"]], dtype=object
        ),
    }
    order = {"legal status": list(LEGAL_STATUSES)}  # the duties in the order the law gives them
    outcome = result.matches["outcome"].to_numpy(dtype=object)
    tables = []
    for group, values in groups.items():
        t = _outcome_counts(values, outcome)
        if group in order:
            t = t.reindex([v for v in order[group] if v in t.index])
        t.insert(0, "due", t[["placed", "unsuitable", "unplaced"]].sum(axis=1))
        t.insert(0, "people", t["due"] + t["not_due"])
        t["placed_pct"] = (100 * t["placed"] / t["due"].where(t["due"] > 0)).round(1)
        t = t.reset_index()
        t.insert(0, "group", group)
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    out.columns.name = None
    return out


def _outcome_counts(values: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """People per value (sorted, index "value") and outcome (columns `OUTCOMES`): a crosstab by
    counting codes (pandas' crosstab builds a pivot table, six times a summary)."""
    codes, uniques = pd.factorize(values, sort=True)
    kind = pd.Categorical(outcome, categories=list(OUTCOMES)).codes
    k = len(OUTCOMES)
    counted = (codes >= 0) & (kind >= 0)  # as crosstab: no row for a missing value
    cells = np.bincount((codes * k + kind)[counted], minlength=len(uniques) * k).reshape(len(uniques), k)
    return pd.DataFrame(cells, index=pd.Index(uniques, name="value"), columns=list(OUTCOMES))


def format_summary(
    result: MatchResult, people: pd.DataFrame, *, on: date, council_meets: bool = False
) -> str:
    """The command line's summary: outcomes of those due (staying put, and what happens meanwhile
    to those unplaced), those not due, cost, distance, times and placement rates."""
    o, t = result.objective, result.timings
    due = max(o["due"], 1)
    last = uk_date(due_by(on, result.horizon_days))
    status = "optimal" if result.status == "optimal" else "TIME LIMIT reached, best answer found"

    def row(label: str, value: float, note: str = "") -> str:
        return f"  {label:<54}{value:>7,.0f}{'  ' + note if note else ''}"

    def share(k: str) -> str:
        return f"({100 * o[k] / due:.1f}% of those due)"

    lines = [
        f"Matched {len(people):,} young people on {uk_date(on)}: {status} ({result.method}).",
        row(f"due by {last} ({result.horizon_days}-day horizon)", o["due"]),
        row("  placed in a suitable place", o["placed"], share("placed")),
        row("    of whom staying put with own former foster carers", o["staying_put"]),
        row("  unsuitable (B&B/emergency)", o["unsuitable"], share("unsuitable")),
        row("  unplaced", o["unplaced"], share("unplaced")),
        *(row(f"    {label}", o[f"unplaced_{k}"]) for k, label in UNPLACED_LINES.items()),
        row("not due (needed later)", o["not_due"], "(on the list, no place now)"),
        row("under 18, placed suitably", o["under_18_placed"], f"of {o['under_18_due']:,.0f} due"),
        row(
            "no roof or in B&B/emergency now, placed suitably",
            o["urgent_placed"],
            f"of {o['urgent_waiting']:,.0f} adults",
        ),
        f"  total weekly cost £{o['weekly_cost']:,.0f} (suitable places £{o['weekly_cost_placed']:,.0f}); "
        f"mean distance from home {o['mean_distance_km']:.1f} km (suitable places)",
        *format_paid(o, council_meets=council_meets),
        f"  solve time {t['solve']:.3f} s (eligibility {t['eligibility']:.3f} s, "
        f"model build {t['build']:.3f} s, reasons {t['explain']:.3f} s)",
        "Placement rates (placed_pct = share of those due placed in a suitable place):",
        placement_rates(result, people, on=on).to_string(index=False, na_rep="-"),
    ]
    return "\n".join(lines)
