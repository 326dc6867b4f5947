"""Batch matching for the placement panel: `match()` -> `MatchResult` (PRODUCT.md s.3).

Only people due within the horizon take part: `needed_from` on or before the match date plus
`horizon_days` (default 28). Everyone due later is `not_due`: on the list, given no place now.

Staying put first (v1.2): someone due whose own former foster carers' place is vacant, reserved
for them and agreed is given it before the batch (`staying_put`), never ranked against others.

Objective, lexicographic: (1) most people due in suitable places (any type but W/V); (2) among
those, first those needed now (`needed_from` on or before the match date): the most under-18s
(there is no lawful fallback for them), then the most of those with no roof or in B&B or
emergency accommodation, then the most others needed now; only then those due later within the
horizon, under-18s first, then the soonest `needed_from` (`roof.urgency_rank`); (3) the least
combined cost (`CostWeights`), or with `objective="cost"` the least total weekly cost, or with
`objective="council"` the least cost to the council (who pays: `planner.data.funding`). Level 2 is
one urgency class per person: the flow's answer is optimal for every prefix of that order at once
(a matroid's greedy basis), so it has the most of each class in turn.
Then W/V places go to adults due now with no roof (`roof.may_take_emergency`: never to someone
suitably housed or already in W/V) whom nobody could place suitably, by the same levels, and are
reported as `unsuitable`. See `planner.match.flow` for why the min-cost flow is exact and how the
time limit works; no side constraint needs CP-SAT.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS, complete_people, due_within, needed_now
from planner.data.formats import spreadsheet_safe
from planner.data.funding import DEFAULT_FUNDING, FundingSettings
from planner.data.roof import may_take_emergency, urgency_rank
from planner.match.anticipate import empty_holds, held_note, plan_holds
from planner.match.arcs import Arcs, batch_pairs, chosen_arcs
from planner.match.cost import DEFAULT_WEIGHTS, OBJECTIVES, CostWeights, Objective, pair_cost
from planner.match.explain import explain
from planner.match.flow import assign
from planner.match.solution import OUTCOMES, MatchResult, Solution
from planner.match.staying_put import staying_put_places
from planner.match.summary import breakdown, format_summary, placement_rates

__all__ = [  # the cost names live in planner.match.cost; imported from here too
    "DEFAULT_WEIGHTS", "MATCH_COLUMNS", "OBJECTIVES", "OUTCOMES", "CostWeights", "MatchResult", "Objective",
    "format_summary", "match", "pair_cost", "placement_rates", "solve", "urgency_rank", "write_matches",
]  # fmt: skip

MATCH_COLUMNS: Final = (
    "person_id", "scheme_id", "outcome", "accom_code", "weekly_cost", "distance_km", "reason",
)  # fmt: skip


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
    funding: FundingSettings = DEFAULT_FUNDING,
) -> Solution:
    """Eligibility, then the suitable stage for people due, then the W/V stage for adults needing a
    place now (`force_stages` is for tests)."""
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    people = complete_people(people)
    due = due_within(people, on=on, horizon_days=horizon_days)
    now = needed_now(people, on=on)
    # Staying put first: given before the batch, out of it, their carers' place taken.
    kept = staying_put_places(people, schemes, on=on, due=due)
    fixed = kept >= 0
    pairs = batch_pairs(people, schemes, on=on, first=due & ~fixed,
                        second=may_take_emergency(people, on=on) & ~fixed, objective=objective,
                        weights=weights, funding=funding)  # fmt: skip
    staying = chosen_arcs(people, schemes, np.flatnonzero(fixed), kept[fixed], on=on, objective=objective,
                          weights=weights, funding=funding)  # fmt: skip
    t1 = time.perf_counter()
    rank = urgency_rank(people, on=on, horizon_days=horizon_days)
    places = schemes["vacancies"].to_numpy(dtype=np.int64) - np.bincount(kept[fixed], minlength=len(schemes))
    t2 = time.perf_counter()

    # Stage 1: suitable places for people due.
    first = pairs.suitable
    a = assign(
        first.person, first.scheme, first.cost, rank, places, deadline=deadline, force_stages=force_stages
    )
    chosen = a.pair
    chosen[fixed] = len(first) + np.arange(len(staying))
    status = "time_limit" if a.status == "time_limit" else "optimal"
    build_s, solve_s, method = t2 - t1 + a.build_s, a.solve_s, a.method
    # Stage 2: B&B/emergency for adults due now with no roof whom stage 1 left without a place
    # (`roof.may_take_emergency`: nobody else has W/V arcs).
    second = pairs.fallback.take(chosen[pairs.fallback.person] < 0)
    if len(second):
        b = assign(second.person, second.scheme, second.cost, rank, places, deadline=deadline,
                   force_stages=force_stages)  # fmt: skip
        got = b.pair >= 0
        chosen[got] = len(first) + len(staying) + b.pair[got]
        status = "time_limit" if b.status == "time_limit" else status
        build_s, solve_s = build_s + b.build_s, solve_s + b.solve_s
    parts = (first, staying, second)
    arcs = Arcs(*(np.concatenate([getattr(x, f) for x in parts]) for f in ("person", "scheme", "cost")))
    suitable = np.arange(len(arcs)) < len(first) + len(staying)
    timings = {"eligibility": t1 - t0, "build": build_s, "solve": solve_s}
    return Solution(arcs.person, arcs.scheme, arcs.cost, suitable, chosen, rank, due, now, pairs.options,
                    pairs.eligible, horizon_days, status, method, timings, fixed)  # fmt: skip


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
    funding: FundingSettings = DEFAULT_FUNDING,
    anticipate_days: int = 0,
) -> MatchResult:
    """Match everyone on the waiting list at once. Frames as `contract.load_folder` returns them;
    `funding`: who pays (the council objective, and each place's shares in `matches`);
    `anticipate_days`: plan for people due within that many days after the horizon, holding places
    for those who would have no other (`planner.match.anticipate`); 0 does not."""

    def resolve(s: pd.DataFrame) -> Solution:
        return solve(people, s, on=on, objective=objective, time_limit=time_limit, weights=weights,
                     force_stages=force_stages, horizon_days=horizon_days, funding=funding)  # fmt: skip

    sol = resolve(schemes)
    people = complete_people(people)
    holds = empty_holds()
    if anticipate_days > 0 and sol.status == "optimal":
        schemes, sol, holds = plan_holds(people, schemes, sol, on=on, lookahead_days=anticipate_days,
                                         resolve=resolve)  # fmt: skip
    t0 = time.perf_counter()
    matches, why_not = explain(people, schemes, sol, on=on, objective=objective, funding=funding)
    for pid in holds["person_id"]:
        row = matches["person_id"] == pid
        matches.loc[row, "reason"] = matches.loc[row, "reason"] + "; " + held_note(holds, str(pid))
    return MatchResult(
        matches=matches,
        why_not=why_not,
        status=sol.status,
        horizon_days=horizon_days,
        objective=breakdown(matches, people, sol, on=on),
        timings={**sol.timings, "explain": time.perf_counter() - t0},
        method=sol.method,
        solution=sol,
        holds=holds,
    )


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
