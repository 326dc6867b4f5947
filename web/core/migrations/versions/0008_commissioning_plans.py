"""commissioning plans beside scenarios, the forecast as a background run: a scenario's kind and budget;
a run's kind, job key (a forecast's), budget, plan, rule and savings; a forecast run has no scenario

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as t:
        t.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="scenario"))
        t.add_column(sa.Column("budget", sa.Float(), nullable=True))
        t.create_check_constraint(op.f("ck_scenarios_kind"), "kind IN ('scenario','commission')")
    with op.batch_alter_table("scenario_runs") as t:
        t.alter_column("scenario_id", existing_type=sa.Integer(), nullable=True)
        t.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="scenario"))
        t.add_column(sa.Column("job_key", sa.String(length=100), nullable=True))
        t.create_unique_constraint(op.f("uq_scenario_runs_job_key"), ["job_key"])
        t.create_check_constraint(op.f("ck_scenario_runs_kind"), "kind IN ('scenario','plan','forecast')")
        t.add_column(sa.Column("budget", sa.Float(), nullable=True))
        for column in ("plan_csv", "rule_csv", "savings_csv"):
            t.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # What version 0007 cannot hold goes: forecasts (worked out again), plans and their runs.
    op.execute("DELETE FROM scenario_runs WHERE scenario_id IS NULL OR kind = 'plan'")
    op.execute("DELETE FROM scenarios WHERE kind = 'commission'")
    with op.batch_alter_table("scenario_runs") as t:
        for column in ("savings_csv", "rule_csv", "plan_csv", "budget"):
            t.drop_column(column)
        t.drop_constraint(op.f("ck_scenario_runs_kind"), type_="check")
        t.drop_constraint(op.f("uq_scenario_runs_job_key"), type_="unique")
        t.drop_column("job_key")
        t.drop_column("kind")
        t.alter_column("scenario_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("scenarios") as t:
        t.drop_constraint(op.f("ck_scenarios_kind"), type_="check")
        t.drop_column("budget")
        t.drop_column("kind")
