"""The one-stage flow's lexicographic weights at the edge of int64: where `rank x M` times the
node count no longer fits, the assignment falls back to two stages, and the answer is the same
(most placed, then most of each urgency class in turn, then least cost), checked against every
feasible assignment."""

from __future__ import annotations

import numpy as np
import pytest
from test_matching_optimal import _brute_force

from planner.match import flow
from planner.match.flow import assign


def _instance(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n, m, k = 6, 3, 10
    person, scheme = rng.integers(0, n, k), rng.integers(0, m, k)
    rank, places = rng.integers(0, 4, n), rng.integers(1, 3, m)
    rank[person[0]] = 3  # the largest class has an arc: the bound uses it
    return person, scheme, rank, places


def _largest_arc_cost(person: np.ndarray, places: np.ndarray, rank: np.ndarray, top: int) -> int:
    """The one-stage flow's largest source arc cost plus the largest arc cost `top`, as assign() forms it."""
    people = np.unique(person)
    r = rank[people] - rank[people].min()
    big_m = min(len(people), int(places.sum())) * top + 1
    return int(r.max()) * big_m + top


def _edge(person: np.ndarray, places: np.ndarray, rank: np.ndarray) -> int:
    """The largest arc cost for which the one-stage weights still fit (`flow._fits`)."""
    graph = flow._Graph(person, np.zeros_like(person), places, len(rank))
    lo, hi = 1, 2**62
    while lo < hi:  # the bound grows with the cost: bisect for the last cost that fits
        mid = (lo + hi + 1) // 2
        if flow._fits(_largest_arc_cost(person, places, rank, mid), graph):
            lo = mid
        else:
            hi = mid - 1
    return lo


@pytest.mark.parametrize("seed", range(6))
def test_at_the_int64_edge_the_fallback_gives_the_same_answer(seed: int) -> None:
    person, scheme, rank, places = _instance(seed)
    edge = _edge(person, places, rank)
    assert 2**40 < edge < 2**57  # far beyond any weekly cost in pence, and below where int64 breaks
    answers = {}
    for top, method in ((edge, "one-stage flow"), (edge + 1, "two-stage flow")):
        cost = np.random.default_rng(seed).integers(0, top, len(person))
        cost[0] = top  # the largest cost is exactly at (or just past) the edge
        a = assign(person, scheme, cost, rank, places)
        assert (a.status, a.method) == ("optimal", method)
        forced = assign(person, scheme, cost, rank, places, force_stages=True)
        counts, least = _brute_force(person, scheme, cost, rank, places)
        for got in (a, forced):
            chosen = got.pair[got.pair >= 0]
            assert np.bincount(rank[person[chosen]], minlength=4).tolist() == counts
            assert int(cost[chosen].sum()) == least
        answers[method] = counts
    assert answers["one-stage flow"] == answers["two-stage flow"]


def test_a_solver_refusing_the_cost_range_falls_back_to_two_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    person, scheme, rank, places = _instance(0)
    cost = np.random.default_rng(0).integers(0, 10**6, len(person))
    expected = _brute_force(person, scheme, cost, rank, places)
    solve = flow._Graph.solve

    def refuse_one_stage(self, person_cost, arc_cost):  # type: ignore[no-untyped-def]
        if int(np.asarray(person_cost).max(initial=0)) > int(rank.max()):  # the weighted one-stage model
            return None, 0.0, 0.0
        return solve(self, person_cost, arc_cost)

    monkeypatch.setattr(flow._Graph, "solve", refuse_one_stage)
    a = assign(person, scheme, cost, rank, places)
    chosen = a.pair[a.pair >= 0]
    assert a.method == "two-stage flow"
    assert (np.bincount(rank[person[chosen]], minlength=4).tolist(), int(cost[chosen].sum())) == expected
