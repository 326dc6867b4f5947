"""data contract v1.1: uasc, reserved_for; the horizon of a matching run

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("young_people") as t:
        t.add_column(sa.Column("uasc", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("schemes") as t:
        t.add_column(sa.Column("reserved_for", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("match_runs") as t:
        t.add_column(sa.Column("horizon_days", sa.Integer(), nullable=False, server_default="28"))
        t.add_column(sa.Column("not_due", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("match_runs") as t:
        t.drop_column("not_due")
        t.drop_column("horizon_days")
    with op.batch_alter_table("schemes") as t:
        t.drop_column("reserved_for")
    with op.batch_alter_table("young_people") as t:
        t.drop_column("uasc")
