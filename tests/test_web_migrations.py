"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from web.core.db import engine_of, upgrade
from web.core.models import Base


# SQLite's reflection cannot read an index on lower(username); PostgreSQL's compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_create_every_model_table_with_no_difference(web_app: Flask):
    engine = engine_of(web_app)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert set(inspect(conn).get_table_names()) >= set(Base.metadata.tables) | {"alembic_version"}
    upgrade(engine)  # running again at the next start is harmless
