"""Between the database and the planner: contract v1.1 frames out, validated datasets in."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.table import TableSpec
from planner.forecast.history import COHORT, REFERRALS
from web.models import CohortChild, Proposal, Referral, Scheme, YoungPerson

_LISTS = ("lad_list", "risk_list")


def _frame(rows: list[dict[str, Any]], spec: TableSpec) -> pd.DataFrame:
    """Rows from the database typed exactly as `planner.data.contract.read_table` types a CSV."""
    df = pd.DataFrame(rows, columns=spec.names)
    for col in spec.columns:
        s = df[col.name]
        if col.kind == "date":
            df[col.name] = pd.to_datetime(s).astype("datetime64[ns]")
        elif col.kind == "bool":
            df[col.name] = s.astype(bool)
        elif col.kind == "int":
            df[col.name] = s.astype("int64")
        elif col.kind in ("decimal", "latitude", "longitude"):
            df[col.name] = s.astype("float64")
        elif col.kind in _LISTS:
            df[col.name] = s.map(lambda v: tuple(t for t in (v or "").split(";") if t)).astype(object)
        else:
            df[col.name] = s.fillna("").astype(str)
    return df


def people_frame(db: Session, *, waiting_only: bool = True) -> pd.DataFrame:
    query = select(YoungPerson).order_by(YoungPerson.person_id)
    if waiting_only:
        query = query.where(YoungPerson.status == "waiting")
    rows = [{c: getattr(p, c) for c in PEOPLE.names} for p in db.scalars(query)]
    return _frame(rows, PEOPLE)


def schemes_frame(db: Session, *, with_vacancies_only: bool = False) -> pd.DataFrame:
    query = select(Scheme).order_by(Scheme.scheme_id)
    if with_vacancies_only:
        query = query.where(Scheme.vacancies > 0)
    rows = [{c: getattr(s, c) for c in SCHEMES.names} for s in db.scalars(query)]
    return _frame(rows, SCHEMES)


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
