"""The forecast: recovers a known process, intervals cover at their rate, shape of the output."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.contract import load_folder
from planner.demo import write_history
from planner.forecast.backtest import backtest
from planner.forecast.demand import FORECAST_COLUMNS, ForecastInputs, forecast, load_inputs
from planner.forecast.model import fit_counts
from planner.forecast.shortfall import shortfall_by_district

ON = date(2026, 11, 23)
MONTHS = pd.period_range("2020-01", periods=48, freq="M")


def _known_process(rng: np.random.Generator, months: pd.PeriodIndex, level: float = 40.0) -> np.ndarray:
    """log mu = log(level) + log(1.06) t + 0.25 sin + 0.1 cos (t in years), negative binomial alpha 0.02."""
    t = np.arange(len(months)) / 12
    angle = 2 * np.pi * (np.asarray(months.month) - 1) / 12
    mu = level * 1.06**t * np.exp(0.25 * np.sin(angle) + 0.1 * np.cos(angle))
    return np.asarray(rng.poisson(rng.gamma(50, mu / 50)))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/example plus a generated history (the demo folder without the demo helper)."""
    folder = tmp_path_factory.mktemp("demo")
    example = Path(__file__).resolve().parent.parent / "data" / "example"
    for f in example.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    write_history(folder, county="Gloucestershire", seed=1, on=ON)
    return folder


def test_count_model_recovers_a_known_trend_and_seasonality() -> None:
    rng = np.random.default_rng(7)
    y = pd.Series(_known_process(rng, MONTHS), index=MONTHS)
    model = fit_counts(y)
    assert model.trend_per_year == pytest.approx(0.06, abs=0.04)
    f = model.season_factors()
    true = np.exp(
        0.25 * np.sin(2 * np.pi * np.arange(12) / 12) + 0.1 * np.cos(2 * np.pi * np.arange(12) / 12)
    )
    np.testing.assert_allclose(f, true / true.mean(), atol=0.08)
    assert model.alpha == pytest.approx(0.02, abs=0.03)


def test_prediction_intervals_cover_at_their_stated_rate() -> None:
    rng = np.random.default_rng(11)
    history, ahead = MONTHS[:36], MONTHS[36:]
    inside80, inside95 = [], []
    for _ in range(150):
        y = _known_process(rng, MONTHS)
        draws = fit_counts(pd.Series(y[:36], index=history)).simulate(ahead, 400, rng)
        lo10, hi90, lo2, hi97 = np.quantile(draws, [0.1, 0.9, 0.025, 0.975], axis=0)
        inside80 += list((y[36:] >= lo10) & (y[36:] <= hi90))
        inside95 += list((y[36:] >= lo2) & (y[36:] <= hi97))
    assert 0.75 <= np.mean(inside80) <= 0.88  # integer counts: closed intervals cover a little more
    assert 0.91 <= np.mean(inside95) <= 0.99


def test_cohort_turning_18_becomes_demand_at_the_estimated_rate() -> None:
    # 40 referrals at 18 last year: 10 stayed put, 30 went to supported accommodation. 40 fostered
    # children turn 18 next year, so about 40 x 41/42 x (1 - 1/43 - 11/43) = 28 places are needed
    # (flat priors), 4 a month from December 2026 to September 2027.
    dob = pd.Timestamp("2008-12-15")
    ref = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(40)],
            "person_id": [f"P{i}" for i in range(40)],
            "referral_date": pd.date_range("2026-01-01", periods=40, freq="7D"),
            "gender": "F",
            "home_district": "E07000081",
            "support_need": "medium",
            "outcome_accom": ["Z1"] * 10 + ["D1"] * 30,
        }
    )
    ref["date_of_birth"] = ref["referral_date"] - pd.DateOffset(years=18) + pd.Timedelta(days=30)
    ref["placed_date"] = ref["referral_date"] + pd.Timedelta(days=30)
    ref["left_date"] = pd.NaT
    cohort = pd.DataFrame(
        {
            "child_id": [f"C{i}" for i in range(40)],
            "date_of_birth": [dob + pd.DateOffset(months=i % 10) for i in range(40)],
            "gender": "F",
            "district": "E07000081",
            "placement_type": "U4",
            "support_need": "medium",
            "uasc": False,
        }
    )
    result = forecast(ForecastInputs(ref, cohort), months=12, runs=2000, on=date(2026, 11, 23))
    cells = result.table[
        (result.table["district"] == "E07000081") & (result.table["support_level"] == "medium")
    ]
    assert cells["demand_mean"].sum() == pytest.approx(28, abs=2.5)
    assert result.parameters.p_staying_put_if_fostered == pytest.approx(11 / 43, abs=0.05)
    by_month = cells.set_index("month")["demand_mean"]
    assert by_month.loc["2026-12"] == pytest.approx(2.8, abs=0.6) and by_month.loc["2027-10"] < 0.3


def test_forecast_table_has_the_agreed_columns_and_monotone_intervals(demo_dir: Path) -> None:
    result = forecast(demo_dir, months=24, runs=300)
    t = result.table
    assert list(t.columns) == FORECAST_COLUMNS
    # Today's position first (the map's today view), then the 24 months forecast.
    assert t["month"].nunique() == 25 and t["month"].iloc[0] == "2026-11" and t["month"].iloc[-1] == "2028-11"
    assert set(t["support_level"]) == {"none", "low", "medium", "high", "intensive", "all"}
    assert set(t["district"]) == {f"E0700007{i}" for i in (8, 9)} | {f"E0700008{i}" for i in range(4)}
    assert (t["demand_lo80"] <= t["demand_mean"]).all() and (t["demand_mean"] <= t["demand_hi80"]).all()
    assert t["p_shortfall"].between(0, 1).all()
    pooled = t[t["support_level"] == "all"].set_index(["month", "district"])["demand_mean"]
    levels = t[t["support_level"] != "all"].groupby(["month", "district"])["demand_mean"].sum()
    np.testing.assert_allclose(pooled.sort_index(), levels.sort_index(), atol=0.05)


def test_the_first_month_is_todays_shortfall_exactly_as_the_map_counts_it(demo_dir: Path) -> None:
    result = forecast(demo_dir, months=3, runs=100, on=ON)
    now = result.table[result.table["month"] == "2026-11"].set_index(["district", "support_level"])
    data = load_folder(demo_dir)
    for level in (None, "none", "low", "medium", "high", "intensive"):
        today = shortfall_by_district(data, on=ON, support_level=level).set_index("district")
        for code, row in today.iterrows():
            cell = now.loc[(code, level or "all")]
            got = (cell["demand_mean"], cell["supply_mean"], cell["shortfall_mean"], cell["p_shortfall"])
            assert got == (
                row["due"],
                row["suitable_vacancies"],
                row["shortfall"],
                float(row["shortfall"] > 0),
            )
    assert (now["demand_lo80"] == now["demand_hi80"]).all()  # today is known, not forecast


def test_a_level_is_short_when_its_places_are_needed_by_higher_needs_not_netted(demo_dir: Path) -> None:
    # One intensive place in Stroud and two young people needing intensive support every month:
    # the month's shortfall is counted by level, never offset by spare low-support places.
    inputs = load_inputs(demo_dir)
    t = forecast(inputs, months=6, runs=200, on=ON).table
    sims = t[t["month"] != "2026-11"]
    pooled = sims[sims["support_level"] == "all"].set_index(["month", "district"])["shortfall_mean"]
    levels = sims[sims["support_level"] != "all"].groupby(["month", "district"])["shortfall_mean"].sum()
    # Every mean is rounded to 0.01: five levels' add up to the pooled one's within 6 x 0.005.
    np.testing.assert_allclose(pooled.sort_index(), levels.sort_index(), atol=0.0301)
    assert (sims["shortfall_mean"] >= 0).all() and (
        sims["shortfall_mean"] <= sims["demand_mean"] + 1e-9
    ).all()


def test_forecast_is_deterministic_for_a_seed(demo_dir: Path) -> None:
    a = forecast(demo_dir, months=6, runs=200, seed=3).table
    b = forecast(demo_dir, months=6, runs=200, seed=3).table
    pd.testing.assert_frame_equal(a, b)


def test_supply_starts_from_vacancies_and_grows_as_residents_move_on(demo_dir: Path) -> None:
    inputs = ForecastInputs(
        load_inputs(demo_dir).referrals,
        schemes=pd.DataFrame(
            {
                "scheme_id": ["S1"],
                "accom_type": ["D"],
                "district": ["E07000080"],
                "support_level": ["high"],
                "capacity": [20],
                "vacancies": [2],
            }
        ),
    )
    # History to the end of a month: no month is simulated before the first one shown.
    t = forecast(inputs, months=12, runs=300, on=date(2026, 11, 30)).table
    high = t[(t["district"] == "E07000080") & (t["support_level"] == "high")].set_index("month")
    assert high["supply_mean"].iloc[0] >= 2  # the 2 vacancies, plus anyone moving on in the month
    assert (t[t["district"] == "E07000078"]["supply_mean"] == 0).all()  # no schemes there


def test_backtest_beats_seasonal_naive_on_a_strongly_seasonal_process() -> None:
    rng = np.random.default_rng(5)
    months = pd.period_range("2023-11", periods=36, freq="M")
    y = _known_process(rng, months, level=80.0)
    dates = np.repeat([m.to_timestamp() + pd.Timedelta(days=3) for m in months], y)
    n = len(dates)
    ref = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(n)],
            "person_id": [f"P{i}" for i in range(n)],
            "referral_date": pd.to_datetime(dates),
            "date_of_birth": pd.to_datetime(dates) - pd.DateOffset(years=20),
            "gender": "M",
            "home_district": "E07000081",
            "support_need": "low",
            "outcome_accom": "D1",
            "placed_date": pd.to_datetime(dates),
            "left_date": pd.NaT,
        }
    )
    bt = backtest(ForecastInputs(ref), runs=300, on=date(2026, 10, 31))
    assert set(bt.summary["method"]) == {"model", "seasonal_naive", "last12_mean", "markov"}
    assert bt.mae("model") < bt.mae("seasonal_naive")
    p = bt.points
    assert (p["seasonal_naive"] == [y[months.get_loc(pd.Period(m, "M")) - 12] for m in p["month"]]).all()
    assert 0.6 <= bt.coverage80 <= 1.0 and bt.coverage80 <= bt.coverage95


def test_cli_writes_the_forecast_and_reports_the_backtest(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    args = ["forecast", str(demo_dir), "--months", "12", "--runs", "200", "--out", str(out), "--backtest"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    t = pd.read_csv(out)
    assert list(t.columns) == FORECAST_COLUMNS and t["month"].nunique() == 13
    assert (t["demand_lo80"] <= t["demand_mean"] + 1e-9).all() and (
        t["demand_mean"] <= t["demand_hi80"] + 1e-9
    ).all()
    assert "seasonal_naive" in result.output and "Gloucester (E07000081)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-01"], "--start: start 2025-01 is inside the referral history"),
        (["--start", "Jan 2027"], "--start: 'Jan 2027' is not a month (expected YYYY-MM"),
        (["--months", "48"], "Invalid value for '--months'"),
    ],
)
def test_cli_rejects_bad_options_with_exit_2(
    demo_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["forecast", str(demo_dir), "--out", str(tmp_path / "f.csv"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "f.csv").exists()


def test_cli_names_the_missing_referrals_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["forecast", str(tmp_path), "--out", str(tmp_path / "f.csv")])
    assert result.exit_code == 2 and "referrals.csv: file is missing" in result.output


def test_demand_by_age_band_adds_up_to_the_district_totals(demo_dir: Path) -> None:
    result = forecast(demo_dir, months=12, runs=300)
    bands = result.by_age
    assert list(bands["age_band"].unique()) == ["17-18", "19-21", "22-25"]
    assert (bands["demand_lo80"] <= bands["demand_mean"]).all() and (
        bands["demand_mean"] <= bands["demand_hi80"]
    ).all()
    # Bands count new demand: a young person still waiting from the month before is counted once.
    pooled = result.table[result.table["support_level"] == "all"]
    new = (pooled["demand_mean"] - pooled["carried_mean"]).groupby(pooled["month"]).sum()
    np.testing.assert_allclose(bands.groupby("month")["demand_mean"].sum(), new, atol=0.1)
