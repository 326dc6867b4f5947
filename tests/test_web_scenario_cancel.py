"""A scenario run can be cancelled by whoever started it or an administrator (a button on the
run's page, CSRF, in the audit log): a queued run never starts, a running one stops at its next
step of progress and keeps nothing; SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import select
from web_support import ON, signer

from web.commissioner import scenario_runs
from web.core.db import get_db
from web.core.models import AuditEvent, User
from web.core.scenario_models import ScenarioRecord, ScenarioRun

YAML = f"name: cancel-me\nstart: {ON.isoformat()}\nmonths: 12\nruns: 5\n"


def _run(app: Flask, by: str, status: str = "queued") -> int:
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.username == by))
        record = ScenarioRecord(name=f"cancel-{time.monotonic_ns()}", description="", yaml_text=YAML,
                                created_by_id=user.id)  # fmt: skip
        db.add(record)
        db.flush()
        run = ScenarioRun(scenario_id=record.id, yaml_text=YAML, run_by_id=user.id, status=status)
        db.add(run)
        db.commit()
        return run.id


def _status(app: Flask, run_id: int) -> tuple[str, str]:
    with app.app_context():
        run = get_db().get(ScenarioRun, run_id)
        return run.status, run.summary_csv


def test_the_owner_cancels_a_queued_run_which_then_never_starts(web_app: Flask):
    run_id = _run(web_app, "commissioner")
    commissioner = signer(web_app)("commissioner")
    page = commissioner.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)
    assert 'id="cancel-run"' in page
    assert commissioner.post(f"/scenarios/runs/{run_id}/cancel").status_code == 303
    assert _status(web_app, run_id)[0] == "cancelled"
    shown = commissioner.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)
    assert "The run was cancelled" in shown and "Cancelled by commissioner." in shown
    scenario_runs.execute(web_app, run_id)  # the worker reaches it: nothing to run
    assert _status(web_app, run_id) == ("cancelled", "")
    with web_app.app_context():
        actions = list(
            get_db().scalars(select(AuditEvent.detail).where(AuditEvent.action == "cancel_scenario_run"))
        )
    assert len(actions) == 1 and actions[0].endswith(f", run {run_id}")


def test_only_the_owner_or_an_administrator_may_cancel(web_app: Flask):
    run_id = _run(web_app, "commissioner")
    with web_app.app_context():  # another commissioner
        from web_support import PASSWORD

        from web.core.auth import hash_password

        get_db().add(User(username="kim", role="commissioner", password_hash=hash_password(PASSWORD)))
        get_db().commit()
    kim = signer(web_app)("kim")
    assert 'id="cancel-run"' not in kim.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)
    assert kim.post(f"/scenarios/runs/{run_id}/cancel").status_code == 403
    assert _status(web_app, run_id)[0] == "queued"
    assert signer(web_app)("admin").post(f"/scenarios/runs/{run_id}/cancel").status_code == 303
    assert _status(web_app, run_id)[0] == "cancelled"


def test_cancelling_needs_the_forms_csrf_token(web_app: Flask):
    run_id = _run(web_app, "commissioner")
    commissioner = signer(web_app)("commissioner")
    web_app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = commissioner.post(f"/scenarios/runs/{run_id}/cancel")
    finally:
        web_app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and _status(web_app, run_id)[0] == "queued"


def test_a_running_run_stops_at_its_next_step_and_keeps_nothing(
    web_app: Flask, monkeypatch: pytest.MonkeyPatch
):
    steps: list[int] = []

    def slow_simulation(scenario, data, referrals, *, workers, progress):  # type: ignore[no-untyped-def]
        for i in range(600):  # a minute of work, in steps
            time.sleep(0.1)
            steps.append(i)
            progress(1, 600)
        raise AssertionError("not stopped")

    monkeypatch.setattr(scenario_runs, "simulate", slow_simulation)
    monkeypatch.setattr(scenario_runs, "referrals_frame", lambda db: pd.DataFrame(index=range(50)))
    run_id = _run(web_app, "commissioner")
    worker = threading.Thread(target=scenario_runs.execute, args=(web_app, run_id))
    worker.start()
    deadline = time.monotonic() + 60
    while len(steps) < 3 and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    with web_app.app_context():
        message = get_db().get(ScenarioRun, run_id).message
    assert _status(web_app, run_id)[0] == "running", message
    assert signer(web_app)("commissioner").post(f"/scenarios/runs/{run_id}/cancel").status_code == 303
    worker.join(timeout=30)
    assert not worker.is_alive() and len(steps) < 50
    assert _status(web_app, run_id) == ("cancelled", "")
