"""Placement officers: the waiting list, matching, proposals (most urgent first), a person's
options and record. The decisions themselves are `web.officer.ledger_views`."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from planner.data.districts import district_name
from planner.data.roof import ROOF_LABELS, URGENCY_GROUPS
from planner.data.vocab import (
    ACTIVITY_LABELS,
    LEGAL_STATUS_LABELS,
    STAYING_PUT,
    STAYING_PUT_UNTIL_AGE,
    SUPPORT_LEVELS,
    URGENT_ACCOM,
)
from planner.match.options import options, why_not
from web.core import audit
from web.core.auth import roles_required
from web.core.clock import due_by, horizon_days, today
from web.core.db import get_db
from web.core.models import Placement, Proposal, Scheme, User, YoungPerson
from web.core.paging import contains, page_of
from web.core.store import people_frame, schemes_now
from web.officer import answers, decisions, ledger, lists, money, queues, record

bp = Blueprint("placements", __name__, template_folder="templates")
MAX_HORIZON_DAYS = 366
OPTIONS_PAGE = 10
# Ruled-out schemes are looked up, not listed: at England scale a person has some 2,000, and the
# page would carry them all (778 kB). One search shows at most this many, with their reasons.
WHY_SHOWN = 20
WHY_QUERY_MAX = 100
OFFICERS = ("officer",)


def _user() -> User:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _districts(codes: set[str]) -> list[tuple[str, str]]:
    return sorted(((c, district_name(c)) for c in codes), key=lambda t: t[1])


def _waiting_homes(db: Session) -> list[str]:
    return list(
        db.scalars(select(YoungPerson.home_district).where(YoungPerson.status == "waiting").distinct())
    )


def _waiting(db: Session, f: lists.Filters, on: date) -> tuple[queues.Ranked, queues.Ranked]:
    """Everyone waiting, and those the filters select, in the urgency order: ordered once per
    data version (`queues.waiting_list`), filtered after (the counts are of everyone)."""
    everyone = queues.waiting_list(db, on=on, horizon_days=horizon_days(current_app))
    groups = queues.URGENCY_FILTERS[f.urgency][1]
    return everyone, everyone.only(district=f.district, need=f.need, text=f.q, groups=groups)


def _waiting_page(status: int = 200, horizon: str | None = None, errors: list[dict[str, str]] | None = None
                  ) -> ResponseReturnValue:  # fmt: skip
    """The waiting list in the order the optimiser serves it (v1.2: needed now first, under-18s,
    then no roof or in B&B or emergency accommodation, then the others; then those due within the
    horizon), filtered, counted and paged; `errors` for the run-matching form."""
    db = get_db()
    on = today(current_app)
    homes = _waiting_homes(db)
    f = lists.waiting_filters(request.args, homes)
    everyone, shown = _waiting(db, f, on)
    page = page_of(len(shown))
    ids = shown.ids[page.start : page.end]
    return render_template(
        "officer/waiting_list.html",
        people=queues.waiting(db, ids),
        about=shown.about(ids),
        page=page,
        total=len(everyone),
        urgent=everyone.count("now_under_18", "now_no_roof"),
        due=len(everyone) - everyone.count("not_due"),
        on=on,
        districts=_districts(set(homes)),
        needs=SUPPORT_LEVELS,
        urgencies={k: label for k, (label, _) in queues.URGENCY_FILTERS.items()},
        groups=URGENCY_GROUPS,
        legal_labels=LEGAL_STATUS_LABELS,
        chosen=f.values,
        errors=f.errors + (errors or []),
        run=decisions.latest_run(db),
        due_by=due_by(current_app),
        horizon_days=horizon if horizon is not None else horizon_days(current_app),
        query=_query(),
    ), (400 if f.errors else status)


def _query() -> dict[str, str]:
    """The list's filters as in the address, for its download and print links."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.get("/waiting-list")
@roles_required(*OFFICERS)
def waiting_list() -> ResponseReturnValue:
    return _waiting_page()


@bp.get("/waiting-list.csv", defaults={"how": "csv"})
@bp.get("/waiting-list/print", defaults={"how": "print"})
@roles_required(*OFFICERS)
def waiting_list_out(how: str) -> ResponseReturnValue:
    """The waiting list as filtered, every row, for a spreadsheet (`csv`), or on one printable
    page (`print`, up to `lists.PRINT_MOST` rows); audit-logged, it holds people."""
    db = get_db()
    on = today(current_app)
    f = lists.waiting_filters(request.args, _waiting_homes(db))
    if f.errors:
        return _waiting_page()
    shown = _waiting(db, f, on)[1]
    ids = shown.ids if how == "csv" else shown.ids[: lists.PRINT_MOST]
    people = queues.waiting(db, ids)
    audit.record(
        "export_list",
        detail=f"waiting list {'CSV' if how == 'csv' else 'printed'}: {len(people)} young people",
    )
    db.commit()
    if how == "csv":
        return lists.csv_response(lists.waiting_csv(people, shown.about(ids), on), "waiting-list", on)
    return render_template("officer/waiting_list_print.html", people=people, total=len(shown),
                           about=shown.about(ids), on=on, groups=URGENCY_GROUPS,
                           legal_labels=LEGAL_STATUS_LABELS, most=lists.PRINT_MOST, chosen=f.values,
                           due_by=due_by(current_app))  # fmt: skip


@bp.post("/matching/run")
@roles_required(*OFFICERS)
def run_matching() -> ResponseReturnValue:
    text = request.form.get("horizon_days", str(horizon_days(current_app))).strip()
    if (error := lists.horizon_error(text, MAX_HORIZON_DAYS)) is not None:
        return _waiting_page(400, horizon=text[:10], errors=[{"href": "#horizon_days", "text": error}])
    seen = request.form.get("seen_run", "").strip()
    db = get_db()
    run = decisions.run_matching(
        db,
        _user(),
        on=today(current_app),
        horizon_days=int(text),
        seen_run=int(seen) if seen.isdigit() else None,
        replace_others=request.form.get("replace_others") == "yes",
        anticipate=request.form.get("anticipate") == "yes",
    )
    if isinstance(run, decisions.MatchingCheck):
        users = {u.id: u.username for u in db.scalars(select(User))}
        return render_template("officer/run_check.html", check=run, horizon_days=int(text), users=users), (
            409 if run.newer else 200
        )
    held = db.scalar(select(func.count()).where(Proposal.run_id == run.id, Proposal.state == "held")) or 0
    held_text = f"{held:,} {'place' if held == 1 else 'places'}"
    flash(
        f"Matching proposed {run.placed:,} suitable places; {run.unsuitable:,} unsuitable (B&B or emergency) "
        f"and {run.unplaced:,} unplaced among those due within {run.horizon_days} days; {run.not_due:,} "
        "needed later stay on the list. Confirm or decline each proposal."
        + (f" {held_text} held for people due soon who would have no other." if held else "")
        + (
            " The optimiser hit its time limit: this is its best answer so far."
            if run.status != "optimal"
            else ""
        ),
        "success",
    )
    return redirect(url_for("placements.proposals"), code=303)


def _proposal_where(f: lists.Filters, on: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.state != "all":
        where.append(Proposal.state == f.state)
    if f.outcome:
        where.append(Proposal.outcome == f.outcome)
    if f.district:
        where.append(YoungPerson.home_district == f.district)
    if f.weeks:
        where.append(YoungPerson.needed_from <= on + timedelta(weeks=int(f.weeks)))
    if f.q:
        where.append(contains(YoungPerson.person_id, f.q))
    return where


@bp.get("/proposals")
@roles_required(*OFFICERS)
def proposals() -> ResponseReturnValue:
    """Proposals most urgent first, filtered by decision, outcome, home district, how soon needed
    and person id; a filter that cannot be used is said on the page (400)."""
    db = get_db()
    on = today(current_app)
    homes = _waiting_homes(db)
    f = lists.proposal_filters(request.args, homes)
    where = _proposal_where(f, on)
    page = page_of(queues.count(db, where))
    return render_template(
        "officer/proposals.html",
        rows=queues.proposal_rows(db, where, on=on, horizon_days=horizon_days(current_app), page=page),
        page=page,
        on=on,
        chosen=f.values,
        errors=f.errors,
        states=lists.STATES,
        outcomes=lists.OUTCOMES,
        districts=_districts(set(homes)),
        run=decisions.latest_run(db),
        urgent_codes=URGENT_ACCOM,
        query=_query(),
        held=queues.proposal_rows(
            db, [Proposal.state == "held"], on=on, horizon_days=horizon_days(current_app)
        ),
    ), (400 if f.errors else 200)


@bp.get("/proposals.csv", defaults={"how": "csv"})
@bp.get("/proposals/print", defaults={"how": "print"})
@roles_required(*OFFICERS)
def proposals_out(how: str) -> ResponseReturnValue:
    """The proposals as filtered, for a spreadsheet (`csv`) or a printed panel paper (`print`)."""
    db = get_db()
    on = today(current_app)
    f = lists.proposal_filters(request.args, _waiting_homes(db))
    if f.errors:
        return proposals()
    horizon = horizon_days(current_app)
    rows = queues.proposal_rows(db, _proposal_where(f, on), on=on, horizon_days=horizon)
    shown = rows if how == "csv" else rows[: lists.PRINT_MOST]
    audit.record(
        "export_list", detail=f"proposals {'CSV' if how == 'csv' else 'printed'}: {len(shown)} proposals"
    )
    db.commit()
    if how == "csv":
        about = queues.waiting_list(db, on=on, horizon_days=horizon).about(
            [r.Proposal.person_id for r in rows]
        )
        return lists.csv_response(lists.proposals_csv(rows, about), "proposals", on)
    return render_template("officer/proposals_print.html", rows=shown, total=len(rows), on=on,
                           run=decisions.latest_run(db), urgent_codes=URGENT_ACCOM, chosen=f.values,
                           most=lists.PRINT_MOST)  # fmt: skip


def _options(db, p: YoungPerson, on):  # type: ignore[no-untyped-def]
    """This page of the person's eligible places, ranked, with their impact on the list: "others
    displaced" from the batch answer (web.officer.answers), kept with the latest matching run or solved
    once for the data as they are now."""
    horizon = horizon_days(current_app)
    batch = answers.for_today(db, on=on, horizon_days=horizon)
    me, schemes = people_frame(db, person_id=p.person_id), schemes_now(db, on)
    if me.empty:  # placed by another officer since the page read them: no places to offer now
        return None, None, "", None
    wanted = page_of(10**9, OPTIONS_PAGE).number  # clamped below, once the number of places is known
    paid = money.funding()
    opts = options(me, schemes, p.person_id, on=on, top=OPTIONS_PAGE, impact=True, horizon_days=horizon,
                   start=(wanted - 1) * OPTIONS_PAGE, batch=batch, funding=paid)  # fmt: skip
    page = page_of(opts.eligible, OPTIONS_PAGE)
    if page.number != wanted:
        opts = options(me, schemes, p.person_id, on=on, top=OPTIONS_PAGE, impact=True,
                       horizon_days=horizon, start=page.start, batch=batch, funding=paid)  # fmt: skip
    why_scheme = request.args.get("why_not", "")
    why = None
    if why_scheme and why_scheme in set(opts.excluded["scheme_id"]):
        why = why_not(me, schemes, p.person_id, why_scheme, on=on)
    return opts, page, why_scheme, why


def _why_search() -> str:
    """The "why not" search text; 400 when it is longer than any scheme's name or place."""
    q = " ".join(request.args.get("why_q", "").split())
    if len(q) > WHY_QUERY_MAX:
        abort(400, description=f"Find a ruled-out scheme: enter at most {WHY_QUERY_MAX} characters.")
    return q


def _ruled_out_matching(excluded: pd.DataFrame, q: str) -> tuple[pd.DataFrame, int]:
    """The ruled-out schemes whose name, scheme id, district code or district name holds `q`
    (any case): the first WHY_SHOWN of them by name, and how many match in all."""
    places = excluded["district"].map(district_name)
    hit = np.zeros(len(excluded), dtype=bool)
    for column in (excluded["name"], excluded["scheme_id"], excluded["district"], places):
        hit |= column.astype(str).str.contains(q, case=False, regex=False).to_numpy(dtype=bool)
    found = excluded[hit].sort_values(["name", "scheme_id"], kind="stable")
    return found.head(WHY_SHOWN), len(found)


@bp.get("/people/<person_id>")
@roles_required(*OFFICERS)
def person(person_id: str) -> ResponseReturnValue:
    """A young person's record: who they are, where they live now (the ledger first), their
    places (staying put alone, never ranked), placements, proposals and history with notes.
    Someone an import removed keeps a read-only page with their history."""
    db = get_db()
    on = today(current_app)
    horizon = horizon_days(current_app)
    p = db.get(YoungPerson, person_id)
    if p is None:
        gone = record.removed(db, person_id)
        if gone is None:
            abort(404)
        audit.record("view_person", person_id, detail="not on the list: the record kept")
        db.commit()
        names = {s.scheme_id: s for s in db.scalars(select(Scheme).where(
            Scheme.scheme_id.in_({pl.scheme_id for pl in gone.placements})))}  # fmt: skip
        return render_template("officer/person_removed.html", gone=gone, on=on, schemes=names,
                               history=record.history(db, person_id), end_reasons=ledger.END_REASONS,
                               rows=queues.proposal_rows(db, [Proposal.person_id == person_id], on=on,
                                                         horizon_days=horizon),
                               urgent_codes=URGENT_ACCOM)  # fmt: skip
    why_q = _why_search()
    looked_up = f"why not: {request.args.get('why_not', '')}" if request.args.get("why_not") else ""
    audit.record("view_person", person_id, detail=f"why not: search {why_q!r}" if why_q else looked_up)
    db.commit()
    opts = page = why = found = None
    why_scheme, matching = "", 0
    if p.status == "waiting":
        opts, page, why_scheme, why = _options(db, p, on)
        if opts is not None and why_q:
            found, matching = _ruled_out_matching(opts.excluded, why_q)
    placements = list(
        db.scalars(select(Placement).where(Placement.person_id == person_id).order_by(Placement.id.desc()))
    )
    reserved = db.scalars(
        select(Scheme).where(Scheme.reserved_for == person_id, Scheme.accom_type == STAYING_PUT)
    ).first()  # their own former foster carers' place
    named = {pl.scheme_id for pl in placements} | ({why_scheme} if why is not None else set())
    if opts is not None and opts.staying_put:
        named.add(opts.staying_put)
    named_schemes = db.scalars(select(Scheme).where(Scheme.scheme_id.in_(named))) if named else ()
    schemes = {s.scheme_id: s for s in named_schemes}
    paid = {
        pl.id: money.paid_for(p, schemes[pl.scheme_id], on=pl.start_date, weekly_cost=pl.weekly_cost)
        for pl in placements
        if pl.scheme_id in schemes
    }
    sp_paid = None
    if opts is not None and opts.staying_put in schemes:  # who pays for it, from the day it starts
        starts = max(on, p.needed_from) if p.needed_from else on
        sp_paid = money.paid_for(p, schemes[opts.staying_put], on=starts)
    current = ledger.open_placement(db, person_id)
    return render_template(
        "officer/person.html",
        p=p,
        on=on,
        opts=opts,
        page=page,
        why_scheme=why_scheme,
        why=why,
        why_q=why_q,
        found=found,
        matching=matching,
        why_shown=WHY_SHOWN,
        schemes=schemes,
        rows=queues.proposal_rows(db, [Proposal.person_id == person_id], on=on, horizon_days=horizon),
        placements=placements,
        paid=paid,
        sp_paid=sp_paid,
        who_pays=money.who_pays(opts) if opts is not None else [],
        current=current,
        living=record.living_now(db, p, current, on),
        legal=record.legal_status(p, on),
        until21=record.birthday(p.date_of_birth, STAYING_PUT_UNTIL_AGE),
        reserved=reserved,
        history=record.history(db, person_id),
        end_reasons=ledger.END_REASONS,
        urgent_codes=URGENT_ACCOM,
        labels={"legal": LEGAL_STATUS_LABELS, "activity": ACTIVITY_LABELS, "roof": ROOF_LABELS},
    )
