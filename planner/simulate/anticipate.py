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
   with). For each kind of person alike in the places they may take, up to `MOST_HELD` places
   they could take stay free (counting those left free anyway), one more while the chance that
   more such people come than have places (Poisson) is above `HOLD_CHANCE`. Those not placed
   stay where they live and come back next week.
4. **Which place.** Each arc's level-3 cost gains the place's value to those expected soon
   (`scarcity`: for each kind it suits, the chance that as many of that kind come as there are
   vacant places they could take, at `PRICE_GBP` a week each), for everyone placed: someone with
   other options is steered to places the expected kinds cannot use.
5. **Who, among the equally urgent.** In the first round each person's arcs gain `WAIT_GBP` for
   each week less than the longest they would wait, not placed now, with no roof or in care
   (`waits`: until a place they could take frees, by those places' turnover), so of two people of
   one class the one with few places that suit them (a parent with a child, a wheelchair user)
   goes first, the one whose next place comes next week waits it.

Points 4 and 5 are level-3 costs: they only choose among answers placing as many people of each
urgency class, so no hard rule or count moves. Parameters were chosen on held-out runs of Lambeth
(benchmarks/README.md).

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
from scipy.stats import poisson

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
PRICE_GBP: Final = 300  # level-3 price, GBP a week, of one person expected soon left with no place
WAIT_GBP: Final = 500  # level-3 value, GBP, of a week someone with no roof (or under 18) would wait
WAIT_CAP: Final = 52  # weeks: a wait is counted up to this
MOST_HELD: Final = 5  # places kept per kind expected soon, at most


@dataclass(frozen=True, slots=True)
class _Expected:
    """A world's expected referrals who will need a place with no roof (or under 18) within the
    lookahead, once per world: the history's profiles as classes of alike eligibility."""

    eligible: np.ndarray  # (classes, schemes)
    share: np.ndarray  # (classes,) of an expected referral
    stay: np.ndarray  # (schemes,) mean weeks of a stay there (the stay model, at the scheme's support)


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
    # how long a place is held, as the stay model has it for the support the scheme gives
    pairs = zip(s.stay_type.tolist(), s.support.tolist(), strict=True)
    stay = np.array([world.stays.mean_weeks(int(t), int(n)) for t, n in pairs])
    out = _Expected(e[first], np.bincount(inv.ravel(), weights=share), np.maximum(stay, 1.0))
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
    lookahead: int = LOOKAHEAD_WEEKS, price_gbp: float = PRICE_GBP, most: int = MOST_HELD,
    wait_gbp: float = WAIT_GBP,
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

    def priced(supply: np.ndarray) -> np.ndarray | None:
        return np.rint(price_gbp * scarcity(e_soon, rate, supply)).astype(np.int64) if price_gbp else None

    first_price = priced(vacancies)
    if wait_gbp:
        w = waits(world, pop, idx[first], week, static, until, lookahead)
        urge = np.rint(wait_gbp * (w.max(initial=0) - w)).astype(np.int64)[:, None]
        first_price = urge if first_price is None else first_price[None, :] + urge
    out[first] = panel(world, pop, idx[first], vacancies, week, static, roof_until, rank=rank[first],
                       price=first_price)  # fmt: skip
    spare = vacancies - np.bincount(out[out >= 0], minlength=len(vacancies))
    e_later = eligible(world, pop, idx[later], week, static)
    left = spare - protect(e_soon, rate, spare, e_later, most)
    out[later] = panel(world, pop, idx[later], left, week, static, roof_until, rank=rank[later],
                       price=priced(left))  # fmt: skip
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


def protect(
    e: np.ndarray, rate: np.ndarray, spare: np.ndarray, e_later: np.ndarray, most: int = MOST_HELD
) -> np.ndarray:
    """Per scheme, the places kept from adults housed while they wait (`e_later`: where they may
    go): for each kind expected soon (`expected_need`), up to `most` places they could take stay
    free, counting those left free anyway, one at a time where the chance that one more person of
    the kinds a place suits comes than have places (Poisson) is above `HOLD_CHANCE`."""
    e = e & (spare > 0)[None, :]
    keep = np.zeros(len(spare), dtype=np.int64)
    wanted = e_later.any(axis=0) & (spare > 0)
    # places no housed adult could take stay free anyway: they count as kept for whoever they suit
    had = e[:, ~wanted] @ spare[~wanted]
    left = np.where(wanted, spare, 0)
    while True:
        # per kind, the chance of more people than the places it has; none once it has `most`
        short = np.where(had < most, poisson.sf(had, rate), 0.0)
        gain = np.where(left > 0, -np.expm1(np.log1p(-np.minimum(short, 1 - 1e-12)) @ e), 0.0)
        j = int(gain.argmax())
        if gain[j] <= HOLD_CHANCE:
            return keep
        keep[j] += 1
        left[j] -= 1
        had += e[:, j]


def waits(world: World, pop: Population, idx: np.ndarray, week: int, static: np.ndarray | None,
          roof_until: np.ndarray, lookahead: int = LOOKAHEAD_WEEKS) -> np.ndarray:  # fmt: skip
    """Per person, the weeks they would wait with no roof (or in care, under 18) if not placed this
    week: until a place they could take frees (the places' turnover: places over mean stay), no
    longer than until they turn 26 or `WAIT_CAP`; 0 for an adult housed meanwhile. `lookahead`:
    the panel's, so the week's expected-need tables (kept for one lookahead) are read, not rebuilt."""
    x = _expected(world, lookahead)  # the mean stays in it do not depend on the lookahead
    turnover = world.schemes.capacity[:, week] / x.stay
    rate = eligible(world, pop, idx, week, static) @ turnover
    wait = np.minimum(np.where(rate > 0, 1 / np.maximum(rate, 1e-9), WAIT_CAP), WAIT_CAP)
    wait = np.minimum(wait, np.maximum(pop.age_out[idx] - week, 0))
    exposed = (ages(pop, idx, week) < ADULT_AGE) | urgent(pop, idx, week, roof_until)
    return np.where(exposed, wait, 0.0)


def scarcity(e: np.ndarray, rate: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Per scheme, how many of those expected soon (`expected_need`: kinds x schemes, expected
    counts) one place fewer there would leave with no place: for each kind it suits, the chance
    (Poisson) that at least as many of that kind come as there are places they could take now.
    High on the few places a rare, likely kind can take; near 0 where places are plentiful."""
    e = e & (supply > 0)[None, :]
    pool = e @ np.maximum(supply, 0)
    last = np.where(pool > 0, poisson.sf(pool - 1, rate), 0.0)
    return np.asarray(last @ e, dtype=float)


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
