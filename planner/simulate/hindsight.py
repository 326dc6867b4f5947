"""The `hindsight` bound: the fewest B&B and emergency nights a panel could reach knowing the whole
future of a run but moving nobody once placed (a placement lasts its stay).

What is computed: the optimum of a linear programme (scipy's HiGHS) that relaxes the true
problem, so its value is at or below every such panel's nights (a valid lower bound):

* Only the people who would spend a night in B&B or emergency accommodation at some week of
  their wait (adults with no roof, or in B&B or emergency accommodation, `roof.unsuitable_night`)
  are in it. Leaving everyone else out only frees places, so it can only lower the optimum.
* Person i placed at week t in a group of alike schemes costs the unsuitable weeks from their
  need date to t (the week they are placed they still spend where they are, as the simulation
  counts); never placed, every unsuitable week to their 26th birthday or the end. A listed person
  may be placed the week before their need date (the panel's look-ahead), costing nothing.
* The place is held from t for the person's own stay in that type of place (a stay's length is
  fixed by the person's quantile and the type, whenever it starts: `simulation._stays`; schemes
  of one group are of one type), staying put cut at their 21st birthday, and cut at the next week
  the group's capacity falls (a closure or a cut can end a real placement there). Until 6 Dec
  2026 the shortest stay of any type was used: a looser bound.
* A pair is allowed at every week if the age rules allow it at some age from the week before the
  need date to the last week of need; the other hard rules are the simulation's.
* Today's residents hold their places until they leave (or until the scheme's capacity falls).
* x[i, g, t] may be fractional (the linear relaxation of the 0-1 schedule).

Any no-move schedule of the true run, restricted to these people's first placements, is a
feasible point with the same or more nights, so the optimum is a lower bound. Schemes alike for
every person in the model (same rules, same capacity changes) are one group; a group's places
are counted in each week a placement holds one (a sparse interval matrix). Weeks of placement are
decided weekly where the LP stays small enough (`MAX_VARIABLES`), else in blocks of 2 or 4 weeks
(`BLOCK_CHOICES`, a further relaxation, below). The clairvoyant bound (moves
allowed) is also a lower bound on every no-move panel; `hindsight_bound` returns the larger of the
two, week by week where the LP's total is the smaller (it rarely is), so the summary reads
clairvoyant <= hindsight <= any policy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from planner.data.roof import unsuitable_night
from planner.data.vocab import ADULT_AGE
from planner.simulate.policies import age_eligible, ages, clairvoyant, static_eligible
from planner.simulate.population import FIRST_BIRTHDAY, Population
from planner.simulate.world import World

# Weeks of placement decided together in the LP: a relaxation (each real week of a block costs at
# least the block's first week's nights and holds a place at least from the block's last week), 4x
# fewer variables than weekly for a bound about 3% lower on South Gloucestershire and Lambeth
# (benchmarks/README.md); weekly when the LP has at most MAX_VARIABLES variables (a few seconds).
BLOCK_CHOICES: Final = (1, 2, 4)
MAX_VARIABLES: Final = 300_000


@dataclass(frozen=True, slots=True)
class Hindsight:
    unsuitable: np.ndarray  # (weeks,) people a night in B&B or emergency accommodation, at least
    lp_nights: float  # the LP's optimum, in nights (before taking the clairvoyant bound's if larger)
    variables: int
    seconds: float
    block_weeks: int = 1  # weeks of placement decided together


def _unsuitable_weeks(world: World, pop: Population, idx: np.ndarray) -> np.ndarray:
    """(people, weeks) True where the person would spend that week's nights in B&B or emergency
    accommodation if still waiting (and past their need date)."""
    weeks = np.arange(world.weeks)
    out = np.zeros((len(idx), world.weeks), dtype=bool)
    for w in weeks:
        adult = ages(pop, idx, int(w)) >= ADULT_AGE
        out[:, w] = unsuitable_night(adult, pop.roof_until[idx] <= w, pop.in_emergency[idx])
    waiting = (weeks[None, :] >= pop.arrive[idx][:, None]) & (weeks[None, :] < pop.age_out[idx][:, None])
    return out & waiting


def _falls(capacity: np.ndarray) -> np.ndarray:
    """(schemes, weeks) the first week after w where the scheme's capacity falls (weeks if never):
    a placement made at w can be ended then."""
    n, weeks = capacity.shape
    fall = np.zeros((n, weeks), dtype=bool)
    fall[:, 1:] = capacity[:, 1:] < capacity[:, :-1]
    out = np.full((n, weeks + 1), weeks, dtype=np.int64)
    for w in range(weeks - 2, -1, -1):
        out[:, w] = np.where(fall[:, w + 1], w + 1, out[:, w + 1])
    return out[:, :weeks]


def hindsight_bound(world: World, pop: Population, *, block_weeks: int | None = None) -> Hindsight:
    """A lower bound, by week, on adults spending the night in B&B or emergency accommodation
    under any panel that knows the future but moves nobody once placed (module docstring)."""
    t0 = time.perf_counter()
    weeks, s = world.weeks, world.schemes
    cand = np.flatnonzero((pop.first_scheme < 0) & (pop.arrive < weeks))
    u = _unsuitable_weeks(world, pop, cand)
    keep = u.any(axis=1)
    people, u = cand[keep], u[keep]
    bound = clairvoyant(world, pop).unsuitable
    if not len(people):
        return Hindsight(bound, 0.0, 0, time.perf_counter() - t0)
    first = np.where(
        pop.listed[people] & (pop.arrive[people] >= 1), pop.arrive[people] - 1, pop.arrive[people]
    )
    # cost if placed at week t: unsuitable weeks up to and including t; never placed: all of them
    cum = np.cumsum(u, axis=1)
    never = cum[:, -1]
    last = weeks - 1 - np.argmax(u[:, ::-1], axis=1)  # no point placing after the last such week
    end = np.minimum(pop.age_out[people], weeks)
    young = np.maximum(first, 0)
    e = static_eligible(world, pop, people) & age_eligible(
        world, ages_at(pop, people, young), ages_at(pop, people, np.maximum(end - 1, young))
    )
    falls = _falls(s.capacity)
    # schemes of one type together: a stay's length is fixed by the person and the type
    kind = (2 * s.stay_type.astype(np.int64) + s.staying_put).view(np.uint8).reshape(len(s), -1)
    key = np.concatenate([np.packbits(e.T, axis=1), falls.astype(np.int64).view(np.uint8), kind], axis=1)
    _, group = np.unique(key, axis=0, return_inverse=True)
    group = group.ravel()
    n_groups = int(group.max()) + 1
    rep = np.array([np.flatnonzero(group == g)[0] for g in range(n_groups)])
    room = np.zeros((n_groups, weeks))
    np.add.at(room, group, s.capacity.astype(float))
    held = _residents_held(world, pop, falls)
    np.add.at(room, group, -held)
    room = np.maximum(room, 0.0)

    # 1. variables: one per (person, group, week of placement)
    ge = e[:, rep]  # schemes of a group are alike for everyone here: one stands for all
    if block_weeks is None:  # the finest blocks that keep the LP within MAX_VARIABLES
        pairs = ge.sum(axis=1)
        fits = [b for b in BLOCK_CHOICES if ((last // b - first // b + 1) * pairs).sum() <= MAX_VARIABLES]
        block_weeks = fits[0] if fits else BLOCK_CHOICES[-1]
    b0, b1 = first // block_weeks, last // block_weeks
    per = (b1 - b0 + 1) * ge.sum(axis=1)
    i = np.repeat(np.arange(len(people)), per)
    blocks = [np.repeat(np.arange(b0[k], b1[k] + 1), ge[k].sum()) for k in range(len(people))]
    g = np.concatenate([np.tile(np.flatnonzero(ge[k]), b1[k] - b0[k] + 1) for k in range(len(people))])
    b = np.concatenate(blocks)
    if not len(i):
        return Hindsight(bound, float(7 * never.sum()), 0, time.perf_counter() - t0)
    # A real placement at week t of block b costs at least the block's first week's weeks and
    # holds at most from the block's last week to where a stay begun on its first would end.
    t = np.maximum(b * block_weeks, first[i])
    t_last = np.minimum(b * block_weeks + block_weeks - 1, last[i])
    pay = cum[i, t]  # nothing before the need date: placed the week before, it costs nothing
    j, who = rep[g], people[i]
    hold = world.stays.weeks(s.stay_type[j], pop.people.need[who], pop.stay_q[who])
    hold = np.where(s.staying_put[j], np.minimum(hold, pop.turns_21[who] - t), hold)
    leave = np.minimum(t + np.maximum(hold, 1), falls[j, np.maximum(t, 0)])
    useful = pay < never[i]
    i, g, t, t_last, pay, leave = (a[useful] for a in (i, g, t, t_last, pay, leave))
    # 2. constraints: each person at most once; each group-week's occupancy within its room
    nv = len(i)
    one = sparse.csr_matrix((np.ones(nv), (i, np.arange(nv))), shape=(len(people), nv))
    # a variable counts in its group's row of each week it surely holds a place
    span = np.maximum(np.minimum(leave, weeks) - t_last, 0)
    col = np.repeat(np.arange(nv), span)
    row = g[col] * weeks + t_last[col] + (np.arange(len(col)) - np.repeat(np.cumsum(span) - span, span))
    occ = sparse.csr_matrix((np.ones(len(col)), (row, col)), shape=(n_groups * weeks, nv))
    a = sparse.vstack([one, occ]).tocsr()
    rhs = np.concatenate([np.ones(len(people)), room.ravel()])
    # 3. solve: minimise the nights saved negated (plus the constant of nobody placed)
    res = linprog(pay - never[i], A_ub=a, b_ub=rhs, bounds=(0, 1), method="highs")
    # 4. read
    if res.status != 0:
        raise RuntimeError(f"hindsight LP ended with status {res.status}: {res.message}")
    x = res.x
    lp_weeks = _weekly(u, i, t, x, pop.arrive[people], weeks)
    lp = float(7 * lp_weeks.sum())
    out = lp_weeks if lp_weeks.sum() >= bound.sum() else bound.astype(float)
    return Hindsight(out, lp, nv, time.perf_counter() - t0, block_weeks)


def ages_at(pop: Population, idx: np.ndarray, week: np.ndarray) -> np.ndarray:
    """Calendar age of each person at their own week."""
    return (FIRST_BIRTHDAY - 1 + (pop.birthdays[idx] <= 7 * week[:, None]).sum(axis=1)).astype(np.int32)


def _residents_held(world: World, pop: Population, falls: np.ndarray) -> np.ndarray:
    """(schemes, weeks) places held by today's residents until they leave or capacity falls."""
    s = world.schemes
    out = np.zeros((len(s), world.weeks))
    res = np.flatnonzero(pop.first_scheme >= 0)
    j = pop.first_scheme[res]
    until = np.minimum(pop.depart0[res], falls[j, 0])
    weeks = np.arange(world.weeks)
    np.add.at(out, j, (weeks[None, :] < until[:, None]).astype(float))
    return out


def _weekly(u: np.ndarray, i: np.ndarray, t: np.ndarray, x: np.ndarray, arrive: np.ndarray,
            weeks: int) -> np.ndarray:  # fmt: skip
    """Expected people a night unsuitably housed each week under the LP's (fractional) schedule:
    someone placed at t is still waiting at week t (they move in next week)."""
    waiting = u.astype(float).copy()
    w = np.arange(weeks)
    for k in np.flatnonzero(x > 1e-9):
        waiting[i[k]] -= x[k] * (w > t[k])
    return np.clip(waiting, 0.0, None).sum(axis=0)
