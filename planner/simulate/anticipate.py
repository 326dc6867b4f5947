"""The `anticipatory` panel: this week's optimiser, keeping places for those the coming weeks bring.

Where its B&B and emergency nights come from decides what it does (benchmarks/README.md): most
are spent by young people who arrive with no roof, and a place that suited them had often gone to
an adult housed while they wait in the weeks before. So each week, over the next
`LOOKAHEAD_WEEKS`:

1. **Sooner first.** The panel's urgency classes (`policies.urgency_rank`: under-18s due now, then
   those with no roof due now, then the others) gain one class after those with no roof: an
   adult due now whose roof ends within the lookahead (the list holds the date), and someone due
   next week who will need the place that day (an under-18, or an adult whose roof ends by then).
   They go before those housed while they wait, so they move before their roof goes.
2. **Two rounds.** The optimiser's flow (same hard rules, level-3 costs, lexicographic classes)
   places everyone but the adults housed while they wait (whose roof does not end within the
   lookahead) first; they take what is left.
3. **Places kept.** Before they do, places are kept from them (`protect`) for those expected to
   need one with no roof, or under 18, within the lookahead: the people on today's list due then
   (their dates and roofs are known) and the referrals the demand model expects
   (`World.drawn_per_week`, over the referral history's profiles and the roofs referrals come
   with). For each kind of person alike in the places they may take, one place they could take
   stays free, if none would be left free anyway and the chance such a person comes (Poisson) is
   above `HOLD_CHANCE`. Those not placed stay where they live and come back next week.

The guarantee: nobody under 18 due now is left unplaced that `optimised` would place, and no fewer
of those with no roof due now are placed (else the optimiser's answer stands); only adults housed
while they wait are ever held back, and staying put is never held back (it comes first).

Bid prices from a fluid LP (the first version, and a time-indexed one) steered and held too little
to matter and cost 30-70x the optimiser's time a week; they were dropped (benchmarks/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from planner.data.vocab import ADULT_AGE
from planner.simulate.policies import (
    age_eligible,
    ages,
    eligible,
    panel,
    profile_eligible,
    urgency_rank,
    urgent,
)
from planner.simulate.population import DAYS_A_YEAR, Population
from planner.simulate.world import World

LOOKAHEAD_WEEKS: Final = 4
HOLD_CHANCE: Final = 0.05  # keep a place free when someone it suits comes at least this likely
KNOWN: Final = 10.0  # someone on the list due then counts as this many expected: as good as certain


@dataclass(frozen=True, slots=True)
class _Expected:
    """A world's expected referrals who will need a place with no roof (or under 18) within the
    lookahead, once per world: the history's profiles as classes of alike eligibility."""

    eligible: np.ndarray  # (classes, schemes)
    share: np.ndarray  # (classes,) of an expected referral


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
    # an adult's referral counts by the chance that referrals come with no roof within the lookahead
    no_roof = float((world.arrival_roofs.adult < lookahead).mean())
    share = world.pool_weight * np.where(age >= ADULT_AGE, no_roof, 1.0)
    _, first, inv = np.unique(np.packbits(e, axis=1), axis=0, return_index=True, return_inverse=True)
    out = _Expected(e[first], np.bincount(inv.ravel(), weights=share))
    _CACHE.clear()
    _CACHE[key] = (world, out)
    return out


def housed(pop: Population, idx: np.ndarray, week: int, roof_until: np.ndarray, lookahead: int) -> np.ndarray:
    """Adults with a roof that does not end within the lookahead (not in B&B or emergency
    accommodation): a week more on the list costs them no night in B&B."""
    adult = ages(pop, idx, week) >= ADULT_AGE
    roofless = (roof_until[idx] <= week + lookahead) | pop.in_emergency[idx]
    return np.asarray(adult & ~roofless)


def anticipatory(
    world: World, pop: Population, idx: np.ndarray, vacancies: np.ndarray, week: int,
    static: np.ndarray | None = None, roof_until: np.ndarray | None = None,
    lookahead: int = LOOKAHEAD_WEEKS,
) -> np.ndarray:  # fmt: skip
    """This week's panel planning for the coming `lookahead` weeks (module docstring).
    Returns per waiting person the scheme, or -1 (not placed, or a place held back)."""
    until = pop.roof_until if roof_until is None else roof_until
    if lookahead <= 0 or not len(idx):
        return panel(world, pop, idx, vacancies, week, static, roof_until)
    rank = sooner_first(pop, idx, week, until, lookahead)
    e_soon, rate = expected_need(world, pop, week, static, until, lookahead)
    deferrable = housed(pop, idx, week, until, lookahead)
    out = np.full(len(idx), -1, dtype=np.int64)
    first, later = np.flatnonzero(~deferrable), np.flatnonzero(deferrable)
    out[first] = panel(world, pop, idx[first], vacancies, week, static, roof_until, rank=rank[first])
    spare = vacancies - np.bincount(out[out >= 0], minlength=len(vacancies))
    e_later = eligible(world, pop, idx[later], week, static)
    keep = protect(e_soon, rate, spare, e_later)
    out[later] = panel(world, pop, idx[later], spare - keep, week, static, roof_until, rank=rank[later])
    # The guarantee: nobody under 18, and nobody with no roof, due now, left without a place that
    # the optimiser would give them (else the optimiser's answer stands).
    plain = panel(world, pop, idx, vacancies, week, static, roof_until)
    now = pop.arrive[idx] <= week
    minors_now = (ages(pop, idx, week) < ADULT_AGE) & now
    roofless_now = urgent(pop, idx, week, until) & now
    if ((plain >= 0) & minors_now & (out < 0)).any() or ((out >= 0) & roofless_now).sum() < (
        (plain >= 0) & roofless_now
    ).sum():
        return plain
    return out


def expected_need(world: World, pop: Population, week: int, static: np.ndarray | None,
                  roof_until: np.ndarray, lookahead: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Who is expected to need a place within the lookahead with no roof (or under 18): (classes x
    schemes) the places each kind could take, and how many of each kind are expected (the demand
    model's referrals, over the history's profiles; `KNOWN` for each person on the list due then)."""
    x = _expected(world, lookahead)
    soon = np.flatnonzero(pop.listed & (pop.arrive > week + 1) & (pop.arrive <= week + lookahead))
    drawn = float(world.drawn_per_week[week + 1 : week + 1 + lookahead].sum())
    rows, lam = [x.eligible], [drawn * x.share]
    for w in np.unique(pop.arrive[soon]):
        who = soon[pop.arrive[soon] == w]
        who = who[~housed(pop, who, int(w), roof_until, 0)]  # under 18, or no roof on the day
        rows.append(eligible(world, pop, who, int(w), static))
        lam.append(np.full(len(who), KNOWN))
    return np.concatenate(rows), np.concatenate(lam)


def protect(e: np.ndarray, rate: np.ndarray, spare: np.ndarray, e_later: np.ndarray) -> np.ndarray:
    """Per scheme, the places kept from adults housed while they wait (`e_later`: where they may
    go): for each kind expected soon (`expected_need`), one place they could take stays free,
    where the chance that such a person comes (Poisson) is above `HOLD_CHANCE` and no place they
    could take would be left free anyway."""
    e = e & (spare > 0)[None, :]
    keep = np.zeros(len(spare), dtype=np.int64)
    wanted = e_later.any(axis=0) & (spare > 0)
    # places no housed adult could take stay free anyway: whoever they suit is covered
    covered = (e & ~wanted[None, :]).any(axis=1) | ~e.any(axis=1)
    left = np.where(wanted, spare, 0)
    while True:
        gain = np.where(left > 0, rate[~covered] @ e[~covered], 0.0)
        j = int(gain.argmax())
        if gain[j] <= 0 or 1 - np.exp(-gain[j]) <= HOLD_CHANCE:
            return keep
        keep[j] += 1
        left[j] -= 1
        covered |= e[:, j]


def sooner_first(
    pop: Population, idx: np.ndarray, week: int, roof_until: np.ndarray, lookahead: int
) -> np.ndarray:
    """The panel's urgency classes (`urgency_rank`), with one class added after those with no roof
    due now: the people whose nights are at stake soon. An adult due now whose roof ends within
    the lookahead (the list holds the date), and someone due next week who will need the place
    that day (an under-18, or an adult whose roof ends by then), go before the others housed
    while they wait: placed this week, the one moves before their roof goes, the other moves in
    on their need date instead of spending it in B&B (or, under 18, waiting in care)."""
    base = urgency_rank(pop, idx, week, roof_until)
    adult = ages(pop, idx, week) >= ADULT_AGE
    now = pop.arrive[idx] <= week
    ends = roof_until[idx] <= np.where(now, week + lookahead, pop.arrive[idx])
    soon = np.where(
        now,
        adult & ~urgent(pop, idx, week, roof_until) & ends,
        (pop.arrive[idx] == week + 1) & (~adult | ends | pop.in_emergency[idx]),
    )
    # base 0 and 1 (under-18s and no roof, due now) keep theirs; the new class is 2
    rank = np.where(base <= 1, 2 * base, 2 * base + 1)
    rank[soon & (base >= 2)] = 4
    return np.unique(rank, return_inverse=True)[1].astype(np.int64).reshape(-1)
