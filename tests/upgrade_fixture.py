"""A database as the previous release left it, for the upgrade tests: migrated to revision 0002
(before the site's mode, sessions and the ledger existed) by the migrations themselves, then
filled as a demo served by that release and used for real would be: the four demo logins with
the password 'demo', a real administrator, sign-ins in the audit log, young people, schemes, a
matching run with its proposals, and placements."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text
from werkzeug.security import generate_password_hash

from web.core.db import make_engine, migration_config

PREVIOUS = "0002"
REAL_ADMIN, REAL_PASSWORD = "alex.admin", "violet-harbour-lantern"
DEMO_LOGINS = ("officer", "commissioner", "analyst", "admin")
AUDIT_ROWS = 6
_FAST = "pbkdf2:sha256:1000"


def migrate_to(url: str, revision: str) -> None:
    engine = make_engine(url)
    cfg = migration_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def previous_release(url: str) -> None:
    """`url` (an empty database) as the previous release's demo, used for real afterwards."""
    migrate_to(url, PREVIOUS)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _fill(conn)
    finally:
        engine.dispose()


def _fill(conn: object) -> None:
    run = conn.execute  # type: ignore[attr-defined]
    demo = generate_password_hash("demo", method=_FAST)
    for i, name in enumerate(DEMO_LOGINS, start=1):
        run(
            text(
                "INSERT INTO users (id, username, password_hash, role, active, created_at) "
                "VALUES (:i, :n, :h, :n, true, CURRENT_TIMESTAMP)"
            ),
            {"i": i, "n": name, "h": demo},
        )
    run(
        text(
            "INSERT INTO users (id, username, password_hash, role, active, created_at) "
            "VALUES (5, :n, :h, 'admin', true, CURRENT_TIMESTAMP)"
        ),
        {"n": REAL_ADMIN, "h": generate_password_hash(REAL_PASSWORD, method=_FAST)},
    )
    for user_id, name, action in [(4, "admin", "login"), (5, REAL_ADMIN, "login"), (1, "officer", "login"),
                                  (1, "officer", "run_matching"), (1, "officer", "confirm"),
                                  (5, REAL_ADMIN, "user_added")]:  # fmt: skip
        run(
            text(
                "INSERT INTO audit_events (at, user_id, username, action, person_id, detail) "
                "VALUES (CURRENT_TIMESTAMP, :u, :n, :a, NULL, '')"
            ),
            {"u": user_id, "n": name, "a": action},
        )
    person = (
        "INSERT INTO young_people (person_id, date_of_birth, gender, home_district, connection_districts, "
        "avoid_districts, support_need, wheelchair, parent_with_child, high_risk, risks, needed_from, "
        "current_accom, status, placed_scheme_id) VALUES (:p, '2006-03-01', 'F', 'E07000078', '', '', "
        "'low', false, false, false, '', '2026-11-01', 'W2', :s, :at)"
    )
    run(text(person), {"p": "YP-001", "s": "placed", "at": "SCH-001"})
    run(text(person), {"p": "YP-002", "s": "waiting", "at": None})
    run(
        text(
            "INSERT INTO schemes (scheme_id, name, provider, accom_type, district, latitude, longitude, "
            "capacity, vacancies, min_age, max_age, gender, support_level, wheelchair_accessible, "
            "parent_and_child, accepts_high_risk, excluded_risks, ofsted_registered, weekly_cost) VALUES "
            "('SCH-001', 'Ash House', 'Provider', 'D', 'E07000078', 51.9, -2.07, 5, 2, 16, 25, 'any', "
            "'high', false, false, false, '', true, 500.0)"
        )
    )
    run(
        text(
            "INSERT INTO imports (id, imported_at, user_id, people_file, schemes_file, people_count, "
            "schemes_count) VALUES (1, '2026-11-01 09:00:00', 5, 'young_people.csv', 'schemes.csv', 2, 1)"
        )
    )
    run(
        text(
            "INSERT INTO match_runs (id, run_at, run_by_id, match_date, status, seconds, placed, unsuitable, "
            "unplaced) VALUES (1, '2026-11-02 09:00:00', 1, '2026-11-02', 'optimal', 0.01, 1, 0, 1)"
        )
    )
    run(
        text(
            "INSERT INTO proposals (id, run_id, person_id, scheme_id, outcome, accom_code, weekly_cost, "
            "distance_km, reason, state, created_at, decided_by_id, decided_at) VALUES (1, 1, 'YP-001', "
            "'SCH-001', 'placed', 'D1', 500.0, 1.0, '', 'confirmed', '2026-11-02 09:00:00', 1, "
            "'2026-11-02 10:00:00')"
        )
    )
    run(
        text(
            "INSERT INTO placements (person_id, scheme_id, proposal_id, accom_code, weekly_cost, "
            "confirmed_by_id, confirmed_at) VALUES ('YP-001', 'SCH-001', 1, 'D1', 500.0, 1, "
            "'2026-11-02 10:00:00')"
        )
    )


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)
