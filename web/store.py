"""Between the database and the planner: contract v1.1 frames out, validated datasets in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.orm import Session

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.table import TableSpec
from planner.forecast.history import COHORT, REFERRALS
from web.models import CohortChild, Proposal, Referral, Scheme, YoungPerson

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
        elif col.kind == "int":
            data[col.name] = np.array(values, dtype=np.int64)
        elif col.kind in ("decimal", "latitude", "longitude"):
            data[col.name] = np.array(values, dtype=np.float64)
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


def schemes_frame(db: Session, *, with_vacancies_only: bool = False) -> pd.DataFrame:
    query = select(*(getattr(Scheme, c) for c in SCHEMES.names)).order_by(Scheme.scheme_id)
    if with_vacancies_only:
        query = query.where(Scheme.vacancies > 0)
    return _frame(_rows(db, query), SCHEMES)


def _records(df: pd.DataFrame, spec: TableSpec) -> list[dict[str, Any]]:
    out: dict[str, list[Any]] = {}
    for col in spec.columns:
        s = df[col.name]
        if col.kind == "date":
            out[col.name] = [None if pd.isna(v) else v.date() for v in s]  # optional dates
        elif col.kind in _LISTS:
            out[col.name] = [";".join(v) for v in s]
        elif col.kind == "bool":
            out[col.name] = [bool(v) for v in s]
        elif col.kind == "int":
            out[col.name] = [int(v) for v in s]
        elif col.kind in ("decimal", "latitude", "longitude"):
            out[col.name] = [float(v) for v in s]
        else:
            out[col.name] = [str(v) for v in s]
    return [dict(zip(out, values, strict=True)) for values in zip(*out.values(), strict=True)]


def replace_all(db: Session, data: Dataset) -> None:
    """Replace the waiting list and the schemes with a validated dataset, in the caller's
    transaction (the caller commits, or nothing changes). Open proposals no longer apply."""
    db.execute(
        update(Proposal).where(Proposal.state == "proposed").values(state="superseded"),
        execution_options={"synchronize_session": False},
    )
    db.execute(delete(YoungPerson))
    db.execute(delete(Scheme))
    people = _records(data.people, PEOPLE)
    schemes = _records(data.schemes, SCHEMES)
    if people:
        db.execute(insert(YoungPerson), people)
    if schemes:
        db.execute(insert(Scheme), schemes)


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
        db.execute(insert(Referral), _records(referrals, REFERRALS))
    if cohort is not None:
        db.execute(delete(CohortChild))
        if len(cohort):
            db.execute(insert(CohortChild), _records(cohort, COHORT))
