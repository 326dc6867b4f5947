"""The anticipatory panel keeps a place from an adult housed while they wait for someone on the list
due soon who will have no roof and no other place, and puts those whose roof ends soon before
those who may stay where they are."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from scenario_fixtures import dataset, referrals_frame, scenario

from planner.data.vocab import ADULT_AGE
from planner.simulate.anticipate import LOOKAHEAD_WEEKS, anticipatory, protect
from planner.simulate.policies import ages, eligible, optimised
from planner.simulate.population import Population, draw_population
from planner.simulate.roofs import NEVER
from planner.simulate.world import World, build_world

WEEK = 10


@pytest.fixture(scope="module")
def world() -> World:
    w = build_world(scenario(months=12), dataset(people=12), referrals_frame())
    # no referrals expected: only the people below ask for places
    return replace(w, drawn_per_week=np.zeros_like(w.drawn_per_week))


def _two_adults(world: World) -> tuple[Population, int]:
    """Two adults of a run (at week WEEK and two weeks later) and a scheme both could take."""
    pop = draw_population(world, 1, 0)
    grown = np.flatnonzero((pop.first_scheme < 0) & (ages(pop, np.arange(len(pop)), WEEK) >= ADULT_AGE + 1))
    e = eligible(world, pop, grown, WEEK)
    for a in range(len(grown)):
        for b in range(a + 1, len(grown)):
            both = np.flatnonzero(e[a] & e[b])
            if len(both):
                idx = grown[[a, b]]
                per_person = {f.name for f in fields(Population)} - {"people", "avoid", "reserved_person"}
                sub = {name: getattr(pop, name)[idx] for name in per_person}
                sub["first_scheme"] = np.full(2, -1, dtype=np.int32)
                sub["depart0"] = np.full(2, NEVER, dtype=np.int64)
                sub["in_emergency"] = np.zeros(2, dtype=bool)
                reserved = np.full(len(world.schemes), -1, dtype=np.int32)
                two = Population(people=pop.people.take(idx), avoid=(), reserved_person=reserved, **sub)
                return two, int(both[0])
    raise AssertionError("no two adults share a scheme in the fixture")


def _people(two: Population, *, arrive: tuple[int, int], listed: tuple[bool, bool],
            roof_until: tuple[int, int]) -> Population:  # fmt: skip
    return replace(two, arrive=np.array(arrive, np.int32), listed=np.array(listed),
                   roof_until=np.array(roof_until, np.int64))  # fmt: skip


def _one_place(world: World, j: int) -> np.ndarray:
    vacancies = np.zeros(len(world.schemes), dtype=np.int64)
    vacancies[j] = 1
    return vacancies


def test_a_place_is_kept_from_a_housed_adult_for_someone_listed_who_loses_their_roof_in_two_weeks(world):
    two, j = _two_adults(world)
    # person 0 is housed and may stay; person 1 is on the list, due in two weeks with no roof then
    pop = _people(two, arrive=(WEEK, WEEK + 2), listed=(True, True), roof_until=(NEVER, WEEK + 2))
    waiting = np.array([0])
    assert optimised(world, pop, waiting, _one_place(world, j), WEEK)[0] == j
    assert anticipatory(world, pop, waiting, _one_place(world, j), WEEK)[0] == -1


def test_no_place_is_kept_for_someone_due_soon_who_keeps_their_roof(world):
    two, j = _two_adults(world)
    pop = _people(two, arrive=(WEEK, WEEK + 2), listed=(True, True), roof_until=(NEVER, NEVER))
    assert anticipatory(world, pop, np.array([0]), _one_place(world, j), WEEK)[0] == j


def test_no_place_is_kept_for_someone_due_after_the_lookahead(world):
    two, j = _two_adults(world)
    later = WEEK + LOOKAHEAD_WEEKS + 1
    pop = _people(two, arrive=(WEEK, later), listed=(True, True), roof_until=(NEVER, later))
    assert anticipatory(world, pop, np.array([0]), _one_place(world, j), WEEK)[0] == j


def test_an_adult_whose_roof_ends_within_the_lookahead_goes_before_one_who_may_stay(world):
    two, j = _two_adults(world)
    for ends in (0, 1):  # whichever of the two it is
        until = (WEEK + 2, NEVER) if ends == 0 else (NEVER, WEEK + 2)
        pop = _people(two, arrive=(WEEK, WEEK), listed=(True, True), roof_until=until)
        got = anticipatory(world, pop, np.array([0, 1]), _one_place(world, j), WEEK)
        assert got[ends] == j and got[1 - ends] == -1


def test_one_place_is_kept_per_kind_expected_and_none_where_one_stays_free_anyway() -> None:
    # two kinds expected soon: kind 0 may take schemes 0 or 1, kind 1 only scheme 2
    e = np.array([[True, True, False], [False, False, True]])
    spare = np.array([2, 1, 1])
    housed_may = np.array([[True, False, True]])  # the housed adults could take schemes 0 and 2
    # likely enough: kind 0 is covered by scheme 1, which no housed adult could take; kind 1 keeps 2
    assert list(protect(e, np.array([1.0, 1.0]), spare, housed_may)) == [0, 0, 1]
    # too unlikely to come: nothing kept
    assert list(protect(e, np.array([1.0, 0.01]), spare, housed_may)) == [0, 0, 0]
    # scheme 1 full: kind 0 keeps one place of scheme 0, not two
    assert list(protect(e, np.array([5.0, 0.0]), np.array([2, 0, 1]), housed_may)) == [1, 0, 0]
