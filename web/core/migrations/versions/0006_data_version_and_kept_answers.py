"""data version; a matching run keeps its batch answer; indexes for paging at England scale

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0, "changed_at": datetime.now(UTC).replace(tzinfo=None)}])
    with op.batch_alter_table("match_runs") as t:
        t.add_column(sa.Column("objective", sa.String(length=16), nullable=False, server_default="default"))
        t.add_column(sa.Column("data_version", sa.Integer(), nullable=True))
        t.add_column(sa.Column("answer", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("young_people") as t:
        t.create_index("ix_young_people_status_needed_from", ["status", "needed_from"], unique=False)
    with op.batch_alter_table("schemes") as t:
        t.create_index(op.f("ix_schemes_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("schemes") as t:
        t.drop_index(op.f("ix_schemes_name"))
    with op.batch_alter_table("young_people") as t:
        t.drop_index("ix_young_people_status_needed_from")
    with op.batch_alter_table("match_runs") as t:
        t.drop_column("answer")
        t.drop_column("data_version")
        t.drop_column("objective")
    op.drop_table("data_version")
