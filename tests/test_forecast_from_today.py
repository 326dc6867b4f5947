"""The forecast starts from today: month 0 is today's position, the young people it leaves without
a place are still waiting in the months after (served first as places come free), and the
command line, given the same day, says the same."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.contract import load_folder
from planner.demo import write_demo
from planner.forecast.demand import ForecastInputs, forecast, load_inputs
from planner.forecast.shortfall import shortfall_by_district

ON = date(2026, 11, 23)
CHELTENHAM = "E07000078"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(folder, county="Gloucestershire", seed=1, on=ON)
    return folder


@pytest.fixture(scope="module")
def table(demo: Path) -> pd.DataFrame:
    return forecast(demo, months=6, runs=300, seed=0, on=ON).table


def _cells(table: pd.DataFrame, month: str) -> pd.DataFrame:
    return table[table["month"] == month].set_index(["district", "support_level"])


def test_todays_young_people_without_a_place_are_in_the_next_months_demand(demo: Path, table):
    today = shortfall_by_district(load_folder(demo), on=ON).set_index("district")
    now, december = _cells(table, "2026-11"), _cells(table, "2026-12")
    short = int(today.loc[CHELTENHAM, "shortfall"])
    assert short > 0  # the demo's Cheltenham is short today
    for level in ("all", "none", "low", "medium", "high", "intensive"):
        short_now = now.xs(level, level="support_level")["shortfall_mean"]
        carried = december.xs(level, level="support_level")["carried_mean"]
        # Every one of them is still waiting when December begins, in their district and at their level.
        pd.testing.assert_series_equal(carried, short_now, check_names=False)
    assert (december["demand_mean"] >= december["carried_mean"]).all()
    assert december.loc[(CHELTENHAM, "all"), "demand_mean"] >= short + 1  # those, and December's own


def test_the_waiting_are_absorbed_as_places_come_free_and_never_grow(table):
    carried = table[table["support_level"] != "all"].pivot_table(
        index=["district", "support_level"], columns="month", values="carried_mean"
    )
    months = list(carried.columns)
    assert months[0] == "2026-11" and (carried[months[0]] == 0).all()  # nobody before today
    steps = carried[months[2:]].to_numpy() - carried[months[1:-1]].to_numpy()
    assert (steps <= 1e-9).all()  # served first: only ever fewer still waiting
    assert carried[months[-1]].sum() < carried[months[1]].sum() / 2  # most of them placed by May


def test_the_places_taken_today_are_not_free_again_next_month(demo: Path, table):
    # Cheltenham: those due today take most of its vacancies; December's places free are what is
    # left plus residents moving on, not today's vacancies again.
    vacant = int(
        shortfall_by_district(load_folder(demo), on=ON)
        .set_index("district")
        .loc[CHELTENHAM, "suitable_vacancies"]
    )
    december = _cells(table, "2026-12").loc[(CHELTENHAM, "all")]
    assert december["supply_mean"] < vacant
    no_today = forecast(
        ForecastInputs(load_inputs(demo).referrals, schemes=load_inputs(demo).schemes),
        months=6, runs=300, seed=0, on=ON,
    ).table  # fmt: skip
    assert _cells(no_today, "2026-12").loc[(CHELTENHAM, "all"), "supply_mean"] > december["supply_mean"]


def test_without_schemes_nothing_is_carried(demo: Path):
    inputs = load_inputs(demo)
    t = forecast(ForecastInputs(inputs.referrals, inputs.cohort, None, inputs.people), months=3, runs=100,
                 on=ON).table  # fmt: skip
    assert (t["carried_mean"] == 0).all() and "2026-11" not in set(t["month"])


def test_the_command_line_on_the_same_day_gives_the_same_months(demo: Path, table, tmp_path: Path):
    out = tmp_path / "forecast.csv"
    args = ["forecast", str(demo), "--months", "6", "--runs", "300", "--date", "2026-11-23"]
    args += ["--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype={"month": str})
    for month in ("2026-11", "2026-12", "2027-01"):
        got = _cells(written, month)[["demand_mean", "carried_mean", "supply_mean", "shortfall_mean"]]
        want = _cells(table, month)[["demand_mean", "carried_mean", "supply_mean", "shortfall_mean"]]
        np.testing.assert_allclose(got.sort_index().to_numpy(), want.sort_index().to_numpy(), atol=1e-3)


def test_a_date_before_the_history_ends_is_refused(demo: Path, tmp_path: Path):
    args = ["forecast", str(demo), "--date", "2026-10-01", "--out", str(tmp_path / "f.csv")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "--date: 1 Oct 2026 is before the last referral" in result.output
    assert not (tmp_path / "f.csv").exists()
