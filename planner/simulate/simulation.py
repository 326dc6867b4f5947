"""Week-by-week simulation of a county's placements, with Monte Carlo intervals.

Each week, as the weekly placement panel meets: residents whose stay ends leave and free their
place, and those never placed who turn 26 leave the list; capacity changes take effect (a closure
or a cut moves the most recently placed residents back to the waiting list, their roof gone); the
panel places the waiting list with a policy, and each person placed starts a stay in that type of
place (`planner.simulate.population`). Whoever is left waits where they live, as matching's rules
say (contract v1.2, `planner.data.roof.unsuitable_night`): an adult with no roof, or already in B&B
or emergency accommodation, spends the week's nights there (emergency accommodation for a parent
with their child); an under-18 stays in their placement or care ("under-18 waiting past their need
date", never B&B); an adult with a roof stays in it ("waiting, housed").
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
from planner.data.roof import unsuitable_night
from planner.forecast.suitability import CareLeavers17To21
from planner.simulate.anticipate import anticipatory
from planner.simulate.costs import week_cost
from planner.simulate.gaps import gap_rows, interval, people_referred
from planner.simulate.hindsight import hindsight_bound
from planner.simulate.policies import POLICIES, Bound, ages, clairvoyant, static_eligible
from planner.simulate.population import Population, draw_population
from planner.simulate.roofs import NEVER
from planner.simulate.scenario import BOUNDS, Policy, Scenario
from planner.simulate.world import World, build_world

log = logging.getLogger(__name__)

DECIDE = {**POLICIES, "anticipatory": anticipatory}

NIGHTS = 7
METRICS = ("bnb_nights", "emergency_nights", "unsuitable_nights", "unsuitable_per_night",
           "under18_waiting_nights", "housed_waiting_nights", "people_unplaced", "people_unsuitably_housed",
           "weekly_cost", "total_cost", "council_weekly_cost", "housing_benefit_weekly_cost",
           "mean_distance_km", "unsuitable_share_17_21",
           "unsuitable_share_17_21_end", "unsuitable_nights_first_quarter",
           "unsuitable_nights_last_quarter", "people_referred")  # fmt: skip
QUARTER_WEEKS = 13
# Weekly figures and how a month adds them up: nights and cost are summed, counts on a night averaged.
WEEK_COLUMNS = {"bnb_nights": "sum", "emergency_nights": "sum", "unsuitable_nights": "sum",
                "under18_waiting_nights": "sum", "housed_waiting_nights": "sum", "cost": "sum",
                "housing_benefit": "sum",
                "unsuitable_per_night": "mean", "unsuitable_17_21": "mean", "waiting": "mean"}  # fmt: skip
WEEK = {name: k for k, name in enumerate(WEEK_COLUMNS)}
DISTRICT_COLUMNS = ("bnb_nights", "emergency_nights", "under18_waiting_nights", "people_unplaced",
                    "placements", "distance_km")  # fmt: skip
END_WEEKS = 4  # "at the end": the last four weeks
DfE_AGES = (17, 21)  # DfE counts care leavers aged 17-21 (17-18 and 19-21)


@dataclass(frozen=True, slots=True)
class RunResult:
    totals: dict[str, float]
    weekly: np.ndarray  # (weeks, WEEK_COLUMNS)
    districts: np.ndarray  # (districts, DISTRICT_COLUMNS); distance_km is a sum
    ledger: pd.DataFrame | None = None
    unplaced: np.ndarray | None = None  # (person, week, in B&B or emergency) for every week waiting


def _stays(world: World, pop: Population, people: np.ndarray, where: np.ndarray, week: int) -> np.ndarray:
    """The week each person placed in `where` this week leaves: their stay in that type of place;
    staying put ends at the 21st birthday."""
    s = world.schemes
    end = week + world.stays.weeks(s.stay_type[where], pop.people.need[people], pop.stay_q[people])
    end = np.where(s.staying_put[where], np.minimum(end, pop.turns_21[people]), end)
    return np.maximum(end, week + 1)


@dataclass(slots=True)
class _State:
    """Where everyone is in one run: the scheme held (-1 waiting or not yet arrived, -2 gone), the
    week placed, the week they leave it, the week their roof ends (a closure takes it)."""

    at: np.ndarray
    since: np.ndarray
    depart: np.ndarray
    roof_until: np.ndarray
    occupied: np.ndarray


def _leave(pop: Population, st: _State, week: int) -> int:
    """Residents whose stay ends, and the never placed who turn 26, go; returns how many."""
    placed_out = np.flatnonzero((st.at >= 0) & (st.depart <= week))
    aged_out = np.flatnonzero((st.at == -1) & (pop.arrive <= week) & (pop.age_out <= week))
    st.occupied -= np.bincount(st.at[placed_out], minlength=len(st.occupied))
    st.at[placed_out], st.at[aged_out] = -2, -2
    return len(placed_out) + len(aged_out)


def _evict(st: _State, capacity: np.ndarray, week: int) -> int:
    """A closure or a cut: the most recently placed residents go back to the list, with no roof."""
    evicted = 0
    for j in np.flatnonzero(st.occupied > capacity):
        members = np.flatnonzero(st.at == j)
        moved = members[np.argsort(-st.since[members], kind="stable")[: st.occupied[j] - capacity[j]]]
        st.at[moved], st.depart[moved], st.roof_until[moved] = -1, NEVER, week
        st.occupied[j] -= len(moved)
        evicted += len(moved)
    return evicted


def run_once(
    world: World, policy: Policy, seed: int, run: int, *, ledger: bool = False, trace: bool = False
) -> RunResult:
    """One Monte Carlo run of one policy; `ledger` adds the weekly counts conservation is checked
    on, `trace` who waited past their need date in which week (for commissioning)."""
    pop = draw_population(world, seed, run)
    if policy in BOUNDS:
        return _bound_run(world, pop, policy)
    decide = DECIDE[policy]
    s, weeks = world.schemes, world.weeks
    n_people, n_schemes, nd = len(pop), len(s), len(world.district_codes)
    at = pop.first_scheme.astype(np.int64)
    st = _State(at, np.where(at >= 0, -1, 0), pop.depart0.copy(), pop.roof_until.copy(),
                np.bincount(at[at >= 0], minlength=n_schemes))  # fmt: skip
    weekly = np.zeros((weeks, len(WEEK_COLUMNS)))
    by_d = np.zeros((nd, len(DISTRICT_COLUMNS)))
    waited = np.zeros(n_people, dtype=bool)
    unsuitably = np.zeros(n_people, dtype=bool)
    home = pop.people.home
    static = static_eligible(world, pop, np.arange(n_people))  # the rules that do not change with age
    rows: list[dict[str, int]] = []
    traced: list[np.ndarray] = []
    for w in range(weeks):
        departures = _leave(pop, st, w)
        cap = s.capacity[:, w]
        evicted = _evict(st, cap, w)
        # The panel places those needing a place now, and those on today's list due next week (a
        # move takes a week: they move in when they need to).
        due = (st.at == -1) & ((pop.arrive <= w) | (pop.listed & (pop.arrive == w + 1)))
        waiting = np.flatnonzero(due)
        choice = decide(world, pop, waiting, cap - st.occupied, w, static, st.roof_until)
        got = choice >= 0
        placed, where = waiting[got], choice[got]
        st.at[placed], st.since[placed] = where, w
        st.depart[placed] = _stays(world, pop, placed, where, w)
        st.occupied += np.bincount(where, minlength=n_schemes)
        by_d[:, 4] += np.bincount(home[placed], minlength=nd)
        by_d[:, 5] += np.bincount(home[placed], weights=world.distance_km[home[placed], where], minlength=nd)
        left = waiting[~got & (pop.arrive[waiting] <= w)]
        waited[left] = True
        # This week's nights: everyone past their need date not yet in a place, those placed this
        # week included: they move in next week, and spend this one where they are.
        here = waiting[pop.arrive[waiting] <= w]
        n, wv = _nights(pop, st, here, w, by_d, unsuitably)
        if trace:
            traced.append(np.stack([here, np.full(len(here), w), wv], axis=1).astype(np.int64))
        weekly[w] = (NIGHTS * n["bnb"], NIGHTS * n["emergency"], NIGHTS * (n["bnb"] + n["emergency"]),
                     NIGHTS * n["under18"], NIGHTS * n["housed"],
                     *week_cost(world, pop, w, cap, st.occupied, st.at, n["bnb"], n["emergency"]),
                     n["bnb"] + n["emergency"], n["dfe_ages"], len(left))  # fmt: skip
        if ledger:
            rows.append(_ledger_row(pop, st, w, departures, evicted, len(left), cap))
    by_d[:, 3] = np.bincount(home[waited], minlength=nd)
    totals = _totals(world, weekly, by_d, int(waited.sum()), int(unsuitably.sum()))
    totals["people_referred"] = float(people_referred(pop, weeks))
    unplaced = (np.concatenate(traced) if traced else np.zeros((0, 3), np.int64)) if trace else None
    return RunResult(totals, weekly, by_d, pd.DataFrame(rows) if ledger else None, unplaced)


def _nights(pop: Population, st: _State, here: np.ndarray, w: int, by_d: np.ndarray,
            unsuitably: np.ndarray) -> tuple[dict[str, int], np.ndarray]:  # fmt: skip
    """Where those past their need date without a place spend week `w`'s nights (contract v1.2):
    counts of B&B, emergency accommodation, under-18s in care, adults housed, and of those in B&B
    or emergency accommodation aged 17-21 (as DfE counts care leavers); by home district too."""
    age = ages(pop, here, w)
    wv = unsuitable_night(age >= 18, st.roof_until[here] <= w, pop.in_emergency[here])
    em = wv & pop.emergency[here]
    unsuitably[here[wv]] = True
    nd = len(by_d)
    home = pop.people.home[here]
    by_d[:, 0] += NIGHTS * np.bincount(home[wv & ~em], minlength=nd)
    by_d[:, 1] += NIGHTS * np.bincount(home[em], minlength=nd)
    by_d[:, 2] += NIGHTS * np.bincount(home[age < 18], minlength=nd)
    dfe_age = (age >= DfE_AGES[0]) & (age <= DfE_AGES[1])
    return {"bnb": int((wv & ~em).sum()), "emergency": int(em.sum()), "under18": int((age < 18).sum()),
            "housed": int(((age >= 18) & ~wv).sum()), "dfe_ages": int((wv & dfe_age).sum())}, wv  # fmt: skip


def _ledger_row(pop: Population, st: _State, w: int, departures: int, evicted: int, unplaced: int,
                cap: np.ndarray) -> dict[str, int]:  # fmt: skip
    in_place = int((st.at >= 0).sum())
    return {
        "week": w, "arrivals": int((pop.arrive == w).sum()), "departures": departures, "evicted": evicted,
        "active": in_place + unplaced, "in_place": in_place, "unplaced": unplaced, "capacity": int(cap.sum()),
        "occupied": int(st.occupied.sum()), "vacant": int((cap - st.occupied).sum()),
        "occupied_by_people": int(np.bincount(st.at[st.at >= 0], minlength=len(cap)).sum()),
        "over_capacity": int((st.occupied > cap).sum()),
    }  # fmt: skip


def _totals(
    world: World, weekly: np.ndarray, by_d: np.ndarray, waited: int, unsuitably: int
) -> dict[str, float]:
    placements = by_d[:, 4].sum()
    count = world.care_leavers.count if world.care_leavers is not None else float("nan")
    per_night = weekly[:, WEEK["unsuitable_17_21"]]
    return {
        "bnb_nights": float(weekly[:, WEEK["bnb_nights"]].sum()),
        "emergency_nights": float(weekly[:, WEEK["emergency_nights"]].sum()),
        "unsuitable_nights": float(weekly[:, WEEK["unsuitable_nights"]].sum()),  # B&B and emergency together
        "unsuitable_per_night": float(weekly[:, WEEK["unsuitable_per_night"]].mean()),
        "under18_waiting_nights": float(weekly[:, WEEK["under18_waiting_nights"]].sum()),
        "housed_waiting_nights": float(weekly[:, WEEK["housed_waiting_nights"]].sum()),
        "people_unplaced": float(waited),
        "people_unsuitably_housed": float(unsuitably),
        "weekly_cost": float(weekly[:, WEEK["cost"]].mean()),
        "total_cost": float(weekly[:, WEEK["cost"]].sum()),
        "council_weekly_cost": float((weekly[:, WEEK["cost"]] - weekly[:, WEEK["housing_benefit"]]).mean()),
        "housing_benefit_weekly_cost": float(weekly[:, WEEK["housing_benefit"]].mean()),
        "mean_distance_km": float(by_d[:, 5].sum() / placements) if placements else float("nan"),
        "unsuitable_share_17_21": float(per_night.mean() / count),
        "unsuitable_share_17_21_end": float(per_night[-END_WEEKS:].mean() / count),
        # drift: the first and last quarter's B&B and emergency nights (`planner.simulate.calibration`)
        "unsuitable_nights_first_quarter": float(weekly[:QUARTER_WEEKS, WEEK["unsuitable_nights"]].sum()),
        "unsuitable_nights_last_quarter": float(weekly[-QUARTER_WEEKS:, WEEK["unsuitable_nights"]].sum()),
    }


def _bound_run(world: World, pop: Population, policy: Policy) -> RunResult:
    b = clairvoyant(world, pop) if policy == "clairvoyant" else hindsight_bound(world, pop)
    weekly = np.full((world.weeks, len(WEEK_COLUMNS)), np.nan)
    weekly[:, WEEK["unsuitable_nights"]] = NIGHTS * b.unsuitable
    weekly[:, WEEK["unsuitable_per_night"]] = b.unsuitable
    if isinstance(b, Bound):
        weekly[:, WEEK["waiting"]] = b.waiting
    # A bound on B&B and emergency nights together, and on those waiting: it does not say who, so
    # it has no split, no figures by district, and no costs or distances.
    by_d = np.full((len(world.district_codes), len(DISTRICT_COLUMNS)), np.nan)
    totals = dict.fromkeys(METRICS, float("nan"))
    totals["unsuitable_nights"] = float(NIGHTS * b.unsuitable.sum())
    totals["unsuitable_per_night"] = float(b.unsuitable.mean())
    totals["unsuitable_nights_first_quarter"] = float(NIGHTS * b.unsuitable[:QUARTER_WEEKS].sum())
    totals["unsuitable_nights_last_quarter"] = float(NIGHTS * b.unsuitable[-QUARTER_WEEKS:].sum())
    totals["people_referred"] = float(people_referred(pop, world.weeks))
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
    care_leavers: CareLeavers17To21 | None = None  # DfE's figures for the council(s) simulated


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


def _long(keys: Mapping[str, object], names: Iterable[str], stack: np.ndarray) -> list[dict[str, object]]:
    """Rows of (keys, metric, mean, lo80, hi80) from a (runs, metrics) stack."""
    out = []
    for k, name in enumerate(names):
        mean, lo, hi = interval(stack[:, k])
        out.append({**keys, "metric": name, "mean": mean, "lo80": lo, "hi80": hi})
    return out


def _months(weekly: np.ndarray, month: pd.PeriodIndex, months: list[pd.Period], keys: Mapping[str, object],
            world: World) -> list[dict[str, object]]:  # fmt: skip
    """Rows of by_month: each weekly figure added up over the month's weeks, as WEEK_COLUMNS says,
    and the share of the council's care leavers aged 17-21 in B&B or emergency accommodation."""
    count = world.care_leavers.count if world.care_leavers is not None else float("nan")
    names = (*WEEK_COLUMNS, "unsuitable_share_17_21")
    out = []
    for mo in months:
        sel = np.asarray(month == mo)
        agg = np.stack([weekly[:, sel, k].sum(axis=1) if how == "sum" else weekly[:, sel, k].mean(axis=1)
                        for k, how in enumerate(WEEK_COLUMNS.values())], axis=1)  # fmt: skip
        agg = np.concatenate([agg, agg[:, [WEEK["unsuitable_17_21"]]] / count], axis=1)
        out += _long({**keys, "month": str(mo)}, names, agg)
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
            by_month += _months(weekly, month, months, keys, world)
    summary += gap_rows(pd.DataFrame(per_run))
    years = len(tasks) * scenario.weeks / 52
    return SimulationResult(
        pd.DataFrame(summary), pd.DataFrame(by_district), pd.DataFrame(by_month), pd.DataFrame(per_run),
        seconds, years / seconds if seconds else float("inf"), next(iter(worlds.values())).care_leavers,
    )  # fmt: skip
