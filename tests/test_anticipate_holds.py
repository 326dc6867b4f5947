"""The anticipatory panel keeps a place from an adult housed while they wait for someone on the list
due soon who will have no roof and no other place, and puts those whose roof ends soon before
those who may stay where they are."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from scenario_fixtures import dataset, referrals_frame, scenario

from planner.data.vocab import ADULT_AGE
from planner.simulate.anticipate import LOOKAHEAD_WEEKS, anticipatory, protect, scarcity
from planner.simulate.policies import ages, eligible, optimised, pair_cost
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
                return _sub(world, pop, grown[[a, b]]), int(both[0])
    raise AssertionError("no two adults share a scheme in the fixture")


def _sub(world: World, pop: Population, idx: np.ndarray) -> Population:
    """These people of a run, waiting and housed (not in B&B), nobody's place reserved."""
    per_person = {f.name for f in fields(Population)} - {"people", "avoid", "reserved_person"}
    sub = {name: getattr(pop, name)[idx] for name in per_person}
    sub["first_scheme"] = np.full(len(idx), -1, dtype=np.int32)
    sub["depart0"] = np.full(len(idx), NEVER, dtype=np.int64)
    sub["in_emergency"] = np.zeros(len(idx), dtype=bool)
    reserved = np.full(len(world.schemes), -1, dtype=np.int32)
    return Population(people=pop.people.take(idx), avoid=(), reserved_person=reserved, **sub)


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
    assert list(protect(e, np.array([1.0, 1.0]), spare, housed_may, most=1)) == [0, 0, 1]
    # too unlikely to come: nothing kept
    assert list(protect(e, np.array([1.0, 0.01]), spare, housed_may, most=1)) == [0, 0, 0]
    # scheme 1 full: kind 0 keeps one place of scheme 0, not two
    assert list(protect(e, np.array([5.0, 0.0]), np.array([2, 0, 1]), housed_may, most=1)) == [1, 0, 0]


def test_a_kind_keeps_as_many_places_as_it_is_likely_enough_to_need() -> None:
    e = np.array([[True, False], [False, True]])
    spare = np.array([6, 6])
    housed_may = np.array([[True, True]])
    # kind 0, one expected: P(at least 2) = 0.26, P(at least 3) = 0.08, P(at least 4) = 0.019 < 5%;
    # kind 1, 0.2 expected: P(at least 1) = 0.18, P(at least 2) = 0.018
    assert list(protect(e, np.array([1.0, 0.2]), spare, housed_may, most=5)) == [3, 1]
    # never more than `most`, however many are expected
    assert list(protect(e, np.array([20.0, 0.2]), spare, housed_may, most=5)) == [5, 1]
    # nor more than the spare places
    assert list(protect(e, np.array([20.0, 0.2]), np.array([2, 6]), housed_may, most=5)) == [2, 1]
    # places no housed adult could take count as kept: kind 0 has two of them already
    e3 = np.array([[True, True, False], [False, False, True]])
    assert list(protect(e3, np.array([1.0, 0.2]), np.array([6, 2, 6]), np.array([[True, False, True]]),
                        most=5)) == [1, 0, 1]  # fmt: skip


def test_a_place_is_dear_when_a_kind_expected_soon_has_few_others_and_cheap_where_places_abound() -> None:
    e = np.array([[True, False, False], [False, True, True]])
    supply = np.array([1, 5, 5])
    price = scarcity(e, np.array([1.0, 0.1]), supply)
    # kind 0 has one place: it is needed if one comes (1 - e^-1); kind 1 has ten for 0.1 expected
    assert price[0] == pytest.approx(1 - np.exp(-1.0))
    assert price[1] == price[2] < 1e-12
    # a scheme with no vacancy is no part of anyone's pool and has no price
    assert scarcity(e, np.array([1.0, 0.1]), np.array([0, 5, 5]))[0] == 0.0


def _a_pair_and_two_schemes(world: World, first_cheaper: bool = False) -> tuple[Population, int, int]:
    """Two adults of a run, a scheme j both could take and a scheme k only the first could
    (`first_cheaper`: and j's level-3 cost is lower for the first)."""
    pop = draw_population(world, 1, 0)
    grown = np.flatnonzero((pop.first_scheme < 0) & (ages(pop, np.arange(len(pop)), WEEK) >= 19))
    e = eligible(world, pop, grown, WEEK)
    pair = pair_cost(world, pop, grown, WEEK)
    for a in range(len(grown)):
        for b in range(len(grown)):
            both = np.flatnonzero(e[a] & e[b] & (pair[a] < pair[b] if first_cheaper else True))
            only_a = np.flatnonzero(e[a] & ~e[b])
            if a != b and len(both) and len(only_a):
                return _sub(world, pop, grown[[a, b]]), int(both[0]), int(only_a[0])
    raise AssertionError("no such pair in the fixture")


def _cheaper(world: World, pop: Population, person: int, cheap: int, dear: int, by: int) -> World:
    """The world with scheme `dear` costing `person` `by` GBP a week more than `cheap` (level 3)."""
    pair = pair_cost(world, pop, np.array([person]), WEEK)[0]
    cost = world.schemes.cost.copy()
    cost[dear] += by - (pair[dear] - pair[cheap])
    return replace(world, schemes=replace(world.schemes, cost=cost))


def test_someone_with_no_roof_is_steered_from_the_one_place_an_expected_person_could_take(world):
    pop, j, k = _a_pair_and_two_schemes(world)
    # person 0 has no roof now and could take j or k; person 1 is due in two weeks with no roof
    # and could take only j (of these two): j is dearer to plan for, though £100 a week cheaper
    pop = _people(pop, arrive=(WEEK, WEEK + 2), listed=(True, True), roof_until=(WEEK, WEEK + 2))
    w = _cheaper(world, pop, 0, j, k, by=100)
    vacancies = _one_place(w, j) + _one_place(w, k)
    assert optimised(w, pop, np.array([0]), vacancies, WEEK)[0] == j
    assert anticipatory(w, pop, np.array([0]), vacancies, WEEK, price_gbp=0, wait_gbp=0)[0] == j
    assert anticipatory(w, pop, np.array([0]), vacancies, WEEK)[0] == k


def test_of_two_with_no_roof_the_one_who_would_wait_longest_gets_the_one_place(world):
    pop, j, k = _a_pair_and_two_schemes(world, first_cheaper=True)
    # both have no roof now and could take j; person 0 also k, where places turn over all the time,
    # so person 1 (j's only, and few like it) would wait far longer; j is cheaper for person 0
    pop = _people(pop, arrive=(WEEK, WEEK), listed=(True, True), roof_until=(WEEK, WEEK))
    capacity = np.zeros_like(world.schemes.capacity)
    capacity[j], capacity[k] = 1, 200
    w = replace(world, schemes=replace(world.schemes, capacity=capacity))
    both = np.array([0, 1])
    pair = pair_cost(w, pop, both, WEEK)[:, j]
    cheaper = int(pair.argmin())
    assert pair[0] != pair[1]
    plain = anticipatory(w, pop, both, _one_place(w, j), WEEK, wait_gbp=0, price_gbp=0)
    assert plain[cheaper] == j  # without the value of a wait, the cheaper pair
    # with it, person 1 whoever is cheaper, and either way round in the list
    assert list(anticipatory(w, pop, both, _one_place(w, j), WEEK)) == [-1, j]
    assert list(anticipatory(w, pop, both[::-1], _one_place(w, j), WEEK)) == [j, -1]
