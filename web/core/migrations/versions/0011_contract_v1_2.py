"""data contract v1.2 stored: legal status, current_until, staying_put, tenancy_ready and activity
of young people; the rent and support parts of a scheme's weekly cost

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every column optional, with the contract's defaults: a row stored before reads as a v1.1 row.
    with op.batch_alter_table("young_people") as t:
        t.add_column(sa.Column("legal_status", sa.String(length=16), nullable=False, server_default=""))
        t.add_column(sa.Column("current_until", sa.Date(), nullable=True))
        t.add_column(sa.Column("staying_put", sa.Boolean(), nullable=True))  # empty: agreed (contract)
        t.add_column(sa.Column("tenancy_ready", sa.Boolean(), nullable=False, server_default=sa.false()))
        t.add_column(sa.Column("activity", sa.String(length=2), nullable=False, server_default=""))
    with op.batch_alter_table("schemes") as t:
        t.add_column(sa.Column("weekly_rent", sa.Float(), nullable=True))
        t.add_column(sa.Column("weekly_support", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schemes") as t:
        t.drop_column("weekly_support")
        t.drop_column("weekly_rent")
    with op.batch_alter_table("young_people") as t:
        for column in ("activity", "tenancy_ready", "staying_put", "current_until", "legal_status"):
            t.drop_column(column)
