"""Staying put first (data contract v1.2): a young person due, with a vacancy reserved for them at
their own former foster carers (`Z`) and `staying_put` not false, is given that place before the
batch is solved. It is a continuation of their foster placement (Children and Families Act 2014,
s.98), not one offer among others, so it is never ranked against cheaper places.

Staying put starts on the 18th birthday: the hard rules are checked with their age on the day it
starts (the later of the match date and `needed_from`), so a 17-year-old due on their birthday
keeps their carers' place. Declined (`staying_put` false), the place stays reserved for them and
nobody gets it (`eligibility`'s `staying_put_declined` rule); they are matched like anyone else.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.data.contract import complete_people
from planner.data.vocab import STAYING_PUT
from planner.match.eligibility import HARD_MASK, failures


def staying_put_places(
    people: pd.DataFrame, schemes: pd.DataFrame, *, on: date, due: np.ndarray
) -> np.ndarray:
    """Per person the position in `schemes` of the staying-put place they are given before the
    batch, -1 for none. `due`: who the batch places (within the horizon)."""
    out = np.full(len(people), -1, dtype=np.int64)
    reserved_for = schemes["reserved_for"].to_numpy(dtype=object)
    z = np.flatnonzero(
        (schemes["accom_type"] == STAYING_PUT).to_numpy()
        & (reserved_for != "")
        & (schemes["vacancies"] > 0).to_numpy()
    )
    if not len(z) or not len(people):
        return out
    people = complete_people(people)
    named = pd.Index(people["person_id"]).get_indexer(pd.Index(reserved_for[z]))
    agreed = ~people["staying_put"].eq(False).fillna(False).to_numpy(dtype=bool)
    keep = named >= 0
    keep[keep] = due[named[keep]] & agreed[named[keep]]
    z, named = z[keep], named[keep]
    # Each person's rules on the day their place starts (the later of the match date and
    # needed_from), all in one call: each person once, with every place reserved for them.
    who, row = np.unique(named, return_inverse=True)
    starts = np.maximum(people["needed_from"].to_numpy()[who], np.datetime64(on, "ns"))
    fail = failures(people.iloc[who], schemes.iloc[z], on=pd.DatetimeIndex(starts))
    fits = (fail[row, np.arange(len(z))] & HARD_MASK) == 0
    # Two places reserved for one person (rare): the first that fits the rules on the day.
    z, named = z[fits], named[fits]
    _, first = np.unique(named, return_index=True)
    out[named[first]] = z[first]
    return out


def declined_places(people: pd.DataFrame, schemes: pd.DataFrame) -> dict[int, int]:
    """Person position -> position of the staying-put place reserved for them that they declined."""
    people = complete_people(people)
    declined = people["staying_put"].eq(False).fillna(False).to_numpy(dtype=bool)
    if not declined.any():
        return {}
    z = np.flatnonzero((schemes["accom_type"] == STAYING_PUT).to_numpy())
    named = pd.Index(people["person_id"]).get_indexer(
        pd.Index(schemes["reserved_for"].to_numpy(dtype=object)[z])
    )
    return {int(i): int(j) for i, j in zip(named, z, strict=True) if i >= 0 and declined[i]}


def reserved_rows(schemes: pd.DataFrame, people: pd.DataFrame) -> np.ndarray:
    """Per scheme: the row of `people` its place is reserved for, -1 if not reserved, -2 if nobody
    new may take it: the person named is not on the list (the place is their home already) or
    declined staying put there (it stays theirs). For the scenario simulation's schemes."""
    reserved_for = schemes["reserved_for"].fillna("")
    declined = complete_people(people)["staying_put"].eq(False).fillna(False).to_numpy(dtype=bool)
    rows = pd.Index(people["person_id"]).get_indexer(pd.Index(reserved_for)).astype(np.int32)
    refused = (rows >= 0) & (schemes["accom_type"] == STAYING_PUT).to_numpy() & declined[np.maximum(rows, 0)]
    rows[refused] = -2
    return np.where(reserved_for.to_numpy() == "", -1, np.where(rows >= 0, rows, -2)).astype(np.int32)
