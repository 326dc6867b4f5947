"""Alembic environment: migrations run in code (web.core.db.upgrade) on the app's own connection."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from web.core.models import Base
from web.core.notes import Note  # noqa: F401  (its table on Base.metadata too)
from web.core.scenario_models import ScenarioRun  # noqa: F401  (its tables on Base.metadata too)

config = context.config
target = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    context.configure(
        connection=connection,
        target_metadata=target,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # e.g. `alembic revision --autogenerate` from a shell, against DATABASE_URL
    with create_engine(os.environ["DATABASE_URL"]).begin() as conn:
        _run(conn)
