"""The map's months start from today: month 0 (this month) is today's map, chosen like any other
month; month 1's places needed include today's young people still waiting; the page, its CSV
and `planner forecast` on the same data and day give the same figures."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from web_support import ON, build_app, signer

from planner.cli import cli
from planner.data.contract import load_folder
from planner.demo import write_demo
from planner.forecast.demand import FORECAST_COLUMNS, load_inputs
from web.commissioner.map.forecast import FORECAST_RUNS, HORIZON_MONTHS, SEED
from web.core.db import engine_of, get_db
from web.core.store import replace_all, replace_history

CHELTENHAM = "E07000078"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(folder, county="Gloucestershire", seed=1, on=ON)
    return folder


@pytest.fixture(scope="module")
def cli_forecast(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """`planner forecast` on the demo folder: the map's day, months, runs and seed."""
    out = tmp_path_factory.mktemp("out") / "forecast.csv"
    args = ["forecast", str(demo), "--date", f"{ON:%Y-%m-%d}", "--months", str(HORIZON_MONTHS),
            "--runs", str(FORECAST_RUNS), "--seed", str(SEED), "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype={"month": str, "district": str, "support_level": str})


@pytest.fixture
def app(demo: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    app = build_app("sqlite", tmp_path, request, data=False)
    with app.app_context():
        db = get_db()
        replace_all(db, load_folder(demo))
        inputs = load_inputs(demo)
        replace_history(db, inputs.referrals, inputs.cohort)
        db.commit()
    yield app
    engine_of(app).dispose()


@pytest.fixture
def commissioner(app: Flask) -> FlaskClient:
    return signer(app)("commissioner")


def _ready(client: FlaskClient, url: str) -> str:
    for _ in range(600):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        if 'id="forecast-working"' not in page:
            return page
        time.sleep(0.1)
    raise AssertionError(f"{url} was never ready")


def _csv(client: FlaskClient, url: str) -> pd.DataFrame:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype={"month": str, "district": str})


def _rows(table: pd.DataFrame, month: str, level: str = "all") -> pd.DataFrame:
    return table[(table["month"] == month) & (table["support_level"] == level)].set_index("district")


def test_month_0_is_todays_map_and_can_be_chosen(commissioner: FlaskClient):
    today, chosen = commissioner.get("/map"), commissioner.get("/map?month=2026-11")
    assert today.status_code == chosen.status_code == 200

    def table(page: str) -> str:
        return page.split('id="shortfall-table"', 1)[1].split("</table>", 1)[0]

    assert table(chosen.get_data(as_text=True)) == table(today.get_data(as_text=True))
    assert "Shortfall of suitable places by district" in chosen.get_data(as_text=True)
    assert '<option value="2026-11" selected>Nov 2026: today</option>' in today.get_data(as_text=True)
    assert commissioner.get("/map.csv?month=2026-11").data == commissioner.get("/map.csv").data
    refused = commissioner.get("/map?month=2026-10")
    assert refused.status_code == 400
    assert "Month &#39;2026-10&#39; is not a month from Nov 2026 (today) to Nov 2028" in refused.get_data(
        as_text=True
    )


def test_the_map_and_planner_forecast_agree_on_months_0_and_1(commissioner: FlaskClient, cli_forecast):
    today = _csv(commissioner, "/map.csv").set_index("district")
    zero = _rows(cli_forecast, "2026-11")
    assert (zero.loc[today.index, "demand_mean"] == today["due"]).all()
    assert (zero.loc[today.index, "supply_mean"] == today["suitable_vacancies"]).all()
    assert (zero.loc[today.index, "shortfall_mean"] == today["shortfall"]).all()

    _ready(commissioner, "/map?month=2026-12")
    december = _csv(commissioner, "/map.csv?month=2026-12")
    assert list(december.columns) == ["month", "district", "name", "support_level", *FORECAST_COLUMNS[3:]]
    one = _rows(cli_forecast, "2026-12")
    december = december.set_index("district")
    for column in FORECAST_COLUMNS[3:]:
        pd.testing.assert_series_equal(december[column], one.loc[december.index, column], check_names=False,
                                       atol=0.006)  # fmt: skip
    # Month 1's places needed hold every young person today's map leaves without a place.
    assert (december["carried_mean"] == today.loc[december.index, "shortfall"]).all()
    assert (december["demand_mean"] > december["carried_mean"]).all()


def test_the_forecast_page_shows_month_1_with_todays_young_people_still_waiting(commissioner, cli_forecast):
    page = _ready(commissioner, "/map?month=2026-12")
    row = _rows(cli_forecast, "2026-12").loc[CHELTENHAM]
    cells = re.search(rf'data-district="{CHELTENHAM}">(.*?)</tr>', page, re.S)
    assert cells is not None
    assert f">{row.demand_mean:.1f}<" in cells.group(1)
    assert f'data-column="carried">{row.carried_mean:.1f}<' in cells.group(1)
    today = _rows(cli_forecast, "2026-11").loc[CHELTENHAM]
    assert row.carried_mean == today.shortfall_mean > 0  # Cheltenham: all short today still wait in December
    assert "Download this table (CSV)" in page and "/map.csv?month=2026-12" in page


def test_a_forecast_months_csv_honours_the_support_level(commissioner: FlaskClient, cli_forecast):
    _ready(commissioner, "/map?month=2027-01")
    high = _csv(commissioner, "/map.csv?month=2027-01&support_level=high")
    assert set(high["support_level"]) == {"high"} and set(high["month"]) == {"2027-01"}
    want = _rows(cli_forecast, "2027-01", "high")
    assert high.set_index("district")["shortfall_mean"].to_dict() == pytest.approx(
        want["shortfall_mean"].to_dict(), abs=0.006
    )
    disposition = commissioner.get("/map.csv?month=2027-01&support_level=high").headers["Content-Disposition"]
    assert disposition == 'attachment; filename="forecast-by-district-2027-01-high.csv"'


def test_the_csv_refuses_a_month_outside_the_forecast(commissioner: FlaskClient):
    response = commissioner.get("/map.csv?month=2031-01")
    assert response.status_code == 400 and response.mimetype == "text/html"
