"""A council's own forecast from its SSDA903 returns is the size of its published-data forecast.

Four years of synthetic returns (2022-23 to 2025-26, `tests.ssda903_returns`) of three councils
of different kinds, each sized on its own DfE figures, go through `planner import-903` and the
forecast; the places for care leavers aged 17-21 in the next 12 months must come within 0.8 to
1.25 times the forecast from DfE's published figures (the sense check `planner forecast` prints),
with at least 90% of the demand in the council's own districts. Before demand came from events
(6 Dec 2026) the own forecast was 3.1 to 3.7 times the published one on these returns.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.districts import find_council
from planner.forecast import forecast
from planner.forecast.dfe_series import load_dfe_series
from planner.forecast.published import forecast_published
from planner.forecast.published_report import compare
from planner.sources import import_903, write_import
from tests.ssda903_lives import dfe_figures
from tests.ssda903_returns import write_returns

COUNCILS = {
    "E10000017": "Lancashire, a large two-tier county",
    "E08000003": "Manchester, a metropolitan borough",
    "E09000028": "Southwark, a London borough",
}
TODAY = date(2026, 6, 1)  # after 2025-26, so that no date in the returns is in the future


@pytest.fixture(scope="module", params=list(COUNCILS), ids=list(COUNCILS.values()))
def council(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    code = request.param
    folder = tmp_path_factory.mktemp(code)
    write_returns(folder / "returns", code)
    result = import_903(folder / "returns", salt="s", today=TODAY)
    write_import(result, folder / "imported")
    own = forecast(folder / "imported", months=12, start="2026-04", runs=500, seed=1)
    published = forecast_published(load_dfe_series(), councils=[code], runs=500, seed=1)
    return code, folder, result, own, published


def test_the_returns_are_sized_on_the_councils_own_dfe_figures(council) -> None:  # type: ignore[no-untyped-def]
    code, folder, _, _, _ = council
    dfe = dfe_figures(code).loc[2025]
    oc3 = pd.read_csv(folder / "returns" / "2024-25" / "oc3.csv", dtype=str)
    age = (pd.Timestamp(2025, 3, 31) - pd.to_datetime(oc3["DOB"], format="%d/%m/%Y")).dt.days // 365.25
    assert (age <= 18).sum() == pytest.approx(dfe["care_leavers_17_18"], rel=0.15)
    assert (age >= 19).sum() == pytest.approx(dfe["care_leavers_19_21"], rel=0.15)


def test_the_own_forecast_is_the_size_of_the_published_one(council) -> None:  # type: ignore[no-untyped-def]
    code, _, _, own, published = council
    comparison = compare(own, published, code)
    assert comparison is not None
    mine, theirs = comparison.places_17_21()
    assert 0.8 <= mine / theirs <= 1.25, f"{COUNCILS[code]}: {mine:.0f} against {theirs:.0f}"


def test_nearly_all_forecast_demand_falls_in_the_councils_own_districts(council) -> None:  # type: ignore[no-untyped-def]
    code, _, _, own, _ = council
    table = own.table[own.table["support_level"] == "all"]
    ours = table["district"].isin(find_council(code).district_codes)
    assert table.loc[ours, "demand_mean"].sum() >= 0.9 * table["demand_mean"].sum()


def test_no_care_leaver_is_dropped_for_a_postcode_and_no_snapshot_is_a_referral(council) -> None:  # type: ignore[no-untyped-def]
    _, _, result, _, _ = council
    assert result.counts["history_unknown_district"] > 0  # care leavers who left before 2022-23
    assert not any("left out of referrals.csv: no postcode" in n for n in result.notes)
    rules = set(result.referrals["source"].str.split(":").str[0])
    assert rules == {"left care", "moved", "released from custody"}
    assert result.counts["stayed"] > result.counts["events_moved"] / 2  # most snapshots show no move


def test_the_demand_models_five_years_import_and_forecast(tmp_path: Path) -> None:
    returns = Path(__file__).resolve().parent / "data" / "ssda903_demand_model"
    out = tmp_path / "imported"
    run = CliRunner().invoke(cli, ["import-903", str(returns), "--out", str(out), "--council", "Lancashire"])
    assert run.exit_code == 0, run.output
    assert "Read SSDA903 returns for 5 collection years:" in run.output
    for year in ("2017-18", "2018-19", "2019-20", "2020-21", "2021-22"):
        assert f"  {year} (from the dates: the file names say only {year[:4]}" in run.output
    referrals = pd.read_csv(out / "referrals.csv", dtype=str, keep_default_na=False)
    assert (referrals["home_district"] == "unknown").sum() > 0.8 * len(referrals) > 0  # invented postcodes
    assert "no postcode in England" not in run.output.split("Left out")[-1].split("problems in")[0]
    args = ["--start", "2022-04", "--months", "12", "--runs", "100", "--out", str(tmp_path / "f.csv")]
    forecast_run = CliRunner().invoke(cli, ["forecast", str(out), *args, "--council", "Lancashire"])
    assert forecast_run.exit_code == 0, forecast_run.output
    assert "times the published-data forecast's" in forecast_run.output
