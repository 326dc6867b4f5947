"""`planner db backup` then `planner db restore` return every row, while the app is serving
(pages keep answering throughout), on SQLite (online backup API) and PostgreSQL (pg_dump and
pg_restore); a restore refuses a file that is not a backup and changes nothing."""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, text
from web_support import BACKENDS, EXAMPLE, build_app, import_files, save_vacancies
from werkzeug.serving import make_server

from planner.cli import cli
from web.core.db import engine_of
from web.core.models import Base


def _rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine_of(app).connect() as conn:
        for table in [*Base.metadata.sorted_tables]:
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        out["alembic_version"] = [
            tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))
        ]
    return out


class Reader(threading.Thread):
    """Keeps asking for the sign-in page and /healthz; notes anything that is not an answer."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop, self.answers, self.failures = base, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            for path in ("/login", "/healthz"):
                try:
                    with urllib.request.urlopen(self.base + path, timeout=60) as r:
                        self.answers += r.status == 200
                except (urllib.error.URLError, OSError) as e:
                    self.failures.append(f"{path}: {e}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_then_restore_returns_every_row_while_the_app_is_serving(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    if backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (Debian package postgresql-client)")
    app = build_app(backend, tmp_path, request)
    monkeypatch.setenv("DATABASE_URL", str(engine_of(app).url.render_as_string(hide_password=False)))
    officer = app.test_client()
    officer.post("/login", data={"username": "officer", "password": "demo-password"})
    officer.post("/matching/run")  # proposals, a match run and audit events to keep
    assert save_vacancies(officer, "SCH-001", "1").status_code == 303
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    reader = Reader(f"http://127.0.0.1:{server.server_port}")
    reader.start()
    try:
        before = _rows(app)
        backup = tmp_path / "planner.backup"
        made = CliRunner().invoke(cli, ["db", "backup", str(backup)])
        assert made.exit_code == 0, made.output
        # Then things change: an import (proposals superseded, vacancies back), more audit events.
        people, schemes = ((EXAMPLE / f).read_bytes() for f in ("young_people.csv", "schemes.csv"))
        assert import_files(officer, people, schemes).status_code == 303
        assert _rows(app) != before
        changed = _rows(app)
        restored = CliRunner().invoke(cli, ["db", "restore", str(backup)])
        assert restored.exit_code == 0, restored.output
        after = _rows(app)
        # The data version moves past the live one's: nothing worked out from the data since the
        # backup is taken for the restored data.
        assert after.pop("data_version")[0][1] > changed["data_version"][0][1]
        before.pop("data_version")
        assert after == before
        assert officer.get("/waiting-list").status_code == 200  # the app carries on
    finally:
        reader.stop.set()
        reader.join(timeout=60)
        server.shutdown()
        serving.join(timeout=10)
        engine_of(app).dispose()
    assert reader.failures == [] and reader.answers > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    app = build_app(backend, tmp_path, request)
    monkeypatch.setenv("DATABASE_URL", str(engine_of(app).url.render_as_string(hide_password=False)))
    before = _rows(app)
    junk = tmp_path / "notes.backup"
    junk.write_text("person_id,name\n")
    result = CliRunner().invoke(cli, ["db", "restore", str(junk)])
    assert (
        result.exit_code == 2 and "nothing was changed" in result.output and "Traceback" not in result.output
    )
    assert _rows(app) == before
    engine_of(app).dispose()
