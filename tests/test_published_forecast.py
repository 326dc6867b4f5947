"""The forecast from DfE's published figures: the series read honestly, the pooled model recovering
known coefficients, the aim of issue 14 on what DfE published for 2025, and the places it implies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.data.problems import InvalidInput
from planner.forecast.dfe_series import MEASURES, DfeSeries, geographic_neighbours, load_dfe_series
from planner.forecast.published import PUBLISHED_COLUMNS, _summarise, fit_equations, forecast_published
from planner.forecast.published_backtest import backtest_published
from planner.forecast.published_places import PLACES_PER_CARE_LEAVER, support_share_table
from planner.forecast.published_report import sense_check_lines

GLOS = "E10000013"


@pytest.fixture(scope="module")
def series() -> DfeSeries:
    return load_dfe_series()


@pytest.fixture(scope="module")
def to_2024(series: DfeSeries) -> pd.DataFrame:
    return forecast_published(series, data_until=2024).table


def test_the_series_holds_gloucestershires_published_figures(series: DfeSeries) -> None:
    glos = series.council(GLOS)
    assert glos.loc[2025, "looked_after"] == 758
    assert glos.loc[2025, "care_leavers_17_18"] == 156 and glos.loc[2025, "care_leavers_19_21"] == 378
    assert glos["care_leavers_19_21"].tolist() == [267, 314, 344, 370, 378]
    assert series.england.loc[2025, "care_leavers_19_21"] == 38190
    assert len(series.current_councils()) == 153


def test_suppressed_figures_are_missing_with_the_publishers_symbol_never_zero(series: DfeSeries) -> None:
    assert np.isnan(series.values.loc[("E06000017", 2025), "care_leavers_17_18"])  # Rutland
    assert series.flag("E06000017", 2025, "care_leavers_17_18") == "c"
    assert np.isnan(
        series.values.loc[("E06000063", 2022), "care_leavers_19_21"]
    )  # Cumberland, before it existed
    assert series.flag("E06000063", 2022, "care_leavers_19_21") == "z"
    # A published 0 stays 0 (Isles of Scilly has no care leavers), and a published number has no flag.
    assert series.values.loc[("E06000053", 2025), "care_leavers_19_21"] == 0
    assert series.flag(GLOS, 2025, "looked_after") == ""
    assert not (series.values.isna() & (series.flags == "")).any().any()


def _synthetic(rng: np.random.Generator, councils: int = 150) -> DfeSeries:
    """Councils whose figures follow the model's equations exactly, plus Poisson-sized noise."""
    years = [2021, 2022, 2023, 2024, 2025]
    rows = []
    for i in range(councils):
        size = rng.uniform(20, 300)
        rate = rng.uniform(0.1, 0.25)
        looked_after = [size * 4.0]
        a = [rate * size * 4.0, rate * size * 4.1]
        b = [2.6 * a[0]]
        for _ in years[1:]:
            looked_after.append(looked_after[-1] * rng.uniform(0.97, 1.04))
        for _ in years[2:]:
            a.append(a[-1] * rng.uniform(0.95, 1.1))
        for t in range(1, len(years)):
            mean = 0.5 * b[-1] + 0.9 * a[t - 1] + (0.5 * a[t - 2] if t >= 2 else 0.5 * a[0])
            b.append(mean + rng.normal(0, np.sqrt(mean) * 0.3))
        for t, y in enumerate(years):
            rows.append((f"E06{i:06d}", y, looked_after[t], 100.0, 100.0, a[t], b[t]))
    values = pd.DataFrame(rows, columns=["la_code", "year", *MEASURES]).set_index(["la_code", "year"])
    flags = pd.DataFrame("", index=values.index, columns=list(MEASURES))
    names = pd.Series({c: c for c in values.index.get_level_values(0).unique()})
    england = values.groupby(level="year").sum()
    return DfeSeries(values, flags, names, england, pd.Series(1000.0, index=values.index))


def test_the_pooled_fit_recovers_known_cohort_flow_coefficients() -> None:
    eq = fit_equations(_synthetic(np.random.default_rng(3)))[("B", ("B1", "A1", "A2"))]
    assert eq.coef == pytest.approx([0.5, 0.9, 0.5], abs=0.08)
    assert (
        eq.observations == 150 * 3
    )  # every council-year with two years of care leavers aged 17-18 before it


def test_the_forecast_has_the_agreed_columns_three_years_and_ordered_intervals(to_2024: pd.DataFrame) -> None:
    t = to_2024
    assert tuple(t.columns) == PUBLISHED_COLUMNS
    assert sorted(t["year"].unique()) == [2025, 2026, 2027]
    assert {"looked_after", "care_leavers_17_18", "care_leavers_19_21", "places_needed",
            "places_needed_intensive"} <= set(t["measure"])  # fmt: skip
    assert ((t["lo80"] <= t["mean"]) & (t["mean"] <= t["hi80"]) & (t["lo80"] >= 0)).all()
    assert t["la_code"].nunique() == 153
    width = (t["hi80"] - t["lo80"]).to_numpy()
    by_year = (
        t.assign(width=width)
        .groupby(["la_code", "measure"])["width"]
        .apply(lambda w: w.is_monotonic_increasing)
    )
    assert by_year.mean() > 0.9  # later years are less certain


def test_the_interval_is_the_forecasts_own_rule_widened_to_hold_a_skewed_mean() -> None:
    # 19 runs of 0 and one of 100: the 90% quantile is 0, below the mean of 5. The published
    # forecast shows its 80% interval by the rule of the referral forecast (forecast.tables.interval).
    draws = np.zeros((20, 2, 1))
    draws[0, 0, 0] = 100.0
    draws[:, 1, 0] = np.arange(20.0)
    t = _summarise({"places_needed": draws}, ["E06000053", GLOS], 2025)
    scilly, glos = t.iloc[0], t.iloc[1]
    assert (scilly["mean"], scilly["lo80"], scilly["hi80"]) == (5.0, 0.0, 5.0)
    assert glos["mean"] == 9.5 and glos["lo80"] == pytest.approx(1.9) and glos["hi80"] == pytest.approx(17.1)


def test_forecasts_of_2025_from_data_to_2024_meet_the_aim_against_what_dfe_published(
    series: DfeSeries,
) -> None:
    bt = backtest_published(series, held_out=(1,), runs=1000)
    b = bt.row(1, 2025, "care_leavers_19_21")
    a = bt.row(1, 2025, "care_leavers_17_18")
    assert b["mae_model"] <= 0.5 * b["mae_naive"]
    assert a["mae_model"] <= a["mae_naive"]
    for measure in ("looked_after", "care_leavers_17_18", "care_leavers_19_21"):
        row = bt.row(1, 2025, measure)
        assert 0.70 <= row["coverage80"] <= 0.90, measure
        assert row["councils"] >= 150


def test_the_forecast_does_not_see_years_after_data_until(series: DfeSeries, to_2024: pd.DataFrame) -> None:
    scrambled = series.values.copy()
    late = scrambled.index.get_level_values("year") == 2025
    scrambled.loc[late] = scrambled.loc[late] * 3
    again = forecast_published(replace(series, values=scrambled), data_until=2024).table
    pd.testing.assert_frame_equal(again, to_2024)


def test_a_council_whose_last_figure_is_suppressed_gets_no_forecast_of_it_and_a_note(
    series: DfeSeries,
) -> None:
    fc = forecast_published(series, councils=["E06000017"])  # Rutland: care leavers aged 17-18 are `c`
    assert set(fc.table["measure"]) == {"looked_after", "care_leavers_19_21"}
    notes = " ".join(fc.notes)
    assert "no forecast of care leavers aged 17-18" in notes and "suppressed by DfE" in notes
    assert "reduced equation" in notes and "no forecast of places needed" in notes


def test_a_new_council_is_forecast_without_its_predecessors_years(series: DfeSeries) -> None:
    fc = forecast_published(series, councils=["E06000063"], data_until=2024)  # Cumberland, from 2024
    assert set(fc.table["measure"]) >= {"care_leavers_17_18", "care_leavers_19_21", "places_needed"}
    assert any("Cumberland" in n and "not applicable" in n for n in fc.notes)


def test_places_by_support_level_add_up_and_follow_the_documented_rates(to_2024: pd.DataFrame) -> None:
    t = to_2024[to_2024["la_code"] == GLOS].pivot(index="year", columns="measure", values="mean")
    levels = [c for c in t.columns if c.startswith("places_needed_")]
    assert t[levels].sum(axis=1).to_numpy() == pytest.approx(t["places_needed"].to_numpy())
    implied = (
        PLACES_PER_CARE_LEAVER["care_leavers_17_18"] * t["care_leavers_17_18"]
        + PLACES_PER_CARE_LEAVER["care_leavers_19_21"] * t["care_leavers_19_21"]
    )
    assert t["places_needed"].to_numpy() == pytest.approx(implied.to_numpy())
    shares = pd.DataFrame(support_share_table(), columns=["group", "level", "share"])
    assert shares.groupby("group")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    # Between a quarter and 85% of the council's care leavers aged 17-21 a year (issue 14's band).
    leavers = t["care_leavers_17_18"] + t["care_leavers_19_21"]
    assert ((t["places_needed"] / leavers).between(0.25, 0.85)).all()


def test_the_sum_over_councils_is_close_to_englands_published_2025_figure(to_2024: pd.DataFrame) -> None:
    england = load_dfe_series().england.loc[2025]
    total = to_2024[to_2024["year"] == 2025].groupby("measure")["mean"].sum()
    for measure in ("looked_after", "care_leavers_17_18", "care_leavers_19_21"):
        assert total[measure] == pytest.approx(england[measure], rel=0.05), measure


def test_the_backtest_baselines_are_last_year_and_the_councils_own_line(series: DfeSeries) -> None:
    bt = backtest_published(series, held_out=(1,), runs=200)
    p = bt.points[(bt.points["measure"] == "care_leavers_19_21") & (bt.points["la_code"] == GLOS)].iloc[0]
    assert p["actual"] == 378 and p["naive"] == 370
    slope, intercept = np.polyfit([2021, 2022, 2023, 2024], [267, 314, 344, 370], 1)
    assert p["trend"] == pytest.approx(intercept + slope * 2025)


def test_geographic_neighbours_are_the_councils_next_door() -> None:
    near = geographic_neighbours(GLOS)
    assert near[0] == "E06000025" and "E10000034" in near  # South Gloucestershire first, Worcestershire
    assert "E10000016" not in near  # Kent
    assert geographic_neighbours("E06000053") == ["E06000052"]  # Isles of Scilly: Cornwall


def test_neighbours_are_ranked_by_kilometres_not_degrees() -> None:
    # Gloucestershire's centre is 41 km from Swindon's, 46.5 km from Herefordshire's and 47 km from
    # Worcestershire's; in raw degrees Worcestershire, due north, came second.
    near = geographic_neighbours(GLOS)
    assert near.index("E06000030") < near.index("E06000019") < near.index("E10000034")
    # The Isle of Wight touches nobody: its nearest council is Portsmouth (26 km), then Southampton
    # (28 km), which degrees put first.
    assert geographic_neighbours("E06000046") == ["E06000044"]


def test_a_folder_without_the_dfe_tables_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as e:
        load_dfe_series(tmp_path)
    assert "dfe_cla_numbers_and_rates.csv" in "\n".join(e.value.lines())
    src = Path(__file__).resolve().parent.parent / "data" / "reference"
    for name in ("dfe_cla_numbers_and_rates.csv", "dfe_care_leavers_accommodation_suitability.csv"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    lines = (tmp_path / "dfe_cla_numbers_and_rates.csv").read_text().splitlines()
    lines[3] = "2O25" + lines[3][4:]
    (tmp_path / "dfe_cla_numbers_and_rates.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as e:
        load_dfe_series(tmp_path)
    assert "dfe_cla_numbers_and_rates.csv row 4, column time_period: '2O25' is not a year" in e.value.lines()


def test_sense_check_sets_the_own_forecast_beside_the_published_one(series: DfeSeries) -> None:
    from types import SimpleNamespace

    months = pd.period_range("2026-04", periods=12, freq="M")
    by_age = pd.DataFrame(
        {"month": np.repeat(months.astype(str), 3), "age_band": ["17-18", "19-21", "22-25"] * 12,
         "demand_mean": [10.0, 20.0, 5.0] * 12}
    )  # fmt: skip
    table = pd.DataFrame(
        {"month": months.astype(str), "support_level": "low", "demand_mean": 30.0, "carried_mean": 0.0}
    )
    own = SimpleNamespace(months=12, start=months[0], by_age=by_age, table=table)
    fc = forecast_published(series, councils=[GLOS])
    text = "\n".join(sense_check_lines(own, fc, series, GLOS))  # type: ignore[arg-type]
    assert "Gloucestershire (E10000013)" in text and "Apr 2026 to Mar 2027" in text
    assert "year to 31 March 2027" in text
    assert "all aged 17-21" in text and "360" in text  # 12 x (10 + 20)
    assert "times the published-data forecast's: a large gap." in text  # 360 a year is far from ~195


@pytest.mark.parametrize(
    ("own", "published", "line"),
    [
        (195.0, 196.0, "are 0.99 times the published-data forecast's: the same size (0.8 to 1.25 times)."),
        (250.0, 196.0, "are 1.28 times the published-data forecast's: a gap within a half either way."),
        (700.0, 196.0, "are 3.57 times the published-data forecast's: a large gap."),
        (
            50.0,
            float("nan"),
            "No ratio to the published-data forecast: it has no places for 17-21 year-olds here.",
        ),
    ],
)
def test_the_sense_check_prints_the_ratio_in_every_case(own: float, published: float, line: str) -> None:
    from planner.forecast.published_report import ratio_line

    assert line in ratio_line(own, published)
