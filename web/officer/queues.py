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
from web.core import versions
from web.core.models import Proposal, Scheme, YoungPerson
from web.core.paging import Page
from web.core.vacancies import free_places

# What the order and the list's filters read of a person (as the contract frames type them).
_COLUMNS: Final = ("person_id", "date_of_birth", "needed_from", "current_accom", "current_until",
                   "legal_status", "home_district", "support_need")  # fmt: skip
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
    """People in the urgency order (`frame`, the columns the order reads, and each one's `groups`
    of `URGENCY_GROUPS`), filtered with `only`; what the lists show of a person, their group,
    legal status (as given, or from the age) and roof (`planner.data.roof`), by `about`."""

    frame: pd.DataFrame
    groups: np.ndarray
    on: date

    @property
    def ids(self) -> list[str]:
        return self.frame["person_id"].tolist()

    def __len__(self) -> int:
        return len(self.frame)

    def count(self, *groups: str) -> int:
        return int(np.isin(self.groups, list(groups)).sum())

    def only(
        self, *, district: str = "", need: str = "", text: str = "", groups: Sequence[str] = ()
    ) -> Ranked:
        """Those in `district`, with support `need`, whose id holds `text` (any case), in `groups`."""
        keep = np.ones(len(self.frame), dtype=bool)
        if district:
            keep &= (self.frame["home_district"] == district).to_numpy()
        if need:
            keep &= (self.frame["support_need"] == need).to_numpy()
        if text:
            keep &= self.frame["person_id"].str.lower().str.contains(text.lower(), regex=False).to_numpy()
        if groups:
            keep &= np.isin(self.groups, list(groups))
        return Ranked(self.frame[keep].reset_index(drop=True), self.groups[keep], self.on)

    def about(self, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """Per person of `ids`: `group`, `legal` and `roof`, worked out for them alone."""
        at = np.flatnonzero(self.frame["person_id"].isin(list(ids)).to_numpy())
        rows = self.frame.iloc[at]
        legal, roofs = legal_statuses(rows, self.on), roof(rows, on=self.on)
        return {
            pid: {"group": str(g), "legal": str(lg), "roof": str(r)}
            for pid, g, lg, r in zip(rows["person_id"], self.groups[at], legal, roofs, strict=True)
        }


def _frame(db: Session, where: Sequence[ColumnElement[bool]]) -> pd.DataFrame:
    # A Core query (no ORM rows): at England scale the waiting list is 20,000 people.
    query = select(*(getattr(YoungPerson, c) for c in _COLUMNS)).where(*where)
    df = pd.DataFrame(db.connection().execute(query).all(), columns=list(_COLUMNS))
    for c in ("date_of_birth", "needed_from", "current_until"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    for c in ("current_accom", "legal_status"):
        df[c] = df[c].fillna("").astype(str)
    return df


def ranked(db: Session, where: Sequence[ColumnElement[bool]], *, on: date, horizon_days: int) -> Ranked:
    """The people `where` selects, in the urgency order (`planner.data.roof.urgency_order`)."""
    df = _frame(db, where)
    group = urgency_group(df, on=on, horizon_days=horizon_days)
    order = urgency_order(df, on=on, horizon_days=horizon_days)
    return Ranked(df.iloc[order].reset_index(drop=True), group[order], on)


def waiting_list(db: Session, *, on: date, horizon_days: int) -> Ranked:
    """Everyone waiting, in the urgency order: worked out once per data version, date and horizon
    in this process (`web.core.versions.kept`), so that paging and filtering the list reads only
    the page's people. At England scale (20,000 waiting) the order takes a fifth of a second."""
    return versions.kept(
        db, "waiting_order", (on, horizon_days),
        lambda: ranked(db, [YoungPerson.status == "waiting"], on=on, horizon_days=horizon_days),
    )  # fmt: skip


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
    `.YoungPerson`, `.Scheme`, `.free`; person and scheme may be gone), in the waiting list's
    order (`waiting_list`; those no longer waiting last), newest first for one person."""
    keys = db.execute(
        select(Proposal.id, Proposal.person_id)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .where(*where)
    ).all()
    order = waiting_list(db, on=on, horizon_days=horizon_days).frame["person_id"]
    position = dict(zip(order, range(len(order)), strict=True))
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
