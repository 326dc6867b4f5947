"""The `anticipatory` panel: this week's optimiser, planning for the coming weeks with bid prices.

Each week a fluid linear programme (scipy's HiGHS) shares the places expected over the next
`LOOKAHEAD_WEEKS` among the people expected to need them:

* demand: those on this week's panel; those on today's list due in the coming weeks (their dates
  are known: 18th birthdays, placements ending, releases); and the referrals the demand model
  expects (`World.drawn_per_week`), spread over the referral history's profiles;
* supply: this week's vacancies, and the places expected to come free as stays end (each place
  taken frees with the chance that a stay in its type ends within the lookahead, from the stay
  model's mean stay);
* each person counts by what a week of waiting costs them: 1 for an under-18 (no lawful fallback)
  and for an adult with no roof, or whose roof ends within the lookahead (B&B or emergency
  accommodation); `HOUSED_WEIGHT` for an adult housed while they wait.

People alike in the places they may take are one class, schemes alike for every class one kind.
The dual value of a kind's places is its bid price: what one more place of that kind is worth to
those expected over the lookahead. The panel then runs the same flow and hard rules as `optimised`
(`policies.panel`) with the bid price added to the level-3 cost of every arc into the scheme, so
it steers who goes where among the placements the lexicographic levels choose, never how many of
each urgency class are placed. Last, a place is held back from an adult housed while they wait
(and from no-one else) when its bid price is above their weight: the coming weeks' demand for
it, from people with fewer options, is worth more than placing them this week; they stay where
they live and come back next week. An under-18 or someone with no roof who needs a place now is
never held back, and if the prices would place another under-18 due now in place of one the
optimiser places, the optimiser's placements stand: no under-18 due now is left unplaced that
`optimised` would place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from planner.data.vocab import ADULT_AGE
from planner.simulate.policies import age_eligible, ages, eligible, panel, profile_eligible
from planner.simulate.population import DAYS_A_YEAR, Population
from planner.simulate.world import World

LOOKAHEAD_WEEKS: Final = 4
HOUSED_WEIGHT: Final = 0.1  # a week housed while waiting, against a week in B&B (or an under-18's)
HOLD_MARGIN: Final = 1e-6


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a world's expected referrals look like, once per world: the history's profiles as
    classes of alike eligibility, with their share and weight."""

    eligible: np.ndarray  # (classes, schemes)
    share: np.ndarray  # (classes,) of an expected referral
    weight: np.ndarray  # (classes,)
    frees: np.ndarray  # (schemes,) chance a place taken frees within the lookahead, per lookahead week


_CACHE: dict[tuple[int, int], tuple[World, _Expected]] = {}


def _expected(world: World, lookahead: int) -> _Expected:
    key = (id(world), lookahead)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is world:
        return hit[1]
    s = world.schemes
    age = np.floor(world.pool_age_days / DAYS_A_YEAR).astype(np.int32)
    e = profile_eligible(world, world.pool) & age_eligible(world, age, age)
    e &= (s.reserved_for == -1)[None, :]  # a reserved place is never for a new referral
    adult = age >= ADULT_AGE
    no_roof = float((world.arrival_roofs.adult < lookahead).mean())
    weight = np.where(adult, no_roof + (1 - no_roof) * HOUSED_WEIGHT, 1.0)
    key_rows = np.concatenate([np.packbits(e, axis=1), (weight * 1000).astype(np.int64).view(np.uint8)
                               .reshape(len(weight), -1)], axis=1)  # fmt: skip
    _, first, inv = np.unique(key_rows, axis=0, return_index=True, return_inverse=True)
    share = np.bincount(inv.ravel(), weights=world.pool_weight)
    mean_stay = np.array(
        [world.stays.mean_weeks(int(t), int(n)) for t, n in zip(s.stay_type, s.support, strict=True)]
    )
    frees = np.minimum(1.0, lookahead / np.maximum(mean_stay, 1.0))
    out = _Expected(e[first], share, weight[first], frees)
    _CACHE.clear()
    _CACHE[key] = (world, out)
    return out


def weights(
    pop: Population, idx: np.ndarray, week: int, roof_until: np.ndarray, lookahead: int
) -> np.ndarray:
    """What a week of waiting costs each person (module docstring)."""
    adult = ages(pop, idx, week) >= ADULT_AGE
    roofless = (roof_until[idx] <= week + lookahead) | pop.in_emergency[idx]
    return np.where(adult & ~roofless, HOUSED_WEIGHT, 1.0)


def bid_prices(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None, roof_until: np.ndarray, lookahead: int = LOOKAHEAD_WEEKS,
) -> np.ndarray:  # fmt: skip
    """Per scheme, the value of one of its places to those expected over the lookahead, in the
    weights' units (a person-week in B&B averted is 1)."""
    s = world.schemes
    x = _expected(world, lookahead)
    soon = np.flatnonzero(pop.listed & (pop.arrive > week + 1) & (pop.arrive <= week + lookahead))
    rows = [eligible(world, pop, idx, week, static)]
    wts = [weights(pop, idx, week, roof_until, lookahead)]
    counts = [np.ones(len(idx))]
    for w in np.unique(pop.arrive[soon]):
        who = soon[pop.arrive[soon] == w]
        rows.append(eligible(world, pop, who, int(w), static))
        wts.append(weights(pop, who, int(w), roof_until, lookahead))
        counts.append(np.ones(len(who)))
    expected = float(world.drawn_per_week[week + 1 : week + 1 + lookahead].sum())
    rows.append(x.eligible)
    wts.append(x.weight)
    counts.append(expected * x.share)
    e, weight, demand = np.concatenate(rows), np.concatenate(wts), np.concatenate(counts)
    occupied = np.maximum(s.capacity[:, week] - vacancies, 0)
    supply = np.maximum(vacancies, 0) + occupied * x.frees
    return _fluid(e, weight, demand, supply)


def _fluid(e: np.ndarray, weight: np.ndarray, demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Dual prices of supply in: max sum weight x over eligible (class, kind), x within each
    class's demand and each kind's supply. Returns a price per scheme."""
    price = np.zeros(e.shape[1])
    live = (demand > 0) & e.any(axis=1)
    if not live.any() or supply.sum() <= 0:
        return price
    e, weight, demand = e[live], weight[live], demand[live]
    key = np.concatenate([np.packbits(e, axis=1), (weight * 1000).astype(np.int64).view(np.uint8)
                          .reshape(len(weight), -1)], axis=1)  # fmt: skip
    _, first, cls = np.unique(key, axis=0, return_index=True, return_inverse=True)
    demand = np.bincount(cls.ravel(), weights=demand)
    e, weight = e[first], weight[first]
    _, same, kind = np.unique(np.packbits(e.T, axis=1), axis=0, return_index=True, return_inverse=True)
    kind = kind.ravel()
    room = np.bincount(kind, weights=supply)
    # 1. variables: eligible (class, kind) pairs
    c, k = np.nonzero(e[:, same])
    n = len(c)
    # 2. constraints: class demand, kind supply
    a = sparse.vstack([
        sparse.csr_matrix((np.ones(n), (c, np.arange(n))), shape=(len(weight), n)),
        sparse.csr_matrix((np.ones(n), (k, np.arange(n))), shape=(len(same), n)),
    ]).tocsr()  # fmt: skip
    # 3. solve
    res = linprog(-weight[c], A_ub=a, b_ub=np.concatenate([demand, room]), bounds=(0, None), method="highs")
    # 4. read: the duals of the supply rows (HiGHS gives them <= 0 for a minimisation)
    if res.status != 0:
        raise RuntimeError(f"bid price LP ended with status {res.status}: {res.message}")
    kind_price = -np.asarray(res.ineqlin.marginals)[len(weight) :]
    return np.asarray(kind_price[kind])


def anticipatory(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None = None, roof_until: np.ndarray | None = None,
    lookahead: int = LOOKAHEAD_WEEKS,
) -> np.ndarray:  # fmt: skip
    """This week's panel with bid prices for the coming `lookahead` weeks (module docstring).
    Returns per waiting person the scheme, or -1 (not placed, or a place held back)."""
    until = pop.roof_until if roof_until is None else roof_until
    if lookahead <= 0 or not len(idx):
        return panel(world, pop, idx, vacancies, week, static, roof_until)
    price = bid_prices(world, pop, idx, vacancies, week, static, until, lookahead)
    gbp = price * world.bnb_weekly * lookahead / 2  # a place's worth: the B&B weeks it averts
    out = panel(world, pop, idx, vacancies, week, static, roof_until, gbp)
    # Prices change who goes where, so they could place another under-18 due now in place of one
    # the optimiser places (the count is the same): then the optimiser's answer stands.
    plain = panel(world, pop, idx, vacancies, week, static, roof_until)
    minors_now = (ages(pop, idx, week) < ADULT_AGE) & (pop.arrive[idx] <= week)
    if ((plain >= 0) & minors_now & (out < 0)).any():
        out = plain
    return hold_back(world, pop, idx, out, price, week, until, lookahead)


def hold_back(world: World, pop: Population, idx: np.ndarray, out: np.ndarray, price: np.ndarray,
              week: int, roof_until: np.ndarray, lookahead: int) -> np.ndarray:  # fmt: skip
    """Places taken back from adults housed while they wait where the coming weeks value the
    place above them; staying put is never held back."""
    placed = out >= 0
    housed = weights(pop, idx, week, roof_until, lookahead) <= HOUSED_WEIGHT
    staying_put = placed & world.schemes.staying_put[np.maximum(out, 0)]
    held = placed & housed & ~staying_put & (price[np.maximum(out, 0)] > HOUSED_WEIGHT + HOLD_MARGIN)
    out = out.copy()
    out[held] = -1
    return out
