"""A baseline a council would recognise: near steady, of the order of its published figures, and
reported month by month beside them (issue 23)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.contract import load_folder
from planner.forecast.history import load_referrals
from planner.forecast.suitability import CareLeavers17To21, care_leavers_17_21, suitability
from planner.simulate.calibration import BAND, calibrate, council_care_leavers, lines
from planner.simulate.scenario import Scenario
from planner.simulate.simulation import simulate

START = date(2026, 11, 23)


@pytest.fixture(scope="module", params=["Gloucestershire", "South Gloucestershire"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from planner.demo import write_demo

    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, county=request.param, seed=1, on=START)
    return folder


def test_a_demo_baseline_is_near_steady_and_of_the_order_of_the_councils_dfe_figures(demo: Path):
    # Twelve months of the optimised panel: the last quarter's B&B and emergency nights within twice
    # the first's, and the average night between a tenth of and all of DfE's count of care leavers
    # aged 17-21 in unsuitable accommodation (B&B and emergency are a part of it).
    s = Scenario("baseline", "x.yaml", demo, START, months=12, runs=8, seed=1, policies=("optimised",))
    result = simulate(s, load_folder(demo), load_referrals(demo), baseline=False)
    cal = calibrate(result.summary, result.care_leavers)
    assert cal.first_quarter > 0 and not cal.drifts, (cal.first_quarter, cal.last_quarter)
    assert BAND[0] <= cal.of_dfe <= BAND[1], cal.of_dfe
    months = result.by_month[(result.by_month["metric"] == "unsuitable_per_night")]
    assert months["mean"].max() < 4 * max(months["mean"].min(), 0.5)  # no month runs away


def test_planner_scenario_prints_the_baseline_beside_dfe_and_month_by_month(demo: Path, tmp_path: Path):
    (tmp_path / "b.yaml").write_text(
        f"name: baseline\ndata: {demo}\nstart: 2026-11-23\nmonths: 12\nruns: 3\n"
    )
    result = CliRunner().invoke(cli, ["scenario", str(tmp_path / "b.yaml"), "--out", str(tmp_path / "out"),
                                      "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Baseline against published figures (optimised):" in out
    assert "On an average night" in out and "care leavers aged 17-21" in out
    assert "Baseline month by month" in out and "Nov 2026" in out and "Nov 2027" in out
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "The baseline month by month, beside DfE" in page and "Dec 2026" in page
    months = pd.read_csv(tmp_path / "out" / "by_month.csv")
    assert {"unsuitable_share_17_21", "under18_waiting_nights", "housed_waiting_nights"} <= set(
        months["metric"]
    )


def _summary(first: float, last: float, per_night: float) -> pd.DataFrame:
    rows = {"unsuitable_per_night": per_night, "unsuitable_share_17_21": 0.01,
            "unsuitable_nights_first_quarter": first, "unsuitable_nights_last_quarter": last}  # fmt: skip
    return pd.DataFrame(
        [{"scenario": "baseline", "policy": "optimised", "metric": m, "mean": v} for m, v in rows.items()]
    )


def test_a_drifting_baseline_is_warned_about_and_a_steady_one_is_not():
    dfe = CareLeavers17To21(("E10000013",), 534.0, 28.0, ())
    steady = lines(calibrate(_summary(300, 500, 6.0), dfe))
    assert not any("WARNING" in line for line in steady)
    assert "0.21 of DfE's 28 care leavers aged 17-21" in steady[1] and "(1.67x)" in steady[-1]
    drifting = lines(calibrate(_summary(100, 700, 6.0), dfe))
    assert any("WARNING: the baseline drifts (7.00x" in line for line in drifting)
    too_few = lines(calibrate(_summary(300, 300, 1.0), dfe))
    assert any("outside 0.1 to 1" in line for line in too_few)
    unpublished = lines(calibrate(_summary(300, 300, 1.0), None))
    assert "DfE publishes no count" in unpublished[1]
    draining = lines(calibrate(_summary(700, 100, 6.0), dfe))  # a backlog that empties drifts too
    assert any("WARNING: the baseline drifts (0.14x" in line for line in draining)


def test_dfe_care_leavers_17_21_of_a_county_with_suppressed_figures_estimated_and_said_so():
    glos = care_leavers_17_21(("E10000013",))
    assert glos is not None and glos.count == 534 and glos.unsuitable == pytest.approx(28) and not glos.notes
    assert council_care_leavers(["E07000078", "E07000080"]) == glos  # its districts: the county
    sglos = suitability("E06000025", "19 to 21 years")  # unsuitable and "no information" suppressed
    assert sglos.count == 187 and sglos.estimated.startswith("unsuitable count suppressed")
    assert 0 < sglos.unsuitable <= 1 - sglos.suitable
    assert care_leavers_17_21(("E06000053",)) is None  # Isles of Scilly: DfE publishes no count
    assert np.isfinite(suitability("", "17 to 18 years").count)  # England's
