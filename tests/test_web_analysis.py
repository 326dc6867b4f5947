"""Analysts in the web: the forecast as tables (council or district, any support level, 80%
intervals) and its files, the referral history and the children turning 18 by district and month
and their files; never a young person's page (403, and the attempt in the audit log)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_support import BACKENDS, ON, build_app, demo_app, signer

from planner.data.contract import Dataset
from planner.demo import generate_history
from planner.forecast.demand import FORECAST_COLUMNS, ForecastInputs, forecast
from planner.forecast.shortfall import shortfall_by_district
from planner.forecast.summaries import cohort_by_month, referrals_by_month
from web.commissioner.map.forecast import FORECAST_RUNS, HORIZON_MONTHS, SEED
from web.core.db import engine_of, get_db
from web.core.models import AuditEvent, YoungPerson
from web.core.seed import demo_dataset
from web.core.store import (
    cohort_frame,
    people_frame,
    referrals_frame,
    schemes_frame,
)

CHELTENHAM = "E07000078"


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = demo_app(request.param, tmp_path_factory.mktemp("analysis"), request)
    yield app
    engine_of(app).dispose()


@pytest.fixture
def analyst(app: Flask) -> FlaskClient:
    return signer(app)("analyst")


def _ready(client: FlaskClient, url: str) -> str:
    for _ in range(600):
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        page = response.get_data(as_text=True)
        if 'id="forecast-working"' not in page:
            return page
        time.sleep(0.1)
    raise AssertionError(f"{url} was never ready")


def _row(page: str, month: str) -> str:
    return page.split(f'data-month="{month}"', 1)[1].split("</tr>", 1)[0]


def _csv(client: FlaskClient, url: str) -> pd.DataFrame:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv", url
    return pd.read_csv(io.BytesIO(response.data), dtype={"month": str})


def test_the_forecast_tables_start_from_todays_map_with_intervals(app, analyst):
    page = _ready(analyst, "/forecast")
    with app.app_context():
        db = get_db()
        today = shortfall_by_district(Dataset(people_frame(db), schemes_frame(db)), on=ON)
    now = _row(page, "2026-11")
    assert f">{today['due'].sum():.1f}<" in now and f">{today['shortfall'].sum():.1f}<" in now
    assert "today" in now
    december = _row(page, "2026-12")
    assert " to " in december and f">{today['shortfall'].sum():.1f}<" in december  # still waiting from today
    assert page.count("data-month=") == HORIZON_MONTHS + 1  # today, then every month forecast
    ages = page.split('id="forecast-ages"', 1)[1].split("</table>", 1)[0]
    assert ages.count('data-band="19-21"') == HORIZON_MONTHS + 1

    cheltenham = _ready(analyst, f"/forecast?district={CHELTENHAM}")
    assert "Forecast of places needed: Cheltenham" in cheltenham
    first = _row(cheltenham, "2026-11")
    due, vacant, short = today.set_index("district").loc[
        CHELTENHAM, ["due", "suitable_vacancies", "shortfall"]
    ]
    assert short > 0 and all(f">{v:.1f}<" in first for v in (due, vacant, short)) and ">100%<" in first
    assert f">{short:.1f}<" in _row(cheltenham, "2026-12")  # Cheltenham's short today, still waiting
    assert analyst.get("/forecast?district=E09000001").status_code == 400
    assert analyst.get("/forecast?support_level=huge").status_code == 400


def test_the_forecast_file_is_the_one_planner_forecast_writes(app, analyst):
    _ready(analyst, "/forecast")
    got = _csv(analyst, "/forecast.csv")
    with app.app_context():
        db = get_db()
        inputs = ForecastInputs(referrals_frame(db), cohort_frame(db), schemes_frame(db), people_frame(db))
    want = forecast(inputs, months=HORIZON_MONTHS, runs=FORECAST_RUNS, seed=SEED, on=ON).table
    assert list(got.columns) == FORECAST_COLUMNS and len(got) == len(want)
    pd.testing.assert_frame_equal(
        got[FORECAST_COLUMNS[3:]], want[FORECAST_COLUMNS[3:]], atol=1e-3, check_dtype=False
    )
    ages = _csv(analyst, "/forecast/by-age.csv")
    assert list(ages.columns) == ["month", "age_band", "demand_mean", "demand_lo80", "demand_hi80"]


def test_the_history_by_district_and_month_and_its_files(app, analyst):
    page = analyst.get("/history").get_data(as_text=True)
    with app.app_context():
        db = get_db()
        referrals, cohort = referrals_frame(db), cohort_frame(db)
    by_month = referrals_by_month(referrals)
    assert by_month["referrals"].sum() == len(referrals)
    october = by_month[by_month["month"] == "2026-10"]
    row = _row(page.split('id="referral-months"', 1)[1], "2026-10")
    assert f">{october['referrals'].sum()}<" in row and f">{october['needing_place'].sum()}<" in row
    assert 'id="cohort-months"' in page and 'data-district="E07000081"' in page
    files = _csv(analyst, "/history/referrals.csv")
    assert list(files.columns) == [
        "month",
        "district",
        "name",
        "referrals",
        "needing_place",
        "at_18",
        "placed",
        "open",
    ]
    assert files["referrals"].sum() == len(referrals)
    turning = _csv(analyst, "/history/cohort.csv")
    assert list(turning.columns) == ["month", "district", "name", "turning_18", "fostered", "uasc"]
    assert turning["turning_18"].sum() == cohort_by_month(cohort, on=ON)["turning_18"].sum() > 0
    one = analyst.get(f"/history?district={CHELTENHAM}").get_data(as_text=True)
    cheltenham = by_month[(by_month["month"] == "2026-10") & (by_month["district"] == CHELTENHAM)]
    assert f">{int(cheltenham['referrals'].sum())}<" in _row(
        one.split('id="referral-months"', 1)[1], "2026-10"
    )
    assert analyst.get("/history?district=nowhere").status_code == 400


def test_an_analyst_is_refused_a_young_persons_page_and_the_attempt_is_audited(app, analyst):
    with app.app_context():
        person = get_db().scalar(select(YoungPerson.person_id).order_by(YoungPerson.person_id))
    for path in (f"/people/{person}", "/waiting-list", "/proposals"):
        assert analyst.get(path).status_code == 403, path
    with app.app_context():
        events = get_db().execute(
            select(AuditEvent.username, AuditEvent.person_id, AuditEvent.detail).where(
                AuditEvent.action == "access_denied", AuditEvent.person_id == person
            )
        )
        assert ("analyst", person, f"GET /people/{person}") in [tuple(e) for e in events]


def test_without_history_the_pages_say_so(tmp_path: Path, request: pytest.FixtureRequest):
    app = build_app("sqlite", tmp_path, request)  # the small example: no referrals, no cohort
    analyst = signer(app)("analyst")
    assert "There is no referral history" in analyst.get("/forecast").get_data(as_text=True)
    assert analyst.get("/forecast.csv").status_code == 400
    assert 'id="history-empty"' in analyst.get("/history").get_data(as_text=True)
    engine_of(app).dispose()


def test_the_summaries_count_each_referral_and_child_once():
    data, _ = demo_dataset(ON)
    history = generate_history(county="Gloucestershire", seed=1, on=ON)
    r = referrals_by_month(history.referrals)
    assert r["referrals"].sum() == len(history.referrals)
    assert (r["needing_place"] <= r["referrals"]).all() and (r["placed"] <= r["referrals"]).all()
    c = cohort_by_month(history.cohort, on=ON, months=12)
    assert set(c["month"]) <= {str(pd.Period(ON, "M") + i) for i in range(12)}
    eighteen = (history.cohort["date_of_birth"] + pd.DateOffset(years=18)).dt.to_period("M")
    inside = (eighteen >= pd.Period(ON, "M")) & (eighteen < pd.Period(ON, "M") + 12)
    assert c["turning_18"].sum() == int(inside.sum())
