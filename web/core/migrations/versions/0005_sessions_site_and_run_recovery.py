"""server-side sessions, the site's mode (demo or live), demo users, scenario run recovery

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from werkzeug.security import check_password_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DEMO_USERNAMES = ("officer", "commissioner", "analyst", "admin")


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("mode IN ('demo','live')", name=op.f("ck_site_mode")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_user_sessions_token_digest")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("scenario_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runner", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    _mark_existing_site()


def _mark_existing_site() -> None:
    """A database made before this revision: it is a demo one when its only users are the four
    demo logins with the password `demo` (what `planner serve --demo` made), live otherwise;
    a database with no users yet is decided by whoever first uses it."""
    conn = op.get_bind()
    users = conn.execute(sa.text("SELECT username, password_hash FROM users")).all()
    if not users:
        return
    demo = all(name in DEMO_USERNAMES and check_password_hash(digest, "demo") for name, digest in users)
    if demo:
        conn.execute(sa.text("UPDATE users SET is_demo = :t"), {"t": True})
    conn.execute(
        sa.text("INSERT INTO site (id, mode, created_at) VALUES (1, :mode, CURRENT_TIMESTAMP)"),
        {"mode": "demo" if demo else "live"},
    )


def downgrade() -> None:
    with op.batch_alter_table("scenario_runs", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("runner")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_demo")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
    op.drop_table("site")
