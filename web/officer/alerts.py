"""Alerts an officer works through, as a GOV.UK task list: an under-18 due within the horizon with
no place (the council must accommodate them), someone in B&B or emergency accommodation longer
than a set number of nights (`BNB_ALERT_NIGHTS`, from PLANNER_BNB_ALERT_NIGHTS), and a proposal
replaced (by an import or a matching run) that left the young person with none open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.data.formats import ages_on, uk_date
from planner.data.vocab import ADULT_AGE, STAYING_PUT
from web.core.auth import roles_required
from web.core.clock import due_by, today
from web.core.db import get_db
from web.core.filters import uk_datetime
from web.core.interim import is_interim
from web.core.models import Import, MatchRun, Placement, Proposal, Scheme, YoungPerson

bp = Blueprint("alerts", __name__, template_folder="templates")
OFFICERS = ("officer",)


@dataclass(frozen=True, slots=True)
class Alert:
    person_id: str
    text: str
    status: str  # what the task list's tag says


def _names(db: Session, ids: set[str]) -> dict[str, str]:
    return dict(db.execute(select(Scheme.scheme_id, Scheme.name).where(Scheme.scheme_id.in_(ids))).all())


def under_18s_due(db: Session, *, on: date, last: date) -> list[Alert]:
    """Under-18s due by `last` and waiting: there is no lawful fallback for them."""
    rows = db.execute(
        select(YoungPerson.person_id, YoungPerson.date_of_birth, YoungPerson.needed_from)
        .where(YoungPerson.status == "waiting", YoungPerson.needed_from <= last)
        .order_by(YoungPerson.needed_from, YoungPerson.person_id)
    ).all()
    if not rows:
        return []
    ages = ages_on(pd.Series([r.date_of_birth for r in rows], dtype="datetime64[ns]"), on)
    young = [(r, int(a)) for r, a in zip(rows, ages, strict=True) if a < ADULT_AGE]
    proposed = dict(db.execute(
        select(Proposal.person_id, Proposal.scheme_id)
        .where(Proposal.state == "proposed", Proposal.scheme_id.is_not(None),
               Proposal.person_id.in_([r.person_id for r, _ in young]))
    ).all())  # fmt: skip
    carers = dict(db.execute(
        select(Scheme.reserved_for, Scheme.name)
        .join(YoungPerson, YoungPerson.person_id == Scheme.reserved_for)
        .where(Scheme.accom_type == STAYING_PUT, Scheme.reserved_for.in_([r.person_id for r, _ in young]),
               YoungPerson.staying_put.is_not(False))
    ).all())  # fmt: skip  # staying put agreed: their carers' place is theirs from the 18th birthday
    names = _names(db, {s for s in proposed.values() if s})
    out = []
    for r, age in young:
        when = "needed now" if r.needed_from <= on else f"needed from {uk_date(r.needed_from)}"
        scheme = proposed.get(r.person_id)
        if scheme:
            place = f"{names.get(scheme, scheme)} proposed, not yet confirmed"
        elif r.person_id in carers:
            place = f"staying put with own former foster carers ({carers[r.person_id]}): confirm it"
        else:
            place = "no place proposed"
        status = "Urgent" if r.needed_from <= on and not scheme else "Due"
        out.append(Alert(r.person_id, f"{age}, {when}: {place}", status))
    return out


def long_in_bnb(db: Session, *, on: date, nights: int) -> list[Alert]:
    """Open B&B or emergency placements (the ledger's) started at least `nights` nights ago."""
    rows = db.execute(
        select(Placement.person_id, Placement.scheme_id, Placement.accom_code, Placement.start_date)
        .where(Placement.is_open(), Placement.start_date <= on - pd.Timedelta(days=nights))
        .order_by(Placement.start_date, Placement.person_id)
    ).all()
    rows = [r for r in rows if is_interim(r.accom_code)]
    names = _names(db, {r.scheme_id for r in rows})
    return [
        Alert(
            r.person_id,
            f"{(on - r.start_date).days} nights at {names.get(r.scheme_id, r.scheme_id)} "
            f"({r.accom_code}) since {uk_date(r.start_date)}",
            "Over the limit",
        )  # fmt: skip
        for r in rows
    ]


def replaced(db: Session) -> list[Alert]:
    """Waiting people whose latest proposal was replaced (an import withdrew it, or a matching run
    gave them none) and who have no open proposal now."""
    latest = (
        select(Proposal.person_id, func.max(Proposal.id).label("id")).group_by(Proposal.person_id).subquery()
    )
    rows = db.execute(
        select(Proposal)
        .join(latest, latest.c.id == Proposal.id)
        .join(YoungPerson, YoungPerson.person_id == Proposal.person_id)
        .where(Proposal.state == "superseded", YoungPerson.status == "waiting")
        .order_by(Proposal.person_id)
    ).scalars()
    out = []
    for p in rows:
        if p.superseded_by_import_id is not None:
            done = db.get(Import, p.superseded_by_import_id)
            by = (
                f"withdrawn by the import of {uk_datetime(done.imported_at)}"
                if done
                else "withdrawn by an import"
            )
        elif p.superseded_by_run_id is not None:
            run = db.get(MatchRun, p.superseded_by_run_id)
            by = (
                f"replaced by matching at {uk_datetime(run.run_at)}, which gave no new one"
                if run
                else "replaced"
            )
        else:
            by = "replaced"
        what = f"the proposal of {p.scheme_id}" if p.scheme_id else "the proposal (no place)"
        out.append(Alert(p.person_id, f"{what} was {by}: run matching again, or choose a place on their page",
                         "To do"))  # fmt: skip
    return out


@bp.get("/alerts")
@roles_required(*OFFICERS)
def index() -> ResponseReturnValue:
    db = get_db()
    on = today(current_app)
    nights = int(current_app.config.get("BNB_ALERT_NIGHTS", 7))
    groups = [
        ("under-18", "Under 18, due, with no place", under_18s_due(db, on=on, last=due_by(current_app)),
         "The council must accommodate them: B&B and emergency accommodation are never used under 18."),
        ("bnb", f"In B&B or emergency accommodation more than {nights} nights",
         long_in_bnb(db, on=on, nights=nights + 1),
         f"By the placement record; the limit is set by PLANNER_BNB_ALERT_NIGHTS ({nights} nights)."),
        ("replaced", "Proposals replaced", replaced(db),
         "Their latest proposal was withdrawn by an import, or replaced by a matching run that gave none."),
    ]  # fmt: skip
    return render_template("officer/alerts.html", groups=groups, on=on, nights=nights)
