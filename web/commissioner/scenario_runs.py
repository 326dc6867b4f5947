"""Scenario runs in the background: one worker thread in the app's process, status and progress
in the database (so any request, from any worker process, can show them), results kept as the
CSV text `planner scenario` writes.

A thread is enough at this product's scale: a run of a county with the web's default 20 runs and
12 months takes a few seconds. Studies of hundreds of runs belong to `planner scenario` (which
can use every core or a Dask cluster).

A run can be cancelled while queued or running (`cancel`): its status says so at once, and the
worker, which looks at the status at each step of progress, stops there and keeps nothing.

Runs survive restarts: each records the process running it (`runner`); when an app starts
(`recover`), a run whose process is gone goes back to the queue (once: a run that stops its
process twice fails with the reason) and every queued run is started. Any process may start a
queued run; the claim is one conditional UPDATE, so exactly one does.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from planner.data.contract import Dataset
from planner.data.problems import InvalidInput
from planner.simulate.report import chart_by_month
from planner.simulate.simulation import simulate
from web.commissioner.scenario_form import parse
from web.core import audit
from web.core.db import get_db
from web.core.models import User, utcnow
from web.core.scenario_models import ScenarioRun
from web.core.store import people_frame, referrals_frame, schemes_frame

log = logging.getLogger(__name__)

MIN_REFERRALS = 10  # planner.simulate.world needs at least this many to estimate demand
PROGRESS_EVERY_SECONDS = 0.5  # progress is written at most this often
STALE = timedelta(minutes=10)  # a run not heard from for this long stopped with its process
UNEXPECTED = "The simulation stopped with an unexpected error; the service log has the details."
MAX_ATTEMPTS = 2  # a run that stopped its process twice is not started a third time


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc), or None if there is none."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


RUNNER = f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid()) or ''}"


def _alive(runner: str, heard: datetime) -> bool:
    """Whether the process that claimed a run still runs: on this host, by its pid and start
    time (pids are reused after a restart); elsewhere, by having been heard from lately."""
    host, _, rest = runner.partition(":")
    pid, _, started = rest.partition(":")
    if host == socket.gethostname() and pid.isdigit() and Path("/proc/self/stat").exists():
        return _started(int(pid)) == started
    return utcnow() - heard < STALE


def _executor(app: Flask) -> ThreadPoolExecutor:
    pool = app.extensions.get("scenario_runner")
    if pool is None:
        # One at a time: runs queue rather than share the 2 cores with each other and the pages.
        pool = app.extensions["scenario_runner"] = ThreadPoolExecutor(1, thread_name_prefix="scenario")
    return pool  # type: ignore[no-any-return]


def recover(app: Flask) -> list[int]:
    """At start: runs left `running` by a process that is gone go back to the queue (or fail,
    the second time, with the reason); then this process starts every queued run."""
    queued: list[int] = []
    try:
        with app.app_context():
            db = get_db()
            for run in db.scalars(select(ScenarioRun).where(ScenarioRun.status.in_(("queued", "running")))):
                if run.status == "running" and not _alive(run.runner, run.updated_at):
                    again = run.attempts < MAX_ATTEMPTS
                    message = (
                        "Interrupted when the service stopped; started again."
                        if again
                        else "The service stopped twice while running this scenario, so it was not started "
                        "again: run it again, with fewer runs if it keeps stopping."
                    )
                    changes: dict[str, object] = {"status": "queued" if again else "failed"}
                    changes |= {"message": message, "done": 0}
                    if not again:
                        changes["finished_at"] = utcnow()
                    db.execute(
                        update(ScenarioRun)
                        .where(ScenarioRun.id == run.id, ScenarioRun.status == "running",
                               ScenarioRun.runner == run.runner)
                        .values(updated_at=utcnow(), **changes)
                    )  # fmt: skip
                    log.warning("scenario run %s was interrupted: %s", run.id, message)
                    if again:
                        queued.append(run.id)
                elif run.status == "queued":
                    queued.append(run.id)
            db.commit()
    except SQLAlchemyError:  # not migrated yet: nothing to recover
        log.info("scenario runs not recovered: the database is not ready")
        return []
    for run_id in queued:
        submit(app, run_id)
    return queued


def submit(app: Flask, run_id: int) -> Future[None]:
    """Start a queued run in the background (the caller has committed it)."""
    return _executor(app).submit(execute, app, run_id)


class Cancelled(Exception):
    """The run was cancelled while it ran: the worker stops at its next step of progress."""


def cancel(db: Session, run: ScenarioRun, user: User) -> bool:
    """Cancel a queued or running run (the caller has checked who may): whether it was still
    going. In the audit log; one conditional UPDATE, so a run finishing meanwhile stays done."""
    now = utcnow()
    done = db.execute(
        update(ScenarioRun)
        .where(ScenarioRun.id == run.id, ScenarioRun.status.in_(("queued", "running")))
        .values(status="cancelled", message=f"Cancelled by {user.username}.", finished_at=now, updated_at=now)
    )
    if not getattr(done, "rowcount", 0):
        db.rollback()
        return False
    audit.record("cancel_scenario_run", detail=f"scenario {run.scenario_id}, run {run.id}")
    db.commit()
    return True


def _cancelled(db: Session, run_id: int) -> bool:
    return db.scalar(select(ScenarioRun.status).where(ScenarioRun.id == run_id)) == "cancelled"


def is_stale(run: ScenarioRun) -> bool:
    return run.status in ("queued", "running") and utcnow() - run.updated_at > STALE


def execute(app: Flask, run_id: int) -> None:
    """Simulate a run's scenario and its baseline on the database's current data; store the results."""
    with app.app_context():
        db = get_db()
        claim = (
            update(ScenarioRun)
            .where(ScenarioRun.id == run_id, ScenarioRun.status == "queued")
            .values(status="running", runner=RUNNER, attempts=ScenarioRun.attempts + 1, updated_at=utcnow())
        )
        claimed = getattr(db.execute(claim), "rowcount", 0)
        db.commit()
        run = db.get(ScenarioRun, run_id)
        if run is None or not claimed:
            return  # gone, or another process took it
        t0 = time.perf_counter()
        try:
            schemes = schemes_frame(db)
            scenario = parse(run.yaml_text, set(schemes["scheme_id"]))
            data = Dataset(people_frame(db, waiting_only=True), schemes)
            referrals = referrals_frame(db)
            if len(referrals) < MIN_REFERRALS:
                raise RuntimeError(
                    "there is no referral history to estimate demand from: import referrals.csv first"
                )
            done, last = 0, 0.0

            def progress(n: int, total: int) -> None:
                nonlocal done, last
                if _cancelled(db, run_id):
                    raise Cancelled
                done += n
                now = time.perf_counter()
                if now - last >= PROGRESS_EVERY_SECONDS or done == total:
                    run.done, run.total, run.updated_at = done, total, utcnow()
                    db.commit()
                    last = now

            result = simulate(scenario, data, referrals, workers=1, progress=progress)
            outcome: dict[str, object] = {
                "summary_csv": result.summary.to_csv(index=False),
                "by_district_csv": result.by_district.to_csv(index=False),
                "by_month_csv": result.by_month.to_csv(index=False),
                "chart_svg": chart_by_month(result.by_month),
                "status": "done",
                "message": f"{len(result.runs)} runs in {result.seconds:.1f} s",
            }
        except Cancelled:
            log.info("scenario run %s cancelled", run_id)
            db.rollback()
            return
        except InvalidInput as e:
            outcome = {"status": "failed", "message": "; ".join(str(p) for p in e.problems)}
        except RuntimeError as e:
            outcome = {"status": "failed", "message": str(e)}
        except Exception:
            log.exception("scenario run %s failed", run_id)
            outcome = {"status": "failed", "message": UNEXPECTED}
        db.rollback()
        now = utcnow()
        # Unless it was cancelled meanwhile: then nothing of it is kept.
        db.execute(
            update(ScenarioRun)
            .where(ScenarioRun.id == run_id, ScenarioRun.status == "running")
            .values(seconds=time.perf_counter() - t0, finished_at=now, updated_at=now, **outcome)
        )
        db.commit()


def frame(text: str) -> pd.DataFrame:
    """A stored result table back as a frame (empty when the run has none)."""
    import io

    return pd.read_csv(io.StringIO(text)) if text else pd.DataFrame()
