"""Scenario runs survive restarts: a run whose process was killed is started again when the app
starts (once; the second time it fails with the reason), queued runs resume, and a run whose
process is alive is left to it. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from scenario_fixtures import dataset, referrals_frame
from web_support import BACKENDS, build_app

from web import create_app
from web.commissioner.scenario_runs import RUNNER
from web.core.db import engine_of, get_db
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import replace_all, replace_history

YAML = textwrap.dedent(
    """\
    name: more-forest-places
    start: 2026-11-23
    months: 12
    runs: {runs}
    changes:
      - add_places: {{district: E07000080, type: D, support_level: high, places: 4, weekly_cost: 900,
                      from: 2026-12-01}}
    """
)


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    app = build_app(request.param, tmp_path, request, data=False, RESUME_SCENARIO_RUNS=False)
    with app.app_context():
        db = get_db()
        replace_all(db, dataset())
        replace_history(db, referrals_frame())
        db.commit()
    yield app
    engine_of(app).dispose()


def _run(app: Flask, *, status: str, runner: str = "", attempts: int = 0, runs: int = 4) -> int:
    with app.app_context():
        db = get_db()
        record = ScenarioRecord(name=f"s{time.monotonic_ns()}", yaml_text=YAML.format(runs=runs))
        db.add(record)
        db.flush()
        run = ScenarioRun(scenario_id=record.id, yaml_text=record.yaml_text, status=status, runner=runner,
                          attempts=attempts)  # fmt: skip
        db.add(run)
        db.commit()
        return run.id


def _restart(app: Flask) -> Flask:
    """A new app on the same database, as a restarted service starts."""
    config = {k: app.config[k] for k in ("SECRET_KEY", "DATABASE_URL", "TODAY", "PASSWORD_HASH_METHOD")}
    return create_app({**config, "TESTING": True})


def _when_finished(app: Flask, run_id: int, seconds: float = 120) -> ScenarioRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            run = get_db().get(ScenarioRun, run_id)
            assert run is not None
            if run.status in ("done", "failed"):
                return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def _dead_runner() -> str:
    gone = subprocess.Popen(["true"])
    gone.wait()
    host, _, _ = RUNNER.split(":")
    return f"{host}:{gone.pid}:12345"


def test_a_run_killed_with_its_process_is_started_again_on_restart(app: Flask, tmp_path: Path):
    run_id = _run(app, status="queued", runs=40)
    script = textwrap.dedent(
        f"""
        from web import create_app
        from web.commissioner.scenario_runs import execute
        app = create_app({{"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": {app.config["DATABASE_URL"]!r},
                           "RESUME_SCENARIO_RUNS": False}})
        execute(app, {run_id})
        """
    )
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # killed once it has started and made progress
            with app.app_context():
                run = get_db().get(ScenarioRun, run_id)
                if run is not None and run.status == "running" and run.done > 0:
                    break
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    with app.app_context():
        killed = get_db().get(ScenarioRun, run_id)
        assert killed is not None and killed.status == "running" and str(worker.pid) in killed.runner
    restarted = _restart(app)
    run = _when_finished(restarted, run_id, seconds=300)
    assert (run.status, run.attempts) == ("done", 2), run.message
    assert run.done == run.total > 0 and run.summary_csv.startswith("scenario,")
    engine_of(restarted).dispose()


def test_a_run_that_stopped_its_process_twice_fails_with_the_reason(app: Flask):
    run_id = _run(app, status="running", runner=_dead_runner(), attempts=2)
    restarted = _restart(app)
    run = _when_finished(restarted, run_id, seconds=5)
    assert run.status == "failed" and "stopped twice while running this scenario" in run.message
    engine_of(restarted).dispose()


def test_queued_runs_resume_when_the_app_starts(app: Flask):
    run_id = _run(app, status="queued")
    restarted = _restart(app)
    run = _when_finished(restarted, run_id)
    assert (run.status, run.attempts) == ("done", 1)
    engine_of(restarted).dispose()


def test_a_run_whose_process_is_alive_is_left_to_it(app: Flask):
    run_id = _run(app, status="running", runner=RUNNER, attempts=1)  # this very process
    restarted = _restart(app)
    time.sleep(1)
    with restarted.app_context():
        run = get_db().get(ScenarioRun, run_id)
        assert run is not None and (run.status, run.attempts) == ("running", 1)
    engine_of(restarted).dispose()


def test_a_commissioning_plans_run_stopped_with_its_process_is_started_again_on_restart(app: Flask):
    with app.app_context():
        db = get_db()
        text = "name: plan-restarted\nstart: 2026-11-23\nmonths: 12\nruns: 2\n"
        record = ScenarioRecord(name="plan-restarted", kind="commission", budget=3000.0, yaml_text=text)
        db.add(record)
        db.flush()
        run = ScenarioRun(scenario_id=record.id, kind="plan", yaml_text=record.yaml_text, budget=3000.0,
                          status="running", runner=_dead_runner(), attempts=1)  # fmt: skip
        db.add(run)
        db.commit()
        run_id = run.id
    restarted = _restart(app)
    run = _when_finished(restarted, run_id, seconds=300)
    assert (run.status, run.attempts) == ("done", 2), run.message
    assert run.plan_csv.startswith("district,") and run.savings_csv.startswith("scenario,metric")
    assert run.done == run.total == 8 + 1 + 3 * 2
    engine_of(restarted).dispose()
