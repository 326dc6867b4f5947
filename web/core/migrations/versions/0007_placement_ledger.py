"""the placement ledger: start and end dates, undo, one open placement per person; schemes'
reported vacancy figures (free places derived, not stored); proposals' reasons; import previews

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "end_date IS NULL AND undone_at IS NULL"


def upgrade() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with op.batch_alter_table("placements", schema=None) as t:
        t.add_column(sa.Column("confirm_reason", sa.Text(), nullable=False, server_default=""))
        t.add_column(sa.Column("accom_before", sa.String(length=2), nullable=False, server_default=""))
        t.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        t.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        t.add_column(sa.Column("end_reason", sa.String(length=32), nullable=False, server_default=""))
        t.add_column(sa.Column("end_note", sa.Text(), nullable=False, server_default=""))
        t.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
        t.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("undone_at", sa.DateTime(), nullable=True))
        t.add_column(sa.Column("undone_by_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("undo_reason", sa.Text(), nullable=False, server_default=""))
        t.create_foreign_key(op.f("fk_placements_ended_by_id_users"), "users", ["ended_by_id"], ["id"])
        t.create_foreign_key(op.f("fk_placements_undone_by_id_users"), "users", ["undone_by_id"], ["id"])
        t.create_foreign_key(
            op.f("fk_placements_replaced_by_id_placements"), "placements", ["replaced_by_id"], ["id"]
        )
    _date_existing_placements()
    with op.batch_alter_table("placements", schema=None) as t:
        t.alter_column(
            "start_date", existing_type=sa.Date(), nullable=False, server_default=sa.text("CURRENT_DATE")
        )
    op.create_index(
        "uq_placements_open_person",
        "placements",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )

    with op.batch_alter_table("schemes", schema=None) as t:
        t.add_column(
            sa.Column(
                "reported_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")
            )
        )
        t.add_column(sa.Column("imported_vacancies", sa.Integer(), nullable=True))
        t.add_column(sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Until now `vacancies` was decremented by each confirmation: it is the free places now, so it
    # is the figure in force from now, counting nothing again. The figure the last import carried
    # was that plus the placements confirmed since it: a re-import of the same file is no news.
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE schemes SET reported_at = :now"), {"now": now})
    conn.execute(
        sa.text(
            "UPDATE schemes SET imported_vacancies = vacancies + (SELECT COUNT(*) FROM placements p "
            "WHERE p.scheme_id = schemes.scheme_id AND p.end_date IS NULL "
            "AND p.confirmed_at > (SELECT MAX(imported_at) FROM imports))"
        )
    )

    with op.batch_alter_table("young_people", schema=None) as t:
        t.drop_column("placed_scheme_id")

    with op.batch_alter_table("proposals", schema=None) as t:
        t.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("decline_reason", sa.Text(), nullable=False, server_default=""))
        t.add_column(sa.Column("superseded_by_run_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("superseded_by_import_id", sa.Integer(), nullable=True))
        t.create_foreign_key(op.f("fk_proposals_created_by_id_users"), "users", ["created_by_id"], ["id"])
        t.create_foreign_key(
            op.f("fk_proposals_superseded_by_run_id_match_runs"),
            "match_runs",
            ["superseded_by_run_id"],
            ["id"],
        )
        t.create_foreign_key(
            op.f("fk_proposals_superseded_by_import_id_imports"),
            "imports",
            ["superseded_by_import_id"],
            ["id"],
        )

    op.create_table(
        "vacancy_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("vacancies", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_vacancy_figures_import_id_imports")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_vacancy_figures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_figures")),
    )
    op.create_index(op.f("ix_vacancy_figures_scheme_id"), "vacancy_figures", ["scheme_id"], unique=False)
    conn.execute(
        sa.text(
            "INSERT INTO vacancy_figures (scheme_id, at, vacancies, capacity, source) "
            "SELECT scheme_id, reported_at, vacancies, capacity, 'import' FROM schemes"
        )
    )
    op.create_table(
        "pending_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("people_file", sa.String(length=255), nullable=False),
        sa.Column("schemes_file", sa.String(length=255), nullable=False),
        sa.Column("people_csv", sa.LargeBinary(), nullable=False),
        sa.Column("schemes_csv", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pending_imports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_imports")),
    )


def _date_existing_placements() -> None:
    """Placements so far started when they were confirmed. Someone confirmed twice (the double
    placement this revision ends) keeps the latest; the earlier ones end on its date."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, person_id, confirmed_at FROM placements ORDER BY confirmed_at, id")
    )
    latest: dict[str, tuple[int, object]] = {}
    for pid, person, at in rows.all():
        start = at if not isinstance(at, str) else datetime.fromisoformat(at)
        conn.execute(
            sa.text("UPDATE placements SET start_date = :d WHERE id = :id"), {"d": start.date(), "id": pid}
        )
        if person in latest:
            conn.execute(
                sa.text(
                    "UPDATE placements SET end_date = :d, end_reason = 'recorded_twice', ended_at = :at, "
                    "end_note = 'Ended by the upgrade to the placement ledger: a later placement was "
                    "confirmed for the same young person' WHERE id = :id"
                ),
                {"d": start.date(), "at": start, "id": latest[person][0]},
            )
        latest[person] = (pid, start)


def downgrade() -> None:
    op.drop_table("pending_imports")
    op.drop_index(op.f("ix_vacancy_figures_scheme_id"), table_name="vacancy_figures")
    op.drop_table("vacancy_figures")
    with op.batch_alter_table("proposals", schema=None) as t:
        t.drop_constraint(op.f("fk_proposals_superseded_by_import_id_imports"), type_="foreignkey")
        t.drop_constraint(op.f("fk_proposals_superseded_by_run_id_match_runs"), type_="foreignkey")
        t.drop_constraint(op.f("fk_proposals_created_by_id_users"), type_="foreignkey")
        for column in ("superseded_by_import_id", "superseded_by_run_id", "decline_reason", "created_by_id"):
            t.drop_column(column)
    with op.batch_alter_table("young_people", schema=None) as t:
        t.add_column(sa.Column("placed_scheme_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("schemes", schema=None) as t:
        for column in ("withdrawn", "imported_vacancies", "reported_at"):
            t.drop_column(column)
    op.drop_index("uq_placements_open_person", table_name="placements")
    with op.batch_alter_table("placements", schema=None) as t:
        t.drop_constraint(op.f("fk_placements_replaced_by_id_placements"), type_="foreignkey")
        t.drop_constraint(op.f("fk_placements_undone_by_id_users"), type_="foreignkey")
        t.drop_constraint(op.f("fk_placements_ended_by_id_users"), type_="foreignkey")
        for column in (
            "undo_reason",
            "undone_by_id",
            "undone_at",
            "replaced_by_id",
            "ended_by_id",
            "ended_at",
            "end_note",
            "end_reason",
            "end_date",
            "start_date",
            "accom_before",
            "confirm_reason",
        ):
            t.drop_column(column)
