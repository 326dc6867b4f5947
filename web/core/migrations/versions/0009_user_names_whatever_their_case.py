"""user names unique whatever their case (a unique index on lower(username))

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rename_case_twins()
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)


def _rename_case_twins() -> None:
    """Users made before this revision whose names differ only in case (`Alex`, `alex`): the
    first made keeps its name, each later one becomes `name-ID` (it signs in with that from now
    on), said in the audit log for the administrator to pass on."""
    conn = op.get_bind()
    seen: set[str] = set()
    for user_id, name in conn.execute(sa.text("SELECT id, username FROM users ORDER BY id")).all():
        if name.lower() not in seen:
            seen.add(name.lower())
            continue
        renamed = f"{name[:54]}-{user_id}"
        conn.execute(sa.text("UPDATE users SET username = :n WHERE id = :i"), {"n": renamed, "i": user_id})
        conn.execute(
            sa.text(
                "INSERT INTO audit_events (at, user_id, username, action, detail) "
                "VALUES (CURRENT_TIMESTAMP, NULL, '', 'user_changed', :d)"
            ),
            {
                "d": f"{name} renamed {renamed} by the upgrade to revision 0009: user names are now the "
                "same whatever their case, and another user had this one"
            },  # fmt: skip
        )
        seen.add(renamed.lower())


def downgrade() -> None:
    op.drop_index("uq_users_username_lower", table_name="users")
