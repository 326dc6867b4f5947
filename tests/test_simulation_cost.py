"""Scenarios count who pays (planner.data.funding): each week's cost, whole and met by housing
benefit, and the council's share the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import dataset, forest_places, referrals_frame, scenario

from planner.simulate.costs import week_cost
from planner.simulate.policies import ages
from planner.simulate.population import draw_population
from planner.simulate.simulation import run_once, simulate
from planner.simulate.world import build_world


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return referrals_frame()


def test_a_week_is_the_councils_but_the_rent_housing_benefit_meets_from_18(referrals) -> None:
    # Two empty block places bought at £900 (D: rent assumed £130), an adult in the flats (£800,
    # rent £130), an under-18 in the foyer (£450), two adults in B&B (£490, £130 of it a room
    # housing benefit meets) and a parent in emergency accommodation (£1,400, likewise); under-18s
    # never spend a night in either (contract v1.2).
    world = build_world(scenario(changes=(forest_places(2),)), dataset(), referrals)
    pop = draw_population(world, 3, 0)
    age = ages(pop, np.arange(len(pop)), 20)
    adult, child = int(np.flatnonzero(age >= 18)[0]), int(np.flatnonzero(age < 18)[0])
    at = np.full(len(pop), -1)
    at[adult], at[child] = 0, 1  # S1 flats, S2 foyer
    occupied = np.bincount(at[at >= 0], minlength=len(world.schemes))
    capacity = world.schemes.capacity[:, 20]
    total, benefit = week_cost(world, pop, 20, capacity, occupied, at, bnb=2, emergency=1)
    assert total == 800 + 450 + 2 * 900 + 2 * 490 + 1400
    assert benefit == 130 + 2 * 130 + 130


def test_the_council_and_housing_benefit_add_up_to_the_weekly_cost(referrals) -> None:
    world = build_world(scenario(), dataset(), referrals)
    r = run_once(world, "optimised", seed=3, run=0)
    t = r.totals
    assert t["council_weekly_cost"] + t["housing_benefit_weekly_cost"] == pytest.approx(t["weekly_cost"])
    assert 0 < t["housing_benefit_weekly_cost"] < t["council_weekly_cost"]


def test_scenario_outputs_report_council_and_housing_benefit_apart(referrals) -> None:
    res = simulate(scenario(runs=2), dataset(), referrals, runs=2, policies=("optimised",))
    metrics = set(res.summary["metric"])
    assert {"council_weekly_cost", "housing_benefit_weekly_cost"} <= metrics
    month = res.by_month[res.by_month["metric"].isin(["cost", "housing_benefit"])]
    assert (month.groupby("metric")["mean"].sum() > 0).all()
    # A run kept from before council costs were counted still shows, with "–" for them.
    from web.commissioner.scenario_results import summary_rows

    def rows(summary: pd.DataFrame) -> dict[str, str]:
        both = pd.concat([summary, summary.assign(scenario="s")])
        return {r["metric"]: r["baseline"]["mean"] for p in summary_rows(both) for r in p["rows"]}

    assert rows(res.summary)["council_weekly_cost"].startswith("£")
    old = res.summary[~res.summary["metric"].isin(["council_weekly_cost", "housing_benefit_weekly_cost"])]
    assert rows(old)["council_weekly_cost"] == "–" and rows(old)["weekly_cost"].startswith("£")
