"""schemes.postcode (data contract v1.1) and three-character SSDA903 placement codes (Z11 to Z14)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postcode", sa.String(length=8), nullable=False, server_default=""))
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.alter_column(
            "placement_type",
            existing_type=sa.String(length=2),
            type_=sa.String(length=3),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.alter_column(
            "placement_type",
            existing_type=sa.String(length=3),
            type_=sa.String(length=2),
            existing_nullable=False,
        )
    with op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.drop_column("postcode")
