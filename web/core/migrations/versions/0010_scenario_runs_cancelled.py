"""scenario runs can be cancelled (a status of their own)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import warnings

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite's copy of the table reflects the users it refers to, whose index on lower(username)
    # SQLAlchemy cannot reflect (and need not: that table is not copied).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")
        with op.batch_alter_table("scenario_runs", schema=None) as t:
            t.drop_constraint(op.f("ck_scenario_runs_status"), type_="check")
            t.create_check_constraint("status", "status IN ('queued','running','done','failed','cancelled')")


def downgrade() -> None:
    op.execute("UPDATE scenario_runs SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table("scenario_runs", schema=None) as t:
        t.drop_constraint(op.f("ck_scenario_runs_status"), type_="check")
        t.create_check_constraint("status", "status IN ('queued','running','done','failed')")
