"""Demand in the simulation: the waiting list and the drawn arrivals are one demand, not two;
the referral rate and lengths of stay agree with the places occupied on the demo's start date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import dataset, referrals_frame, scenario

from planner.data.contract import Dataset
from planner.forecast import history
from planner.simulate import world
from planner.simulate.scenario import Scenario
from planner.simulate.world import build_world, unlisted_arrivals

START = date(2026, 11, 23)


def test_a_list_that_knows_the_next_weeks_gets_no_draws_for_them_and_full_draws_after():
    expected = np.full(30, 10.0)
    listed = np.repeat(np.arange(12), 10)  # ten people needed in each of weeks 0 to 11
    drawn = unlisted_arrivals(expected, listed)
    assert np.allclose(drawn[:12], 0) and np.allclose(drawn[12:], 10)


def test_a_front_loaded_list_brings_demand_forward_rather_than_adding_to_it():
    expected = np.full(52, 10.0)
    listed = np.concatenate([np.zeros(200, int), np.arange(100, dtype=int) % 52])  # 300 listed
    drawn = unlisted_arrivals(expected, listed)
    assert (drawn >= 0).all()
    assert drawn.sum() + len(listed) == pytest.approx(expected.sum())  # the year's demand, once
    assert np.allclose(drawn[:25], 0)  # the list covers the first half-year (300 > 25 x 10)


def test_people_already_waiting_are_past_demand_and_offset_no_arrivals():
    expected = np.full(10, 5.0)
    assert np.allclose(unlisted_arrivals(expected, np.full(40, -3)), expected)


def test_the_simulation_uses_planner_history_s_rule_for_what_is_not_place_demand():
    assert world.NOT_PLACE_DEMAND is history.NOT_PLACE_DEMAND
    ref = referrals_frame()
    own_tenancy = ref.assign(outcome_accom=np.where(np.arange(len(ref)) % 2, "U1", "D1"))
    family = ref.assign(outcome_accom=np.where(np.arange(len(ref)) % 2, "B1", "D1"))
    rate_u = build_world(scenario(), dataset(), own_tenancy).arrivals_per_week.sum()
    rate_b = build_world(scenario(), dataset(), family).arrivals_per_week.sum()
    assert rate_u > 1.6 * rate_b  # own tenancies are demand (the demo ships them); family is not


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[world.World, Dataset, Path]:
    from planner.demo.county import write_demo

    folder = tmp_path_factory.mktemp("demo")
    data = write_demo(folder, seed=3, on=START)
    s = Scenario("baseline", "x.yaml", folder, START, months=24)
    return build_world(s, data, history.load_referrals(folder)), data, folder


def test_demo_list_and_draws_make_one_year_of_demand_not_two(demo_world):
    # The demo's list holds the people referred for the coming weeks (most within three months):
    # the first weeks are mostly known, draws take over at the full rate once the list runs out.
    w, data, _ = demo_world
    future = (data.people["needed_from"] >= pd.Timestamp(START)).sum()
    year_one = future + w.drawn_per_week[:52].sum()
    assert year_one == pytest.approx(w.arrivals_per_week[:52].sum(), rel=0.15)
    assert w.drawn_per_week[:4].sum() < 0.5 * w.arrivals_per_week[:4].sum()
    assert np.allclose(w.drawn_per_week[20:], w.arrivals_per_week[20:])


def test_demo_places_by_support_level_are_rate_times_mean_stay_and_their_spare(demo_world):
    # Little's law per support level, read as the simulation reads the history: places of a level
    # in use = referrals a week needing it x their mean stay; the demo's places add the spare
    # places of square-root staffing (planner.demo.schemes.SPARE_BETA).
    from planner.demo.occupancy import SPARE_BETA, in_use

    w, _, folder = demo_world
    using = in_use(w.stays, history.load_referrals(folder), START).places
    s = w.schemes
    for level in range(1, 5):
        need = sum(v for (kind, k), v in using.items() if k == level and kind in "DET")
        rows = (s.support == level) & np.isin(s.accom_type, ["D", "E", "T"]) & ~s.added
        places = s.capacity[rows, 0].sum()
        spare = sum(SPARE_BETA * np.sqrt(v) for (kind, k), v in using.items() if k == level and kind in "DET")
        assert places == pytest.approx(need + spare, rel=0.2, abs=8), level
    # and the rate is the simulation's: the history's referrals for a place, as its count model reads them
    rate = float(w.arrivals_per_week[:52].mean())
    place_weeks = sum(using.values())
    pool_stay = place_weeks / rate
    assert 40 < pool_stay < 160  # weeks: a year or two in a place, as the history's stays say


def test_referrals_of_unknown_district_count_in_the_rate_and_arrivals_come_from_the_known():
    ref = referrals_frame()
    unknown = ref.assign(home_district=ref["home_district"].where(np.arange(len(ref)) % 3 > 0, "unknown"))
    all_known = build_world(scenario(), dataset(), ref)
    some_unknown = build_world(scenario(), dataset(), unknown)
    assert some_unknown.arrivals_per_week.sum() == pytest.approx(all_known.arrivals_per_week.sum(), rel=0.01)
    assert len(some_unknown.pool.home) == len(all_known.pool.home) - (np.arange(len(ref)) % 3 == 0).sum()
    assert "unknown" not in set(some_unknown.district_codes)
