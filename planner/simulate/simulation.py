"""Week-by-week simulation of a county's placements, with Monte Carlo intervals.

Each week: people whose episode ends leave and free their place; capacity changes take effect
(a closure or a cut moves the most recently placed residents back to the waiting list); the
panel places the waiting list with a policy; whoever is left spends the week in B&B (adults) or
emergency accommodation (under-18s, and adults with a child) and waits for the next panel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.data.contract import Dataset
from planner.data.districts import district_names
from planner.data.funding import ASSUMED_RENT_GBP
from planner.data.vocab import ADULT_AGE
from planner.simulate.policies import POLICIES, ages, category, clairvoyant, static_eligible
from planner.simulate.scenario import Policy, Scenario
from planner.simulate.world import Population, World, build_world, draw_population

log = logging.getLogger(__name__)

NIGHTS = 7
METRICS = ("bnb_nights", "emergency_nights", "unsuitable_nights", "under18_unsuitable_nights",
           "people_unplaced", "weekly_cost", "total_cost", "council_weekly_cost",
           "housing_benefit_weekly_cost", "mean_distance_km", "share_suitable")  # fmt: skip
# Per week; a month sums the first SUMMED and averages the rest.
WEEK_COLUMNS = (
    "bnb_nights",
    "emergency_nights",
    "under18_unsuitable_nights",
    "cost",
    "housing_benefit",
    "waiting",
)
SUMMED = 5
DISTRICT_COLUMNS = ("bnb_nights", "emergency_nights", "under18_unsuitable_nights", "people_unplaced",
                    "placements", "distance_km")  # fmt: skip


@dataclass(frozen=True, slots=True)
class RunResult:
    totals: dict[str, float]
    weekly: np.ndarray  # (weeks, WEEK_COLUMNS)
    districts: np.ndarray  # (districts, DISTRICT_COLUMNS); distance_km is a sum
    ledger: pd.DataFrame | None = None
    unplaced: np.ndarray | None = None  # (person, week) rows for every week without a place


def run_once(
    world: World, policy: Policy, seed: int, run: int, *, ledger: bool = False, trace: bool = False
) -> RunResult:
    """One Monte Carlo run of one policy; `ledger` adds the weekly counts conservation is checked
    on, `trace` who was without a suitable place in which week (for commissioning)."""
    pop = draw_population(world, seed, run)
    if policy == "clairvoyant":
        return _bound_run(world, pop)
    decide = POLICIES[policy]
    s, weeks = world.schemes, world.weeks
    n_people, n_schemes, nd = len(pop), len(s), len(world.district_codes)
    at = pop.first_scheme.astype(np.int64)  # scheme held; -1 none; -2 gone
    since = np.where(at >= 0, -1, 0)
    occ = np.bincount(at[at >= 0], minlength=n_schemes)
    weekly = np.zeros((weeks, len(WEEK_COLUMNS)))
    by_d = np.zeros((nd, len(DISTRICT_COLUMNS)))
    out_weeks = np.zeros(n_people, dtype=np.int64)
    home = pop.people.home
    static = static_eligible(world, pop, np.arange(n_people))  # the rules that do not change with age
    rows: list[dict[str, int]] = []
    traced: list[np.ndarray] = []
    active_weeks = suitable_weeks = 0
    for w in range(weeks):
        leaving = np.flatnonzero(pop.depart == w)
        held = at[leaving]
        occ -= np.bincount(held[held >= 0], minlength=n_schemes)
        at[leaving] = -2
        cap = s.capacity[:, w]
        evicted = 0
        for j in np.flatnonzero(occ > cap):
            members = np.flatnonzero(at == j)
            moved = members[np.argsort(-since[members], kind="stable")[: occ[j] - cap[j]]]
            at[moved] = -1
            occ[j] -= len(moved)
            evicted += len(moved)
        waiting = np.flatnonzero((at == -1) & (pop.arrive <= w) & (pop.depart > w))
        choice = decide(world, pop, waiting, cap - occ, w, static)
        got = choice >= 0
        placed, where = waiting[got], choice[got]
        at[placed], since[placed] = where, w
        occ += np.bincount(where, minlength=n_schemes)
        by_d[:, 4] += np.bincount(home[placed], minlength=nd)
        by_d[:, 5] += np.bincount(home[placed], weights=world.distance_km[home[placed], where], minlength=nd)
        left = waiting[~got]
        cat = category(pop, left, w)
        out_weeks[left] += 1
        if trace:
            traced.append(np.stack([left, np.full(len(left), w)], axis=1))
        np.add.at(by_d, (home[left], np.where(cat == 0, 0, 1)), NIGHTS)
        by_d[:, 2] += NIGHTS * np.bincount(home[left[cat == 2]], minlength=nd)
        n_bnb, n_em, n_u18 = int((cat == 0).sum()), int((cat > 0).sum()), int((cat == 2).sum())
        cost, benefit = week_cost(world, pop, w, cap, occ, at, cat)
        weekly[w] = (NIGHTS * n_bnb, NIGHTS * n_em, NIGHTS * n_u18, cost, benefit, len(left))
        n_active = int(((pop.arrive <= w) & (pop.depart > w)).sum())
        active_weeks += n_active
        suitable_weeks += n_active - len(left)
        if ledger:
            rows.append({
                "week": w, "arrivals": int((pop.arrive == w).sum()),
                "departures": len(leaving), "evicted": evicted, "active": n_active,
                "in_place": int((at >= 0).sum()), "unplaced": len(left), "capacity": int(cap.sum()),
                "occupied": int(occ.sum()), "vacant": int((cap - occ).sum()),
                "occupied_by_people": int(np.bincount(at[at >= 0], minlength=n_schemes).sum()),
                "over_capacity": int((occ > cap).sum()),
            })  # fmt: skip
    by_d[:, 3] = np.bincount(home[out_weeks > 0], minlength=nd)
    totals = _totals(weekly, by_d, active_weeks, suitable_weeks)
    return RunResult(totals, weekly, by_d, pd.DataFrame(rows) if ledger else None,
                     np.concatenate(traced) if trace else None)  # fmt: skip


def week_cost(
    world: World, pop: Population, week: int, capacity: np.ndarray, occupied: np.ndarray, at: np.ndarray,
    cat: np.ndarray,
) -> tuple[float, float]:  # fmt: skip
    """What the week costs, whole, and how much of it housing benefit meets (who pays:
    `planner.data.funding`): places in use (block places whether used or not), and B&B (`cat` 0)
    and emergency accommodation (1 a parent, 2 under 18) for those without a place. From 18 housing
    benefit meets the rent of the place they hold, or of their B&B or emergency room; the council
    pays the rest, all of it under 18 and for an empty block place. The simulated young people have
    no activity, so no rent is left unmet by pay."""
    s = world.schemes
    cost = s.cost[:, week]
    n_bnb, n_em = int((cat == 0).sum()), int((cat > 0).sum())
    total = (
        float(np.where(s.block, capacity, occupied) @ cost)
        + n_bnb * world.bnb_weekly
        + n_em * world.emergency_weekly
    )
    holders = np.flatnonzero(at >= 0)
    adults = at[holders[ages(pop, holders, week) >= ADULT_AGE]]
    benefit = float(np.minimum(s.rent, cost)[adults].sum())
    benefit += n_bnb * min(ASSUMED_RENT_GBP["W"], world.bnb_weekly)
    benefit += int((cat == 1).sum()) * min(ASSUMED_RENT_GBP["V"], world.emergency_weekly)
    return total, benefit


def _totals(weekly: np.ndarray, by_d: np.ndarray, active: int, suitable: int) -> dict[str, float]:
    placements = by_d[:, 4].sum()
    return {
        "bnb_nights": float(weekly[:, 0].sum()),
        "emergency_nights": float(weekly[:, 1].sum()),
        "unsuitable_nights": float(weekly[:, :2].sum()),  # B&B and emergency together
        "under18_unsuitable_nights": float(weekly[:, 2].sum()),
        "people_unplaced": float(by_d[:, 3].sum()),
        "weekly_cost": float(weekly[:, 3].mean()),
        "total_cost": float(weekly[:, 3].sum()),
        "council_weekly_cost": float((weekly[:, 3] - weekly[:, 4]).mean()),
        "housing_benefit_weekly_cost": float(weekly[:, 4].mean()),
        "mean_distance_km": float(by_d[:, 5].sum() / placements) if placements else float("nan"),
        "share_suitable": suitable / active if active else float("nan"),
    }


def _bound_run(world: World, pop: Population) -> RunResult:
    b = clairvoyant(world, pop)
    weekly = np.full((world.weeks, len(WEEK_COLUMNS)), np.nan)
    weekly[:, WEEK_COLUMNS.index("waiting")] = b.unplaced
    # A bound on B&B and emergency nights together: it does not say who is unplaced, so it has
    # no split, no figures by district, and no costs or distances.
    by_d = np.full((len(world.district_codes), len(DISTRICT_COLUMNS)), np.nan)
    active = int(b.active.sum())
    totals = dict.fromkeys(METRICS, float("nan"))
    totals["unsuitable_nights"] = float(NIGHTS * b.unplaced.sum())
    totals["share_suitable"] = (active - int(b.unplaced.sum())) / active if active else float("nan")
    return RunResult(totals, weekly, by_d)


# ---- Monte Carlo ----

Task = tuple[str, Policy, int]  # world name, policy, run
_WORLDS: dict[str, World] = {}


def _init(worlds: dict[str, World]) -> None:
    _WORLDS.clear()
    _WORLDS.update(worlds)


def _run_tasks(tasks: Sequence[Task], seed: int, worlds: dict[str, World] | None = None) -> list[RunResult]:
    ws = worlds if worlds is not None else _WORLDS
    return [run_once(ws[name], policy, seed, run) for name, policy, run in tasks]


@dataclass(frozen=True, slots=True)
class SimulationResult:
    summary: pd.DataFrame  # scenario, policy, metric, mean, lo80, hi80
    by_district: pd.DataFrame  # scenario, policy, district, name, metric, mean, lo80, hi80
    by_month: pd.DataFrame  # scenario, policy, month, metric, mean, lo80, hi80
    runs: pd.DataFrame  # scenario, policy, run, one column per metric
    seconds: float
    county_years_per_second: float


def _chunks(tasks: list[Task], size: int) -> list[list[Task]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def _execute(
    tasks: list[Task], worlds: dict[str, World], seed: int, workers: int, dask_scheduler: str | None,
    progress: Callable[[int, int], None] | None,
) -> list[RunResult]:  # fmt: skip
    chunks = _chunks(tasks, max(1, min(10, len(tasks) // max(4 * workers, 1))))
    results: dict[int, list[RunResult]] = {}
    if dask_scheduler is not None:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(dask_scheduler) as client:
            shared = client.scatter(worlds, broadcast=True)
            futures = {
                client.submit(_run_tasks, c, seed, shared, pure=False): i for i, c in enumerate(chunks)
            }
            for f in dask_completed(futures):
                results[futures[f]] = f.result()
                _tick(progress, len(chunks[futures[f]]), len(tasks))
    elif workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(worlds,)) as pool:
            pending = {pool.submit(_run_tasks, c, seed): i for i, c in enumerate(chunks)}
            for f in as_completed(pending):
                results[pending[f]] = f.result()
                _tick(progress, len(chunks[pending[f]]), len(tasks))
    else:
        for i, c in enumerate(chunks):
            results[i] = _run_tasks(c, seed, worlds)
            _tick(progress, len(c), len(tasks))
    return [r for i in range(len(chunks)) for r in results[i]]


def _tick(progress: Callable[[int, int], None] | None, n: int, total: int) -> None:
    if progress is not None:
        progress(n, total)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    v = values[~np.isnan(values)]
    if not len(v):
        return (float("nan"),) * 3
    return float(v.mean()), float(np.quantile(v, 0.1)), float(np.quantile(v, 0.9))


def _long(keys: Mapping[str, object], names: Iterable[str], stack: np.ndarray) -> list[dict[str, object]]:
    """Rows of (keys, metric, mean, lo80, hi80) from a (runs, metrics) stack."""
    out = []
    for k, name in enumerate(names):
        mean, lo, hi = _interval(stack[:, k])
        out.append({**keys, "metric": name, "mean": mean, "lo80": lo, "hi80": hi})
    return out


def simulate(
    scenario: Scenario, data: Dataset, referrals: pd.DataFrame, *, runs: int | None = None,
    policies: Sequence[Policy] | None = None, workers: int = 1, dask_scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None, baseline: bool = True,
) -> SimulationResult:  # fmt: skip
    """Simulate a scenario (and its baseline) under each policy, `runs` Monte Carlo runs each.

    Run r of every scenario and policy uses the same random people (seed, r), so differences
    between policies and between scenario and baseline are not noise from different draws.
    """
    t0 = time.perf_counter()
    runs = runs or scenario.runs
    policies = tuple(policies or scenario.policies)
    worlds = {scenario.name: build_world(scenario, data, referrals)}
    if baseline and scenario.name != "baseline":
        worlds = {"baseline": build_world(scenario.baseline(), data, referrals), **worlds}
    tasks: list[Task] = [(n, p, r) for n in worlds for p in policies for r in range(runs)]
    log.info("simulating %d runs of %d weeks on %d worker(s)", len(tasks), scenario.weeks, workers)
    results = _execute(tasks, worlds, scenario.seed, workers, dask_scheduler, progress)
    seconds = time.perf_counter() - t0
    summary, by_district, by_month, per_run = [], [], [], []
    for name, world in worlds.items():
        names = district_names()
        month = pd.PeriodIndex([pd.Timestamp(world.start) + pd.Timedelta(days=7 * w)
                                for w in range(world.weeks)], freq="M")  # fmt: skip
        months = sorted(set(month))
        for policy in policies:
            rs = [r for (n, p, _), r in zip(tasks, results, strict=True) if n == name and p == policy]
            totals = np.array([[r.totals[m] for m in METRICS] for r in rs])
            keys = {"scenario": name, "policy": policy}
            summary += _long(keys, METRICS, totals)
            per_run += [{**keys, "run": i, **r.totals} for i, r in enumerate(rs)]
            stack = np.stack([r.districts for r in rs])
            stack[:, :, 5] = stack[:, :, 5] / np.where(stack[:, :, 4] > 0, stack[:, :, 4], np.nan)
            for d, code in enumerate(world.district_codes):
                dk = {**keys, "district": code, "name": names.get(code, code)}
                by_district += _long(dk, DISTRICT_COLUMNS[:5] + ("mean_distance_km",), stack[:, d, :])
            weekly = np.stack([r.weekly for r in rs])
            for mo in months:
                sel = np.asarray(month == mo)
                agg = np.concatenate(
                    [weekly[:, sel, :SUMMED].sum(axis=1), weekly[:, sel, SUMMED:].mean(axis=1)], axis=1
                )
                by_month += _long({**keys, "month": str(mo)}, WEEK_COLUMNS, agg)
    years = len(tasks) * scenario.weeks / 52
    return SimulationResult(
        pd.DataFrame(summary), pd.DataFrame(by_district), pd.DataFrame(by_month), pd.DataFrame(per_run),
        seconds, years / seconds if seconds else float("inf"),
    )  # fmt: skip
