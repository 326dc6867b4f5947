"""The simulation's array version of the hard rules agrees with planner.match.eligibility, and its weekly
`optimised` panel places as many people as planner.match.batch.match on the same week."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from planner.data.vocab import RISKS, SUPPORT_LEVELS
from planner.match.batch import match
from planner.match.eligibility import eligible_pairs
from planner.simulate.policies import eligible, optimised
from planner.simulate.population import Population, draw_population
from planner.simulate.scenario import Scenario
from planner.simulate.world import GENDER_CODE, World, build_world

START = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, pd.DataFrame, list[str]]:
    from planner.demo.county import write_demo
    from planner.forecast.history import load_referrals

    folder = tmp_path_factory.mktemp("demo")
    data = write_demo(folder, seed=2, on=START)
    s = Scenario("baseline", "x.yaml", folder, START, months=12)
    world = build_world(s, data, load_referrals(folder))
    suitable = data.schemes[~data.schemes["accom_type"].isin(["W", "V"])].reset_index(drop=True)
    return world, suitable, data.people["person_id"].tolist()


def _ids(pop: Population, idx: np.ndarray, waiting_ids: list[str]) -> list[str]:
    """Today's waiting list keeps its ids (places may be reserved for them); others are P<n>."""
    first = int((pop.first_scheme >= 0).sum())  # occupants come first, then the waiting list
    return [waiting_ids[i - first] if 0 <= i - first < len(waiting_ids) else f"P{i}" for i in idx]


def _people_frame(
    world: World, pop: Population, idx: np.ndarray, week: int, waiting_ids: list[str]
) -> pd.DataFrame:
    p = pop.people
    gender = {v: k for k, v in GENDER_CODE.items()}
    on = pd.Timestamp(START)
    avoid: dict[int, list[str]] = {}
    for person, d in pop.avoid:
        avoid.setdefault(person, []).append(str(world.district_codes[d]))
    return pd.DataFrame({
        "person_id": _ids(pop, idx, waiting_ids),
        "date_of_birth": (on + pd.to_timedelta(pop.dob_day[idx], unit="D")).astype("datetime64[ns]"),
        "gender": [gender[g] for g in p.gender[idx]],
        "home_district": world.district_codes[p.home[idx]],
        "connection_districts": [()] * len(idx),
        "avoid_districts": [tuple(avoid.get(int(i), ())) for i in idx],
        "support_need": [SUPPORT_LEVELS[k] for k in p.need[idx]],
        "wheelchair": p.wheelchair[idx], "parent_with_child": p.parent_child[idx],
        "high_risk": p.high_risk[idx],
        "risks": [tuple(r for b, r in enumerate(RISKS) if m >> b & 1) for m in p.risks[idx]],
        "needed_from": pd.Series([on + timedelta(weeks=week)] * len(idx)).astype("datetime64[ns]"),
        "current_accom": [""] * len(idx),
        "uasc": [False] * len(idx),
        "tenancy_ready": p.tenancy_ready[idx],
    })  # fmt: skip


@pytest.mark.parametrize("week", [0, 30])
def test_array_rules_agree_with_planner_eligibility(week, demo_world):
    world, schemes, ids = demo_world
    pop = draw_population(world, 1, 0)
    idx = np.flatnonzero((pop.arrive <= week) & (pop.age_out > week))[::3]
    reserved = pop.reserved_person[pop.reserved_person >= 0]
    idx = np.union1d(idx, reserved[(pop.arrive[reserved] <= week) & (pop.age_out[reserved] > week)])
    mine = eligible(world, pop, idx, week)
    on = START + timedelta(weeks=week)
    pairs = eligible_pairs(_people_frame(world, pop, idx, week, ids), schemes.assign(vacancies=1), on=on)
    theirs = np.zeros_like(mine)
    theirs[pairs["person"], pairs["scheme"]] = True
    assert mine.sum() > 0
    assert (mine == theirs).all()
    z = np.flatnonzero(world.schemes.accom_type == "Z")
    assert len(z) and (mine[:, z].sum(axis=0) <= 1).all()  # a staying-put place: one person at most


def test_weekly_optimised_panel_places_as_many_as_the_matcher(demo_world):
    world, schemes, ids = demo_world
    rng = np.random.default_rng(4)
    for run in range(3):
        pop = draw_population(world, 3, run)
        week = int(rng.integers(0, 20))
        waiting = rng.choice(np.flatnonzero((pop.arrive <= week) & (pop.age_out > week)), 60, replace=False)
        vacancies = rng.integers(0, 2, size=len(schemes))
        mine = optimised(world, pop, waiting, vacancies, week)
        people = _people_frame(world, pop, waiting, week, ids)
        result = match(people, schemes.assign(vacancies=vacancies), on=START + timedelta(weeks=week))
        assert (mine >= 0).sum() == (result.matches["outcome"] == "placed").sum()


def test_weekly_panel_is_optimal_although_each_person_keeps_only_their_cheapest_schemes(demo_world):
    from scipy.optimize import linear_sum_assignment

    from planner.simulate import policies as p

    world, _, _ = demo_world
    rng = np.random.default_rng(11)
    for run in range(6):
        pop = draw_population(world, 8, run)
        week = int(rng.integers(0, 30))
        waiting = rng.choice(np.flatnonzero((pop.arrive <= week) & (pop.age_out > week)), 12, replace=False)
        vacancies = rng.integers(0, 2, size=len(world.schemes))
        got = optimised(world, pop, waiting, vacancies, week)
        # The batch objective over every eligible pair, with vacancies as slots, solved exactly:
        # urgency classes weigh more than any difference of total level-3 cost (planner.match.flow).
        e = eligible(world, pop, waiting, week)
        pair = p.pair_cost(world, pop, waiting, week)
        rank = p.urgency_rank(pop, waiting, week)
        weight = (len(waiting) + 1) * int(pair.max()) + 1
        cost = pair + (rank * weight)[:, None]
        slots = np.repeat(np.arange(len(vacancies)), vacancies)
        big = 10**9  # more than any total of `cost`, so the most placed comes first
        m = np.where(e[:, slots], cost[:, slots] - big, 0)
        r, c = linear_sum_assignment(np.hstack([m, np.zeros((len(waiting), len(waiting)))]))
        best = m[r[c < len(slots)], c[c < len(slots)]].sum()
        placed = got >= 0
        mine = (cost[placed, got[placed]] - big).sum()
        assert mine == best
