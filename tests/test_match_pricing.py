"""The priced flow: solved on candidate arcs, returned only with a proof of optimality on all arcs.

Large graphs take this path (`flow.PRICED_MIN_ARCS`); here it is forced on small ones with tiny
candidate sets, so that the proof fails and arcs are added, and the answers are held against the
whole graph's flow, every feasible assignment, and the independent lexicographic MILP.
"""

from __future__ import annotations

import numpy as np
import pytest
from matching_instances import instance
from test_matching_optimal import _brute_force, _check

from planner.match import flow, pricing, threads
from planner.match.flow import assign


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every graph priced, from each person's single cheapest arc and few candidates per scheme."""
    monkeypatch.setattr(flow, "PRICED_MIN_ARCS", 0)
    monkeypatch.setattr(pricing, "PER_PERSON", 1)
    monkeypatch.setattr(pricing, "PER_PLACE", 0.0)
    monkeypatch.setattr(pricing, "RESOLVE_ARCS", 1)
    monkeypatch.setattr(pricing, "PER_FAILING", 1)
    monkeypatch.setattr(threads, "SPAN_MIN", 1)  # the arcs' arrays in spans side by side, as at scale
    monkeypatch.setenv("PLANNER_THREADS", "2")


def _levels(a: flow.Assignment, person: np.ndarray, cost: np.ndarray, rank: np.ndarray) -> tuple:
    got = a.pair[a.pair >= 0]
    per_class = np.bincount(rank[person[got]], minlength=int(rank.max()) + 1).tolist()
    return len(got), per_class, int(cost[got].sum())


def test_a_person_moved_to_their_dearer_place_to_make_room_is_found_in_a_second_solve(priced: None) -> None:
    # Both want X (1 place); only A can go to Y. From each one's cheapest arc alone one is placed;
    # the proof fails on A -> Y, which is added, and both are placed.
    person, scheme = np.array([0, 0, 1]), np.array([0, 1, 0])
    cost, rank, places = np.array([1, 100, 1]), np.array([0, 0]), np.array([1, 1])
    a = assign(person, scheme, cost, rank, places)
    assert a.method == "priced flow, 2 solves"
    assert a.pair.tolist() == [1, 2]


def test_the_proof_fails_for_an_answer_that_is_not_optimal() -> None:
    person, scheme = np.array([0, 0, 1]), np.array([0, 1, 0])
    cost, places = np.array([1, 100, 1]), np.array([1, 1])
    benefit = np.array([10**6, 10**6])
    short = np.array([0, -1])  # A in X, B left out: optimal on A's arc to X and B's arc alone
    few = [0, 2]
    w = pricing.prices(person[few], scheme[few], cost[few], short, person, scheme, cost, benefit, places)
    assert w is not None
    slack = pricing.reduced_costs(person, scheme, cost, short, w, benefit)
    assert slack[1] < 0  # A -> Y would let B in
    best = np.array([1, 2])
    w = pricing.prices(person, scheme, cost, best, person, scheme, cost, benefit, places)
    assert w is not None
    assert (pricing.reduced_costs(person, scheme, cost, best, w, benefit) >= 0).all()


@pytest.mark.parametrize("seed", range(150))
def test_priced_answers_are_as_good_as_every_feasible_assignment(priced: None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 8)), int(rng.integers(1, 5))
    k = int(rng.integers(1, min(n * m, 11) + 1))
    pairs = rng.choice(n * m, size=k, replace=False)  # one arc per (person, scheme)
    person, scheme = pairs // m, pairs % m
    cost = rng.integers(0, 10 ** int(rng.integers(1, 8)), k)
    rank = rng.integers(0, 4, n)
    places = rng.integers(0, 3, m)
    a = assign(person, scheme, cost, rank, places)
    counts, total = _brute_force(person, scheme, cost, rank, places)
    got = a.pair[a.pair >= 0]
    assert np.bincount(rank[person[got]], minlength=4).tolist() == counts
    assert int(cost[got].sum()) == total
    assert a.method.startswith(("priced flow", "empty"))


@pytest.mark.parametrize("seed", range(40))
def test_priced_and_whole_graph_flows_agree_on_larger_graphs(
    priced: None, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(20, 300)), int(rng.integers(5, 60))
    pairs = rng.choice(n * m, size=int(rng.integers(n, n * m // 2 + n + 1)), replace=False)
    person, scheme = pairs // m, pairs % m
    cost = rng.integers(0, 10**6, len(pairs))
    rank = rng.integers(0, int(rng.integers(1, 40)), n)
    places = rng.integers(0, 4, m)
    a = assign(person, scheme, cost, rank, places)
    monkeypatch.setattr(flow, "PRICED_MIN_ARCS", 10**12)
    whole = assign(person, scheme, cost, rank, places)
    assert whole.method == "one-stage flow"
    assert _levels(a, person, cost, rank) == _levels(whole, person, cost, rank)
    assert a.method.startswith("priced flow") or a.method == "empty"


def test_without_a_proof_in_the_rounds_allowed_the_whole_graph_is_solved(
    priced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pricing, "ROUNDS", 1)
    person, scheme = np.array([0, 0, 1]), np.array([0, 1, 0])
    cost, rank, places = np.array([1, 100, 1]), np.array([0, 0]), np.array([1, 1])
    a = assign(person, scheme, cost, rank, places)
    assert a.method == "one-stage flow"
    assert a.pair.tolist() == [1, 2]


def test_time_running_out_between_priced_solves_gives_the_greedy_answer(
    priced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    person, scheme = np.array([0, 0, 1]), np.array([0, 1, 0])
    cost, rank, places = np.array([1, 100, 1]), np.array([0, 0]), np.array([1, 1])
    clock = iter([0.0, 0.0, 0.0] + [10.0] * 50)
    monkeypatch.setattr(flow.time, "perf_counter", lambda: next(clock))
    a = assign(person, scheme, cost, rank, places, deadline=5.0)
    assert (a.status, a.method) == ("time_limit", "greedy")
    assert (a.pair >= 0).sum() >= 1


@pytest.mark.parametrize("seed", range(12))
def test_priced_batch_match_equals_the_independent_lexicographic_milp(priced: None, seed: int) -> None:
    ppl, sch = instance(30 + seed, 12 + seed % 7, seed)
    _check(ppl, sch, ("default", "cost", "council")[seed % 3], False)


def _candidates_by_sorting(person, scheme, cost, source_cost, places):  # type: ignore[no-untyped-def]
    """Each scheme's candidates read off its arcs sorted by (urgency class, cost bin): the
    threshold `candidates` finds by counting, found the plain way."""
    bins = pricing._cost_bins(cost)
    keep = pricing._lowest(
        person, bins, pricing._COST_BINS, np.full(len(source_cost), pricing.PER_PERSON), len(source_cost)
    )
    key = np.unique(source_cost, return_inverse=True)[1][person] * pricing._COST_BINS + bins
    want = np.ceil(places * pricing.PER_PLACE).astype(int)
    cut = np.zeros(len(places), dtype=np.int64)
    for s in range(len(places)):
        mine = np.sort(key[scheme == s])
        cut[s] = mine[want[s] - 1] if 0 < want[s] <= len(mine) else (key.max() if want[s] else 0)
    return keep | (key <= cut[scheme])


@pytest.mark.parametrize("seed", range(60))
def test_each_schemes_candidates_are_its_most_urgent_then_cheapest_arcs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, arcs = int(rng.integers(1, 40)), int(rng.integers(1, 15)), int(rng.integers(1, 300))
    person, scheme = rng.integers(0, n, arcs), rng.integers(0, m, arcs)
    cost, places = rng.integers(0, 5000, arcs), rng.integers(0, 4, m)
    source_cost = rng.integers(0, 5, n) * 10**6
    got = pricing.candidates(person, scheme, cost, source_cost, places)
    assert got.tolist() == _candidates_by_sorting(person, scheme, cost, source_cost, places).tolist()
