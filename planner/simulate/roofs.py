"""Where the simulated young people live while they wait (contract v1.2, `planner.data.roof`).

Someone waiting past their need date without a suitable place stays where they live while they
have a roof; only an adult with no roof, or already in B&B or emergency accommodation, spends the
night there (`roof.unsuitable_night`); an under-18 stays in their placement or care. So each
person carries the week their roof ends (`roof_until`, weeks from the start; `NEVER` if it does
not), whether they are in B&B or emergency accommodation now, and where a night without a roof is
spent: emergency accommodation (V) for a parent with their child or someone there now, else B&B.

Today's waiting list says it for each person (`current_accom`, `current_until`). Arrivals drawn
in the future take the situation of someone on today's list referred ahead of their need date
(`needed_from` after the start: how referrals look when they are made), of their age group at
need (under 18 or adult), as weeks from their need date to the end of their roof: 0 for no roof
on the day (leaving a placement that ends then, custody, no fixed abode, B&B), `NEVER` for a home
they may stay in until a place is found. Those staying put are left out (drawn arrivals never
are: staying put is not demand for a place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import complete_people
from planner.data.roof import in_emergency
from planner.data.vocab import ADULT_AGE, NO_ROOF_ACCOM, STAYING_PUT

NEVER: Final = 1 << 30  # a week that never comes
MIN_PROFILES: Final = 5  # listed people referred ahead an age group needs; else all its listed


@dataclass(frozen=True, slots=True)
class ListedRoofs:
    """Today's waiting list, row by row."""

    roof_until: np.ndarray  # week their roof ends (0 or less: none now; NEVER: may stay)
    in_emergency: np.ndarray  # in B&B or emergency accommodation now (W, V)
    emergency: np.ndarray  # a night without a roof is spent in emergency accommodation (V), not B&B


@dataclass(frozen=True, slots=True)
class RoofProfiles:
    """Weeks from the need date to the end of the roof, for drawn arrivals to take one of."""

    under_18: np.ndarray
    adult: np.ndarray


def _weeks(day: pd.Series, start: date) -> np.ndarray:
    days = (day - pd.Timestamp(start)).dt.days
    return np.floor(days.to_numpy(dtype=float, na_value=np.nan) / 7)


def listed_roofs(people: pd.DataFrame, start: date) -> ListedRoofs:
    p = complete_people(people)
    letter = p["current_accom"].str[:1]
    none = ((letter == "") | letter.isin(list(NO_ROOF_ACCOM))).to_numpy(dtype=bool)
    until = _weeks(p["current_until"], start)
    roof_until = np.where(none, -1, np.where(np.isnan(until), NEVER, until)).astype(np.int64)
    w_or_v = in_emergency(p)
    emergency = (letter == "V").to_numpy(dtype=bool) | p["parent_with_child"].to_numpy(dtype=bool)
    return ListedRoofs(roof_until, w_or_v, emergency)


def _age_at(dob: pd.Series, day: pd.Series) -> np.ndarray:
    before = (day.dt.month < dob.dt.month) | ((day.dt.month == dob.dt.month) & (day.dt.day < dob.dt.day))
    return (day.dt.year - dob.dt.year - before.astype(int)).to_numpy(dtype=np.int64)


def roof_profiles(people: pd.DataFrame, schemes: pd.DataFrame, start: date) -> RoofProfiles:
    """The list's roofs as weeks after each one's need date, by age group at need."""
    listed = listed_roofs(people, start)
    need_week = _weeks(people["needed_from"], start).astype(np.int64)
    ended = listed.in_emergency | (listed.roof_until <= need_week)
    offset = np.where(ended, 0, np.where(listed.roof_until >= NEVER, NEVER, listed.roof_until - need_week))
    z = schemes[schemes["accom_type"] == STAYING_PUT]
    staying_put = people["person_id"].isin(set(z["reserved_for"].fillna(""))).to_numpy(dtype=bool)
    ahead = (people["needed_from"] > pd.Timestamp(start)).to_numpy(dtype=bool) & ~staying_put
    adult = _age_at(people["date_of_birth"], people["needed_from"]) >= ADULT_AGE
    groups = []
    for grown in (False, True):
        mine = (adult == grown) & ~staying_put
        pick = mine & ahead if (mine & ahead).sum() >= MIN_PROFILES else mine
        groups.append(offset[pick].astype(np.int64))
    young, grown_up = groups
    fallback = np.concatenate(groups) if len(np.concatenate(groups)) else np.array([NEVER], dtype=np.int64)
    return RoofProfiles(young if len(young) else fallback, grown_up if len(grown_up) else fallback)


def draw_roofs(
    rng: np.random.Generator, profiles: RoofProfiles, arrive: np.ndarray, adult_at_need: np.ndarray
) -> np.ndarray:
    """Each arrival's week its roof ends: the arrival week plus a profile of its age group."""
    offset = np.where(
        adult_at_need,
        rng.choice(profiles.adult, size=len(arrive)),
        rng.choice(profiles.under_18, size=len(arrive)),
    )
    return np.where(offset >= NEVER, NEVER, arrive + offset).astype(np.int64)
