"""`planner forecast --published`: what it writes and prints, and how it refuses bad options."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.demo import write_history
from planner.forecast.dfe_series import load_dfe_series


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["forecast", *args])
    return result.exit_code, result.output


def test_one_council_by_name_writes_three_years_and_prints_its_published_figures(tmp_path: Path) -> None:
    code, out = _run("--published", "--council", "gloucestershire", "--out", str(tmp_path), "--runs", "300")
    assert code == 0, out
    t = pd.read_csv(tmp_path / "published_forecast.csv")
    assert list(t.columns) == ["la_code", "year", "measure", "mean", "lo80", "hi80"]
    assert set(t["la_code"]) == {"E10000013"} and sorted(t["year"].unique()) == [2026, 2027, 2028]
    assert "Gloucestershire (E10000013)" in out and "2025 DfE" in out
    row = next(line for line in out.splitlines() if line.startswith("Children looked after at 31 March"))
    assert " 840 " in row and " 758 " in row  # DfE 2024 and 2025
    assert "Source: DfE, Children looked after in England" in out


def test_a_district_name_gives_its_council(tmp_path: Path) -> None:
    code, out = _run("--published", "--council", "Cheltenham", "--out", str(tmp_path), "--runs", "100")
    assert code == 0 and "Gloucestershire (E10000013)" in out


def test_all_councils_to_2024_writes_every_council_and_lists_whats_missing(tmp_path: Path) -> None:
    code, out = _run("--published", "--council", "all", "--data-until", "2024", "--out", str(tmp_path))
    assert code == 0, out
    t = pd.read_csv(tmp_path / "published_forecast.csv")
    assert t["la_code"].nunique() == 153 and sorted(t["year"].unique()) == [2025, 2026, 2027]
    assert "(England 2024: 36,080)" in out
    assert "Rutland (E06000017): no forecast of care leavers aged 17-18" in out


def test_backtest_prints_errors_against_naive_and_trend_by_measure() -> None:
    code, out = _run("--published", "--backtest", "--runs", "300")
    assert code == 0, out
    assert "mae_naive" in out and "mae_trend" in out and "coverage80" in out
    for measure in ("looked_after", "care_leavers_17_18", "care_leavers_19_21"):
        assert out.count(measure) == 3  # the last year, and each of the last two


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published", "--council", "Glostershire"], "did you mean Gloucestershire or Worcestershire?"),
        (["--published", "--council", "Gloucestershire", "--data-until", "2030"],
         "--data-until: 2030 is not a year of the DfE figures (2021 to 2025)"),
        (["--published", "--council", "Gloucestershire", "--data-until", "2022"],
         "--data-until: the model needs three years of figures; give 2023 or later"),
        (["--published"], "--council: give a council by name or ONS code"),
        (["--data-until", "2024"], "--data-until goes with --published"),
        (["--council", "Gloucestershire"], "DATA_DIR: give the folder with referrals.csv"),  # whose history
        ([], "DATA_DIR: give the folder with referrals.csv"),
        (["--published", "--council", "Cumbria"], "last figures for it are for 2023; give Cumberland or"),
    ],
)  # fmt: skip
def test_bad_options_exit_2_with_a_message_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, out = _run(*args, "--out", str(tmp_path / "out"))
    assert code == 2, out
    assert message in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()


def test_published_with_a_data_folder_or_a_file_for_out_is_refused(tmp_path: Path) -> None:
    code, out = _run(str(tmp_path), "--published", "--council", "Gloucestershire")
    assert code == 2 and "leave out DATA_DIR" in out
    (tmp_path / "f.csv").write_text("x")
    code, out = _run("--published", "--council", "Gloucestershire", "--out", str(tmp_path / "f.csv"))
    assert code == 2 and "is a file; with --published give a folder" in out


def test_the_forecast_from_own_history_prints_the_published_one_beside_it(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "data" / "example"
    for f in example.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    write_history(tmp_path, county="Gloucestershire", seed=1, on=date(2026, 11, 23))
    code, out = _run(str(tmp_path), "--months", "12", "--runs", "100", "--out", str(tmp_path / "f.csv"))
    assert code == 0, out
    assert "Sense check: places needed by care leavers" in out and "Gloucestershire (E10000013)" in out
    assert "published-data forecast, year to 31 March 2028" in out and "all aged 17-21" in out


def test_dfe_reads_a_full_release_with_regions_and_refuses_a_folder_without_the_tables(
    tmp_path: Path,
) -> None:
    reference = Path(__file__).resolve().parent.parent / "data" / "reference"
    for name in ("dfe_cla_numbers_and_rates.csv", "dfe_care_leavers_accommodation_suitability.csv"):
        text = (reference / name).read_text()
        region = text.splitlines()[1].replace("Local authority", "Regional").replace("E06000001", "", 1)
        (tmp_path / name).write_text(text + region + "\n")  # a regional row, as DfE's full tables have
    code, out = _run("--published", "--council", "all", "--dfe", str(tmp_path), "--out", str(tmp_path))
    assert code == 0, out
    t = pd.read_csv(tmp_path / "published_forecast.csv", dtype={"la_code": str}, keep_default_na=False)
    assert t["la_code"].nunique() == 153
    assert "" not in load_dfe_series(tmp_path).current_councils()  # the region is not a council
    (tmp_path / "dfe_cla_numbers_and_rates.csv").unlink()
    code, out = _run("--published", "--council", "all", "--dfe", str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 2 and "dfe_cla_numbers_and_rates.csv: the DfE table is missing" in out
