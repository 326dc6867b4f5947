"""the officer's week: where a young person went when a placement ended (and until when); the
fields of a young person a decision in the web set, kept over a re-import; the suitable places
an officer said did not suit before a B&B or emergency placement, with why; notes on decisions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("young_people") as t:
        t.add_column(sa.Column("set_in_web", sa.String(length=128), nullable=False, server_default=""))
    with op.batch_alter_table("placements") as t:
        t.add_column(sa.Column("moved_to_accom", sa.String(length=2), nullable=False, server_default=""))
        t.add_column(sa.Column("moved_to_until", sa.Date(), nullable=True))
        t.add_column(sa.Column("suitable_refused", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notes_user_id_users")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_events.id"], name=op.f("fk_notes_event_id_audit_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_person_id"), "notes", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_person_id"), table_name="notes")
    op.drop_table("notes")
    with op.batch_alter_table("placements") as t:
        for column in ("suitable_refused", "moved_to_until", "moved_to_accom"):
            t.drop_column(column)
    with op.batch_alter_table("young_people") as t:
        t.drop_column("set_in_web")
