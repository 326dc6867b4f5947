"""Batch matching for the placement panel: `match()` -> `MatchResult` (PRODUCT.md s.3).

Only people due within the horizon take part: `needed_from` on or before the match date plus
`horizon_days` (default 28). Everyone due later is `not_due`: on the list, given no place now.

Objective, lexicographic: (1) most people due in suitable places (any type but W/V); (2) among
those the most under-18s (there is no lawful fallback for them), then the most of those now in
B&B, emergency accommodation or of no fixed abode (`vocab.URGENT_ACCOM`), then the soonest
`needed_from`; (3) the least combined cost (`CostWeights`), or with `objective="cost"` the least
total weekly cost. Level 2 is one urgency class per person ordered by (adult, not urgent,
needed_from): the flow's answer is optimal for every prefix of that order at once (a matroid's
greedy basis), so it has the most under-18s, then the most urgent, then the soonest.
Then W/V places go to adults whose need is now (`needed_from` on or before the match date) and
whom nobody could place suitably, by the same levels, and are reported as `unsuitable`. See
`planner.match.flow` for why the min-cost flow is exact and how the time limit works; no side
constraint needs CP-SAT.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS, due_by, due_within, needed_now
from planner.data.formats import ages_on, spreadsheet_safe, uk_date
from planner.data.vocab import URGENT_ACCOM
from planner.match.arcs import Arcs, batch_pairs
from planner.match.cost import DEFAULT_WEIGHTS, OBJECTIVES, CostWeights, Objective, pair_cost
from planner.match.explain import explain
from planner.match.flow import assign
from planner.match.solution import Solution

__all__ = [  # the cost names live in planner.match.cost; imported from here too
    "DEFAULT_WEIGHTS", "MATCH_COLUMNS", "OBJECTIVES", "OUTCOMES", "CostWeights", "MatchResult", "Objective",
    "format_summary", "match", "pair_cost", "placement_rates", "solve", "urgency_rank", "write_matches",
]  # fmt: skip

OUTCOMES: Final = ("placed", "unsuitable", "unplaced", "not_due")
MATCH_COLUMNS: Final = (
    "person_id", "scheme_id", "outcome", "accom_code", "weekly_cost", "distance_km", "reason",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: pd.DataFrame  # MATCH_COLUMNS, one row per person in input order
    why_not: pd.DataFrame  # person_id, rule, schemes_excluded, only_this_rule: see explain.explain
    status: str  # "optimal" or "time_limit" (best answer found in time, see planner.match.flow)
    objective: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)  # eligibility, build, solve, explain
    method: str = ""  # how the suitable stage was solved
    horizon_days: int = HORIZON_DAYS
    solution: Solution | None = field(default=None, repr=False, compare=False)  # for `answer_of`

    @property
    def seconds(self) -> float:
        return float(sum(self.timings.values()))


def urgency_rank(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """Urgency class per person, 0 = most urgent: under-18s first, then those now in B&B,
    emergency accommodation or of no fixed abode, then the soonest needed; equal keys share a class."""
    urgent = people["current_accom"].str[:1].isin(list(URGENT_ACCOM)).to_numpy()
    days = people["needed_from"].to_numpy().astype("datetime64[D]").astype(np.int64)
    adult = ages_on(people["date_of_birth"], on) >= 18
    if len(days):
        days = days - days.min()
    key = adult.astype(np.int64) << 41 | (~urgent).astype(np.int64) << 40 | days
    return np.unique(key, return_inverse=True)[1].astype(np.int64)


def solve(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    on: date,
    objective: Objective = "default",
    time_limit: float | None = None,
    weights: CostWeights = DEFAULT_WEIGHTS,
    force_stages: bool = False,
    horizon_days: int = HORIZON_DAYS,
) -> Solution:
    """Eligibility, then the suitable stage for people due, then the W/V stage for adults needing a
    place now (`force_stages` is for tests)."""
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    due = due_within(people, on=on, horizon_days=horizon_days)
    now = needed_now(people, on=on)
    pairs = batch_pairs(people, schemes, on=on, first=due, second=now, objective=objective, weights=weights)
    t1 = time.perf_counter()
    rank = urgency_rank(people, on=on)
    places = schemes["vacancies"].to_numpy(dtype=np.int64)
    t2 = time.perf_counter()

    # Stage 1: suitable places for people due.
    first = pairs.suitable
    a = assign(
        first.person, first.scheme, first.cost, rank, places, deadline=deadline, force_stages=force_stages
    )
    chosen = a.pair
    status = "time_limit" if a.status == "time_limit" else "optimal"
    build_s, solve_s, method = t2 - t1 + a.build_s, a.solve_s, a.method
    # Stage 2: B&B/emergency for adults needing a place now whom stage 1 left without one (under-18s
    # have no W/V arcs).
    second = pairs.fallback.take(chosen[pairs.fallback.person] < 0)
    if len(second):
        b = assign(second.person, second.scheme, second.cost, rank, places, deadline=deadline,
                   force_stages=force_stages)  # fmt: skip
        got = b.pair >= 0
        chosen[got] = len(first) + b.pair[got]
        status = "time_limit" if b.status == "time_limit" else status
        build_s, solve_s = build_s + b.build_s, solve_s + b.solve_s
        arcs = Arcs(
            np.concatenate((first.person, second.person)),
            np.concatenate((first.scheme, second.scheme)),
            np.concatenate((first.cost, second.cost)),
        )
    else:
        arcs = first
    suitable = np.arange(len(arcs)) < len(first)
    timings = {"eligibility": t1 - t0, "build": build_s, "solve": solve_s}
    return Solution(arcs.person, arcs.scheme, arcs.cost, suitable, chosen, rank, due, now, pairs.options,
                    pairs.eligible, horizon_days, status, method, timings)  # fmt: skip


def match(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    on: date,
    objective: Objective = "default",
    time_limit: float | None = None,
    weights: CostWeights = DEFAULT_WEIGHTS,
    force_stages: bool = False,
    horizon_days: int = HORIZON_DAYS,
) -> MatchResult:
    """Match everyone on the waiting list at once. Frames as `contract.load_folder` returns them."""
    sol = solve(people, schemes, on=on, objective=objective, time_limit=time_limit, weights=weights,
                force_stages=force_stages, horizon_days=horizon_days)  # fmt: skip
    t0 = time.perf_counter()
    matches, why_not = explain(people, schemes, sol, on=on, objective=objective)
    return MatchResult(
        matches=matches,
        why_not=why_not,
        status=sol.status,
        horizon_days=horizon_days,
        objective=_breakdown(matches, people, sol, on=on),
        timings={**sol.timings, "explain": time.perf_counter() - t0},
        method=sol.method,
        solution=sol,
    )


def _breakdown(matches: pd.DataFrame, people: pd.DataFrame, sol: Solution, *, on: date) -> dict[str, float]:
    outcome = matches["outcome"]
    placed = (outcome == "placed").to_numpy()
    urgent = people["current_accom"].str[:1].isin(list(URGENT_ACCOM)).to_numpy() & sol.due
    under_18 = ages_on(people["date_of_birth"], on) < 18
    chosen, cost, rank = sol.chosen, sol.cost, sol.rank
    got = chosen >= 0
    return {
        "due": float(sol.due.sum()),
        "placed": float(placed.sum()),
        "unsuitable": float((outcome == "unsuitable").sum()),
        "unplaced": float((outcome == "unplaced").sum()),
        "not_due": float((outcome == "not_due").sum()),
        "weekly_cost": float(matches["weekly_cost"].sum()),
        "weekly_cost_placed": float(matches["weekly_cost"][placed].sum()),
        "mean_distance_km": float(matches["distance_km"][placed].mean()) if placed.any() else 0.0,
        "level3_cost": float(cost[chosen[got & placed]].sum()) / 100,
        "urgent_waiting": float(urgent.sum()),
        "urgent_placed": float((urgent & placed).sum()),
        "under_18_due": float((under_18 & sol.due).sum()),
        "under_18_placed": float((under_18 & placed).sum()),
        "rank_sum_placed": float(rank[placed].sum()),
        "eligible_pairs": float(sol.eligible),
    }


AGE_BANDS: Final = ((16, 17, "16-17"), (18, 20, "18-20"), (21, 25, "21-25"))


def placement_rates(result: MatchResult, people: pd.DataFrame, *, on: date) -> pd.DataFrame:
    """Outcomes by gender, age band, support need, UASC and home district: the fairness check a
    panel asks for. Columns: group, value, people, due, placed, unsuitable, unplaced, not_due,
    placed_pct (the share of those due placed in a suitable place)."""
    from planner.data.districts import district_names

    age = ages_on(people["date_of_birth"], on)
    band = np.full(len(people), "other", dtype=object)
    for lo, hi, label in AGE_BANDS:
        band[(age >= lo) & (age <= hi)] = label
    names = district_names()
    groups = {
        "gender": people["gender"].to_numpy(dtype=object),
        "age band": band,
        "support need": people["support_need"].to_numpy(dtype=object),
        "UASC": np.where(people["uasc"].to_numpy(dtype=bool), "yes", "no").astype(object),
        "home district": np.array(
            [f"{names.get(c, c)} ({c})" for c in people["home_district"]], dtype=object
        ),
    }
    outcome = result.matches["outcome"].to_numpy(dtype=object)
    tables = []
    for group, values in groups.items():
        t = pd.crosstab(pd.Series(values, name="value"), pd.Series(outcome, name="outcome"))
        t = t.reindex(columns=list(OUTCOMES), fill_value=0)
        t.insert(0, "due", t[["placed", "unsuitable", "unplaced"]].sum(axis=1))
        t.insert(0, "people", t["due"] + t["not_due"])
        t["placed_pct"] = (100 * t["placed"] / t["due"].where(t["due"] > 0)).round(1)
        t = t.reset_index()
        t.insert(0, "group", group)
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    out.columns.name = None
    return out


def format_summary(result: MatchResult, people: pd.DataFrame, *, on: date) -> str:
    """The command line's summary: outcomes of those due, those not due, cost, distance, times and
    placement rates."""
    o, t = result.objective, result.timings
    due = max(o["due"], 1)
    last = uk_date(due_by(on, result.horizon_days))
    status = "optimal" if result.status == "optimal" else "TIME LIMIT reached, best answer found"

    def row(label: str, value: float, note: str = "") -> str:
        return f"  {label:<50}{value:>7,.0f}{'  ' + note if note else ''}"

    def share(k: str) -> str:
        return f"({100 * o[k] / due:.1f}% of those due)"

    lines = [
        f"Matched {len(people):,} young people on {uk_date(on)}: {status} ({result.method}).",
        row(f"due by {last} ({result.horizon_days}-day horizon)", o["due"]),
        row("  placed in a suitable place", o["placed"], share("placed")),
        row("  unsuitable (B&B/emergency)", o["unsuitable"], share("unsuitable")),
        row("  unplaced", o["unplaced"], share("unplaced")),
        row("not due (needed later)", o["not_due"], "(on the list, no place now)"),
        row("under 18, placed suitably", o["under_18_placed"], f"of {o['under_18_due']:,.0f} due"),
        row(
            "now in B&B, emergency or homeless, placed suitably",
            o["urgent_placed"],
            f"of {o['urgent_waiting']:,.0f} due",
        ),
        f"  total weekly cost £{o['weekly_cost']:,.0f} (suitable places £{o['weekly_cost_placed']:,.0f}); "
        f"mean distance from home {o['mean_distance_km']:.1f} km (suitable places)",
        f"  solve time {t['solve']:.3f} s (eligibility {t['eligibility']:.3f} s, "
        f"model build {t['build']:.3f} s, reasons {t['explain']:.3f} s)",
        "Placement rates (placed_pct = share of those due placed in a suitable place):",
        placement_rates(result, people, on=on).to_string(index=False, na_rep="-"),
    ]
    return "\n".join(lines)


def write_matches(matches: pd.DataFrame, path: Path) -> None:
    """matches.csv with PRODUCT.md's columns, written to a temporary file and renamed into place
    so that a reader never sees half a file."""
    out = matches.loc[:, list(MATCH_COLUMNS)].copy()
    out["weekly_cost"] = out["weekly_cost"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    out["distance_km"] = out["distance_km"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".matches-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            spreadsheet_safe(out).to_csv(f, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
