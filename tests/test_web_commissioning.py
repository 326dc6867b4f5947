"""Commissioning plans in the web app: saved like a scenario, the defaults or the commissioner's own
candidates (GOV.UK "add another"), run in the background by the function `planner commission`
runs, with progress, then the plan, its savings with intervals beside the simple rule's, the map
and the files; analysts read them and change nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from web_support import BACKENDS, ON, demo_app, signer

import planner.simulate.commissioning as commissioning
from web.commissioner import scenario_runs
from web.commissioner.scenario_yaml import parse
from web.core.db import engine_of, get_db
from web.core.models import AuditEvent
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import schemes_frame

FOREST, GLOUCESTER, CHELTENHAM = "E07000080", "E07000081", "E07000078"
PLAN_COLUMNS = [
    "district",
    "name",
    "accom_type",
    "support_level",
    "contract",
    "places",
    "unit_weekly_cost",
    "expected_weekly_cost",
    "expected_places_used",
    "expected_nights_avoided",
    "reason",
]


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = demo_app(request.param, tmp_path_factory.mktemp("plans"), request)
    yield app
    engine_of(app).dispose()


@pytest.fixture
def commissioner(app: Flask) -> FlaskClient:
    return signer(app)("commissioner")


def _form(name: str, **fields: object) -> dict[str, object]:
    return {
        "name": name,
        "description": "Winter plan",
        "budget": "6000",
        "start": ON.isoformat(),
        "months": "12",
        "runs": "3",
        "which": "defaults",
        "bnb_weekly": "490",
        "emergency_weekly": "1400",
        **fields,
    }


def _candidate(i: int, district: str, level: str, contract: str, cost: int) -> dict[str, object]:
    p = f"candidates-{i}-"
    return {
        p + "district": district,
        p + "accom_type": "D",
        p + "support_level": level,
        p + "contract": contract,
        p + "weekly_cost": str(cost),
        p + "max_places": "4",
        p + "family": "no",
    }


def _own(name: str) -> dict[str, object]:
    return (
        _form(name, which="own")
        | _candidate(0, FOREST, "high", "block", 900)
        | _candidate(1, GLOUCESTER, "high", "spot", 1200)
        | _candidate(2, CHELTENHAM, "intensive", "block", 1500)
    )


def _save(client: FlaskClient, data: dict[str, object]) -> int:
    response = client.post("/commissioning/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _record(app: Flask, name: str) -> ScenarioRecord | None:
    with app.app_context():
        return get_db().scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))


def test_a_plan_with_the_defaults_is_saved_like_a_scenario(app, commissioner):
    plan_id = _save(commissioner, _form("with-defaults"))
    record = _record(app, "with-defaults")
    assert record is not None and (record.id, record.kind, record.budget) == (plan_id, "commission", 6000.0)
    with app.app_context():
        scenario = parse(record.yaml_text, set(schemes_frame(get_db())["scheme_id"]))
    assert scenario.candidates == () and scenario.months == 12 and scenario.policies == ("optimised",)
    page = commissioner.get(f"/commissioning/{plan_id}").get_data(as_text=True)
    assert "£6,000 a week" in page and "the defaults (48 now)" in page  # 6 districts x 4 kinds x block/spot
    assert "with-defaults" in commissioner.get("/commissioning").get_data(as_text=True)
    assert "with-defaults" not in commissioner.get("/scenarios").get_data(
        as_text=True
    )  # a plan, not a scenario


def test_the_defaults_are_copied_into_an_own_list_and_candidates_added_and_removed(app, commissioner):
    page = commissioner.post("/commissioning/new", data=_form("own-list") | {"use_defaults": "yes"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "There is a problem" not in text
    assert 'id="candidates-47-weekly_cost"' in text and re.search(r'<input checked[^>]*value="own"', text)
    data = _own("own-list") | {"add_another": "candidates"}
    text = commissioner.post("/commissioning/new", data=data).get_data(as_text=True)
    assert 'id="candidates-3-district"' in text
    text = commissioner.post(
        "/commissioning/new", data=_own("own-list") | {"remove": "candidates-1"}
    ).get_data(as_text=True)
    assert 'id="candidates-1-district"' not in text and 'id="candidates-2-district"' in text
    _save(commissioner, _own("own-list"))
    record = _record(app, "own-list")
    assert record is not None
    with app.app_context():
        scenario = parse(record.yaml_text, set(schemes_frame(get_db())["scheme_id"]))
    got = [
        (c.district, c.support_level, c.contract, c.weekly_cost, c.max_places) for c in scenario.candidates
    ]
    assert got == [
        (FOREST, "high", "block", 900.0, 4),
        (GLOUCESTER, "high", "spot", 1200.0, 4),
        (CHELTENHAM, "intensive", "block", 1500.0, 4),
    ]


@pytest.mark.parametrize(
    ("fields", "message", "href"),
    [
        ({"budget": ""}, "Enter the budget a week, in pounds", "#budget"),
        ({"budget": "-5"}, "The budget must be £0 to £1,000,000 a week", "#budget"),
        ({"months": "48"}, "Months to plan for must be 12 to 36", "#months"),
        ({"which": "own"}, "Add at least one candidate, or choose the defaults", "#candidates-0-district"),
        ({"which": "own", "candidates-0-district": FOREST}, "Enter the weekly cost per place",
         "#candidates-0-weekly_cost"),
        ({"name": "baseline"}, "is the name of the no-change comparison", "#name"),
    ],
)  # fmt: skip
def test_a_bad_plan_is_refused_naming_the_box_and_nothing_is_saved(app, commissioner, fields, message, href):
    response = commissioner.post("/commissioning/new", data=_form("bad-plan") | fields)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and message in text and f'href="{href}"' in text
    assert _record(app, str(fields.get("name", "bad-plan"))) is None


def _wait(client: FlaskClient, run_id: int) -> dict[str, object]:
    seen = []
    for _ in range(1200):
        status: dict[str, object] = client.get(f"/scenarios/runs/{run_id}/status").get_json()
        seen.append(status["done"])
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


def test_a_plan_runs_in_the_background_with_planner_commission_and_shows_plan_savings_map_and_files(
    app, commissioner, monkeypatch
):
    calls = []
    real = scenario_runs.commission

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(scenario_runs, "commission", spy)
    monkeypatch.setattr(commissioning, "SOLVE_SECONDS", 3.0)
    plan_id = _save(commissioner, _own("to-run"))
    response = commissioner.post(f"/commissioning/{plan_id}/run")
    assert response.status_code == 303
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    status = _wait(commissioner, run_id)
    assert status["status"] == "done", status["message"]
    assert status["done"] == status["total"] == 8 + 1 + 3 * 3  # samples, the solve, 3 runs of 3 checks
    assert calls == [6000.0]  # the one function `planner commission` calls, with the budget

    page = commissioner.get(f"/commissioning/runs/{run_id}").get_data(as_text=True)
    assert "Where to buy places" in page and 'id="plan-headline"' in page
    assert 'id="plan-map"' in page and "Places the plan buys" in page  # the map's legend
    savings = page.split('id="savings-table"', 1)[1].split("</table>", 1)[0]
    for metric in ("unsuitable_nights", "bnb_nights", "emergency_nights", "weekly_cost"):
        row = savings.split(f'data-metric="{metric}"', 1)[1].split("</tr>", 1)[0]
        assert row.count('class="app-interval"') == 2 and " to " in row  # the plan's and the rule's
    plan = pd.read_csv(io.BytesIO(commissioner.get(f"/commissioning/runs/{run_id}/plan.csv").data))
    assert list(plan.columns) == PLAN_COLUMNS
    assert (plan["places"] * plan["unit_weekly_cost"])[plan["contract"] == "block"].sum() <= 6000
    saved = pd.read_csv(io.BytesIO(commissioner.get(f"/commissioning/runs/{run_id}/savings.csv").data))
    assert list(saved.columns) == ["scenario", "metric", "mean", "lo80", "hi80"]
    assert set(saved["scenario"]) == {"plan", "simple-rule"}
    verification = commissioner.get(f"/commissioning/runs/{run_id}/verification.csv")
    assert verification.status_code == 200 and verification.mimetype == "text/csv"
    for d in plan["district"]:
        assert f'data-district="{d}"' in page
    with app.app_context():
        audited = get_db().scalar(select(AuditEvent.username).where(AuditEvent.action == "run_plan"))
    assert audited == "commissioner"
    listing = commissioner.get("/commissioning").get_data(as_text=True)
    assert re.search(r"to-run.*?Done", listing, re.S)
    assert commissioner.get(f"/commissioning/runs/{run_id}/other.csv").status_code == 404
    assert (
        commissioner.get(f"/scenarios/runs/{run_id}").status_code == 404
    )  # a plan's run has pages of its own


def test_an_analyst_reads_plans_and_their_results_but_changes_nothing(app, commissioner):
    plan_id = _save(commissioner, _form("analyst-reads"))
    with app.app_context():
        db = get_db()
        run = ScenarioRun(scenario_id=plan_id, kind="plan", yaml_text="", budget=6000.0, status="queued")
        db.add(run)
        db.commit()
        run_id = run.id
    analyst = signer(app)("analyst")
    assert "New commissioning plan" not in analyst.get("/commissioning").get_data(as_text=True)
    page = analyst.get(f"/commissioning/{plan_id}").get_data(as_text=True)
    assert 'id="read-only"' in page and "Run this plan" not in page
    assert analyst.get(f"/commissioning/runs/{run_id}").status_code == 200
    for method, path in (
        ("post", f"/commissioning/{plan_id}/run"),
        ("get", f"/commissioning/{plan_id}/edit"),
        ("get", "/commissioning/new"),
        ("post", f"/scenarios/{plan_id}/delete"),
    ):
        assert getattr(analyst, method)(path).status_code == 403, path
    assert signer(app)("officer").get("/commissioning").status_code == 403
    with app.app_context():  # leave no queued run for the other tests' worker
        db = get_db()
        db.delete(db.get(ScenarioRun, run_id))
        db.commit()


def test_a_plan_is_copied_and_deleted_like_a_scenario(app, commissioner):
    plan_id = _save(commissioner, _form("plan-to-copy"))
    response = commissioner.post(f"/scenarios/{plan_id}/copy", data={"name": "plan-copied"})
    assert response.status_code == 303 and "/commissioning/" in response.headers["Location"]
    twin = _record(app, "plan-copied")
    assert twin is not None and twin.kind == "commission" and twin.budget == 6000.0
    response = commissioner.post(f"/scenarios/{twin.id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/commissioning")
    assert _record(app, "plan-copied") is None
