"""The officers' lists in the order the optimiser serves people: the urgency order of contract v1.2
(`planner.data.roof.urgency_order`, PRODUCT.md s.3), the one way of ordering the waiting list.
Those needed now come first (under-18s, then those with no roof or in B&B or emergency
accommodation, then the others), then those due within the horizon (under-18s first, then the
soonest), then those needed later. The filters and counts come from the database; the order from
the planner, over the few columns it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.orm import Session

from planner.data.ages import legal_statuses
from planner.data.roof import URGENCY_GROUPS, roof, urgency_group, urgency_order
from web.core.models import Proposal, Scheme, YoungPerson
from web.core.paging import Page
from web.core.vacancies import free_places

# What the order reads of a person (as the contract frames type them).
_COLUMNS: Final = (
    "person_id",
    "date_of_birth",
    "needed_from",
    "current_accom",
    "current_until",
    "legal_status",
)
# The urgency filter of the lists: which groups of the order each shows.
URGENCY_FILTERS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "all": ("All", tuple(URGENCY_GROUPS)),
    "urgent": ("Needed now: under 18, no roof, or in B&B or emergency", ("now_under_18", "now_no_roof")),
    "now": ("Needed by today", ("now_under_18", "now_no_roof", "now")),
    "due": ("Due within the horizon", tuple(g for g in URGENCY_GROUPS if g != "not_due")),
    "later": ("Not due yet", ("not_due",)),
}


@dataclass(frozen=True, slots=True)
class Ranked:
    """People in the urgency order, with what the lists show of each: the group of the order,
    the legal status (as given, or from the age) and where they live now (`planner.data.roof`)."""

    ids: list[str]
    group: dict[str, str]
    legal: dict[str, str]
    roof: dict[str, str]

    def __len__(self) -> int:
        return len(self.ids)

    def count(self, *groups: str) -> int:
        return sum(self.group[i] in groups for i in self.ids)


def _frame(db: Session, where: Sequence[ColumnElement[bool]]) -> pd.DataFrame:
    rows = db.execute(select(*(getattr(YoungPerson, c) for c in _COLUMNS)).where(*where)).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=list(_COLUMNS))
    for c in ("date_of_birth", "needed_from", "current_until"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    df["current_accom"] = df["current_accom"].fillna("").astype(str)
    df["legal_status"] = df["legal_status"].fillna("").astype(str)
    return df


def ranked(
    db: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    on: date,
    horizon_days: int,
    groups: Sequence[str] = (),
) -> Ranked:
    """The people `where` selects, in the urgency order; only those in `groups` when given."""
    df = _frame(db, where)
    group = urgency_group(df, on=on, horizon_days=horizon_days)
    order = urgency_order(df, on=on, horizon_days=horizon_days)
    if groups:
        order = order[np.isin(group[order], list(groups))]
    ids = df["person_id"].to_numpy(dtype=object)
    return Ranked(
        [str(i) for i in ids[order]],
        dict(zip(ids, group, strict=True)),
        dict(zip(ids, legal_statuses(df, on), strict=True)),
        dict(zip(ids, roof(df, on=on), strict=True)),
    )


def waiting(db: Session, ids: Sequence[str]) -> list[YoungPerson]:
    """The people of `ids`, in that order."""
    found = {p.person_id: p for p in db.scalars(select(YoungPerson).where(YoungPerson.person_id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def proposal_rows(
    db: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    on: date,
    horizon_days: int,
    page: Page | None = None,
) -> list[Row[Any]]:
    """Proposals with their young person, scheme and its free places now (`.Proposal`,
    `.YoungPerson`, `.Scheme`, `.free`; person and scheme may be gone), in the urgency order of
    their young people (those no longer on the list last), newest first for one person."""
    keys = db.execute(
        select(Proposal.id, Proposal.person_id)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .where(*where)
    ).all()
    people = sorted({pid for _, pid in keys})
    # The order of everyone (a few columns each) unless only a few people are asked about.
    only = [YoungPerson.person_id.in_(people)] if len(people) <= 500 else []
    order = ranked(db, only, on=on, horizon_days=horizon_days).ids
    position = {pid: k for k, pid in enumerate(order)}
    ids = [i for i, _ in sorted(keys, key=lambda k: (position.get(k[1], len(position)), -k[0]))]
    if page is not None:
        ids = ids[page.start : page.start + page.size]
    free = free_places(on)
    rows = db.execute(
        select(Proposal, YoungPerson, Scheme, free.c.free)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .outerjoin(Scheme, Scheme.scheme_id == Proposal.scheme_id)
        .outerjoin(free, free.c.scheme_id == Proposal.scheme_id)
        .where(Proposal.id.in_(ids))
    ).all()
    at = {pid: k for k, pid in enumerate(ids)}
    return sorted(rows, key=lambda r: at[r.Proposal.id])


def count(db: Session, where: Sequence[ColumnElement[bool]]) -> int:
    query = (
        select(func.count())
        .select_from(Proposal)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .where(and_(True, *where))
    )
    return db.scalar(query) or 0
