"""Where the simulated young people spend the nights while they wait (contract v1.2): a roof is
kept, B&B and emergency accommodation only for adults without one, under-18s never; staying put
ends at 21; the clairvoyant bound follows the same rules."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import FOREST, GLOUCESTER, SCHEME_HEADER, START, dataset, referrals_frame, scenario

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.table import read_table
from planner.simulate.population import draw_population
from planner.simulate.simulation import WEEK, _stays, run_once
from planner.simulate.world import build_world

# One place for nobody (capacity 0) and one staying-put place with former foster carers: nobody
# on the list can be placed anywhere but there.
NO_PLACES = f"""{SCHEME_HEADER},reserved_for
S1,Gloucester Flats,P1,D,{GLOUCESTER},51.8643,-2.2503,0,0,16,25,any,high,false,false,true,,true,800,
Z1,Carer,P2,Z,{FOREST},51.8230,-2.4990,1,1,18,20,any,high,false,false,true,,false,250,YP-SP
"""
PEOPLE_HEADER = (
    "person_id,date_of_birth,gender,home_district,support_need,needed_from,current_accom,current_until"
)


def _people(*rows: str) -> Dataset:
    text = "\n".join([PEOPLE_HEADER, *rows]) + "\n"
    return Dataset(read_table(text.encode(), PEOPLE), read_table(NO_PLACES.encode(), SCHEMES))


def _weeks_of(run, who: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = run.unplaced[run.unplaced[:, 0] == who]
    return pd.DataFrame({"week": rows[:, 1], "unsuitable": rows[:, 2].astype(bool)})


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return referrals_frame()


def test_housed_waiting_is_never_a_bnb_night_and_a_home_that_ends_is(referrals):
    ends = START + timedelta(weeks=3)
    data = _people(
        f"YP-H,2004-05-01,F,{GLOUCESTER},medium,{START - timedelta(days=30)},D1,",  # housed, may stay
        f"YP-E,2004-05-01,M,{GLOUCESTER},medium,{START - timedelta(days=30)},D1,{ends}",  # ends in 3 weeks
        f"YP-SP,2008-04-01,F,{FOREST},medium,2026-04-01,,",  # not due for months
    )
    world = build_world(scenario(months=12, policies=("optimised",)), data, referrals)
    run = run_once(world, "optimised", 3, 0, trace=True)
    first = int((draw_population(world, 3, 0).first_scheme >= 0).sum())  # residents come first
    housed, ending = _weeks_of(run, first), _weeks_of(run, first + 1)
    assert len(housed) == world.weeks and not housed["unsuitable"].any()  # every week, at home
    assert (ending["unsuitable"] == (ending["week"] >= 3)).all()  # B&B from the week the home ends
    assert run.totals["housed_waiting_nights"] >= 7 * (world.weeks + 3)


def test_an_under_18_with_no_roof_stays_in_care_until_18_then_has_none(referrals):
    eighteen = START + timedelta(weeks=10)
    dob = eighteen.replace(year=eighteen.year - 18)
    data = _people(
        f"YP-U,{dob},F,{GLOUCESTER},medium,{START},,", f"YP-SP,2008-04-01,F,{FOREST},medium,2026-04-01,,"
    )
    world = build_world(scenario(months=12, policies=("optimised",)), data, referrals)
    run = run_once(world, "optimised", 3, 0, trace=True)
    first = int((draw_population(world, 3, 0).first_scheme >= 0).sum())
    young = _weeks_of(run, first)
    assert not young.loc[young["week"] < 10, "unsuitable"].any()  # in care: never B&B under 18
    assert young.loc[young["week"] >= 11, "unsuitable"].all()  # a care leaver with no roof at 18
    assert run.totals["under18_waiting_nights"] >= 7 * 10


def test_someone_in_bnb_now_is_counted_there_until_placed_and_a_parent_in_emergency_accommodation(referrals):
    data = _people(
        f"YP-W,2003-01-01,M,{GLOUCESTER},low,{START - timedelta(days=10)},W2,",
        f"YP-SP,2008-04-01,F,{FOREST},medium,2026-04-01,,",
    )
    world = build_world(scenario(months=12, policies=("optimised",)), data, referrals)
    run = run_once(world, "optimised", 3, 0, trace=True)
    first = int((draw_population(world, 3, 0).first_scheme >= 0).sum())
    assert _weeks_of(run, first)["unsuitable"].all()  # no place for them: every week in B&B
    assert run.totals["bnb_nights"] >= 7 * world.weeks


def test_staying_put_ends_at_the_21st_birthday_whatever_the_stay_model_says(referrals):
    data = _people(f"YP-SP,2008-04-01,F,{FOREST},medium,2026-04-01,,")
    world = build_world(scenario(months=36, policies=("optimised",)), data, referrals)
    pop = draw_population(world, 1, 0)
    z = np.flatnonzero(world.schemes.staying_put)
    person = int(pop.reserved_person[z[0]])
    week = int(pop.arrive[person])
    ends = _stays(world, pop, np.array([person]), z, week)
    assert ends[0] <= pop.turns_21[person]  # born 1 Apr 2008: staying put ends on 1 Apr 2029
    assert pop.turns_21[person] == (pd.Timestamp("2029-04-01") - pd.Timestamp(START)).days // 7 + 1


@pytest.mark.parametrize("seed", [1, 2])
def test_the_clairvoyant_bound_is_below_every_policy_every_week(seed, referrals):
    world = build_world(scenario(months=12), dataset(people=10), referrals)
    bound = run_once(world, "clairvoyant", seed, 0).weekly
    for policy in ("fcfs", "optimised"):
        weekly = run_once(world, policy, seed, 0).weekly
        k = WEEK["unsuitable_per_night"]
        assert (bound[:, k] <= weekly[:, k]).all()
        assert (bound[:, WEEK["waiting"]] <= weekly[:, WEEK["waiting"]]).all()
