"""The one-stage flow solved on a few of its arcs and proved optimal on all of them.

At England scale a person due has some 175 suitable schemes, but the answer uses one arc each and
almost every person's own cheapest few; the flow spends its time on arcs it never uses. So: solve
on a candidate set (each person's cheapest arcs and each scheme's most urgent candidates), then
check the answer against *every* arc with linear programming duality; if some arcs fail, solve
again on the arcs with the least slack at those prices (the failing ones first, and every arc
that has failed before); an answer is returned only with its certificate. The first set is the
widest (some 200,000 arcs at England scale); the later ones are smaller (80,000 to 140,000),
since an optimal answer's arcs are tight at its own prices and nearly so at prices near them.

The certificate. The one-stage flow ("max flow, then least `source_cost + arc cost`") is a
weighted b-matching: maximise the sum over chosen arcs of `B[p] - cost`, with
`B[p] = BIG - source_cost[p]` and `BIG` larger than any augmenting path can lose in cost
(`source_cost.max() + (min(people, places) + 1) * cost.max() + 1`): an answer is optimal for the
weights exactly when it is a max flow of least cost, on any set of arcs. Its LP dual: a price
`w[s] >= 0` per scheme (0 where a place is left) and `u[p] >= 0` per person (0 if not placed)
with `u[p] + w[s] >= B[p] - cost` on every arc, tight on the chosen ones. `prices` finds the
least such prices for the candidate set's answer; if they hold on every arc, the answer is
optimal for the whole problem (weak duality, with complementary slackness), whatever was left
out. The flow's answer is optimal for the candidate set, so its least prices always exist; a
failure to form them (a scheme with places left priced above 0, or no convergence) only means
the caller solves the whole graph as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

import numpy as np

from planner.match.threads import by_span

log = logging.getLogger(__name__)

PER_PERSON: Final = 12  # each person's cheapest arcs (at least; cost bins are coarse)
PER_PLACE: Final = 2.0  # each scheme's most urgent, then cheapest, candidates per place it has
RESOLVE_ARCS: Final = 80_000  # arcs of least slack solved again after a failed proof (at least)
PER_FAILING: Final = 30  # ... and at least this many per arc that failed
ROUNDS: Final = 6  # solves before giving up on the candidates (then the whole graph is solved)
_COST_BINS: Final = 32  # cost bins of an arc, for both person and scheme candidates
_PASSES: Final = 1000  # at most; about 60 at England scale


def priced_assign(
    person: np.ndarray,
    scheme: np.ndarray,
    cost: np.ndarray,
    source_cost: np.ndarray,
    places: np.ndarray,
    solve: Callable[[np.ndarray], np.ndarray | None],
) -> tuple[np.ndarray, int] | None:
    """The chosen arc per person (-1 if none) and the number of solves, or None when no
    certificate was reached. `source_cost` is indexed by person (the flow's cost of placing them),
    `solve(idx)` solves the one-stage flow on the arcs `idx` and returns the chosen arc per person
    as positions in `idx` (or None)."""
    n = len(source_cost)
    pc = source_cost.astype(np.int64)
    big = int(pc.max(initial=0)) + (min(n, int(places.sum())) + 1) * int(cost.max(initial=0)) + 1
    benefit = big - pc
    keep = candidates(person, scheme, cost, pc, places)
    failed = np.zeros(len(person), dtype=bool)
    for rounds in range(1, ROUNDS + 1):
        idx = np.flatnonzero(keep)
        local = solve(idx)
        if local is None:
            return None
        chosen = np.where(local >= 0, idx[np.maximum(local, 0)], -1)
        w = prices(person[idx], scheme[idx], cost[idx], chosen, person, scheme, cost, benefit, places)
        if w is None:
            return None
        slack = reduced_costs(person, scheme, cost, chosen, w, benefit)
        short = slack < 0
        log.debug("pricing round %d: %d candidate arcs, %d below their price", rounds, len(idx), short.sum())
        if not short.any():
            return chosen, rounds
        # Solve again on the arcs these prices say matter: every arc at or below its price (those
        # that failed, and the answer's own and the others tight at these prices), the least
        # slack beyond, and every arc that failed before (so no answer comes back). An optimal
        # answer's arcs are tight at its prices, and nearly so at prices near them: fewer arcs
        # than the first set, not more.
        failed |= short
        k = max(RESOLVE_ARCS, PER_FAILING * int(short.sum()))
        keep = (slack <= 0) | _least_slack(slack, k) | failed
        keep[chosen[chosen >= 0]] = True  # tight already; kept whatever the rounding
    return None


def _least_slack(slack: np.ndarray, k: int) -> np.ndarray:
    """About `k` arcs with the least slack (the threshold is read off a sample of 200,000)."""
    step = max(1, len(slack) // 200_000)
    sample = slack[::step]
    if k <= 0 or len(sample) == 0:
        return np.zeros(len(slack), dtype=bool)
    at = min(len(sample), max(1, k // step)) - 1
    return slack <= np.partition(sample, at)[at]


def candidates(
    person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, source_cost: np.ndarray, places: np.ndarray
) -> np.ndarray:
    """Each person's `PER_PERSON` cheapest arcs and each scheme's `PER_PLACE` x places most urgent
    (then cheapest) candidates, by thresholds on binned keys (no sort of the arcs)."""
    n, m = len(source_cost), len(places)
    cost_bin = _cost_bins(cost)
    keep = _lowest(person, cost_bin, _COST_BINS, np.full(n, PER_PERSON), n)
    if PER_PLACE <= 0:
        return keep
    # A scheme's threshold in two steps, urgency class then cost bin within the class where it
    # falls: two small tables of counts, where one of (class x cost bin) per scheme would be
    # millions of cells to allocate and add up.
    urgency = np.unique(source_cost, return_inverse=True)[1].astype(np.int32)  # 0 = most urgent
    classes = int(urgency.max(initial=0)) + 1
    major = urgency[person]
    want = np.ceil(places * PER_PLACE).astype(np.int64)
    cut, below = _cut(scheme, major, classes, want, m)
    at = np.flatnonzero(major == cut[scheme])
    cost_cut, _ = _cut(scheme[at], cost_bin[at], _COST_BINS, want - below, m)
    keep |= major < cut[scheme]
    keep[at] |= cost_bin[at] <= cost_cut[scheme[at]]
    return keep


def _cost_bins(cost: np.ndarray) -> np.ndarray:
    """Each arc's cost as one of `_COST_BINS` bins of about equal size (from a sample), looked up
    in a table by the cost's leading bits: a shift and a gather, where a search would be 5 passes."""
    top = int(cost.max(initial=0))
    shift = max(0, top.bit_length() - 12)
    sample = cost[:: max(1, len(cost) // 50_000)]
    edges = np.quantile(sample, np.linspace(0, 1, _COST_BINS + 1)[1:-1])
    table = np.searchsorted(edges, np.arange((top >> shift) + 1, dtype=np.int64) << shift).astype(np.int16)
    out = np.empty(len(cost), dtype=np.int16)

    def part(span: slice) -> None:
        out[span] = table[cost[span] >> shift]

    by_span(part, len(cost))
    return out


def _cut(group: np.ndarray, key: np.ndarray, bins: int, want: np.ndarray, groups: int) -> tuple:
    """Per group: the least key at which it has `want` arcs (`bins` if it never has), and how
    many of its arcs have a key below that."""

    def count(span: slice) -> np.ndarray:
        return np.bincount(group[span].astype(np.int32) * bins + key[span], minlength=groups * bins)

    counts, *more = by_span(count, len(key))
    for part in more:
        counts += part
    cum = np.cumsum(counts.reshape(groups, bins), axis=1)
    cut = (cum < want[:, None]).sum(axis=1)
    below = np.where(cut > 0, cum[np.arange(groups), np.maximum(cut - 1, 0)], 0)
    return cut, below


def _lowest(group: np.ndarray, key: np.ndarray, bins: int, want: np.ndarray, groups: int) -> np.ndarray:
    """Arcs whose key is at or below the least key at which their group has `want` arcs."""
    cut, _ = _cut(group, key, bins, want, groups)
    out = np.empty(len(key), dtype=bool)

    def mark(span: slice) -> None:
        np.less_equal(key[span], cut[group[span]], out=out[span])

    by_span(mark, len(key))
    return out


def prices(
    p: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    chosen: np.ndarray,
    person: np.ndarray,
    scheme: np.ndarray,
    cost: np.ndarray,
    benefit: np.ndarray,
    places: np.ndarray,
) -> np.ndarray | None:
    """The least scheme prices `w` for which the answer `chosen` (arc per person, into the whole
    `person`/`scheme`/`cost`) is tight and every candidate arc (p, s, c) holds, or None.

    An unplaced person prices each scheme they could take at `benefit - cost` at least; a person
    placed at s0 prices s at `w[s0] + cost(s0) - cost(s)` at least (else they would move). The
    least fixed point is a longest-path problem over schemes, found by relaxing every arc at once
    until nothing rises; it is bounded by any optimal dual, so it ends within a pass per scheme."""
    m = len(places)
    placed_at = np.full(len(benefit), -1, dtype=np.int64)
    got = chosen >= 0
    placed_at[got] = scheme[chosen[got]]
    paid = np.zeros(len(benefit), dtype=np.int64)
    paid[got] = cost[chosen[got]]
    w = np.zeros(m, dtype=np.int64)
    out = placed_at[p] < 0
    np.maximum.at(w, s[out], benefit[p[out]] - c[out])
    moved = (placed_at[p] >= 0) & (s != placed_at[p])
    src, dst, gain = placed_at[p[moved]], s[moved], paid[p[moved]] - c[moved]
    order = np.argsort(dst, kind="stable")
    src, dst, gain = src[order], dst[order], gain[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]]) if len(dst) else np.zeros(0, np.int64)
    target = dst[starts]
    for _ in range(min(m + 1, _PASSES)):
        rise = np.maximum.reduceat(w[src] + gain, starts) if len(starts) else np.zeros(0, np.int64)
        up = rise > w[target]
        if not up.any():
            break
        w[target[up]] = rise[up]
    else:
        return None
    full = np.bincount(placed_at[got], minlength=m) >= places
    if (w[~full] > 0).any():
        return None
    if (benefit[got] - paid[got] - w[placed_at[got]] < 0).any():
        return None
    return w


def reduced_costs(
    person: np.ndarray,
    scheme: np.ndarray,
    cost: np.ndarray,
    chosen: np.ndarray,
    w: np.ndarray,
    benefit: np.ndarray,
) -> np.ndarray:
    """`u[p] + w[s] - (benefit[p] - cost)` per arc, with `u` the people's duals that make the
    chosen arcs tight; every arc at or above 0 proves the answer optimal."""
    got = chosen >= 0
    u = np.zeros(len(benefit), dtype=np.int64)
    u[got] = benefit[got] - cost[chosen[got]] - w[scheme[chosen[got]]]
    base = u - benefit  # one gather per arc for the person, not two
    out = np.empty(len(person), dtype=np.int64)

    def part(span: slice) -> None:
        out[span] = base[person[span]] + w[scheme[span]] + cost[span]

    by_span(part, len(person))
    return out
