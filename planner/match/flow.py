"""Lexicographic bipartite assignment with OR-Tools' min-cost flow, and a greedy baseline.

The problem: people, schemes with a number of free places, eligible (person, scheme) arcs
each with an integer cost >= 0, and an urgency class per person (0 = most urgent). Find an
assignment that (1) places as many people as possible, (2) among those is lexicographically
most urgent (as many of class 0 as possible, then of class 1, ...), (3) among those has the
least total cost.

Why min-cost flow is exact here. The sets of people that can be placed together are the
independent sets of a transversal matroid. For a matroid, the bases (maximum sets) that are
lexicographically most urgent are exactly the bases of least total rank, for *any* rank that
grows with the class (greedy optimality), and every other basis has a total rank at least
1 larger, ranks being integers. `solve_max_flow_with_min_cost` first maximises the flow
(level 1) and then minimises cost over maximum flows. So:

* One stage (the usual case): the arc source->person costs `rank * M` with
  `M > (places) * (largest arc cost)`, larger than any difference of level-3 cost, so one unit
  of rank outweighs all of level 3 and the order of the levels is kept. Used only when
  `rank * M`, times the node count that OR-Tools' cost scaling multiplies by, fits in int64
  with room to spare (`_fits`); otherwise, or if the solver reports a bad cost range:
* Two stages: stage 1 costs `rank` alone and gives the best count per class; stage 2 routes
  each class through a node of exactly that capacity and minimises level 3. No big numbers.
* Priced, the one-stage flow on large graphs (`PRICED_MIN_ARCS` arcs or more): solved on each
  person's cheapest arcs and each scheme's most urgent candidates, and returned only when LP
  duality proves it optimal on every arc (`planner.match.pricing`); when the proof fails it is
  solved again on the arcs the prices say matter, and after a few solves without a proof the
  whole graph is.

Time limit. OR-Tools' min-cost flow cannot be interrupted and holds the interpreter while it
runs, so a stage starts only if its estimated time (`SECONDS_PER_ARC` x arcs) fits in what is
left; otherwise the best answer completed so far is returned with status "time_limit":
stage 1's flow (levels 1 and 2 optimal) if there is one, else `greedy` (hard rules and places
respected, people served in urgency order, each taking their cheapest free option).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Final

import numpy as np
from ortools.graph.python import min_cost_flow

from planner.match.pricing import priced_assign

log = logging.getLogger(__name__)

PRICED_MIN_ARCS: Final = 200_000  # below this the whole graph solves in well under a second
SECONDS_PER_ARC: Final = 1e-6  # measured about 0.5 us per arc alone on this 2-core machine, 1 us when shared
_INT64_HEADROOM: Final = 2**60


@dataclass(frozen=True, slots=True)
class Assignment:
    pair: np.ndarray  # per person: index of the chosen arc, -1 when not placed
    status: str  # "optimal" or "time_limit"
    method: str  # "one-stage flow", "two-stage flow", "stage-1 flow", "greedy", "empty"
    build_s: float
    solve_s: float


class FlowError(RuntimeError):
    """The solver failed on a model that should always be feasible (a bug, not bad input)."""


def assign(
    person: np.ndarray,
    scheme: np.ndarray,
    cost: np.ndarray,
    rank: np.ndarray,
    places: np.ndarray,
    *,
    deadline: float | None = None,
    force_stages: bool = False,
) -> Assignment:
    """Lexicographically optimal assignment of arcs (person[i], scheme[i], cost[i]).

    `rank` is indexed by person, `places` by scheme; the result has one entry per person.
    `deadline` is a `time.perf_counter()` value.
    """
    n_people = len(rank)
    t0 = time.perf_counter()
    none = np.full(n_people, -1, dtype=np.int64)
    if len(person) == 0 or int(places.sum()) == 0:
        return Assignment(none, "optimal", "empty", 0.0, 0.0)
    if deadline is not None and t0 + SECONDS_PER_ARC * len(person) > deadline:
        g = greedy(person, scheme, cost, rank, places)
        return Assignment(g, "time_limit", "greedy", 0.0, time.perf_counter() - t0)

    graph = _Graph(person, scheme, places, n_people)
    r = rank[graph.people].astype(np.int64)
    r -= r.min()
    big_m = int(min(len(graph.people), int(places.sum()))) * int(cost.max(initial=0)) + 1
    if not force_stages and _fits(int(r.max()) * big_m + int(cost.max(initial=0)), graph):
        if len(person) >= PRICED_MIN_ARCS:
            got = _priced(graph, cost, rank, r * big_m, deadline)
            if got is not None:
                return got
        chosen, build_s, solve_s = graph.solve(r * big_m, cost)
        if chosen is not None:
            return Assignment(chosen, "optimal", "one-stage flow", build_s, solve_s)
        log.warning("one-stage flow reported a bad cost range; solving in two stages")

    stage1, b1, s1 = graph.solve(r, np.zeros_like(cost))
    if stage1 is None:
        raise FlowError("stage 1 of the assignment failed")
    if deadline is not None and time.perf_counter() + SECONDS_PER_ARC * len(person) > deadline:
        return Assignment(stage1, "time_limit", "stage-1 flow", b1, s1)
    placed_rank = r[stage1[graph.people] >= 0]
    per_class = np.bincount(placed_rank, minlength=int(r.max()) + 1)
    stage2, b2, s2 = graph.solve_with_class_quotas(r, per_class, cost)
    if stage2 is None:
        raise FlowError("stage 2 of the assignment failed")
    return Assignment(stage2, "optimal", "two-stage flow", b1 + b2, s1 + s2)


def _priced(
    graph: _Graph, cost: np.ndarray, rank: np.ndarray, person_cost: np.ndarray, deadline: float | None
) -> Assignment | None:
    """The one-stage flow on candidate arcs with a certificate over all arcs (`pricing`); None when
    no certificate was reached (the whole graph is then solved); `greedy` if time ran out."""
    t0 = time.perf_counter()
    spent = {"build": 0.0, "late": False}

    source_cost = np.zeros(graph.n, dtype=np.int64)
    source_cost[graph.people] = person_cost

    def solve(idx: np.ndarray) -> np.ndarray | None:
        if deadline is not None and time.perf_counter() + SECONDS_PER_ARC * len(idx) > deadline:
            spent["late"] = True
            return None
        # After the first solve a set may leave out people with no arc near their price: they
        # stay unplaced, and the proof checks their arcs like any other.
        sub = _Graph(graph.person[idx], graph.scheme[idx], graph.places, graph.n)
        chosen, build_s, _ = sub.solve(source_cost[sub.people], cost[idx])
        spent["build"] += build_s
        return chosen

    got = priced_assign(graph.person, graph.scheme, cost, source_cost, graph.places, solve)
    if spent["late"]:
        g = greedy(graph.person, graph.scheme, cost, rank, graph.places)
        return Assignment(g, "time_limit", "greedy", float(spent["build"]), time.perf_counter() - t0)
    if got is None:
        log.info("no certificate on the candidate arcs; solving the whole graph")
        return None
    chosen, rounds = got
    # Pricing (choosing candidates, prices, checks) is counted with the solves it replaces.
    build_s = float(spent["build"])
    method = f"priced flow, {rounds} solve{'s' if rounds > 1 else ''}"
    return Assignment(chosen, "optimal", method, build_s, time.perf_counter() - t0 - build_s)


def _fits(max_arc_cost: int, graph: _Graph) -> bool:
    # OR-Tools scales costs by (nodes + 1) and sums flow x cost: keep both far from 2**63.
    nodes = graph.n_nodes + 1
    return max_arc_cost * nodes < _INT64_HEADROOM and max_arc_cost * len(graph.people) < _INT64_HEADROOM


CHUNK_ARCS: Final = 1 << 20  # arcs handed to OR-Tools (and read back) at a time


class _Graph:
    """Nodes: 0 source, 1..n people, n+1..n+m schemes, then the sink (a stage-2 flow shifts
    them all by its class nodes). Source arcs only to `people`, those with any arc.

    Memory: OR-Tools copies the arcs into its own graph, so they are handed over (and the flows
    read back) in chunks, and no node-numbered copy of the arc arrays is kept alongside it; at
    England scale the flow then needs little beyond what OR-Tools itself holds."""

    def __init__(self, person: np.ndarray, scheme: np.ndarray, places: np.ndarray, n_people: int) -> None:
        self.n, self.m = n_people, len(places)
        self.person, self.scheme = person, scheme
        self.people = np.flatnonzero(np.bincount(person, minlength=n_people))
        self.sink = 1 + self.n + self.m
        self.n_nodes = self.sink + 1
        self.places = places.astype(np.int64)
        self.supply = int(min(len(self.people), int(self.places.sum())))

    def _base(self, f: min_cost_flow.SimpleMinCostFlow, extra: int, arc_cost: np.ndarray) -> int:
        """Person -> scheme arcs (returns the first one's index; they are numbered in order), then
        scheme -> sink arcs and the supplies."""
        ones = np.ones(min(CHUNK_ARCS, len(self.person)), np.int64)
        first = -1
        for a in range(0, len(self.person), CHUNK_ARCS):
            b = min(a + CHUNK_ARCS, len(self.person))
            arcs = f.add_arcs_with_capacity_and_unit_cost(
                (self.person[a:b] + (1 + extra)).astype(np.int32, copy=False),
                (self.scheme[a:b] + (1 + self.n + extra)).astype(np.int32, copy=False),
                ones[: b - a],
                np.ascontiguousarray(arc_cost[a:b], dtype=np.int64),
            )
            first = int(arcs[0]) if first < 0 else first
            if int(arcs[-1]) - int(arcs[0]) != b - a - 1 or int(arcs[0]) != first + a:
                raise FlowError("OR-Tools numbered the arcs out of order")
        schemes = np.arange(1 + self.n, 1 + self.n + self.m, dtype=np.int32) + extra
        f.add_arcs_with_capacity_and_unit_cost(
            schemes, np.full(self.m, self.sink + extra, np.int32), self.places, np.zeros(self.m, np.int64)
        )
        f.set_nodes_supplies(
            np.array([0, self.sink + extra], np.int32), np.array([self.supply, -self.supply], np.int64)
        )
        return first

    def _run(self, f: min_cost_flow.SimpleMinCostFlow, first: int, t0: float) -> tuple:
        """Solve; the chosen arc per person (or None when the solver fails), build and solve seconds."""
        t1 = time.perf_counter()
        status = f.solve_max_flow_with_min_cost()
        t2 = time.perf_counter()
        if status != f.OPTIMAL:
            log.warning("min-cost flow status %s", status)
            return None, t1 - t0, t2 - t1
        out = np.full(self.n, -1, dtype=np.int64)
        for a in range(0, len(self.person), CHUNK_ARCS):
            b = min(a + CHUNK_ARCS, len(self.person))
            used = a + np.flatnonzero(np.asarray(f.flows(np.arange(first + a, first + b))) > 0)
            out[self.person[used]] = used
        return out, t1 - t0, t2 - t1

    def solve(self, person_cost: np.ndarray, arc_cost: np.ndarray) -> tuple:
        """Source->person arcs cost `person_cost` (per local person); max flow, then min cost."""
        t0 = time.perf_counter()
        f = min_cost_flow.SimpleMinCostFlow()
        n_p = len(self.people)
        f.add_arcs_with_capacity_and_unit_cost(
            np.zeros(n_p, np.int32), (1 + self.people).astype(np.int32), np.ones(n_p, np.int64), person_cost
        )
        return self._run(f, self._base(f, 0, arc_cost), t0)

    def solve_with_class_quotas(self, rank: np.ndarray, quota: np.ndarray, arc_cost: np.ndarray) -> tuple:
        """Each class k passes through its own node of capacity quota[k] (stage 2)."""
        t0 = time.perf_counter()
        f = min_cost_flow.SimpleMinCostFlow()
        k = len(quota)
        n_p = len(self.people)
        # Shift people/schemes/sink by k so that nodes 1..k are the class nodes.
        f.add_arcs_with_capacity_and_unit_cost(
            np.zeros(k, np.int32),
            np.arange(1, k + 1, dtype=np.int32),
            quota.astype(np.int64),
            np.zeros(k, np.int64),
        )
        f.add_arcs_with_capacity_and_unit_cost(
            (1 + rank).astype(np.int32),
            (1 + k + self.people).astype(np.int32),
            np.ones(n_p, np.int64),
            np.zeros(n_p, np.int64),
        )
        return self._run(f, self._base(f, k, arc_cost), t0)


def greedy(
    person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, rank: np.ndarray, places: np.ndarray
) -> np.ndarray:
    """First come, first served: in rank order (ties by position), each person takes their
    cheapest option that still has a place. Returns the chosen arc per person (-1 if none)."""
    out = np.full(len(rank), -1, dtype=np.int64)
    if len(person) == 0:
        return out
    order = np.lexsort((cost, person, rank[person]))
    p_sorted = person[order]
    cut = np.flatnonzero(np.diff(p_sorted)) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [len(order)]))
    left = places.astype(np.int64).copy()
    s_sorted = scheme[order]
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        free = np.flatnonzero(left[s_sorted[a:b]] > 0)
        if len(free):
            k = a + int(free[0])
            left[s_sorted[k]] -= 1
            out[p_sorted[k]] = order[k]
    return out
