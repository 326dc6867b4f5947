"""The officers' lists in the order the optimiser serves people (PRODUCT.md s.3): under-18s,
then those now in B&B, emergency accommodation or with no fixed abode, then the soonest needed,
filtered, counted and paged by the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, select
from sqlalchemy.orm import Session

from planner.data.vocab import URGENT_ACCOM
from web.core.models import Proposal, Scheme, YoungPerson
from web.core.paging import Page
from web.core.vacancies import free_places


def adult_born_by(on: date) -> date:
    """The latest date of birth of someone aged 18 or more on `on` (born on 29 February: 18 from
    1 March in a common year, as `planner.data.formats.ages_on` counts)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:  # `on` is 29 February and the year 18 before has none
        return date(on.year - 18, 2, 28)


def urgent_now() -> ColumnElement[bool]:
    """Now in B&B, emergency accommodation or with no fixed abode (current_accom W, V or S)."""
    return func.substr(YoungPerson.current_accom, 1, 1).in_(sorted(URGENT_ACCOM))


def urgency_order(on: date) -> list[Any]:
    """ORDER BY terms: under-18s first, then the urgent, then the soonest needed, then by id."""
    return [
        case((YoungPerson.date_of_birth > adult_born_by(on), 0), else_=1),
        case((urgent_now(), 0), else_=1),
        YoungPerson.needed_from,
        YoungPerson.person_id,
    ]


def proposal_rows(
    db: Session, where: Sequence[ColumnElement[bool]], *, on: date, page: Page | None = None
) -> list[Row[Any]]:
    """Proposals with their young person, scheme and its free places now (`.Proposal`,
    `.YoungPerson`, `.Scheme`, `.free`; person and scheme may be gone), most urgent first."""
    free = free_places(on)
    query = (
        select(Proposal, YoungPerson, Scheme, free.c.free)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .outerjoin(Scheme, Scheme.scheme_id == Proposal.scheme_id)
        .outerjoin(free, free.c.scheme_id == Proposal.scheme_id)
        .where(*where)
        .order_by(*urgency_order(on), Proposal.id.desc())
    )
    if page is not None:
        query = query.offset(page.start).limit(page.size)
    return list(db.execute(query).all())


def count(db: Session, where: Sequence[ColumnElement[bool]]) -> int:
    query = (
        select(func.count())
        .select_from(Proposal)
        .outerjoin(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .where(and_(True, *where))
    )
    return db.scalar(query) or 0
