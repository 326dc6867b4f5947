"""The forecast map offers the forecast from DfE's published figures when the database has no
referral history: the CLI's numbers, for the database's council or one chosen."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from planner.forecast.dfe_series import load_dfe_series
from planner.forecast.published import forecast_published
from tests.test_map import make_app


def _client(tmp_path: Path, role: str = "commissioner", data: bool = True) -> FlaskClient:
    app = make_app(tmp_path) if data else make_app(tmp_path, data_dir=None)
    client = app.test_client()
    assert client.post("/login", data={"username": role, "password": "demo"}).status_code == 302
    return client


def _rows(html: str) -> dict[str, list[str]]:
    table = re.search(r'<table[^>]*id="published-table".*?</table>', html, re.S)
    assert table is not None
    rows = re.findall(
        r"<tr class=\"govuk-table__row\">\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", table.group(0), re.S
    )
    return {
        label.strip(): [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
        for label, body in rows
    }


def test_without_history_the_forecast_map_offers_the_published_forecast_for_the_databases_council(tmp_path):
    html = _client(tmp_path).get("/map?month=2027-06").get_data(as_text=True)
    assert "There is no referral history in the database" in html
    assert "Forecast from DfE's published figures: Gloucestershire (E10000013)" in html
    rows = _rows(html)
    fc = forecast_published(load_dfe_series(), councils=["E10000013"], runs=1000, seed=0).council("E10000013")
    b = fc[(fc["measure"] == "care_leavers_19_21")].set_index("year")
    assert rows["Care leavers aged 19-21"][:2] == ["370", "378"]  # DfE 2024, 2025
    assert (
        rows["Care leavers aged 19-21"][2]
        == f"{b.at[2026, 'mean']:,.0f} ({b.at[2026, 'lo80']:,.0f} to {b.at[2026, 'hi80']:,.0f})"
    )
    places = fc[(fc["measure"] == "places_needed") & (fc["year"] == 2028)]["mean"].iloc[0]
    assert f"Jun 2027 falls in the year to 31 March 2028: about\n  <strong>{places:.0f} places needed" in html
    assert "intensive support" in rows and len(rows) == 9


def test_another_council_can_be_chosen_and_an_unknown_one_is_a_400(tmp_path):
    client = _client(tmp_path)
    html = client.get("/map?month=2027-06&council=E10000011").get_data(as_text=True)
    assert "East Sussex (E10000011)" in html and _rows(html)["Care leavers aged 19-21"][1] == "301"
    bad = client.get("/map?month=2027-06&council=E99999999")
    assert bad.status_code == 400 and "is not an English council DfE publishes figures for" in bad.get_data(
        as_text=True
    )


def test_an_empty_database_asks_which_council(tmp_path):
    html = _client(tmp_path, data=False).get("/map?month=2027-06").get_data(as_text=True)
    assert 'id="published-council"' in html and "Choose a council" in html
    assert 'id="published-table"' not in html


def test_a_council_with_suppressed_figures_shows_the_symbol_not_a_zero(tmp_path):
    rows = _rows(_client(tmp_path).get("/map?month=2027-06&council=E06000017").get_data(as_text=True))
    assert rows["Care leavers aged 17-18"][:2] == ["(c)", "(c)"]
    assert rows["Care leavers aged 17-18"][2:] == ["none", "none", "none"]


@pytest.mark.parametrize("role", ["officer"])
def test_officers_cannot_see_it(tmp_path, role):
    assert _client(tmp_path, role).get("/map?month=2027-06").status_code == 403


def test_with_a_referral_history_the_published_forecast_is_not_shown(tmp_path):
    from datetime import date

    from planner.demo import generate_history
    from web.core.db import get_db
    from web.core.store import replace_history

    app = make_app(tmp_path)
    with app.app_context():
        history = generate_history(county="Gloucestershire", seed=1, on=date(2026, 11, 23))
        replace_history(get_db(), history.referrals, history.cohort)
        get_db().commit()
    client = app.test_client()
    client.post("/login", data={"username": "analyst", "password": "demo"})
    deadline = time.monotonic() + 60
    while 'id="forecast-working"' in (html := client.get("/map?month=2027-06").get_data(as_text=True)):
        assert time.monotonic() < deadline, "the forecast was never ready"
        time.sleep(0.2)  # worked out in the background: slower on a loaded machine than the page waits
    assert 'id="forecast-table"' in html and "published-forecast" not in html
