"""Where to buy places within a weekly budget, checked by simulation against a simple rule.

1. Simulate the scenario as it stands (optimised panel) K times and note who waited past their
   need date in which weeks, and which of those nights were in B&B or emergency accommodation.
   2. Choose how many places of each candidate to buy (CP-SAT, sample average): a bought place can
   take an eligible person from their first week waiting for as long as they would stay in it (their
   stay in that type of place), so it saves all their B&B or emergency nights; places in a sample
   never hold more people at once than were bought. Block places cost every week whether used or not; spot
   places cost more but only in the weeks they are used. 3. Simulate the plan and the simple rule
   (block places where today's waiting list is longest) on fresh runs and compare.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from planner.data.contract import Dataset
from planner.data.districts import district_names
from planner.data.vocab import SUPPORT_RANK
from planner.simulate.policies import age_eligible, ages, static_eligible
from planner.simulate.population import draw_population
from planner.simulate.scenario import AddPlaces, Candidate, Scenario
from planner.simulate.simulation import SimulationResult, run_once, simulate
from planner.simulate.world import build_world

log = logging.getLogger(__name__)

NIGHTS = 7
SPOT_PREMIUM = 1.3  # assumed: spot purchases cost about 30% more a week than block contracts
# (type, support, parent-and-child and wheelchair-accessible units)
DEFAULT_KINDS = (("D", "intensive", False), ("D", "high", False), ("D", "high", True), ("E", "medium", False))
DEFAULT_COST = 620.0  # mean supported accommodation cost (PRODUCT.md s.2, one council's 2023 FOI)
SOLVE_SECONDS = 10.0
MAX_PAIRS = 1500  # eligible (person, candidate) pairs a sample run keeps for the model
# What a plan is expected to save against buying nothing, per run of the check (same people).
SAVED: Final = ("bnb_nights", "emergency_nights", "unsuitable_nights", "under18_waiting_nights",
                "people_unplaced", "weekly_cost", "total_cost")  # fmt: skip
Progress = Callable[[int, int], None]  # (steps just done, steps in all), as simulate() reports


@dataclass(frozen=True, slots=True)
class Plan:
    plan: pd.DataFrame  # one row per candidate bought: district, name, accom_type, support_level,
    # contract, places, unit_weekly_cost, expected_weekly_cost, expected_places_used,
    # expected_nights_avoided, reason
    rule: pd.DataFrame  # the simple rule's purchases, same columns
    budget: float
    expected_weekly_cost: float
    verification: SimulationResult  # baseline, plan and rule simulated on fresh runs
    status: str


def default_candidates(data: Dataset) -> tuple[Candidate, ...]:
    """Every district of the county x (intensive and high semi-independent, medium supported
    lodgings) x (block, spot), costed at the county's median for that type and support level."""
    s = data.schemes
    out = []
    for d in sorted(set(s["district"])):
        for t, level, family in DEFAULT_KINDS:
            like = s[(s["accom_type"] == t) & (s["support_level"] == level)]["weekly_cost"]
            cost = float(like.median()) if len(like) else DEFAULT_COST
            spot = round(cost * SPOT_PREMIUM)
            out += [Candidate(d, t, level, round(cost), 0, 10, "block", family, family),
                    Candidate(d, t, level, spot, 0, 10, "spot", family, family)]  # fmt: skip
    return tuple(out)


def _as_change(c: Candidate, places: int, start: date) -> AddPlaces:
    high = SUPPORT_RANK[c.support_level] >= SUPPORT_RANK["high"]
    return AddPlaces(c.district, c.accom_type, c.support_level, places, c.weekly_cost, start, c.contract,
                     accepts_high_risk=high, ofsted_registered=True, parent_and_child=c.parent_and_child,
                     wheelchair_accessible=c.wheelchair_accessible)  # fmt: skip


def _samples(scenario: Scenario, data: Dataset, referrals: pd.DataFrame, cands: tuple[Candidate, ...],
             k: int, done: Callable[[], None] = lambda: None) -> list[dict[str, np.ndarray]]:  # fmt: skip
    """Per run of the scenario as it stands: each person ever in B&B or emergency accommodation,
    their first week waiting, their weeks there, the week a stay in each candidate would end, and
    which candidates they could take."""
    base = build_world(scenario, data, referrals)
    every = tuple(_as_change(c, c.max_places, scenario.start) for c in cands)
    with_all = build_world(replace(scenario, changes=scenario.changes + every), data, referrals)
    added = np.arange(len(with_all.schemes) - len(cands), len(with_all.schemes))  # candidates come last
    out = []
    for run in range(k):
        r = run_once(base, "optimised", scenario.seed + 7919, run, trace=True)
        assert r.unplaced is not None
        pop = draw_population(base, scenario.seed + 7919, run)
        who, first = np.unique(r.unplaced[:, 0], return_index=True)
        weeks = np.bincount(r.unplaced[:, 0], weights=r.unplaced[:, 2], minlength=len(pop))[who].astype(
            np.int64
        )
        who, first, weeks = who[weeks > 0], first[weeks > 0], weeks[weeks > 0]
        start = r.unplaced[first, 1]
        e = np.zeros((len(who), len(cands)), dtype=bool)
        for j, (p, w) in enumerate(zip(who, start, strict=True)):
            idx = np.array([p])
            a = ages(pop, idx, int(w))
            e[j] = (static_eligible(with_all, pop, idx) & age_eligible(with_all, a, a))[0, added]
        stay = np.stack([base.stays.weeks(np.full(len(who), t), pop.people.need[who], pop.stay_q[who])
                         for t in with_all.schemes.stay_type[added]], axis=1)  # fmt: skip
        end = np.minimum(start[:, None] + stay, base.weeks)
        # The model grows with people x candidates x overlapping stays: in a county short of places
        # hundreds go without one in a run, too many for CP-SAT in its time. Keep those longest
        # without a place, up to MAX_PAIRS eligible pairs a run (the rest are few nights each); the
        # verification on fresh runs measures the plan on everyone.
        order = np.argsort(-weeks, kind="stable")
        within = int(np.searchsorted(np.cumsum(e[order].sum(axis=1)), MAX_PAIRS, side="right"))
        keep = np.sort(order[:within])
        out.append({"who": who[keep], "start": start[keep], "weeks": weeks[keep], "end": end[keep],
                    "eligible": e[keep]})  # fmt: skip
        done()
    return out


def optimise(cands: tuple[Candidate, ...], samples: list[dict[str, np.ndarray]], budget: float,
             horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:  # fmt: skip
    """Places to buy, expected places used and expected nights avoided, per candidate; status."""
    k = len(samples)
    m = cp_model.CpModel()
    x = [m.new_int_var(c.min_places, c.max_places, f"x{j}") for j, c in enumerate(cands)]
    saved_terms, spot_terms = [], []
    use_terms: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in cands]  # (weeks held, y)
    saved_by: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in cands]  # (nights saved, y)
    all_y: list[cp_model.IntVar] = []
    for s, smp in enumerate(samples):
        ys: dict[tuple[int, int], cp_model.IntVar] = {}
        for i, j in zip(*np.nonzero(smp["eligible"]), strict=True):
            ys[i, j] = m.new_bool_var(f"y{s}_{i}_{j}")
        for i in range(len(smp["who"])):
            mine = [ys[i, j] for j in range(len(cands)) if (i, j) in ys]
            if len(mine) > 1:
                m.add_at_most_one(mine)
        for j in range(len(cands)):
            users = [i for i in range(len(smp["who"])) if (i, j) in ys]
            for t in sorted({int(smp["start"][i]) for i in users}):
                live = [ys[i, j] for i in users if smp["start"][i] <= t < smp["end"][i, j]]
                if len(live) > 0:
                    m.add(sum(live) <= x[j])  # places held at once never exceed places bought
        all_y.extend(ys.values())
        for (i, j), y in ys.items():
            saved_terms.append(int(smp["weeks"][i]) * NIGHTS * y)
            saved_by[j].append((int(smp["weeks"][i]) * NIGHTS, y))
            held = int(smp["end"][i, j] - smp["start"][i])
            use_terms[j].append((held, y))
            if cands[j].contract == "spot":
                spot_terms.append(round(cands[j].weekly_cost) * held * y)
    # Budget per week, in whole pounds x samples x weeks: block places always, spot when used.
    block = sum(round(c.weekly_cost) * x[j] for j, c in enumerate(cands) if c.contract == "block")
    m.add(block * k * horizon + sum(spot_terms) <= int(budget) * k * horizon)
    saved = sum(saved_terms)
    m.maximize(saved)
    # Buying the least and placing nobody is within budget whenever anything is: hinting it gives
    # the solver an answer from the start, so on a busy machine the time limit returns the best
    # found rather than none.
    for j, c in enumerate(cands):
        m.add_hint(x[j], c.min_places)
    for y in all_y:
        m.add_hint(y, 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVE_SECONDS
    solver.parameters.num_workers = 2
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No answer within the time limit (a very large model on a busy machine): buy the least.
        none = np.array([c.min_places for c in cands])
        return none, np.zeros(len(cands)), np.zeros(len(cands)), "no_solution"
    # Second stage: the same nights avoided at the least expected cost, from the first's answer.
    m.clear_hints()
    for v in (*x, *all_y):
        m.add_hint(v, solver.value(v))
    m.add(saved >= round(solver.objective_value))
    # ...and no more places than needed (spot places unused in every sample would cost nothing).
    m.minimize((block * k * horizon + sum(spot_terms)) * (sum(c.max_places for c in cands) + 1) + sum(x))
    first = solver.status_name(status).lower()
    found = {v.index: solver.value(v) for v in (*x, *all_y)}
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = {v.index: solver.value(v) for v in (*x, *all_y)}
    places = np.array([found[v.index] for v in x])
    used = np.array([sum(c * found[y.index] for c, y in ts) / (k * horizon) for ts in use_terms])
    nights = np.array([sum(c * found[y.index] for c, y in ts) / k for ts in saved_by])
    state = "optimal" if first == "optimal" and status == cp_model.OPTIMAL else "time_limit"
    return places, used, nights, state


def simple_rule(data: Dataset, cands: tuple[Candidate, ...], budget: float, on: date) -> np.ndarray:
    """Block places where today's waiting list is longest: for each district from the longest
    list down, the block candidate meeting the most common need there, as many places as the
    list is long (within the candidate's maximum) while the budget lasts."""
    p = data.people
    today = p[(p["needed_from"] <= pd.Timestamp(on)) | p["current_accom"].str[:1].isin(["W", "V", "S"])]
    places = np.zeros(len(cands), dtype=int)
    left = budget
    for district, n in today["home_district"].value_counts().items():
        need = SUPPORT_RANK[str(today[today["home_district"] == district]["support_need"].mode().iloc[0])]
        options = [j for j, c in enumerate(cands) if c.district == district and c.contract == "block"]
        fits = [j for j in options if SUPPORT_RANK[cands[j].support_level] >= need]
        level = {j: SUPPORT_RANK[cands[j].support_level] for j in options}
        pick = min(fits, key=level.__getitem__) if fits else (
            max(options, key=level.__getitem__) if options else None)  # fmt: skip
        if pick is None:
            continue
        c = cands[pick]
        buy = int(min(c.max_places, max(n, c.min_places), left // max(c.weekly_cost, 1)))
        places[pick] = buy
        left -= buy * c.weekly_cost
    return places


def _reason(j: int, cands: tuple[Candidate, ...], places: int, used: float) -> str:
    c = cands[j]
    twin = next((o for o in cands if replace(o, contract=c.contract, weekly_cost=c.weekly_cost) == c
                 and o.contract != c.contract), None)  # fmt: skip
    share = used / places if places else 0.0
    if c.contract == "block":
        text = f"block: expected use {used:.1f} of {places} places ({share:.0%})"
        if twin is not None and used > 0:
            text += (f"; £{c.weekly_cost * places / used:,.0f} a week per place used, less than spot at "
                     f"£{twin.weekly_cost:,.0f}")  # fmt: skip
        return text
    text = f"spot: on average {used:.1f} places in use, paid only then (£{used * c.weekly_cost:,.0f} a week)"
    if twin is not None:
        text += (
            f"; {places} block places would cost £{places * twin.weekly_cost:,.0f} a week whether used or not"
        )
    return text


def _table(cands: tuple[Candidate, ...], places: np.ndarray, used: np.ndarray, nights: np.ndarray,
           reasons: bool) -> pd.DataFrame:  # fmt: skip
    names = district_names()
    rows = []
    for j in np.flatnonzero(places > 0):
        c = cands[j]
        units = " (parent-and-child, step-free)" if c.parent_and_child else ""
        cost = c.weekly_cost * (places[j] if c.contract == "block" else used[j])
        rows.append({
            "district": c.district, "name": names.get(c.district, c.district),
            "accom_type": c.accom_type + units,
            "support_level": c.support_level, "contract": c.contract, "places": int(places[j]),
            "unit_weekly_cost": c.weekly_cost, "expected_weekly_cost": round(float(cost), 2),
            "expected_places_used": round(float(used[j]), 2),
            "expected_nights_avoided": round(float(nights[j]), 1),
            "reason": _reason(int(j), cands, int(places[j]), float(used[j])) if reasons else
            "rule: longest waiting list today",
        })  # fmt: skip
    cols = ["district", "name", "accom_type", "support_level", "contract", "places", "unit_weekly_cost",
            "expected_weekly_cost", "expected_places_used", "expected_nights_avoided", "reason"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def savings(verification: SimulationResult) -> pd.DataFrame:
    """What each purchase (the plan, the simple rule) saves against buying nothing: scenario,
    metric, mean, lo80, hi80 of baseline minus scenario, run by run. Run r of each met the same
    young people, so the interval is of the saving itself, not two intervals set side by side.
    A negative cost saving is a cost: the places bought cost more than the nights they save."""
    runs = verification.runs
    base = runs[runs["scenario"] == "baseline"].set_index("run")
    rows = []
    for name in (n for n in dict.fromkeys(runs["scenario"]) if n != "baseline"):
        mine = runs[runs["scenario"] == name].set_index("run")
        for metric in SAVED:
            diff = (base[metric] - mine[metric]).dropna().to_numpy(dtype=float)
            if diff.size:
                lo, hi = np.quantile(diff, [0.1, 0.9])
                rows.append({"scenario": name, "metric": metric, "mean": float(diff.mean()),
                             "lo80": float(lo), "hi80": float(hi)})  # fmt: skip
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "lo80", "hi80"])


def commission(
    scenario: Scenario, data: Dataset, referrals: pd.DataFrame, budget: float, *, samples: int = 8,
    runs: int | None = None, workers: int = 1, progress: Progress | None = None,
) -> Plan:  # fmt: skip
    """Choose places to buy within `budget` GBP a week, then verify by simulation (fresh runs).

    `progress(n, total)` is told of each step done: a sample run, the solve, then each run of
    the check (buying nothing, the plan, the simple rule), for a page that shows how far it is."""
    if budget < 0:
        raise ValueError("budget must be 0 or more")
    n = runs or min(scenario.runs, 50)
    total = samples + 1 + 3 * n
    tick: Progress = progress or (lambda k, t: None)
    cands = scenario.candidates or default_candidates(data)
    smp = _samples(scenario, data, referrals, cands, samples, lambda: tick(1, total))
    places, used, nights, status = optimise(cands, smp, budget, scenario.weeks)
    tick(1, total)
    plan = _table(cands, places, used, nights, reasons=True)
    rule_places = simple_rule(data, cands, budget, scenario.start)
    rule = _table(cands, rule_places, np.zeros(len(cands)), np.zeros(len(cands)), reasons=False)
    start = scenario.start
    now = replace(scenario, name="baseline", policies=("optimised",))  # the scenario, nothing bought

    def buying(name: str, counts: np.ndarray) -> Scenario:
        bought = tuple(_as_change(cands[j], int(counts[j]), start) for j in np.flatnonzero(counts))
        return replace(now, name=name, changes=now.changes + bought)

    results = [simulate(s, data, referrals, runs=n, workers=workers, baseline=False,
                        progress=lambda k, _t: tick(k, total))
               for s in (now, buying("plan", places), buying("simple-rule", rule_places))]  # fmt: skip
    both = {f: pd.concat([getattr(r, f) for r in results], ignore_index=True)
            for f in ("summary", "by_district", "by_month", "runs")}  # fmt: skip
    seconds = sum(r.seconds for r in results)
    verification = SimulationResult(
        both["summary"], both["by_district"], both["by_month"], both["runs"], seconds,
        results[0].county_years_per_second, results[0].care_leavers,
    )  # fmt: skip
    cost = float(plan["expected_weekly_cost"].sum()) if len(plan) else 0.0
    log.info("commissioning plan: %d candidates bought, £%.0f a week expected", len(plan), cost)
    return Plan(plan, rule, budget, cost, verification, status)
