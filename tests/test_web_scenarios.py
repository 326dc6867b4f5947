"""Scenarios in the web app: create and edit (form and YAML), run in the background, results and
CSV files, roles and CSRF; on the demo county with its referral history, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import BACKENDS, ON, build_app, demo_app, signer

from planner.data.contract import Dataset
from planner.demo import generate_history
from planner.forecast.demand import ForecastInputs, forecast
from planner.simulate.simulation import METRICS, simulate
from web.commissioner.map.forecast import FORECAST_RUNS, HORIZON_MONTHS, SEED, forecast_table
from web.commissioner.scenario_runs import STALE
from web.commissioner.scenario_yaml import parse
from web.core.db import engine_of, get_db
from web.core.models import AuditEvent, Scheme, utcnow
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import (
    cohort_frame,
    people_frame,
    referrals_frame,
    schemes_frame,
)

FOREST_OF_DEAN = "E07000080"  # the demo county's short district: high-risk people wait there


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo county with its referral history; tests add scenarios with names of their own."""
    app = demo_app(request.param, tmp_path_factory.mktemp("scenarios"), request)
    yield app
    engine_of(app).dispose()


@pytest.fixture
def commissioner(app: Flask) -> FlaskClient:
    return signer(app)("commissioner")


def form_data(name: str, entries: dict[str, object] | None = None, **fields: object) -> dict[str, object]:
    """The form as a commissioner fills it: 8 intensive places for high-risk young people in the
    Forest of Dean from the start, 12 months, 20 runs; `entries` changes the lists' boxes
    (`adds-0-places`), `fields` the others."""
    data: dict[str, object] = {
        "source": "form",
        "name": name,
        "description": "More intensive places in the Forest of Dean",
        "start": ON.isoformat(),
        "months": "12",
        "runs": "20",
        "policies": ["fcfs", "optimised"],
        "growth-0-scope": "",
        "growth-0-percent": "",
        "adds-0-district": FOREST_OF_DEAN,
        "adds-0-accom_type": "D",
        "adds-0-support_level": "intensive",
        "adds-0-places": "8",
        "adds-0-weekly_cost": "1650",
        "adds-0-start": ON.isoformat(),
        "adds-0-contract": "block",
        "adds-0-high_risk": "y",
        "adds-0-ofsted": "y",
        "closes-0-scheme": "",
        "closes-0-start": "",
        "cuts-0-scheme": "",
        "cuts-0-capacity": "",
        "cuts-0-weekly_cost": "",
        "cuts-0-start": "",
        "bnb_weekly": "490",
        "emergency_weekly": "1400",
    }
    data.update(entries or {})
    data.update(fields)
    return data


def saved(app: Flask, name: str) -> ScenarioRecord | None:
    with app.app_context():
        return get_db().scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))


def create(client: FlaskClient, name: str, entries: dict[str, object] | None = None, **fields: object) -> int:
    response = client.post("/scenarios/new", data=form_data(name, entries, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def wait_for(client: FlaskClient, run_id: int, seconds: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status: dict[str, object] = client.get(f"/scenarios/runs/{run_id}/status").get_json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {seconds} s")


def test_the_form_writes_the_scenario_as_yaml_that_planner_reads(app, commissioner):
    scenario_id = create(commissioner, "form-yaml")
    record = saved(app, "form-yaml")
    assert record is not None and record.id == scenario_id
    with app.app_context():
        scenario = parse(record.yaml_text, set(schemes_frame(get_db())["scheme_id"]))
    (added,) = scenario.changes
    assert (added.district, added.support_level, added.places, added.weekly_cost) == (
        FOREST_OF_DEAN, "intensive", 8, 1650.0
    )  # fmt: skip
    assert added.accepts_high_risk and added.contract == "block"
    assert (scenario.months, scenario.runs, scenario.policies) == (12, 20, ("fcfs", "optimised"))
    page = commissioner.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "district: E07000080   # Forest of Dean" in page  # the YAML is shown


def test_a_bad_form_value_is_refused_with_400_naming_the_field_and_nothing_is_saved(app, commissioner):
    response = commissioner.post("/scenarios/new", data=form_data("bad-places", {"adds-0-places": "0"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Places must be a whole number from 1" in page
    assert 'href="#adds-0-places"' in page
    response = commissioner.post("/scenarios/new", data=form_data("bad-cost", {"adds-0-weekly_cost": ""}))
    assert response.status_code == 400
    assert "Enter the weekly cost per place" in response.get_data(as_text=True)
    assert saved(app, "bad-places") is None and saved(app, "bad-cost") is None


def test_dates_come_in_the_gov_uk_date_input_and_must_be_real(app, commissioner):
    boxes = {"start": "", "closes-0-start": "", "adds-0-start": "", "start-day": "7", "start-month": "12",
             "start-year": "2026", "adds-0-start-day": "4", "adds-0-start-month": "1",
             "adds-0-start-year": "2027"}  # fmt: skip
    scenario_id = create(commissioner, "boxes", boxes)
    record = saved(app, "boxes")
    assert record is not None and "start: 2026-12-07" in record.yaml_text
    assert "from: 2027-01-04" in record.yaml_text
    page = commissioner.get(f"/scenarios/{scenario_id}/edit").get_data(as_text=True)
    assert 'name="start-day" type="text" inputmode="numeric" value="7"' in page
    wrong = boxes | {"start-day": "31", "start-month": "2", "adds-0-start-year": ""}
    response = commissioner.post("/scenarios/new", data=form_data("bad-dates", wrong))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Start date must be a real date" in page and 'href="#start-day"' in page
    assert "Places available from must include a year" in page
    assert saved(app, "bad-dates") is None


def test_bad_yaml_is_refused_with_400_naming_the_line_and_key(app, commissioner):
    text = f"name: bad-yaml\nstart: {ON.isoformat()}\nmonths: 50\nruns: 20\n"
    response = commissioner.post("/scenarios/new", data={"source": "yaml", "yaml_text": text})
    assert response.status_code == 400
    assert "Line 3, key months: 50 is outside 12 to 36" in response.get_data(as_text=True)
    text = f"name: too-many-runs\nstart: {ON.isoformat()}\nruns: 5000\n"
    response = commissioner.post("/scenarios/new", data={"source": "yaml", "yaml_text": text})
    assert response.status_code == 400
    assert "Line 3, key runs: 5000 is more than 200, the most the web app" in response.get_data(as_text=True)
    text = f"name: bad-data\ndata: ../demo\nstart: {ON.isoformat()}\n"
    response = commissioner.post("/scenarios/new", data={"source": "yaml", "yaml_text": text})
    assert response.status_code == 400
    assert "Line 2, key data: remove this key" in response.get_data(as_text=True)
    closure = "changes:\n  - close_scheme:\n      scheme_id: NOPE\n      from: 2027-01-04\n"
    text = f"name: bad-scheme\nstart: {ON.isoformat()}\n{closure}"
    response = commissioner.post("/scenarios/new", data={"source": "yaml", "yaml_text": text})
    assert response.status_code == 400
    assert (
        "key changes[0].close_scheme.scheme_id: &#39;NOPE&#39; is not a suitable scheme"
        in response.get_data(as_text=True)
    )
    assert saved(app, "bad-yaml") is None and saved(app, "bad-scheme") is None


def test_editing_with_a_bad_value_is_refused_and_the_scenario_is_unchanged(app, commissioner):
    scenario_id = create(commissioner, "to-edit")
    before = saved(app, "to-edit")
    response = commissioner.post(f"/scenarios/{scenario_id}/edit", data=form_data("to-edit", months="40"))
    assert response.status_code == 400
    assert "Months to simulate must be 12 to 36" in response.get_data(as_text=True)
    after = saved(app, "to-edit")
    assert after is not None and before is not None and after.yaml_text == before.yaml_text
    # A good edit through the YAML box: the form shows it again on the edit page.
    text = before.yaml_text.replace("places: 8", "places: 5")
    response = commissioner.post(f"/scenarios/{scenario_id}/edit", data={"source": "yaml", "yaml_text": text})
    assert response.status_code == 303
    page = commissioner.get(f"/scenarios/{scenario_id}/edit").get_data(as_text=True)
    assert re.search(r'id="adds-0-places"[^>]*value="5"', page)


def test_two_scenarios_cannot_share_a_name(app, commissioner):
    create(commissioner, "same-name")
    response = commissioner.post("/scenarios/new", data=form_data("same-name"))
    assert response.status_code == 400
    assert "is the name of another scenario" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "analyst"])
def test_officers_and_analysts_cannot_make_scenarios_and_officers_cannot_read_them(app, role):
    client = signer(app)(role)
    assert client.get("/scenarios").status_code == (403 if role == "officer" else 200)
    assert client.post("/scenarios/new", data=form_data(f"by-{role}")).status_code == 403
    assert saved(app, f"by-{role}") is None


def test_a_post_without_the_csrf_token_gets_400_and_saves_nothing(app, commissioner):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = commissioner.post("/scenarios/new", data=form_data("no-token"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert saved(app, "no-token") is None


def test_a_run_finishes_in_the_background_with_the_simulations_numbers_and_fewer_bnb_nights(
    app, commissioner
):
    scenario_id = create(commissioner, "forest-places")
    response = commissioner.post(f"/scenarios/{scenario_id}/run")
    assert response.status_code == 303
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    status = wait_for(commissioner, run_id)
    assert status["status"] == "done", status["message"]
    assert status["done"] == status["total"] == 2 * 2 * 20  # scenario and baseline, 2 policies, 20 runs

    summary = pd.read_csv(io.BytesIO(commissioner.get(f"/scenarios/runs/{run_id}/summary.csv").data))
    with app.app_context():
        db = get_db()
        schemes = schemes_frame(db)
        scenario = parse(saved(app, "forest-places").yaml_text, set(schemes["scheme_id"]))  # type: ignore[union-attr]
        direct = simulate(scenario, Dataset(people_frame(db), schemes), referrals_frame(db)).summary
        audited = db.scalar(select(func.count()).where(AuditEvent.action == "run_scenario"))
    pd.testing.assert_frame_equal(summary, direct, check_exact=False, rtol=1e-9)
    bnb = summary[(summary["metric"] == "bnb_nights") & (summary["policy"] == "fcfs")].set_index("scenario")
    assert bnb.at["forest-places", "mean"] < bnb.at["baseline", "mean"]
    assert audited >= 1

    page = commissioner.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Results</h1>' in page
    assert "<svg" in page  # the B&B and emergency nights chart, inline
    # The baseline month by month beside the council's DfE figures, as planner scenario prints it.
    baseline = page[page.index('id="baseline-heading"') : page.index("B&amp;B and emergency nights by month")]
    assert (
        "of DfE&#39;s" in baseline and "care leavers aged 17-21" in baseline and "first quarter" in baseline
    )
    months = pd.read_csv(io.BytesIO(commissioner.get(f"/scenarios/runs/{run_id}/by_month.csv").data))
    shown = months[(months["scenario"] == "baseline") & (months["policy"] == "optimised")]["month"].unique()
    assert baseline.count('<th scope="row" class="govuk-table__header app-month">') == len(shown)
    assert re.search(r"app-month\">[A-Z][a-z]{2} 20\d\d</th>", baseline)
    by_district = pd.read_csv(io.BytesIO(commissioner.get(f"/scenarios/runs/{run_id}/by_district.csv").data))
    nights = by_district[
        (by_district["policy"] == "optimised")
        & by_district["metric"].isin(["bnb_nights", "emergency_nights"])
    ]
    for code, total in nights.groupby("district")["mean"].sum().items():
        assert (f'data-district="{code}"' in page) == (total > 0), code  # districts with nights are listed
    listing = commissioner.get("/scenarios").get_data(as_text=True)
    assert "forest-places" in listing and "→" in listing


def test_the_csv_downloads_have_the_columns_planner_scenario_writes(app, commissioner):
    with app.app_context():
        db = get_db()
        run = db.scalar(select(ScenarioRun).where(ScenarioRun.status == "done"))
        name = db.get(ScenarioRecord, run.scenario_id).name if run else "csv-shape"  # type: ignore[union-attr]
    if run is None:  # run a scenario when the test above did not (this test run alone)
        scenario_id = create(commissioner, name)
        run_id = int(commissioner.post(f"/scenarios/{scenario_id}/run").headers["Location"].rsplit("/", 1)[1])
        assert wait_for(commissioner, run_id)["status"] == "done"
    else:
        run_id = run.id
    expected = {
        "summary": ["scenario", "policy", "metric", "mean", "lo80", "hi80"],
        "by_district": ["scenario", "policy", "district", "name", "metric", "mean", "lo80", "hi80"],
        "by_month": ["scenario", "policy", "month", "metric", "mean", "lo80", "hi80"],
    }
    for table, columns in expected.items():
        response = commissioner.get(f"/scenarios/runs/{run_id}/{table}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f"-{table}.csv" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0] == columns
        assert {r[0] for r in rows[1:]} == {"baseline", name}
    summary_rows = list(
        csv.reader(io.StringIO(commissioner.get(f"/scenarios/runs/{run_id}/summary.csv").text))
    )
    assert len(summary_rows) - 1 == 2 * 2 * len(METRICS)  # scenarios x policies x metrics
    assert commissioner.get(f"/scenarios/runs/{run_id}/other.csv").status_code == 404


def test_without_referral_history_a_run_is_refused_and_the_page_says_why(tmp_path: Path, request):
    app = build_app("sqlite", tmp_path, request)  # the small example: no referrals
    client = signer(app)("commissioner")
    scenario_id = create(client, "no-history", {"adds-0-district": "E07000081"})
    assert "no referral history" in client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert client.post(f"/scenarios/{scenario_id}/run").status_code == 400
    engine_of(app).dispose()


def forecast_page(client: FlaskClient, url: str, timeout: float = 120) -> str:
    """A forecast map page once its forecast is worked out (until then the page shows progress
    and refreshes itself, as a browser would)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        if 'id="forecast-working"' not in page or time.monotonic() > deadline:
            return page
        assert '<meta http-equiv="refresh" content="2">' in page
        time.sleep(0.2)


def test_the_map_shows_the_forecast_shortfall_for_a_chosen_month(app, commissioner):
    page = forecast_page(commissioner, "/map?month=2027-06")
    assert "Forecast shortfall of places by district, Jun 2027" in page
    assert 'id="shortfall-map"' in page
    with app.app_context():
        db = get_db()
        cohort = cohort_frame(db)
        inputs = ForecastInputs(referrals_frame(db), cohort, schemes_frame(db), people_frame(db))
    # The map works out every month it offers (HORIZON_MONTHS) once; June is a slice of that.
    table = forecast(inputs, months=HORIZON_MONTHS, runs=FORECAST_RUNS, seed=SEED, on=ON).table
    june = table[(table["month"] == "2027-06") & (table["support_level"] == "all")]
    assert len(june) == 6  # Gloucestershire's districts
    for row in june.itertuples():
        cells = re.search(rf'data-district="{row.district}">(.*?)</tr>', page, re.S)
        assert cells is not None, row.district
        assert f">{row.demand_mean:.1f}<" in cells.group(1)
        assert f'data-column="shortfall">{round(row.shortfall_mean)}' in cells.group(1).replace(
            "<strong>", ""
        )
    assert commissioner.get("/map?month=1999-01").status_code == 400


@pytest.mark.parametrize("level", ["", "none", "low", "medium", "high", "intensive"])
def test_the_maps_today_view_and_the_forecasts_first_month_agree_everywhere(app, commissioner, level):
    # The demo county: the CSV behind today's map and the forecast's first month (today's month,
    # counted as today's position), district by district, for every support level.
    query = f"?support_level={level}" if level else ""
    today = {r["district"]: r for r in csv.DictReader(io.StringIO(
        commissioner.get(f"/map.csv{query}").get_data(as_text=True)))}  # fmt: skip
    with app.test_request_context():
        first, _ = forecast_table(get_db(), on=ON, month="2026-11", support_level=level or None)
    assert first is not None and set(first["district"]) == set(today) and len(today) == 6
    for r in first.itertuples():
        t = today[r.district]
        assert (r.demand_mean, r.supply_mean, r.shortfall_mean) == (
            int(t["due"]),
            int(t["suitable_vacancies"]),
            int(t["shortfall"]),
        ), r.district
    assert sum(int(t["due"]) for t in today.values()) > 0


def test_the_forecast_map_says_when_there_is_no_history_to_forecast_from(tmp_path: Path, request):
    app = build_app("sqlite", tmp_path, request)  # the small example: no referrals
    client = signer(app)("commissioner")
    response = client.get("/map?month=2027-06")
    assert response.status_code == 200
    assert "There is no referral history in the database" in response.get_data(as_text=True)
    engine_of(app).dispose()


def test_a_referral_history_upload_is_validated_and_replaces_the_history(tmp_path: Path, request):
    app = build_app("sqlite", tmp_path, request)
    officer = signer(app)("officer")
    with app.app_context():
        history = generate_history(county="Gloucestershire", seed=1, on=ON)
    good = history.referrals.head(40)
    text = io.StringIO()
    good.assign(
        referral_date=good["referral_date"].dt.strftime("%Y-%m-%d"),
        date_of_birth=good["date_of_birth"].dt.strftime("%Y-%m-%d"),
        placed_date=good["placed_date"].dt.strftime("%Y-%m-%d"),
        left_date=good["left_date"].dt.strftime("%Y-%m-%d"),
        risks=good["risks"].map(";".join),
    ).to_csv(text, index=False)
    bad = text.getvalue().replace(good["home_district"].iloc[2], "E99999999", 1)
    response = officer.post(
        "/imports/history", data={"referrals": (io.BytesIO(bad.encode()), "referrals.csv")}
    )
    assert response.status_code == 400
    assert "referrals.csv row" in response.get_data(as_text=True) and "home_district" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert referrals_frame(get_db()).empty
    response = officer.post(
        "/imports/history", data={"referrals": (io.BytesIO(text.getvalue().encode()), "referrals.csv")}
    )
    assert response.status_code == 303
    with app.app_context():
        stored = referrals_frame(get_db())
    pd.testing.assert_frame_equal(stored, good.reset_index(drop=True), check_dtype=False)
    engine_of(app).dispose()


def test_a_run_whose_scheme_was_removed_since_fails_with_a_message_naming_it(app, commissioner):
    with app.app_context():
        db = get_db()
        scheme = db.scalar(select(Scheme).where(Scheme.accom_type == "D").order_by(Scheme.scheme_id))
        assert scheme is not None
        keep = {a.key: getattr(scheme, a.key) for a in Scheme.__mapper__.column_attrs}
    closure = {"adds-0-places": "", "adds-0-district": "", "adds-0-weekly_cost": "",
               "closes-0-scheme": keep["scheme_id"], "closes-0-start": "04/01/2027"}  # fmt: skip
    scenario_id = create(commissioner, "closure-gone", closure)
    with app.app_context():
        db = get_db()
        db.delete(db.get(Scheme, keep["scheme_id"]))  # as an import of a new schemes.csv would
        db.commit()
    try:
        run_id = int(commissioner.post(f"/scenarios/{scenario_id}/run").headers["Location"].rsplit("/", 1)[1])
        status = wait_for(commissioner, run_id)
    finally:
        with app.app_context():
            db = get_db()
            db.add(Scheme(**keep))
            db.commit()
    assert status["status"] == "failed"
    assert f"{keep['scheme_id']!r} is not a suitable scheme here" in str(status["message"])
    page = commissioner.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)
    assert "The simulation could not run" in page and "Traceback" not in page


def test_a_run_not_heard_from_for_ten_minutes_shows_as_interrupted(app, commissioner):
    scenario_id = create(commissioner, "interrupted")
    with app.app_context():
        db = get_db()
        run = ScenarioRun(
            scenario_id=scenario_id, yaml_text="", status="running", updated_at=utcnow() - STALE
        )
        db.add(run)
        db.commit()
        run_id = run.id
    assert commissioner.get(f"/scenarios/runs/{run_id}/status").get_json()["status"] == "failed"
    assert "Run the scenario again" in commissioner.get(f"/scenarios/runs/{run_id}").get_data(as_text=True)


def test_a_run_of_the_clairvoyant_bound_alone_shows_its_results(app, commissioner):
    scenario_id = create(commissioner, "bound-only", policies=["clairvoyant"], runs="3")
    run_id = int(commissioner.post(f"/scenarios/{scenario_id}/run").headers["Location"].rsplit("/", 1)[1])
    assert wait_for(commissioner, run_id)["status"] == "done"
    page = commissioner.get(f"/scenarios/runs/{run_id}")
    assert page.status_code == 200
    assert "Clairvoyant bound" in page.get_data(as_text=True)
    assert commissioner.get("/scenarios").status_code == 200
