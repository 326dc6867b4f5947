"""The web app's store: young people and schemes (contract v1.2 columns), decisions, users, audit.

History (proposals, placements, imports, audit events) refers to people and schemes by their
contract ids, not by foreign keys, so that an import replacing the waiting list and the schemes
never deletes or rewrites the record of what was decided before. Placements are the ledger
(`web.officer.ledger`): the free places shown anywhere are derived from a scheme's reported figure and
the placements since it, never stored.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
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
    and_,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planner.data.limits import ID_MAX_LENGTH, NAME_MAX_LENGTH
from web.core import clock

ROLE_LABELS = {"officer": "Placement officer", "commissioner": "Commissioner", "analyst": "Analyst",
               "admin": "Administrator"}  # fmt: skip
ROLES = tuple(ROLE_LABELS)

utcnow = clock.now  # every stamp: naive UTC on the app's one clock (a demo's date, not the machine's)


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
    # served for real, and demo mode refuses a database holding anyone else (web.core.site).
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in deactivated users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


# Names are unique whatever their case: `Alex` and `alex` would be two people to an admin
# reading the audit log, and one to whoever signs in.
Index("uq_users_username_lower", func.lower(User.username), unique=True)


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
    """One row of young_people.csv. `status`: `waiting` (on the list, perhaps in B&B or emergency
    accommodation meanwhile), `placed` (a live suitable placement) or `left` (off the list: a
    placement ended and no other place is needed)."""

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
    legal_status: Mapped[str] = mapped_column(String(16), default="", server_default="")  # v1.2: "" by age
    current_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    staying_put: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None: agreed
    tenancy_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    activity: Mapped[str] = mapped_column(String(2), default="", server_default="")
    set_in_web: Mapped[str] = mapped_column(String(128), default="", server_default="")  # `store.kept`
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)


class Scheme(Base):
    """One row of schemes.csv. Its `vacancies` are the reported figure (the provider's, from an
    import, or an officer's count); the places free now are derived from it and the ledger by
    `web.officer.ledger.free_places`, so the attribute has another name here. The database itself refuses
    a figure below 0 or above capacity."""

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
    reported_vacancies: Mapped[int] = mapped_column("vacancies", Integer)
    # When the reported figure was taken: the import in which it last changed, or the edit.
    reported_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    # The figure in the last import that gave this scheme: a file carrying the same figure again
    # brings no news, so the figure in force (and the placements counted since) stays.
    imported_vacancies: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Not in the last import but with placements on record: kept for them, closed to new ones.
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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
    weekly_rent: Mapped[float | None] = mapped_column(Float, nullable=True)  # v1.2: the parts of
    weekly_support: Mapped[float | None] = mapped_column(Float, nullable=True)  # weekly_cost, if known
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
    history or the cohort (`web.core.versions`), so that what is worked out from them is reused only
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
    # proposed -> confirmed | declined (-> proposed again: reopened) | superseded (a newer run,
    # an import or a newer proposal for the person replaced it)
    state: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What replaced it, for the officer who later tries to confirm it.
    superseded_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id"), nullable=True)
    superseded_by_import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class Placement(Base):
    """The ledger: a confirmed placement from its start date to its end (empty while live). A
    person has at most one open placement (no end recorded, not undone): a unique index on
    the open rows says so to the database itself. An undone placement never took a place; an
    ended one holds its place until the end date."""

    __tablename__ = "placements"
    __table_args__ = (
        Index(
            "uq_placements_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("end_date IS NULL AND undone_at IS NULL"),
            postgresql_where=text("end_date IS NULL AND undone_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    scheme_id: Mapped[str] = mapped_column(String(64), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), nullable=True)
    accom_code: Mapped[str] = mapped_column(String(2))
    weekly_cost: Mapped[float] = mapped_column(Float)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # B&B or emergency accommodation: why, on record that no suitable place exists today.
    confirm_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    accom_before: Mapped[str] = mapped_column(String(2), default="", server_default="")  # restored by undo
    start_date: Mapped[date] = mapped_column(Date, server_default=text("CURRENT_DATE"))
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # the move-out date
    end_reason: Mapped[str] = mapped_column(String(32), default="", server_default="")
    end_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # when it was recorded
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # An interim B&B or emergency placement ended by a move to a suitable place: undoing that
    # placement reopens this one.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    undo_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where they went when it ended (SSDA903 ACCOM code) and until when, if that ends.
    moved_to_accom: Mapped[str] = mapped_column(String(2), default="", server_default="")
    moved_to_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    suitable_refused: Mapped[str] = mapped_column(Text, default="", server_default="")  # B&B: `ledger`

    @classmethod
    def is_open(cls) -> ColumnElement[bool]:
        """No move-out recorded and not undone: the rows the unique index keeps to one a person."""
        return and_(cls.end_date.is_(None), cls.undone_at.is_(None))


class VacancyFigure(Base):
    """Each figure a scheme's free places were counted from: an import that changed it, or an
    officer's edit (the scheme page's vacancies over time)."""

    __tablename__ = "vacancy_figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[str] = mapped_column(String(ID_MAX_LENGTH), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    vacancies: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))  # import | edit
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class Import(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    people_file: Mapped[str] = mapped_column(String(255))
    schemes_file: Mapped[str] = mapped_column(String(255))
    people_count: Mapped[int] = mapped_column(Integer)
    schemes_count: Mapped[int] = mapped_column(Integer)


class PendingImport(Base):
    """Uploaded files waiting for the officer to look at what they change and confirm (or
    cancel): nothing is replaced until then."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    people_file: Mapped[str] = mapped_column(String(255))
    schemes_file: Mapped[str] = mapped_column(String(255))
    people_csv: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    schemes_csv: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


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
