"""Who may be offered what (data contract v1.2, PRODUCT.md s.3): where a young person lives now,
and the urgency order of a batch match.

B&B and emergency accommodation (`W`, `V`) are a roof for someone who has none, never a move for
someone who has one: only an adult due now with no roof (`current_accom` empty, `S` no fixed abode,
`X` custody on release, or `current_until` on or before the match date) may be offered them, and
someone already in `W` or `V` is not moved to another. Someone suitably housed who is waiting for
a move stays where they are until a place is found.

The functions take contract frames (`planner.data.contract`) as arrays per person, so that the
batch match, one person's options and the web app's lists say the same thing; the rules themselves
(`emergency_offer`, `unsuitable_night`, `urgency_classes`) take arrays, so that the simulation,
which holds its people as arrays week by week, applies the very same ones.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS, due_within, needed_now
from planner.data.formats import ages_on, each_distinct
from planner.data.vocab import ADULT_AGE, NO_ROOF_ACCOM, UNSUITABLE_TYPES

Roof = Literal["no_roof", "in_emergency", "housed"]
ROOF_LABELS: Final[dict[str, str]] = {
    "no_roof": "no roof",
    "in_emergency": "in B&B or emergency accommodation",
    "housed": "housed: stays where they are until a place is found",
}


def _letter(people: pd.DataFrame) -> pd.Series:
    """The type letter of each `current_accom` (None where it is missing), taken once per distinct
    code: a list of 20,000 holds a dozen, and this is asked several times a match."""
    first = each_distinct(people["current_accom"], lambda u: u[:1] if isinstance(u, str) else None)
    return pd.Series(first, index=people.index, dtype=object)


def in_emergency(people: pd.DataFrame) -> np.ndarray:
    """Now in B&B or emergency accommodation (`current_accom` W or V)."""
    return _letter(people).isin(list(UNSUITABLE_TYPES)).to_numpy(dtype=bool)


def roof_ended(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """Their current accommodation ends on or before `on` (`current_until`)."""
    if "current_until" not in people:
        return np.zeros(len(people), dtype=bool)
    return (people["current_until"] <= pd.Timestamp(on)).to_numpy(dtype=bool)  # NaT: never


def no_roof(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """No roof on `on`: `current_accom` empty, S (no fixed abode) or X (custody, on release), or
    their accommodation ended by then. Someone in W or V has one (an unsuitable one) until it ends."""
    letter = _letter(people)
    return ((letter == "") | letter.isin(list(NO_ROOF_ACCOM))).to_numpy(dtype=bool) | roof_ended(
        people, on=on
    )


def roof(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """Each person's roof on `on` (`Roof`): what the web app's pages and the reasons say."""
    out = np.full(len(people), "housed", dtype=object)
    out[in_emergency(people)] = "in_emergency"
    out[no_roof(people, on=on)] = "no_roof"
    return out


def adults(people: pd.DataFrame, *, on: date) -> np.ndarray:
    return ages_on(people["date_of_birth"], on) >= ADULT_AGE


def emergency_offer(
    adult: np.ndarray, now: np.ndarray, roofless: np.ndarray, in_w_or_v: np.ndarray
) -> np.ndarray:
    """The rule of `may_take_emergency` on arrays: adults due now with no roof, not already in
    B&B or emergency accommodation."""
    return adult & now & roofless & ~in_w_or_v


def unsuitable_night(adult: np.ndarray, roofless: np.ndarray, in_w_or_v: np.ndarray) -> np.ndarray:
    """Who, waiting past their need date without a suitable place, spends the night in B&B or
    emergency accommodation: an adult with no roof (it is their roof) or already there. Someone
    housed stays where they live; an under-18 stays in their placement or care, never W or V."""
    return adult & (roofless | in_w_or_v)


def may_take_emergency(people: pd.DataFrame, *, on: date) -> np.ndarray:
    """Who may be offered B&B or emergency accommodation, when nothing suitable is found: adults
    due now with no roof, and not already in B&B or emergency accommodation."""
    return emergency_offer(adults(people, on=on), needed_now(people, on=on), no_roof(people, on=on),
                           in_emergency(people))  # fmt: skip


def no_roof_from(people: pd.DataFrame, *, on: date) -> pd.Series:
    """The date someone with no roof has had none from: the day their accommodation ended, else
    the day they needed a place."""
    if "current_until" not in people:
        return people["needed_from"]
    ended = pd.Series(roof_ended(people, on=on), index=people.index)
    return people["current_until"].where(ended, people["needed_from"])


# The groups of the urgency order (PRODUCT.md s.3, v1.2), most urgent first: the waiting list
# shows each person's, and the batch match serves them in this order.
URGENCY_GROUPS: Final[dict[str, str]] = {
    "now_under_18": "Needed now: under 18",
    "now_no_roof": "Needed now: no roof, or in B&B or emergency accommodation",
    "now": "Needed now",
    "due_under_18": "Due within the horizon: under 18",
    "due": "Due within the horizon",
    "not_due": "Not due yet",
}
_GROUP_CODES: Final = tuple(URGENCY_GROUPS)


def _group_codes(people: pd.DataFrame, *, on: date, horizon_days: int) -> np.ndarray:
    return urgency_groups(
        adults(people, on=on), no_roof(people, on=on) | in_emergency(people), needed_now(people, on=on),
        due_within(people, on=on, horizon_days=horizon_days),
    )  # fmt: skip


def urgency_groups(adult: np.ndarray, urgent: np.ndarray, now: np.ndarray, due: np.ndarray) -> np.ndarray:
    """The group of the urgency order on arrays: positions in `URGENCY_GROUPS`, 0 the most urgent;
    `urgent` is no roof or in B&B or emergency accommodation."""
    grown = np.asarray(adult, dtype=bool)
    conditions = [now & ~grown, now & urgent, now, due & ~grown, due]
    return np.select(conditions, [0, 1, 2, 3, 4], 5).astype(np.int64)


def urgency_group(people: pd.DataFrame, *, on: date, horizon_days: int = HORIZON_DAYS) -> np.ndarray:
    """Each person's group of the urgency order (a key of `URGENCY_GROUPS`)."""
    return np.array(_GROUP_CODES, dtype=object)[_group_codes(people, on=on, horizon_days=horizon_days)]


def urgency_rank(people: pd.DataFrame, *, on: date, horizon_days: int = HORIZON_DAYS) -> np.ndarray:
    """Urgency class per person, 0 = most urgent (PRODUCT.md s.3, v1.2). Those needed now come
    first: under-18s, then those with no roof or in B&B or emergency accommodation, then the others
    needed now (equal within each: among them the cheapest placing wins); then those due later
    within the horizon, under-18s first, then the soonest `needed_from`; then those not due, soonest
    first (the batch gives them nothing; the order is the waiting list's)."""
    days = (people["needed_from"] - pd.Timestamp(on)).dt.days.to_numpy(dtype=np.int64)
    return urgency_classes(
        adults(people, on=on), no_roof(people, on=on) | in_emergency(people), needed_now(people, on=on),
        due_within(people, on=on, horizon_days=horizon_days), days,
    )  # fmt: skip


def urgency_classes(
    adult: np.ndarray, urgent: np.ndarray, now: np.ndarray, due: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """`urgency_rank` on arrays: `urgent` is no roof or in B&B or emergency accommodation, `days`
    the days until `needed_from`; classes numbered 0, 1, ... from the most urgent. Within a group
    needed now all are equal; later groups go by the soonest `needed_from`."""
    group = urgency_groups(adult, urgent, now, due)
    key = group << 40 | np.where(group <= 2, 0, np.maximum(days, 0))
    return np.unique(key, return_inverse=True)[1].astype(np.int64).reshape(-1)


def urgency_order(people: pd.DataFrame, *, on: date, horizon_days: int = HORIZON_DAYS) -> np.ndarray:
    """Positions of `people` in the order of `urgency_rank`, ties by `person_id`: the waiting list
    as the batch match serves it."""
    rank = urgency_rank(people, on=on, horizon_days=horizon_days)
    return np.lexsort((people["person_id"].to_numpy(dtype=str), rank))
