"""How the weekly placement panel decides: `fcfs`, `optimised`, and the `clairvoyant` bound.

The hard rules are those of PRODUCT.md s.3 (as planner.match.eligibility applies them to tables),
evaluated here on the simulation's arrays because a run asks them 100 times a year; a test
checks the two agree. Only suitable schemes are in the pool: B&B and emergency accommodation
are where people go when the panel cannot place them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow

from planner.data.roof import unsuitable_night, urgency_classes
from planner.data.vocab import ADULT_AGE, OWN_TENANCY, STAYING_PUT_UNTIL_AGE
from planner.match.batch import DEFAULT_WEIGHTS
from planner.match.flow import assign
from planner.simulate.population import FIRST_BIRTHDAY, Population
from planner.simulate.roofs import NEVER
from planner.simulate.world import GENDER_CODE, Profiles, World


# The weekly panel uses the batch optimiser's exact flow (planner.match.flow.assign), its urgency order
# (PRODUCT.md s.3, v1.2, `planner.data.roof.urgency_classes`: everyone waiting is needed now;
# under-18s, then those with no roof or in B&B or emergency accommodation, then the others) and its
# level-3 weights (planner.match.batch.DEFAULT_WEIGHTS), in whole pounds a week; staying put first.
# Distance is from home only: connection districts are not simulated.
def ages(pop: Population, idx: np.ndarray, week: int) -> np.ndarray:
    """Calendar age in whole years on the first day of `week` (15 stands for "under 16")."""
    return (FIRST_BIRTHDAY - 1 + (pop.birthdays[idx] <= 7 * week).sum(axis=1)).astype(np.int32)


def profile_eligible(world: World, p: Profiles) -> np.ndarray:
    """(profiles, schemes) True where the rules of who someone is (not their age, districts to
    avoid or places reserved for others) allow the pair."""
    s = world.schemes
    e = (s.gender == GENDER_CODE["any"]) | (s.gender == p.gender[:, None])
    e &= s.support >= p.need[:, None]
    e &= ~p.wheelchair[:, None] | s.wheelchair
    e &= ~p.parent_child[:, None] | s.parent_child
    e &= ~p.high_risk[:, None] | s.high_risk
    e &= (p.risks[:, None] & s.excluded) == 0
    e &= (s.accom_type != OWN_TENANCY) | p.tenancy_ready[:, None]  # own tenancy: when ready (v1.2)
    return np.asarray(e)


def static_eligible(world: World, pop: Population, idx: np.ndarray) -> np.ndarray:
    """(people, schemes) True where every hard rule but the age rules allows the pair."""
    s = world.schemes
    e = profile_eligible(world, pop.people.take(idx))
    for person, district in pop.avoid:
        rows = np.flatnonzero(idx == person)
        if len(rows):
            e[rows[:, None], np.flatnonzero(s.district_index == district)[None, :]] = False
    reserved = np.flatnonzero(pop.reserved_person != -1)  # staying put: only the one young person
    e[:, reserved] &= idx[:, None] == pop.reserved_person[reserved][None, :]
    return e


def age_eligible(world: World, youngest: np.ndarray, oldest: np.ndarray) -> np.ndarray:
    """(people, schemes) True where the age rules allow the pair at some age in youngest..oldest."""
    s = world.schemes
    lo, hi = youngest[:, None], oldest[:, None]
    # under-18s only in Ofsted-registered supported accommodation; staying put ends at 21; an own
    # tenancy from 18
    ended = s.staying_put & (lo >= STAYING_PUT_UNTIL_AGE)
    adult_only = s.accom_type == OWN_TENANCY
    return (s.min_age <= hi) & (s.max_age >= lo) & ((hi >= 18) | (s.ofsted & ~adult_only)) & ~ended


def eligible(
    world: World, pop: Population, idx: np.ndarray, week: int, static: np.ndarray | None = None
) -> np.ndarray:
    """(people, schemes) True where a person may take a place in a scheme in `week` (vacancy aside).
    `static` is `static_eligible` for the whole population, computed once a run."""
    age = ages(pop, idx, week)
    rules = static[idx] if static is not None else static_eligible(world, pop, idx)
    return rules & age_eligible(world, age, age)


def pair_cost(world: World, pop: Population, idx: np.ndarray, week: int) -> np.ndarray:
    """(people, schemes) level-3 cost in whole GBP a week, weighted as the batch optimiser does:
    weekly cost + £10 a km from home + £100 per support level above need."""
    s, w = world.schemes, DEFAULT_WEIGHTS
    km = world.distance_km[pop.people.home[idx]]
    wasted = np.maximum(s.support[None, :] - pop.people.need[idx][:, None], 0)
    gbp = s.cost[:, week] + w.gbp_per_km * km + w.gbp_per_extra_support_level * wasted
    return np.rint(gbp).astype(np.int64)


def urgent(pop: Population, idx: np.ndarray, week: int, roof_until: np.ndarray | None = None) -> np.ndarray:
    """With no roof this week, or in B&B or emergency accommodation (`roof_until`: the run's, which
    a closure changes; the population's by default)."""
    until = pop.roof_until if roof_until is None else roof_until
    return np.asarray((until[idx] <= week) | pop.in_emergency[idx])


def urgency_rank(
    pop: Population, idx: np.ndarray, week: int, roof_until: np.ndarray | None = None
) -> np.ndarray:
    """Urgency class per waiting person, 0 = most urgent, by the batch match's rule
    (`planner.data.roof.urgency_classes`): of those needed now, under-18s, then adults with no roof
    or in B&B or emergency accommodation, then adults housed while they wait; then those due next
    week (the panel's look-ahead), under-18s first."""
    adult = ages(pop, idx, week) >= ADULT_AGE
    now = pop.arrive[idx] <= week
    days = 7 * np.maximum(pop.arrive[idx] - week, 0).astype(np.int64)
    return urgency_classes(adult, urgent(pop, idx, week, roof_until), now, np.ones(len(idx), bool), days)


def staying_put_first(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, e: np.ndarray
) -> np.ndarray:
    """Per waiting person the staying-put place given before the panel, -1 for none: a vacant place
    with their own former foster carers reserved for them that the rules allow (PRODUCT.md v1.2).
    Takes the places from `vacancies` and the people out of `e` (both changed in place)."""
    out = np.full(len(idx), -1, dtype=np.int64)
    z = np.flatnonzero(world.schemes.staying_put & (pop.reserved_person >= 0) & (vacancies > 0))
    where = {int(person): k for k, person in enumerate(idx)}
    for j in z.tolist():
        k = where.get(int(pop.reserved_person[j]), -1)
        if k >= 0 and e[k, j]:
            out[k], vacancies[j] = j, vacancies[j] - 1
            e[k] = False
    return out


def fcfs(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None = None, roof_until: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """First come, first served: down the waiting list in its urgency order (under-18s, then no
    roof, then the housed), each in arrival order, each takes the nearest suitable vacancy, as a
    panel working down a list by hand does; staying put first. Returns scheme or -1."""
    vac = vacancies.copy()
    e = eligible(world, pop, idx, week, static)
    km = world.distance_km[pop.people.home[idx]]
    out = staying_put_first(world, pop, idx, vac, e)
    order = np.lexsort((idx, pop.arrive[idx], urgency_rank(pop, idx, week, roof_until)))
    for k in order:
        options = e[k] & (vac > 0)
        if options.any():
            j = int(np.where(options, km[k], np.inf).argmin())
            out[k] = j
            vac[j] -= 1
    return out


def optimised(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None = None, roof_until: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """The matching optimiser on this week's panel (planner.match.flow.assign: most people placed,
    then the most urgent, then the least cost) on waiting people x vacant schemes."""
    return panel(world, pop, idx, vacancies, week, static, roof_until)


def panel(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None = None, roof_until: np.ndarray | None = None,
    rank: np.ndarray | None = None, price: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """The weekly panel's flow; `rank` (urgency class per waiting person, 0 first) replaces
    `urgency_rank`'s (the anticipatory panel's own order); `price` (whole GBP a week, people x
    schemes or broadcast to it) is added to the level-3 cost of each arc (the anticipatory panel's
    value of a place and of a person's wait: it only breaks ties between answers placing as many
    of each class)."""
    vacancies = vacancies.copy()
    e = eligible(world, pop, idx, week, static)
    out = staying_put_first(world, pop, idx, vacancies, e)
    open_ = np.flatnonzero(vacancies > 0)
    if not len(idx) or not len(open_):
        return out
    e = e[:, open_]
    pair = pair_cost(world, pop, idx, week)[:, open_]
    if price is not None:
        pair = pair + np.broadcast_to(price, (len(idx), len(vacancies)))[:, open_]
    n, m = len(idx), len(open_)
    if n < m:
        # Each person needs only their n cheapest schemes: of n schemes with a vacancy, the other
        # n-1 people can fill at most n-1, so any optimum can be moved onto these arcs (exact).
        keep = np.zeros_like(e)
        ranked = np.where(e, pair, np.iinfo(np.int64).max)
        np.put_along_axis(keep, np.argpartition(ranked, n - 1, axis=1)[:, :n], True, axis=1)
        e &= keep
    rows, cols = np.nonzero(e)
    if not len(rows):
        return out
    if rank is None:
        rank = urgency_rank(pop, idx, week, roof_until)
    got = assign(rows, cols, pair[rows, cols], rank, vacancies[open_]).pair
    placed = got >= 0
    out[placed] = open_[cols[got[placed]]]
    return out


POLICIES = {"fcfs": fcfs, "optimised": optimised}


@dataclass(frozen=True, slots=True)
class Bound:
    """The clairvoyant bound, by week: of adults spending the night in B&B or emergency
    accommodation, and of everyone waiting past their need date, at least this many."""

    unsuitable: np.ndarray  # (weeks,)
    waiting: np.ndarray  # (weeks,)


def windows(world: World, pop: Population) -> np.ndarray:
    """The week each person's need ends in the bound: residents' when their stay does; others'
    after the shortest stay they could have in any type of place, had they been placed on
    arrival; never later than their 26th birthday."""
    types = np.unique(world.schemes.stay_type)
    shortest = np.min(
        [world.stays.weeks(np.full(len(pop), t), pop.people.need, pop.stay_q) for t in types], axis=0
    )
    end = np.where(pop.first_scheme >= 0, pop.depart0, pop.arrive + shortest)
    return np.minimum(end, np.where(pop.first_scheme >= 0, NEVER, pop.age_out))


def clairvoyant(world: World, pop: Population) -> Bound:
    """Lower bounds, week by week, on the nights in B&B or emergency accommodation and on those
    waiting past their need date, that no policy can beat.

    It knows every arrival in advance and may move anyone at any week, so each week is the largest
    matching of those needing a place to the places that exist. A policy that places someone later
    than their arrival keeps them longer, so the bound asks of each person only the weeks from
    their arrival to the end of the shortest stay they could have had (`windows`): a policy's
    placements in those weeks are a matching there, so each week's largest matching places at
    least as many; for B&B and emergency nights it matches only the adults who would spend the
    night there unplaced (no roof, or there now). Anyone a policy placed at week t was eligible
    then, so a pair is allowed at week w if the age rules allow it at some age between arrival and
    w. People alike in eligibility and ages are one node, schemes alike for every such node are one
    node; each time-expanded network (class-week -> scheme-group-week) is one maximum flow.
    """
    everyone = np.arange(len(pop))
    static = static_eligible(world, pop, everyone)
    kind = np.unique(np.packbits(static, axis=1), axis=0, return_inverse=True)[1].ravel()
    at_arrival = (FIRST_BIRTHDAY - 1 + (pop.birthdays <= 7 * pop.arrive[:, None]).sum(axis=1)).astype(
        np.int32
    )
    end = windows(world, pop)

    def needing(w: int, only_unsuitable: bool) -> np.ndarray:
        act = np.flatnonzero((pop.arrive <= w) & (end > w))
        if only_unsuitable:
            adult = ages(pop, act, w) >= ADULT_AGE
            act = act[unsuitable_night(adult, pop.roof_until[act] <= w, pop.in_emergency[act])]
        return act

    unsuitable = _unplaced(world, pop, static, kind, at_arrival, lambda w: needing(w, True))
    return Bound(unsuitable, _unplaced(world, pop, static, kind, at_arrival, lambda w: needing(w, False)))


def _unplaced(world: World, pop: Population, static: np.ndarray, kind: np.ndarray, at_arrival: np.ndarray,
              needing: Callable[[int], np.ndarray]) -> np.ndarray:  # fmt: skip
    """Weekly count of `needing(w)` the largest matching of each week leaves without a place."""
    s = world.schemes
    tails, heads, caps, is_source = [], [], [], []
    meta = []  # per class node: week, count
    next_node = 2
    counts = np.zeros(world.weeks, dtype=np.int64)
    for w in range(world.weeks):
        act = needing(w)
        counts[w] = len(act)
        open_ = np.flatnonzero(s.capacity[:, w] > 0)
        if not len(act) or not len(open_):
            continue
        now = ages(pop, act, w)
        key = np.stack([kind[act], at_arrival[act], now], axis=1)
        _, first, count = np.unique(key, axis=0, return_index=True, return_counts=True)
        rep = act[first]
        e = (static[rep] & age_eligible(world, at_arrival[rep], now[first]))[:, open_]
        _, same, group = np.unique(np.packbits(e.T, axis=1), axis=0, return_index=True, return_inverse=True)
        room = np.bincount(group.ravel(), weights=s.capacity[open_, w]).astype(np.int64)
        k, g = len(first), len(same)
        cls, sch = next_node + np.arange(k), next_node + k + np.arange(g)
        next_node += k + g
        r, c = np.nonzero(e[:, same])
        tails += [np.zeros(k), cls[r], sch]
        heads += [cls, sch[c], np.ones(g)]
        caps += [count, count[r], room]
        is_source += [np.ones(k, bool), np.zeros(len(r), bool), np.zeros(g, bool)]
        meta.append(np.stack([np.full(k, w), count], axis=1))
    if not meta:
        return counts
    m = np.concatenate(meta)
    # 1-2. data and arcs
    flow = max_flow.SimpleMaxFlow()
    arcs = flow.add_arcs_with_capacity(np.concatenate(tails).astype(np.int32),
                                       np.concatenate(heads).astype(np.int32),
                                       np.concatenate(caps).astype(np.int64))  # fmt: skip
    # 3. solve
    status = flow.solve(0, 1)
    # 4. read
    if status != flow.OPTIMAL:
        raise RuntimeError(f"clairvoyant flow ended with status {status}")
    placed = flow.flows(arcs[np.concatenate(is_source)])
    return counts - np.bincount(m[:, 0], weights=placed, minlength=world.weeks).astype(np.int64)
