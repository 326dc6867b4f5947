"""The web app's store: young people and schemes (contract v1.1 columns), decisions, users, audit.

History (proposals, placements, imports, audit events) refers to people and schemes by their
contract ids, not by foreign keys, so that an import replacing the waiting list and the schemes
never deletes or rewrites the record of what was decided before.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planner.data.limits import ID_MAX_LENGTH, NAME_MAX_LENGTH

ROLES = ("officer", "commissioner", "analyst", "admin")
ROLE_LABELS = {
    "officer": "Placement officer",
    "commissioner": "Commissioner",
    "analyst": "Analyst",
    "admin": "Administrator",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


class Base(DeclarativeBase):
    # Named constraints, so Alembic's batch mode can alter SQLite tables later.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('officer','commissioner','analyst','admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Made by `planner serve --demo` with the well-known password: such a database is never
    # served for real, and demo mode refuses a database holding anyone else (web.site).
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in deactivated users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class UserSession(Base):
    """One signed-in session, kept on the server: the cookie holds a random token whose digest
    is here, so signing out, a password change or deactivation ends it for good, even for a copy
    of the cookie. `last_seen_at` is for idle time-outs."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # signed_out | password_changed | deactivated | ...
    end_reason: Mapped[str] = mapped_column(String(32), default="")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Site(Base):
    """One row: how this database was created. `demo` (by `planner serve --demo`, synthetic
    people and well-known passwords) or `live`; the two are never mixed up."""

    __tablename__ = "site"
    __table_args__ = (CheckConstraint("mode IN ('demo','live')", name="mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class YoungPerson(Base):
    """One row of young_people.csv; `status` is `waiting` until a placement is confirmed."""

    __tablename__ = "young_people"
    # The waiting list's counts and "due by" filter read the waiting people by date needed.
    __table_args__ = (Index("ix_young_people_status_needed_from", "status", "needed_from"),)

    person_id: Mapped[str] = mapped_column(String(ID_MAX_LENGTH), primary_key=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    home_district: Mapped[str] = mapped_column(String(9), index=True)
    connection_districts: Mapped[str] = mapped_column(Text, default="")  # ';'-separated, as in the CSV
    avoid_districts: Mapped[str] = mapped_column(Text, default="")
    support_need: Mapped[str] = mapped_column(String(16))
    wheelchair: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_with_child: Mapped[bool] = mapped_column(Boolean, default=False)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    risks: Mapped[str] = mapped_column(Text, default="")
    needed_from: Mapped[date] = mapped_column(Date)
    current_accom: Mapped[str] = mapped_column(String(2), default="")
    uasc: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    placed_scheme_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Scheme(Base):
    """One row of schemes.csv. The database itself refuses vacancies below 0 or above capacity."""

    __tablename__ = "schemes"
    __table_args__ = (CheckConstraint("vacancies >= 0 AND vacancies <= capacity", name="vacancies_in_range"),)

    scheme_id: Mapped[str] = mapped_column(String(ID_MAX_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), index=True)  # the schemes page pages by name
    provider: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    accom_type: Mapped[str] = mapped_column(String(1))
    district: Mapped[str] = mapped_column(String(9), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    postcode: Mapped[str] = mapped_column(String(8), default="", server_default="")  # v1.1
    capacity: Mapped[int] = mapped_column(Integer)
    vacancies: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(3))
    support_level: Mapped[str] = mapped_column(String(16))
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_and_child: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_risks: Mapped[str] = mapped_column(Text, default="")
    ofsted_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_cost: Mapped[float] = mapped_column(Float)
    # staying put: the one young person this place is for
    reserved_for: Mapped[str] = mapped_column(String(ID_MAX_LENGTH), default="", server_default="")


class MatchRun(Base):
    """One press of "Run matching": the optimiser's status and counts, and the batch's answer
    (`planner.match.solution.BatchAnswer`) for a person's options to reuse while the data
    (`data_version`), the date and the horizon are the same; only the latest run keeps it."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    match_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float] = mapped_column(Float)
    placed: Mapped[int] = mapped_column(Integer)
    unsuitable: Mapped[int] = mapped_column(Integer)
    unplaced: Mapped[int] = mapped_column(Integer)
    not_due: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    horizon_days: Mapped[int] = mapped_column(Integer, default=28, server_default="28")
    objective: Mapped[str] = mapped_column(String(16), default="default", server_default="default")
    data_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class DataVersion(Base):
    """One row: a number raised with every change to the young people, the schemes, the referral
    history or the cohort (`web.versions`), so that what is worked out from them is reused only
    while they are unchanged."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Proposal(Base):
    """A proposed place for one person (a row of matches.csv) and what an officer decided."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id"), nullable=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    scheme_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # placed | unsuitable | unplaced (not_due: no proposal)
    accom_code: Mapped[str] = mapped_column(String(2), default="")
    weekly_cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    distance_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    # proposed -> confirmed | declined | superseded (a newer run or an import replaced it)
    state: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Placement(Base):
    """A confirmed placement: the vacancy it took and who confirmed it."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    scheme_id: Mapped[str] = mapped_column(String(64), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), nullable=True)
    accom_code: Mapped[str] = mapped_column(String(2))
    weekly_cost: Mapped[float] = mapped_column(Float)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Import(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    people_file: Mapped[str] = mapped_column(String(255))
    schemes_file: Mapped[str] = mapped_column(String(255))
    people_count: Mapped[int] = mapped_column(Integer)
    schemes_count: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """Who did what, when, about which person. `username` is kept so the log reads on its own."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class Referral(Base):
    """One row of referrals.csv: a care leaver's past referral and where they went (the history
    the scenario simulation estimates demand and lengths of stay from)."""

    __tablename__ = "referrals"

    referral_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    referral_date: Mapped[date] = mapped_column(Date)
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    home_district: Mapped[str] = mapped_column(String(9))
    support_need: Mapped[str] = mapped_column(String(16))
    wheelchair: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_with_child: Mapped[bool] = mapped_column(Boolean, default=False)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    risks: Mapped[str] = mapped_column(Text, default="")  # ';'-separated, as in the CSV
    outcome_accom: Mapped[str] = mapped_column(String(2), default="")
    placed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class CohortChild(Base):
    """One row of cohort.csv: a child looked after now, aged 13 to 17 (for the forecast)."""

    __tablename__ = "cohort"

    child_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    district: Mapped[str] = mapped_column(String(9))
    placement_type: Mapped[str] = mapped_column(String(3))  # Z11 to Z14 from 2025-26
    support_need: Mapped[str] = mapped_column(String(16))
    uasc: Mapped[bool] = mapped_column(Boolean, default=False)


class ScenarioRecord(Base):
    """A commissioner's scenario: its YAML (the format of data/scenarios/, without `data`:
    the app simulates the young people, schemes and referrals in its own database)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    yaml_text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioRun(Base):
    """One run of a scenario with its baseline, in the background: status, progress, results.

    Results are kept as the CSV text `planner scenario` writes, so downloads are exactly those
    files, and as the chart, drawn once when the run finishes."""

    __tablename__ = "scenario_runs"
    __table_args__ = (CheckConstraint("status IN ('queued','running','done','failed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    yaml_text: Mapped[str] = mapped_column(Text)  # as run, even if the scenario is edited later
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Who runs it ("host:pid:start"), so a restarted service knows a run whose process is gone.
    runner: Mapped[str] = mapped_column(String(100), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # starts, counting restarts
    summary_csv: Mapped[str] = mapped_column(Text, default="")
    by_district_csv: Mapped[str] = mapped_column(Text, default="")
    by_month_csv: Mapped[str] = mapped_column(Text, default="")
    chart_svg: Mapped[str] = mapped_column(Text, default="")
