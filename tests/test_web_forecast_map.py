"""The forecast map works its forecast out in the background, shows how far it has got, and keeps
it for the data as they are: other months and support levels are slices of it; a change to the
data is forecast again."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_support import ON, demo_app, save_vacancies, signer

from web import create_app
from web.commissioner.map import forecast as map_forecast
from web.commissioner.map import forecast_runs
from web.commissioner.scenario_runs import RUNNER
from web.core import versions
from web.core.db import engine_of, get_db
from web.core.models import Scheme
from web.core.scenario_models import ScenarioRun


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    app = demo_app("sqlite", tmp_path, request)
    yield app
    engine_of(app).dispose()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event, list[int]]]:
    """Holds each forecast after its first step until the test opens the gate; counts the forecasts."""
    reached, opened, calls = threading.Event(), threading.Event(), []
    real = forecast_runs.forecast

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        kwargs["progress"](1, 28)
        reached.set()
        opened.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(forecast_runs, "forecast", held)
    monkeypatch.setattr(map_forecast, "WAIT_SECONDS", 0.2)
    yield reached, opened, calls
    opened.set()  # never leave a forecast waiting


def _ready(client: FlaskClient, url: str) -> str:
    for _ in range(600):
        page = client.get(url).get_data(as_text=True)
        if 'id="forecast-working"' not in page:
            return page
        time.sleep(0.1)
    raise AssertionError(f"{url} was never ready")


def _table(page: str) -> str:
    return page.split('id="forecast-table"', 1)[1].split("</table>", 1)[0]


def test_the_page_shows_progress_and_refreshes_itself_until_the_forecast_is_ready(app: Flask, gate):
    reached, opened, calls = gate
    commissioner = signer(app)("commissioner")
    assert "Working out the forecast" in commissioner.get("/map?month=2027-06").get_data(as_text=True)
    assert reached.wait(30)
    response = commissioner.get("/map?month=2027-06")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Working out the forecast" in page and "Step 1 of 28" in page
    assert '<progress class="app-progress" id="forecast-progress" max="28" value="1">' in page
    assert 'id="forecast-table"' not in page
    opened.set()
    page = _ready(commissioner, "/map?month=2027-06")
    assert 'id="forecast-table"' in page and "http-equiv" not in page
    assert calls == [1]


def test_the_forecast_is_kept_for_the_data_as_they_are_and_worked_out_again_when_they_change(
    app: Flask, gate
):
    _, opened, calls = gate
    opened.set()
    commissioner, officer = signer(app)("commissioner"), signer(app)("officer")
    june = _ready(commissioner, "/map?month=2027-06")
    for url in ("/map?month=2027-01", "/map?month=2028-11&support_level=high", "/map?month=2027-06"):
        assert 'id="forecast-table"' in _ready(commissioner, url)
    assert calls == [1]  # one forecast, every month and support level a slice of it
    assert _table(_ready(commissioner, "/map?month=2027-06")) == _table(june)
    with app.app_context():
        scheme = get_db().scalar(select(Scheme).where(Scheme.reported_vacancies > 0).limit(1))
        assert scheme is not None
    assert save_vacancies(officer, scheme.scheme_id, str(scheme.reported_vacancies - 1)).status_code == 303
    _ready(commissioner, "/map?month=2027-06")
    assert calls == [1, 1]  # the schemes changed: forecast again


def _restart(app: Flask) -> Flask:
    """A new app on the same database, as a restarted service starts (and resumes its runs)."""
    keys = ("SECRET_KEY", "DATABASE_URL", "TODAY", "PASSWORD_HASH_METHOD")
    return create_app({**{k: app.config[k] for k in keys}, "TESTING": True, "RESUME_SCENARIO_RUNS": True,
                       "WTF_CSRF_ENABLED": False})  # fmt: skip


def test_a_finished_forecast_is_read_back_after_a_restart_not_worked_out_again(app: Flask, gate):
    _, opened, calls = gate
    opened.set()
    june = _table(_ready(signer(app)("commissioner"), "/map?month=2027-06"))
    restarted = _restart(app)
    try:
        assert _table(_ready(signer(restarted)("analyst"), "/map?month=2027-06")) == june
        assert calls == [1]  # the other process read it from the database
    finally:
        engine_of(restarted).dispose()


def test_a_forecast_stopped_with_its_process_is_started_again_on_restart(app: Flask):
    gone = subprocess.Popen(["true"])
    gone.wait()
    with app.app_context():
        db = get_db()
        key = forecast_runs.key_of(versions.current(db), ON, 28)
        run = ScenarioRun(kind="forecast", job_key=key, yaml_text="", status="running", attempts=1, done=3,
                          total=28, runner=f"{RUNNER.split(':')[0]}:{gone.pid}:12345")  # fmt: skip
        db.add(run)
        db.commit()
        run_id = run.id
    restarted = _restart(app)
    try:
        page = _ready(signer(restarted)("commissioner"), "/map?month=2027-06")
        assert 'id="forecast-table"' in page
        with restarted.app_context():
            again = get_db().get(ScenarioRun, run_id)
            assert again is not None and (again.status, again.attempts) == ("done", 2)
    finally:
        engine_of(restarted).dispose()
