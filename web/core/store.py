"""Between the database and the planner: contract v1.2 frames out (schemes with the places free
by the ledger's rule, `web.core.vacancies`), validated datasets in (`apply_dataset`: an import)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.orm import Session

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.table import TableSpec
from planner.forecast.history import COHORT, REFERRALS
from web.core import versions
from web.core.clock import ledger_now, today
from web.core.models import (
    CohortChild,
    Placement,
    Proposal,
    Referral,
    Scheme,
    User,
    YoungPerson,
)
from web.core.vacancies import free_places, set_figure

_LISTS = ("lad_list", "risk_list")


def _frame(rows: Sequence[Sequence[Any]] | list[dict[str, Any]], spec: TableSpec) -> pd.DataFrame:
    """Rows from the database (tuples in `spec`'s column order, or dicts) typed exactly as
    `planner.data.contract.read_table` types a CSV. Built column by column: at England scale
    (20,000 people) a frame of dicts converted afterwards takes several times longer."""
    if rows and isinstance(rows[0], dict):
        rows = [tuple(r.get(c) for c in spec.names) for r in rows]  # type: ignore[union-attr]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in spec.names]
    data: dict[str, Any] = {}
    for col, values in zip(spec.columns, columns, strict=True):
        if col.kind == "date":
            data[col.name] = pd.Series(np.array(values, dtype="datetime64[D]"), dtype="datetime64[ns]")
        elif col.kind == "bool":
            data[col.name] = np.array(values, dtype=bool)
        elif col.kind == "optional_bool":  # NULL: not said (staying_put: agreed), as an empty cell
            data[col.name] = pd.Series(list(values), dtype="boolean")
        elif col.kind == "int":
            data[col.name] = np.array(values, dtype=np.int64)
        elif col.kind in ("decimal", "latitude", "longitude"):
            data[col.name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif col.kind in _LISTS:
            data[col.name] = pd.Series(
                [tuple(filter(None, v.split(";"))) if v else () for v in values], dtype=object
            )
        else:
            data[col.name] = pd.Series(["" if v is None else v for v in values], dtype=object).astype(str)
    return pd.DataFrame(data, columns=list(spec.names))


def _rows(db: Session, query: Select[Any]) -> list[Sequence[Any]]:
    # Plain rows, not ORM objects: 20,000 people load several times faster.
    return [tuple(r) for r in db.execute(query)]


def people_frame(db: Session, *, waiting_only: bool = True, person_id: str | None = None) -> pd.DataFrame:
    """The waiting list (or everyone) as contract frames, by person_id; one person's row with `person_id`."""
    query = select(*(getattr(YoungPerson, c) for c in PEOPLE.names)).order_by(YoungPerson.person_id)
    if waiting_only:
        query = query.where(YoungPerson.status == "waiting")
    if person_id is not None:
        query = query.where(YoungPerson.person_id == person_id)
    return _frame(_rows(db, query), PEOPLE)


def schemes_frame(
    db: Session, *, with_vacancies_only: bool = False, on: date | None = None, scheme_id: str | None = None
) -> pd.DataFrame:
    """The schemes open to placements (or the one `scheme_id`), `vacancies` being the places free
    on `on` (today) by the ledger's rule: what matching, the map, the forecast and scenarios all count."""
    free = free_places(on or today(current_app), scheme_id=scheme_id)
    columns = [free.c.free.label(c) if c == "vacancies" else getattr(Scheme, c) for c in SCHEMES.names]
    query = (
        select(*columns)
        .join(free, free.c.scheme_id == Scheme.scheme_id)
        .where(Scheme.withdrawn.is_(False))
        .order_by(Scheme.scheme_id)
    )
    if with_vacancies_only:
        query = query.where(free.c.free > 0)
    return _frame(_rows(db, query), SCHEMES)


def schemes_now(db: Session, on: date) -> pd.DataFrame:
    """`schemes_frame(db, on=on)`, read once per data version and day in this process
    (`web.core.versions.kept`): every young person's page ranks the same schemes. The caller
    gets its own shallow copy (copy-on-write), so changing it leaves the kept frame alone."""
    kept = versions.kept(db, "schemes_frame", on, lambda: schemes_frame(db, on=on))
    return kept.copy(deep=False)


def records(df: pd.DataFrame, spec: TableSpec) -> list[dict[str, Any]]:
    """A typed frame's rows as the database stores them (dates, ';'-joined lists, plain values)."""
    out: dict[str, list[Any]] = {}
    for col in spec.columns:
        s = df[col.name]
        if col.kind == "date":
            out[col.name] = [None if pd.isna(v) else v.date() for v in s]  # optional dates
        elif col.kind in _LISTS:
            out[col.name] = [";".join(v) for v in s]
        elif col.kind == "bool":
            out[col.name] = [bool(v) for v in s]
        elif col.kind == "optional_bool":
            out[col.name] = [None if pd.isna(v) else bool(v) for v in s]
        elif col.kind == "int":
            out[col.name] = [int(v) for v in s]
        elif col.kind in ("decimal", "latitude", "longitude"):  # an unknown part of a cost: NULL
            out[col.name] = [None if pd.isna(v) else float(v) for v in s]
        else:
            out[col.name] = [str(v) for v in s]
    return [dict(zip(out, values, strict=True)) for values in zip(*out.values(), strict=True)]


# What a decision in the web may set of a young person (`mark_set_in_web`): where they live now,
# until when, when they need a place, and a declined staying put. A re-import keeps these as the
# web set them (its preview says so) until the file says the same; then the file's are used again.
KEPT_FROM_WEB: Final = ("needed_from", "current_accom", "current_until", "staying_put")


def mark_set_in_web(person: YoungPerson, *columns: str) -> None:
    """`columns` of `person` were set by a decision in the web: a re-import keeps them."""
    marked = set(filter(None, person.set_in_web.split(";"))) | set(columns)
    person.set_in_web = ";".join(c for c in KEPT_FROM_WEB if c in marked)


@dataclass(frozen=True, slots=True)
class Kept:
    """A value an import leaves as a decision in the web set it, and what the file says."""

    person_id: str
    column: str
    ours: Any
    theirs: Any


@dataclass
class Applied:
    """What an import did (`apply_dataset`)."""

    kept: list[Kept] = field(default_factory=list)
    people_removed: list[str] = field(default_factory=list)
    back_on_list: list[str] = field(default_factory=list)
    schemes_removed: list[str] = field(default_factory=list)
    schemes_withdrawn: list[str] = field(default_factory=list)
    new_figures: list[str] = field(default_factory=list)


def apply_dataset(
    db: Session, data: Dataset, *, user: User | None = None, import_id: int | None = None
) -> Applied:
    """An import of a validated dataset, in the caller's transaction (the caller commits, or
    nothing changes). What officers decided stays: the people in the ledger keep their status
    (someone who left the list comes back only with a need after their move-out date), people
    waiting who are not in the file leave the list (unless in B&B or emergency accommodation
    meanwhile), schemes with placements on record that the file leaves out are kept, withdrawn.
    A scheme's figure is new only when the file's differs from the last import's (`web.core.vacancies`)."""
    out = Applied()
    now = ledger_now()
    people = records(data.people, PEOPLE)
    in_file = {p["person_id"] for p in people}
    status = dict(db.execute(select(YoungPerson.person_id, YoungPerson.status)).all())
    open_ids = set(db.scalars(select(Placement.person_id).where(Placement.is_open())))
    left_on = dict(
        db.execute(
            select(Placement.person_id, Placement.end_date)
            .where(Placement.end_date.is_not(None))
            .order_by(Placement.end_date)
        ).all()
    )  # the latest move-out of each person
    for p in people:
        was = status.get(p["person_id"])
        if was == "left" and p["needed_from"] > left_on.get(p["person_id"], date.min):
            p["status"] = "waiting"
            out.back_on_list.append(p["person_id"])
        else:
            p["status"] = was or "waiting"
    _keep_set_in_web(db, people, out)
    out.people_removed = sorted(
        pid for pid, st in status.items() if st == "waiting" and pid not in in_file and pid not in open_ids
    )
    _in_chunks(db, lambda ids: delete(YoungPerson).where(YoungPerson.person_id.in_(ids)), out.people_removed)
    existing = [p for p in people if p["person_id"] in status]
    if existing:
        db.execute(update(YoungPerson), existing, execution_options={"synchronize_session": False})
    added = [p for p in people if p["person_id"] not in status]
    if added:
        db.execute(insert(YoungPerson), added)

    schemes = records(data.schemes, SCHEMES)
    held = set(db.scalars(select(Placement.scheme_id).distinct()))
    before = {s.scheme_id: s for s in db.scalars(select(Scheme))}
    for row in schemes:
        figure = row.pop("vacancies")
        scheme = before.get(row["scheme_id"])
        if scheme is None:
            scheme = Scheme(**row, reported_vacancies=figure, reported_at=now)
            db.add(scheme)
        else:
            for k, v in row.items():
                setattr(scheme, k, v)
        news = scheme.imported_vacancies != figure or scheme.reported_vacancies > scheme.capacity
        scheme.imported_vacancies, scheme.withdrawn = figure, False
        if news:
            set_figure(db, scheme, figure, source="import", user=user, import_id=import_id, at=now)
            out.new_figures.append(scheme.scheme_id)
    gone = sorted(set(before) - {s["scheme_id"] for s in schemes})
    out.schemes_withdrawn = [g for g in gone if g in held]
    out.schemes_removed = [g for g in gone if g not in held]
    for g in out.schemes_withdrawn:
        before[g].withdrawn = True
    _in_chunks(db, lambda ids: delete(Scheme).where(Scheme.scheme_id.in_(ids)), out.schemes_removed)
    db.execute(
        update(Proposal)
        .where(Proposal.state == "proposed")
        .values(state="superseded", superseded_by_import_id=import_id),
        execution_options={"synchronize_session": False},
    )
    db.flush()
    return out


def _keep_set_in_web(db: Session, people: list[dict[str, Any]], out: Applied) -> None:
    """The file's rows with what decisions in the web set (`KEPT_FROM_WEB`) kept, each said in
    `out.kept`; a value the file now agrees with is the file's again. Someone back on the list
    with a new need takes the file's values."""
    columns = [getattr(YoungPerson, c) for c in ("person_id", "set_in_web", *KEPT_FROM_WEB)]
    ours = {r[0]: r for r in db.execute(select(*columns).where(YoungPerson.set_in_web != ""))}
    back = set(out.back_on_list)
    for p in people:
        row = ours.get(p["person_id"])
        p["set_in_web"] = ""
        if row is None or p["person_id"] in back:
            continue
        still = []
        for column in filter(None, row[1].split(";")):
            value = row[2 + KEPT_FROM_WEB.index(column)]
            if p[column] != value:
                out.kept.append(Kept(p["person_id"], column, value, p[column]))
                p[column] = value
                still.append(column)
        p["set_in_web"] = ";".join(still)


def _in_chunks(db: Session, statement: Any, ids: list[str], size: int = 500) -> None:
    for i in range(0, len(ids), size):
        db.execute(statement(ids[i : i + size]), execution_options={"synchronize_session": False})


def replace_all(db: Session, data: Dataset) -> None:
    """Load a dataset into an empty store (the demo, tests): an import with nobody to keep."""
    apply_dataset(db, data)


def referrals_frame(db: Session) -> pd.DataFrame:
    """The referral history (referrals.csv columns); empty when none was loaded."""
    rows = [{c: getattr(r, c) for c in REFERRALS.names} for r in db.scalars(select(Referral))]
    return _frame(rows, REFERRALS).sort_values(["referral_date", "referral_id"], ignore_index=True)


def cohort_frame(db: Session) -> pd.DataFrame:
    """Children looked after aged 13 to 17 (cohort.csv columns); empty when none was loaded."""
    rows = [{c: getattr(r, c) for c in COHORT.names} for r in db.scalars(select(CohortChild))]
    return _frame(rows, COHORT).sort_values("child_id", ignore_index=True)


def replace_history(db: Session, referrals: pd.DataFrame, cohort: pd.DataFrame | None = None) -> None:
    """Replace the referral history (and the cohort, when given) with validated frames, in the
    caller's transaction."""
    db.execute(delete(Referral))
    if len(referrals):
        db.execute(insert(Referral), records(referrals, REFERRALS))
    if cohort is not None:
        db.execute(delete(CohortChild))
        if len(cohort):
            db.execute(insert(CohortChild), records(cohort, COHORT))
