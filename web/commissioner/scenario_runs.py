"""Scenario runs and commissioning plans' runs in the background: one worker thread in the app's
process, status and progress in the database (so any request, from any worker process, can show
them), results kept as the CSV text `planner scenario` and `planner commission` write.

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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from planner.data.contract import Dataset
from planner.data.problems import InvalidInput
from planner.simulate.commissioning import Plan, commission, savings
from planner.simulate.report import chart_by_month
from planner.simulate.simulation import SimulationResult, simulate
from web.commissioner.scenario_yaml import parse
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
Progress = Callable[[int, int], None]
# What runs a kind of run other than a scenario or a plan: the forecast registers its own
# (`web.commissioner.map.forecast`), so this module need not import it.
HANDLERS: dict[str, Callable[[Session, ScenarioRun, Progress], None]] = {}
# The columns a handler fills in on its run: kept only if the run was not cancelled meanwhile.
KEPT = ("summary_csv", "by_district_csv", "by_month_csv", "chart_svg", "plan_csv", "rule_csv", "savings_csv",
        "message")  # fmt: skip


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


def _executor(app: Flask, kind: str) -> ThreadPoolExecutor:
    """One thread for scenarios and plans, one for forecasts: runs queue rather than share the 2
    cores with each other and the pages, but a forecast (seconds) never waits behind a plan."""
    name = "planner_forecaster" if kind == "forecast" else "scenario_runner"
    pool = app.extensions.get(name)
    if pool is None:
        pool = app.extensions[name] = ThreadPoolExecutor(1, thread_name_prefix=name)
    return pool  # type: ignore[no-any-return]


def recover(app: Flask) -> list[int]:
    """At start: runs left `running` by a process that is gone go back to the queue (or fail,
    the second time, with the reason); then this process starts every queued run."""
    queued: list[tuple[int, str]] = []
    try:
        with app.app_context():
            db = get_db()
            for run in db.scalars(select(ScenarioRun).where(ScenarioRun.status.in_(("queued", "running")))):
                if run.status == "running" and not _alive(run.runner, run.updated_at):
                    again = run.attempts < MAX_ATTEMPTS
                    message = (
                        "Interrupted when the service stopped; started again."
                        if again
                        else f"The service stopped twice while running this {run.kind}, so it was not "
                        "started again: run it again, with fewer runs if it keeps stopping."
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
                        queued.append((run.id, run.kind))
                elif run.status == "queued":
                    queued.append((run.id, run.kind))
            db.commit()
    except SQLAlchemyError:  # not migrated yet: nothing to recover
        log.info("scenario runs not recovered: the database is not ready")
        return []
    for run_id, kind in queued:
        submit(app, run_id, kind)
    return [run_id for run_id, _ in queued]


def submit(app: Flask, run_id: int, kind: str = "scenario") -> Future[None]:
    """Start a queued run in the background (the caller has committed it)."""
    return _executor(app, kind).submit(execute, app, run_id)


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
    """Do a queued run, once, whichever process asks first: simulate a scenario and its baseline,
    choose a commissioning plan's purchases, or work out the forecast (`HANDLERS`); keep the results."""
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
            HANDLERS.get(run.kind, _simulate)(db, run, _progress(db, run))
            outcome: dict[str, object] = {c: getattr(run, c) for c in KEPT} | {"status": "done"}
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


def _progress(db: Session, run: ScenarioRun) -> Progress:
    """`progress(n, total)` for the planner's functions: the steps done so far go to the run's row
    (at most every PROGRESS_EVERY_SECONDS), where any request can read them."""
    done, last = 0, 0.0

    def tell(n: int, total: int) -> None:
        nonlocal done, last
        if _cancelled(db, run.id):
            raise Cancelled
        done += n
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY_SECONDS or done == total:
            run.done, run.total, run.updated_at = done, total, utcnow()
            db.commit()
            last = now

    return tell


def _simulate(db: Session, run: ScenarioRun, progress: Progress) -> None:
    """A scenario with its baseline, or a commissioning plan: where to buy within the budget, as
    `planner commission` does; on the database's data as they are now."""
    t0 = time.perf_counter()
    schemes = schemes_frame(db)
    scenario = parse(run.yaml_text, set(schemes["scheme_id"]))
    data = Dataset(people_frame(db, waiting_only=True), schemes)
    referrals = referrals_frame(db)
    if len(referrals) < MIN_REFERRALS:
        raise RuntimeError("there is no referral history to estimate demand from: import referrals.csv first")
    if run.kind == "plan" and run.budget is not None:
        plan = commission(scenario, data, referrals, run.budget, workers=1, progress=progress)
        _keep_plan(run, plan, time.perf_counter() - t0)
    else:
        _keep_simulation(run, simulate(scenario, data, referrals, workers=1, progress=progress))


def _keep_simulation(run: ScenarioRun, result: SimulationResult) -> None:
    """The result tables as the CSV text `planner scenario` writes, and the chart, drawn once."""
    run.summary_csv = result.summary.to_csv(index=False)
    run.by_district_csv = result.by_district.to_csv(index=False)
    run.by_month_csv = result.by_month.to_csv(index=False)
    run.chart_svg = chart_by_month(result.by_month)
    run.message = f"{len(result.runs)} runs in {result.seconds:.1f} s"


def _keep_plan(run: ScenarioRun, plan: Plan, seconds: float) -> None:
    """A plan's purchases, the simple rule's, what each saves, and the check's tables (buying
    nothing, the plan and the rule simulated on fresh runs), as `planner commission` writes them."""
    _keep_simulation(run, plan.verification)
    run.plan_csv, run.rule_csv = plan.plan.to_csv(index=False), plan.rule.to_csv(index=False)
    run.savings_csv = savings(plan.verification).to_csv(index=False)
    found = {"optimal": "the best plan", "time_limit": "the best plan found in the solver's time"}
    run.message = (
        f"{found.get(plan.status, 'no plan within the solver time: nothing bought')}, checked on "
        f"{len(plan.verification.runs) // 3} runs, in {seconds:.0f} s"
    )
