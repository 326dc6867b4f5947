"""A commissioner's scenarios as a library: the form takes several changes of each kind (GOV.UK
"add another"), scenarios are copied, renamed and deleted (after a page that asks; the audit log
keeps who), any two are compared side by side, and an analyst reads them all without changing any."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import BACKENDS, ON, demo_app, signer

from planner.simulate.scenario import AddPlaces, ChangeScheme, CloseScheme
from web.commissioner.scenario_yaml import parse
from web.core.db import engine_of, get_db
from web.core.models import AuditEvent
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.store import schemes_frame

FOREST_OF_DEAN, STROUD, CHELTENHAM = "E07000080", "E07000082", "E07000078"


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = demo_app(request.param, tmp_path_factory.mktemp("library"), request)
    yield app
    engine_of(app).dispose()


@pytest.fixture
def commissioner(app: Flask) -> FlaskClient:
    return signer(app)("commissioner")


@pytest.fixture
def schemes(app: Flask) -> list[str]:
    with app.app_context():
        s = schemes_frame(get_db())
    return sorted(s[s["accom_type"].isin(["D", "E"])]["scheme_id"])[:4]


def _base(name: str, runs: int = 2) -> dict[str, object]:
    return {
        "source": "form",
        "name": name,
        "description": "",
        "start": ON.isoformat(),
        "months": "12",
        "runs": str(runs),
        "policies": ["optimised"],
        "bnb_weekly": "490",
        "emergency_weekly": "1400",
    }


def _places(i: int, district: str, places: int, level: str = "high") -> dict[str, object]:
    p = f"adds-{i}-"
    return {
        p + "district": district,
        p + "accom_type": "D",
        p + "support_level": level,
        p + "places": str(places),
        p + "weekly_cost": "1200",
        p + "start": ON.isoformat(),
        p + "contract": "block",
        p + "ofsted": "y",
    }


def _save(client: FlaskClient, data: dict[str, object], url: str = "/scenarios/new") -> int:
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _record(app: Flask, scenario_id: int) -> ScenarioRecord | None:
    with app.app_context():
        return get_db().get(ScenarioRecord, scenario_id)


def _audit(app: Flask, action: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = get_db().execute(
            select(AuditEvent.username, AuditEvent.detail).where(AuditEvent.action == action)
        )
        return [(u, d) for u, d in rows]


def test_the_form_takes_several_changes_of_each_kind(app, commissioner, schemes):
    data = _base("many-changes") | _places(0, FOREST_OF_DEAN, 6) | _places(1, STROUD, 4, "intensive")
    data |= {"closes-0-scheme": schemes[0], "closes-0-start": "04/01/2027",
             "closes-1-scheme": schemes[1], "closes-1-start": "01/03/2027",
             "cuts-0-scheme": schemes[2], "cuts-0-capacity": "2", "cuts-0-start": "01/02/2027",
             "cuts-1-scheme": schemes[3], "cuts-1-weekly_cost": "950", "cuts-1-start": "01/02/2027",
             "growth-0-scope": "all", "growth-0-percent": "10",
             "growth-1-scope": f"district:{CHELTENHAM}", "growth-1-percent": "20",
             "growth-2-scope": "need:high", "growth-2-percent": "-5", "bnb_weekly": "560"}  # fmt: skip
    scenario_id = _save(commissioner, data)
    record = _record(app, scenario_id)
    assert record is not None
    with app.app_context():
        scenario = parse(record.yaml_text, set(schemes_frame(get_db())["scheme_id"]))
    adds = [c for c in scenario.changes if isinstance(c, AddPlaces)]
    assert [(a.district, a.support_level, a.places) for a in adds] == [(FOREST_OF_DEAN, "high", 6),
                                                                        (STROUD, "intensive", 4)]  # fmt: skip
    assert [c.scheme_id for c in scenario.changes if isinstance(c, CloseScheme)] == schemes[:2]
    cuts = [(c.scheme_id, c.capacity, c.weekly_cost) for c in scenario.changes if isinstance(c, ChangeScheme)]
    assert cuts == [(schemes[2], 2, None), (schemes[3], None, 950.0)]
    assert scenario.demand.growth_percent == 10 and scenario.demand.by_district == {CHELTENHAM: 20.0}
    assert scenario.demand.by_need == {"high": -5.0} and scenario.bnb_weekly == 560
    page = commissioner.get(f"/scenarios/{scenario_id}/edit").get_data(as_text=True)
    assert "has more than the form shows" not in page  # every change is in the form again
    assert re.search(r'id="adds-1-places"[^>]*value="4"', page) and 'value="cuts-1"' in page


def test_add_another_and_remove_post_the_form_back_without_checking_it(commissioner):
    data = _base("add-another") | _places(0, FOREST_OF_DEAN, 6) | {"add_another": "adds"}
    response = commissioner.post("/scenarios/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" not in page
    assert 'id="adds-1-district"' in page and re.search(r'id="adds-0-places"[^>]*value="6"', page)
    data = _base("add-another") | _places(0, FOREST_OF_DEAN, 6) | _places(1, STROUD, 3) | {"remove": "adds-0"}
    page = commissioner.post("/scenarios/new", data=data).get_data(as_text=True)
    assert 'id="adds-0-district"' not in page and re.search(r'id="adds-1-places"[^>]*value="3"', page)
    assert commissioner.post("/scenarios/new", data=_base("x") | {"remove": "nothing-9"}).status_code == 400


def test_an_entry_half_filled_is_refused_naming_its_box(app, commissioner, schemes):
    data = _base("half") | {
        "cuts-0-scheme": schemes[0],
        "cuts-0-start": "01/02/2027",
        "growth-0-percent": "5",
    }
    response = commissioner.post("/scenarios/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        'href="#cuts-0-capacity"' in page and "Enter the places from then, the weekly cost from then" in page
    )
    assert 'href="#growth-0-scope"' in page and "Choose whose demand grows" in page
    with app.app_context():
        assert get_db().scalar(select(ScenarioRecord).where(ScenarioRecord.name == "half")) is None


def test_a_scenario_is_copied_renamed_and_deleted_and_the_audit_log_keeps_who(app, commissioner):
    original = _save(commissioner, _base("to-copy") | _places(0, FOREST_OF_DEAN, 5))
    form = commissioner.get(f"/scenarios/{original}/copy").get_data(as_text=True)
    assert 'value="to-copy-copy"' in form
    assert commissioner.post(f"/scenarios/{original}/copy", data={"name": "to-copy"}).status_code == 400
    copied = _save(commissioner, {"name": "copied"}, f"/scenarios/{original}/copy")
    twin, first = _record(app, copied), _record(app, original)
    assert twin is not None and first is not None
    assert twin.yaml_text == first.yaml_text.replace("name: to-copy", "name: copied")

    _save(commissioner, {"name": "renamed"}, f"/scenarios/{copied}/rename")
    renamed = _record(app, copied)
    assert renamed is not None and renamed.name == "renamed" and "name: renamed\n" in renamed.yaml_text

    ask = commissioner.get(f"/scenarios/{copied}/delete").get_data(as_text=True)
    assert "Are you sure you want to delete renamed?" in ask and "You cannot undo this" in ask
    with app.app_context():
        db = get_db()
        db.add(ScenarioRun(scenario_id=copied, yaml_text=renamed.yaml_text, status="done"))
        db.commit()
    response = commissioner.post(f"/scenarios/{copied}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/scenarios")
    assert _record(app, copied) is None and _record(app, original) is not None
    with app.app_context():
        left = get_db().scalar(
            select(func.count()).select_from(ScenarioRun).where(ScenarioRun.scenario_id == copied)
        )
    assert left == 0
    assert ("commissioner", f"scenario {original} to-copy as {copied} copied") in _audit(
        app, "scenario_copied"
    )
    assert ("commissioner", f"scenario {copied} copied as renamed") in _audit(app, "scenario_renamed")
    assert ("commissioner", f"scenario {copied} renamed with 1 run(s)") in _audit(app, "scenario_deleted")


def test_a_scenario_with_a_run_in_progress_is_not_deleted(app, commissioner):
    scenario_id = _save(commissioner, _base("busy") | _places(0, FOREST_OF_DEAN, 5))
    with app.app_context():
        db = get_db()
        db.add(ScenarioRun(scenario_id=scenario_id, yaml_text="", status="running"))
        db.commit()
    response = commissioner.post(f"/scenarios/{scenario_id}/delete")
    assert response.status_code == 409 and "has not finished" in response.get_data(as_text=True)
    assert _record(app, scenario_id) is not None


def _run(client: FlaskClient, scenario_id: int) -> int:
    run_id = int(client.post(f"/scenarios/{scenario_id}/run").headers["Location"].rsplit("/", 1)[1])
    for _ in range(600):
        status = client.get(f"/scenarios/runs/{run_id}/status").get_json()
        if status["status"] in ("done", "failed"):
            assert status["status"] == "done", status["message"]
            return run_id
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def test_two_scenarios_side_by_side_by_district_and_month_with_intervals(app, commissioner):
    a = _save(commissioner, _base("side-a", runs=3) | _places(0, FOREST_OF_DEAN, 8, "intensive"))
    b = _save(commissioner, _base("side-b", runs=3) | {"growth-0-scope": "all", "growth-0-percent": "30"})
    assert commissioner.get(f"/scenarios/compare?a={a}&b={b}").status_code == 400  # not run yet
    _run(commissioner, a), _run(commissioner, b)
    for who in ("commissioner", "analyst"):
        page = signer(app)(who).get(f"/scenarios/compare?a={a}&b={b}").get_data(as_text=True)
        assert "side-a and side-b side by side" in page
        summary = page.split('id="compare-summary"', 1)[1].split("</table>", 1)[0]
        for metric in ("bnb_nights", "emergency_nights", "under18_waiting_nights", "weekly_cost"):
            row = summary.split(f'data-metric="{metric}"', 1)[1].split("</tr>", 1)[0]
            assert row.count('class="app-interval"') == 2 and " to " in row  # each side's 80% interval
        assert 'data-district="E07000080"' in page or "No district had anyone" in page
        assert 'data-month="2026-11"' in page and 'data-month="2027-10"' in page
        assert "<svg" in page
    assert signer(app)("officer").get(f"/scenarios/compare?a={a}&b={b}").status_code == 403
    assert commissioner.get(f"/scenarios/compare?a={a}&b=999999").status_code == 400


def test_an_analyst_reads_scenarios_and_their_runs_but_changes_nothing(app, commissioner):
    scenario_id = _save(commissioner, _base("read-only") | _places(0, FOREST_OF_DEAN, 4))
    run_id = _run(commissioner, scenario_id)
    analyst = signer(app)("analyst")
    page = analyst.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert 'id="read-only"' in page and "Run this scenario" not in page and "/edit" not in page
    assert "New scenario" not in analyst.get("/scenarios").get_data(as_text=True)
    assert analyst.get(f"/scenarios/runs/{run_id}").status_code == 200
    assert analyst.get(f"/scenarios/runs/{run_id}/summary.csv").status_code == 200
    for method, path in (
        ("post", f"/scenarios/{scenario_id}/run"),
        ("get", f"/scenarios/{scenario_id}/edit"),
        ("get", f"/scenarios/{scenario_id}/copy"),
        ("post", f"/scenarios/{scenario_id}/delete"),
        ("post", f"/scenarios/{scenario_id}/rename"),
        ("get", "/scenarios/new"),
    ):
        assert getattr(analyst, method)(path).status_code == 403, path
    assert _record(app, scenario_id) is not None
