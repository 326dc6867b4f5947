"""The forecast the map's months and the forecast tables show, as a background run: worked out once
per data version (`web.core.versions`), date and horizon by the same machinery as scenario runs
(`web.commissioner.scenario_runs`: a row in `scenario_runs` of kind "forecast", keyed by its
`job_key`; claimed once, its progress in the database, started again after a restart), so every
worker process shows the same forecast and its progress, and a restart neither loses a finished
forecast nor leaves one half done. Its tables are kept as the CSV text `planner forecast` writes.
"""

from __future__ import annotations

import io
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.data.problems import InvalidInput
from planner.forecast.demand import ForecastInputs, forecast
from web.commissioner.scenario_runs import HANDLERS, Progress, submit
from web.core import versions
from web.core.models import Referral, utcnow
from web.core.scenario_models import ScenarioRun
from web.core.store import cohort_frame, people_frame, referrals_frame, schemes_frame

HORIZON_MONTHS = 24
FORECAST_RUNS = 500  # about half a second for a county's 24 months; the CLI defaults to 1,000
SEED = 0  # the same page shows the same figures
KEEP: Final = 3  # forecasts kept (data versions, dates, horizons); older ones are deleted
NO_HISTORY: Final = (
    "There is no referral history in the database, so there is nothing to forecast from. "
    "Import referrals.csv (and cohort.csv) on the Imports page."
)


@dataclass(frozen=True, slots=True)
class Kept:
    """A finished forecast's tables, as `planner.forecast.demand.Forecast` has them."""

    table: pd.DataFrame
    quantiles: pd.DataFrame
    by_age: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Job:
    """The forecast for a data version, date and horizon, as a page shows it: how far it has got,
    then its tables, or why there are none."""

    run_id: int
    status: str
    done: int
    total: int
    seconds: float
    result: Kept | None
    notes: list[str]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def key_of(version: int, on: date, horizon: int) -> str:
    return f"forecast:{version}:{on:%Y-%m-%d}:{horizon}"


def has_history(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(Referral)))


def job_for(app: Flask, db: Session, *, on: date, horizon: int) -> Job:
    """The forecast for the data as they are now, started in the background if there is none."""
    key = key_of(versions.current(db), on, horizon)  # the version before the data: see web.core.versions
    run = db.scalar(select(ScenarioRun).where(ScenarioRun.job_key == key))
    if run is None:
        run = ScenarioRun(kind="forecast", job_key=key, yaml_text="")
        db.add(run)
        try:
            db.commit()
        except IntegrityError:  # another request (or worker process) made it a moment ago
            db.rollback()
            run = db.scalar(select(ScenarioRun).where(ScenarioRun.job_key == key))
            assert run is not None
        else:
            _prune(db, run.id)
            submit(app, run.id, "forecast")
    return _job(app, run)


def reload(app: Flask, db: Session, job: Job) -> Job:
    """The job as the database has it now."""
    query = select(ScenarioRun).where(ScenarioRun.id == job.run_id).execution_options(populate_existing=True)
    run = db.scalar(query)
    if run is None:  # pruned meanwhile: a newer forecast replaced it
        return Job(job.run_id, "failed", 0, 0, 0.0, None, ["The data changed: open the page again."])
    db.commit()  # end the read, so the next one sees what the forecast's thread writes
    return _job(app, run)


def wait(app: Flask, db: Session, job: Job, seconds: float) -> Job:
    """The job once finished, or as far as it has got after `seconds`."""
    deadline = time.monotonic() + seconds
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
        job = reload(app, db, job)
    return job


def _job(app: Flask, run: ScenarioRun) -> Job:
    seconds = (utcnow() - run.created_at).total_seconds()
    notes = [n for n in run.message.split("\n") if n]
    result = _kept(app, run) if run.status == "done" else None
    return Job(run.id, run.status, run.done, run.total, seconds, result, notes)


def _kept(app: Flask, run: ScenarioRun) -> Kept:
    """The run's tables, read once per process (a county's are a few hundred kB of CSV)."""
    cache: OrderedDict[int, Kept] = app.extensions.setdefault("planner_forecasts", OrderedDict())
    found = cache.get(run.id)
    if found is None:
        text = {"month": str, "district": str, "support_level": str, "age_band": str}
        found = Kept(
            pd.read_csv(io.StringIO(run.summary_csv), dtype=text),
            pd.read_csv(io.StringIO(run.by_district_csv), dtype={"district": str}, parse_dates=["month"]),
            pd.read_csv(io.StringIO(run.by_month_csv), dtype=text),
            [n for n in run.message.split("\n") if n],
        )
        cache[run.id] = found
        while len(cache) > KEEP:
            cache.popitem(last=False)
    return found


def _prune(db: Session, newest: int) -> None:
    """Forecasts of data versions, dates or horizons gone by: the KEEP newest finished stay."""
    kept = (
        select(ScenarioRun.id)
        .where(ScenarioRun.kind == "forecast")
        .order_by(ScenarioRun.id.desc())
        .limit(KEEP)
    )
    old = [i for i in db.scalars(kept)]
    db.execute(
        delete(ScenarioRun).where(
            ScenarioRun.kind == "forecast",
            ScenarioRun.id.not_in([newest, *old]),
            ScenarioRun.status.in_(("done", "failed")),
        )
    )
    db.commit()


def _execute(db: Session, run: ScenarioRun, progress: Progress) -> None:
    """Work the forecast out (run by `scenario_runs.execute`, which keeps the status)."""
    _, _, rest = (run.job_key or "").partition(":")
    _, on_text, horizon = rest.split(":")
    told = 0

    def steps(k: int, total: int) -> None:  # the forecast counts steps done; runs count steps more
        nonlocal told
        progress(k - told, total)
        told = k

    referrals = referrals_frame(db)
    if referrals.empty:
        raise RuntimeError(NO_HISTORY)
    cohort = cohort_frame(db)
    inputs = ForecastInputs(referrals, None if cohort.empty else cohort, schemes_frame(db), people_frame(db))
    try:
        result = forecast(
            inputs,
            months=HORIZON_MONTHS,
            runs=FORECAST_RUNS,
            seed=SEED,
            on=date.fromisoformat(on_text),
            horizon_days=int(horizon),
            progress=steps,
        )
    except (InvalidInput, ValueError) as e:
        raise RuntimeError(f"The forecast could not run on the data in the database: {e}") from None
    run.summary_csv = result.table.to_csv(index=False)
    run.by_district_csv = result.quantiles.to_csv(index=False)
    run.by_month_csv = result.by_age.to_csv(index=False)
    run.message = "\n".join(result.notes)


HANDLERS["forecast"] = _execute
