"""Ages on a date: the age rules of matching, and the contract's checks of ages and legal status
against the match date (v1.2), which only a date can make."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from planner.data.formats import ages_on, uk_date
from planner.data.table import parsed
from planner.data.vocab import (
    ADULT_AGE,
    ADULT_STATUSES,
    LEGAL_STATUSES,
    PERSON_MAX_AGE,
    PERSON_MIN_AGE,
    UNDER_18_STATUSES,
)


def legal_statuses(people: pd.DataFrame, on: date) -> np.ndarray:
    """Each person's legal status: as given, or from their age on `on` (under 18 `eligible`, else
    `former_relevant`, PRODUCT.md's default)."""
    given = people["legal_status"].to_numpy(dtype=object) if "legal_status" in people else None
    from_age = np.where(ages_on(people["date_of_birth"], on) < ADULT_AGE, "eligible", "former_relevant")
    if given is None:
        return from_age.astype(object)
    return np.where(given != "", given, from_age).astype(object)


def check_ages(df: pd.DataFrame, rows: pd.DataFrame, on: date) -> Iterable[tuple[int, str, str]]:
    """young_people.csv against the match date: an age outside 15 to 25 (a date of birth typed
    wrong, or someone no longer a care leaver), and a legal status that cannot be at that age
    (eligible and relevant are under 18, former relevant from 18)."""
    row = rows["row"].to_numpy()
    ok = parsed(rows, "date_of_birth")
    age = np.where(ok, ages_on(df["date_of_birth"].where(ok, pd.Timestamp(on)), on), 0)
    off = ok & ((age < PERSON_MIN_AGE) | (age > PERSON_MAX_AGE))
    for r, born, a in zip(row[off], df["date_of_birth"][off], age[off], strict=True):
        yield (
            int(r),
            "date_of_birth",
            f"{born:%Y-%m-%d} makes them {a} on {uk_date(on)}, the match date: care leavers are "
            f"{PERSON_MIN_AGE + 1} to {PERSON_MAX_AGE} ({PERSON_MIN_AGE} is accepted, for a referral "
            "ahead of the 16th birthday); is the date of birth right?",
        )
    if "legal_status" not in df:
        return
    status = df["legal_status"].to_numpy(dtype=object)
    checked = ok & ~off & parsed(rows, "legal_status")
    young = checked & np.isin(status, list(UNDER_18_STATUSES)) & (age >= ADULT_AGE)
    for r, s, a in zip(row[young], status[young], age[young], strict=True):
        yield (
            int(r),
            "legal_status",
            f"{s!r} is for 16-17 year-olds, but they are {a} on {uk_date(on)}: from the 18th birthday "
            "a young person who was eligible or relevant is former_relevant",
        )
    adult = checked & np.isin(status, list(ADULT_STATUSES)) & (age < ADULT_AGE)
    for r, s, a in zip(row[adult], status[adult], age[adult], strict=True):
        yield (
            int(r),
            "legal_status",
            f"{s!r} starts at 18, but they are {a} on {uk_date(on)}: under 18 they are eligible or "
            f"relevant (one of {', '.join(LEGAL_STATUSES)})",
        )
