"""The weekly simulation: conservation, reproducibility, scenario effects, and policy ordering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import FOREST, dataset, forest_places, referrals_frame, scenario

from planner.simulate.policies import ages, eligible, fcfs, optimised
from planner.simulate.population import draw_population
from planner.simulate.scenario import ChangeScheme, CloseScheme, Demand
from planner.simulate.simulation import run_once, simulate
from planner.simulate.world import build_world

NIGHTS_METRICS = ["bnb_nights", "emergency_nights"]


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return referrals_frame()


def _unsuitable(totals: dict[str, float]) -> float:
    return totals["unsuitable_nights"]


@pytest.mark.parametrize("policy", ["fcfs", "optimised"])
def test_people_and_places_are_conserved_every_week_through_a_closure_and_a_cut(policy, referrals):
    changes = (CloseScheme("S3", scenario().start.replace(month=12, day=21)),
               ChangeScheme("S2", scenario().start.replace(year=2027, month=2, day=1), capacity=5))  # fmt: skip  # noqa: E501
    world = build_world(scenario(changes=changes), dataset(), referrals)
    ledger = run_once(world, policy, seed=3, run=0, ledger=True).ledger
    assert ledger is not None
    previous = ledger["active"].shift(fill_value=0)
    assert (ledger["active"] == previous + ledger["arrivals"] - ledger["departures"]).all()
    assert (ledger["in_place"] + ledger["unplaced"] == ledger["active"]).all()
    assert (ledger["occupied"] == ledger["in_place"]).all()
    assert (ledger["occupied_by_people"] == ledger["occupied"]).all()
    assert (ledger["occupied"] + ledger["vacant"] == ledger["capacity"]).all()
    assert (ledger["over_capacity"] == 0).all() and (ledger["vacant"] >= 0).all()
    assert ledger["evicted"].sum() > 0  # the closure and the cut moved residents back to the list


def test_baseline_is_reproducible_for_a_seed_and_differs_for_another(referrals):
    a = simulate(scenario(), dataset(), referrals, runs=3)
    b = simulate(scenario(), dataset(), referrals, runs=3)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.by_month, b.by_month)
    other = simulate(
        scenario().__class__(**{**_fields(scenario()), "seed": 99}), dataset(), referrals, runs=3
    )
    assert not np.allclose(a.summary["mean"].fillna(0), other.summary["mean"].fillna(0))


def _fields(s: object) -> dict[str, object]:
    return {f: getattr(s, f) for f in s.__slots__}  # type: ignore[attr-defined]


def test_adding_places_in_the_short_district_lowers_bnb_nights(referrals):
    res = simulate(scenario("add", changes=(forest_places(6),)), dataset(), referrals, runs=6)
    s = res.summary.set_index(["scenario", "policy", "metric"])["mean"]
    for policy in ("fcfs", "optimised"):
        assert s["add", policy, "bnb_nights"] < s["baseline", policy, "bnb_nights"]
    d = res.by_district.set_index(["scenario", "policy", "district", "metric"])["mean"]
    assert d["add", "optimised", FOREST, "bnb_nights"] <= d["baseline", "optimised", FOREST, "bnb_nights"]


def test_demand_growth_raises_arrivals_and_bnb_nights(referrals):
    base = build_world(scenario(), dataset(), referrals)
    more = build_world(scenario(demand=Demand(growth_percent=50)), dataset(), referrals)
    assert more.arrivals_per_week.sum() == pytest.approx(1.5 * base.arrivals_per_week.sum())
    res = simulate(scenario("growth", demand=Demand(growth_percent=50)), dataset(), referrals, runs=4)
    s = res.summary.set_index(["scenario", "policy", "metric"])["mean"]
    assert s["growth", "optimised", "bnb_nights"] > s["baseline", "optimised", "bnb_nights"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clairvoyant_is_never_worse_than_optimised_or_fcfs(seed, referrals):
    for changes in ((), (forest_places(4),)):
        world = build_world(scenario(months=12, changes=changes), dataset(), referrals)
        for run in range(2):
            bound = _unsuitable(run_once(world, "clairvoyant", seed, run).totals)
            assert bound <= _unsuitable(run_once(world, "optimised", seed, run).totals)
            assert bound <= _unsuitable(run_once(world, "fcfs", seed, run).totals)


def test_optimised_panel_places_at_least_as_many_as_fcfs_on_the_same_week(referrals):
    world = build_world(scenario(), dataset(), referrals)
    rng = np.random.default_rng(0)
    for run in range(20):
        pop = draw_population(world, 5, run)
        week = int(rng.integers(0, world.weeks))
        waiting = np.flatnonzero((pop.arrive <= week) & (pop.age_out > week))
        waiting = rng.choice(waiting, size=min(len(waiting), int(rng.integers(1, 30))), replace=False)
        vacancies = rng.integers(0, 3, size=len(world.schemes))
        f, o = fcfs(world, pop, waiting, vacancies, week), optimised(world, pop, waiting, vacancies, week)
        assert (o >= 0).sum() >= (f >= 0).sum()
        e = eligible(world, pop, waiting, week)
        for choice in (f, o):  # hard rules and vacancies respected
            placed = choice >= 0
            assert e[np.flatnonzero(placed), choice[placed]].all()
            assert (np.bincount(choice[placed], minlength=len(vacancies)) <= vacancies).all()


def test_optimised_panel_leaves_fewer_nights_in_bnb_or_emergency_than_fcfs_over_runs(referrals):
    res = simulate(scenario(), dataset(), referrals, runs=8)
    s = res.summary.set_index(["scenario", "policy", "metric"])["mean"]
    assert s["baseline", "optimised", "unsuitable_nights"] <= s["baseline", "fcfs", "unsuitable_nights"]


def test_under_18s_wait_no_longer_than_a_move_when_registered_places_are_plentiful(referrals):
    res = simulate(scenario("plenty", changes=(forest_places(60),)), dataset(), referrals, runs=3)
    s = res.summary.set_index(["scenario", "policy", "metric"])["mean"]
    for policy in ("fcfs", "optimised"):
        assert s["plenty", policy, "under18_waiting_nights"] < s["baseline", policy, "under18_waiting_nights"]
    world = build_world(scenario("plenty", changes=(forest_places(60),)), dataset(), referrals)
    run = run_once(world, "optimised", 7, 0, trace=True)
    pop = draw_population(world, 7, 0)
    assert run.unplaced is not None
    who, weeks = np.unique(run.unplaced[:, 0], return_counts=True)
    young = ages(pop, who, 0) < 17  # under 18 throughout their first weeks
    assert (weeks[young] <= 1).all()  # placed at their first panel, moved in the week after


def test_outputs_have_intervals_by_district_and_month(referrals):
    res = simulate(scenario(months=12), dataset(), referrals, runs=5)
    assert list(res.summary.columns) == ["scenario", "policy", "metric", "mean", "lo80", "hi80"]
    ok = res.summary.dropna()
    assert (ok["lo80"] <= ok["mean"]).all() and (ok["mean"] <= ok["hi80"]).all()
    assert set(res.by_district["district"]) >= {FOREST, "E07000081"}
    assert res.by_month["month"].nunique() in (12, 13)
    assert res.county_years_per_second > 0


def test_local_processes_and_dask_give_the_same_answer_as_one_process(referrals):
    from distributed import Client, LocalCluster

    one = simulate(scenario(months=12), dataset(), referrals, runs=4)
    two = simulate(scenario(months=12), dataset(), referrals, runs=4, workers=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with Client(cluster):
            dask = simulate(
                scenario(months=12), dataset(), referrals, runs=4, dask_scheduler=cluster.scheduler_address
            )
    pd.testing.assert_frame_equal(one.summary, dask.summary)
