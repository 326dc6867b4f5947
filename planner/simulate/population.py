"""The people of one Monte Carlo run: today's residents, today's waiting list, drawn arrivals.

A young person needs a place from the week of their need date (`arrive`) until they are placed;
once placed, they stay for a stay drawn from the history's stay model for the type of place they
got (`planner.forecast.stays`), then leave; staying put also ends at the 21st birthday. Each
person keeps one quantile of stay (`stay_q`) whatever place they get, so every policy and every
scenario of a run faces the same people (common random numbers). Someone never placed stops
needing a place when they turn 26 (the leaving care duties end at 25).

Today's residents are not in the data: each place taken on the start date gets a referral profile
fitted to its scheme, and what is left of their stay is the forward recurrence time of the fitted
stay (`StayModel.residual_weeks`). The waiting list is `young_people.csv`; arrivals are drawn from
the referral rate (`World.drawn_per_week`) with profiles of the referral history and roofs of
today's list (`planner.simulate.roofs`).

For policies that look ahead (issue 24): `listed` marks the people known on the start date
(today's list, with their `arrive`); drawn arrivals are the unknown future, expected by week in
`World.drawn_per_week`; places come free as residents' stays end, expected from `World.stays`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from planner.data.vocab import STAYING_PUT_UNTIL_AGE
from planner.simulate.roofs import NEVER, draw_roofs
from planner.simulate.world import GENDER_CODE, Profiles, World

FIRST_BIRTHDAY: Final = 16
BIRTHDAYS: Final = 12
AGE_OUT_YEARS: Final = 26
DAYS_A_YEAR: Final = 365.25


@dataclass(frozen=True, slots=True)
class Population:
    """Everyone one run sees: today's residents, today's waiting list, then drawn arrivals."""

    people: Profiles
    dob_day: np.ndarray  # date of birth, days from the start (negative)
    birthdays: np.ndarray  # (people, 12): days from the start of the 16th to 27th birthdays
    arrive: np.ndarray  # first week needing a place (residents: 0)
    listed: np.ndarray  # known on the start date: on today's waiting list
    stay_q: np.ndarray  # quantile of their stay in whatever place they get
    depart0: np.ndarray  # residents: the week they leave; NEVER for everyone else
    age_out: np.ndarray  # the week they turn 26: not placed by then, they need a place no more
    turns_21: np.ndarray  # the week they turn 21: staying put ends
    roof_until: np.ndarray  # the week their roof ends (residents: 0, their place is their roof)
    in_emergency: np.ndarray  # in B&B or emergency accommodation on the start date
    emergency: np.ndarray  # a night without a roof is spent in emergency accommodation, not B&B
    first_scheme: np.ndarray  # scheme held on the start date, -1 for everyone else
    avoid: tuple[tuple[int, int], ...]  # (person, district index)
    reserved_person: np.ndarray  # per scheme: the one person who may take it; -1 anyone; -2 nobody new

    def __len__(self) -> int:
        return len(self.arrive)


def _residents(world: World, rng: np.random.Generator) -> tuple[np.ndarray, Profiles, np.ndarray, np.ndarray]:
    """Scheme, profile, age in days and a quantile of what is left of the stay of each resident."""
    s = world.schemes
    first = np.repeat(np.arange(len(s)), s.occupied0)
    # A resident needs the support their place gives (no place gives none: a low place holds those
    # needing none or low), as a place's level is sized to the needs of those it takes.
    pick = np.empty(len(first), dtype=np.int64)
    level = s.support[first]
    need = np.maximum(world.pool.need, 1)
    for k in np.unique(level):
        here = np.flatnonzero(level == k)
        fits = need == k if (need == k).any() else world.pool.need <= k
        w = np.where(fits, world.pool_weight, 0.0)
        if w.sum() == 0:
            w = world.pool_weight
        pick[here] = rng.choice(len(w), size=len(here), p=w / w.sum())
    o = world.pool.take(pick)
    # Fitted to their scheme, so that they hold their place legitimately.
    o = Profiles(
        gender=np.where(s.gender[first] == GENDER_CODE["any"], o.gender, s.gender[first]).astype(np.int8),
        home=o.home, need=np.minimum(o.need, s.support[first]), wheelchair=o.wheelchair & s.wheelchair[first],
        parent_child=o.parent_child & s.parent_child[first], high_risk=o.high_risk & s.high_risk[first],
        risks=o.risks & ~s.excluded[first], tenancy_ready=o.tenancy_ready | (s.accom_type[first] == "U"),
    )  # fmt: skip
    lo = np.where(s.ofsted[first], s.min_age[first], np.maximum(s.min_age[first], 18)) * DAYS_A_YEAR + 1
    age = np.clip(world.pool_age_days[pick], lo, (s.max_age[first] + 1) * DAYS_A_YEAR - 8)
    return first, o, age, rng.random(len(first))


def draw_population(world: World, seed: int, run: int) -> Population:
    """The people of one Monte Carlo run; the same (seed, run) gives the same people."""
    occ_rng, arr_rng, stay_rng = (np.random.default_rng([seed, run, k]) for k in range(3))
    s = world.schemes
    first, o, age, left_q = _residents(world, occ_rng)
    w = world.waiting

    counts = arr_rng.poisson(world.drawn_per_week)
    week = np.repeat(np.arange(world.weeks, dtype=np.int32), counts)
    pick = arr_rng.choice(len(world.pool_weight), size=len(week), p=world.pool_weight)
    a = world.pool.take(pick)
    day = 7 * week + arr_rng.integers(0, 7, size=len(week))
    a_dob = day - world.pool_age_days[pick]
    a_roof = draw_roofs(arr_rng, world.arrival_roofs, week, world.pool_age_days[pick] >= 18 * DAYS_A_YEAR)

    people = Profiles(*(np.concatenate([getattr(x, f) for x in (o, w, a)]) for f in Profiles.__slots__))
    n_occ, n_wait, n_arr = len(first), len(world.waiting_arrive), len(week)
    dob = np.concatenate([-age, world.waiting_dob_day, a_dob]).astype(np.int32)
    birthdays = _birthdays(world.start, dob)
    turns_21, age_out = (np.ceil(birthdays[:, y - FIRST_BIRTHDAY] / 7).astype(np.int64)
                         for y in (STAYING_PUT_UNTIL_AGE, AGE_OUT_YEARS))  # fmt: skip
    stay_type = s.stay_type[first]
    left = world.stays.residual_weeks(stay_type, o.need, left_q)
    left = np.where(s.staying_put[first], np.minimum(left, turns_21[:n_occ]), left)
    roofs = world.waiting_roofs
    return Population(
        people=people, dob_day=dob, birthdays=birthdays,
        arrive=np.concatenate([np.zeros(n_occ), world.waiting_arrive, week]).astype(np.int32),
        listed=np.concatenate([np.zeros(n_occ, bool), np.ones(n_wait, bool), np.zeros(n_arr, bool)]),
        stay_q=stay_rng.random(n_occ + n_wait + n_arr),
        depart0=np.concatenate([np.maximum(left, 1), np.full(n_wait + n_arr, NEVER)]).astype(np.int64),
        age_out=age_out, turns_21=turns_21,
        roof_until=np.concatenate([np.zeros(n_occ, np.int64), roofs.roof_until, a_roof]).astype(np.int64),
        in_emergency=np.concatenate([np.zeros(n_occ, bool), roofs.in_emergency, np.zeros(n_arr, bool)]),
        emergency=np.concatenate([np.zeros(n_occ, bool), roofs.emergency, a.parent_child]),
        first_scheme=np.concatenate([first, np.full(n_wait + n_arr, -1)]).astype(np.int32),
        avoid=tuple((i + n_occ, d) for i, d in world.waiting_avoid),
        reserved_person=np.where(s.reserved_for >= 0, s.reserved_for + n_occ, s.reserved_for).astype("int32"),
    )  # fmt: skip


def _birthdays(start: date, dob_day: np.ndarray) -> np.ndarray:
    """Days from `start` of each person's 16th to 27th birthdays, so that ages are calendar ages
    (as planner.match.eligibility counts them: a 29 February birthday falls on 1 March)."""
    origin = np.datetime64(start, "D")
    dob = origin + dob_day.astype("timedelta64[D]")
    year = dob.astype("datetime64[Y]")
    month = dob.astype("datetime64[M]") - year.astype("datetime64[M]")
    day = dob - dob.astype("datetime64[M]").astype("datetime64[D]")
    out = np.empty((len(dob_day), BIRTHDAYS), dtype=np.int32)
    for k in range(BIRTHDAYS):
        first = (year + np.timedelta64(FIRST_BIRTHDAY + k, "Y")).astype("datetime64[M]") + month
        # adding the day offset to the 1st of the month: 29 February in a common year is 1 March
        out[:, k] = ((first.astype("datetime64[D]") + day) - origin).astype(np.int64)
    return out
