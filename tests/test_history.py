"""referrals.csv and cohort.csv: generated, calibrated, deterministic, validated like contract v1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from planner.data.problems import InvalidInput
from planner.demo.history import council_figures, write_history
from planner.forecast.history import (
    COHORT,
    PLACEMENT_TYPES,
    REFERRALS,
    History,
    load_cohort,
    load_referrals,
)

ON = date(2026, 11, 23)


@pytest.fixture(scope="module")
def history_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, History]:
    folder = tmp_path_factory.mktemp("history")
    return folder, write_history(folder, county="Gloucestershire", seed=1, on=ON)


def test_written_files_validate_and_read_back_equal(history_dir: tuple[Path, History]) -> None:
    folder, history = history_dir
    referrals, cohort = load_referrals(folder), load_cohort(folder)
    pd.testing.assert_frame_equal(referrals, history.referrals, check_dtype=False)
    pd.testing.assert_frame_equal(cohort, history.cohort, check_dtype=False)
    assert list(pd.read_csv(folder / "referrals.csv", nrows=0).columns) == REFERRALS.names
    assert list(pd.read_csv(folder / "cohort.csv", nrows=0).columns) == COHORT.names


def test_same_seed_gives_identical_files_and_another_seed_differs(
    history_dir: tuple[Path, History], tmp_path: Path
) -> None:
    folder, _ = history_dir
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_history(tmp_path / "a", county="Gloucestershire", seed=1, on=ON)
    write_history(tmp_path / "b", county="Gloucestershire", seed=2, on=ON)
    for name in ("referrals.csv", "cohort.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (folder / name).read_bytes()
        assert (tmp_path / "b" / name).read_bytes() != (folder / name).read_bytes()


def test_history_covers_36_months_up_to_the_date(history_dir: tuple[Path, History]) -> None:
    ref = history_dir[1].referrals
    assert ref["referral_date"].max() < pd.Timestamp(ON)
    assert ref["referral_date"].min() >= pd.Timestamp("2023-11-01")
    assert ref["referral_date"].dt.to_period("M").nunique() == 37  # 36 full months and November 2026


def test_volumes_follow_the_councils_dfe_care_leaver_numbers(history_dir: tuple[Path, History]) -> None:
    ref, cohort = history_dir[1].referrals, history_dir[1].cohort
    # Gloucestershire, DfE 2025: 156 aged 17-18, 378 aged 19-21. Referrals for a place a year:
    # 0.45 x 156 + 0.33 x 378 + 0.33 x 168 (the 22-25 estimate) = 250 (planner.demo.flows), plus
    # staying put (0.176 x 156 = 27) and those ending with family or custody.
    places = 0.45 * 156 + 0.33 * 378 + 0.33 * 4 * 378 / 9
    last_year = ref[ref["referral_date"] >= pd.Timestamp("2025-11-23")]
    assert 1.1 * places < len(last_year) < 1.4 * places
    assert council_figures("E10000013")["looked_after"] == 758
    # 758 looked after at 31 March 2025; about 47% are aged 13 to 17.
    assert 0.4 * 758 < len(cohort) < 0.55 * 758
    age = (pd.Timestamp(ON) - cohort["date_of_birth"]).dt.days / 365.25
    assert age.between(13, 18).all()


def test_referrals_peak_in_july_to_september(history_dir: tuple[Path, History]) -> None:
    ref = history_dir[1].referrals
    full = ref[ref["referral_date"] < pd.Timestamp("2026-11-01")]
    per_month = full.groupby(full["referral_date"].dt.month).size()
    assert per_month.loc[[7, 8, 9]].mean() > 1.1 * per_month.drop([7, 8, 9]).mean()


def test_stays_respect_public_limits(history_dir: tuple[Path, History]) -> None:
    ref = history_dir[1].referrals
    stay = (ref["left_date"] - ref["placed_date"]).dt.days
    assert stay[ref["outcome_accom"] == "W2"].max() <= 42  # B&B at most 6 weeks
    z = ref[(ref["outcome_accom"] == "Z1") & ref["left_date"].notna()]
    assert ((z["left_date"] - z["date_of_birth"]).dt.days <= 21 * 365.25 + 1).all()  # staying put to 21
    assert (ref["placed_date"].dropna() >= ref.loc[ref["placed_date"].notna(), "referral_date"]).all()


def test_cohort_uses_ssda903_placement_codes_and_uasc_are_mostly_older_boys(
    history_dir: tuple[Path, History],
) -> None:
    cohort = history_dir[1].cohort
    assert set(cohort["placement_type"]) <= set(PLACEMENT_TYPES)
    uasc = cohort[cohort["uasc"]]
    assert 0.05 * len(cohort) < len(uasc) < 0.4 * len(cohort)
    assert (uasc["gender"] == "M").mean() > 0.8
    age = (pd.Timestamp(ON) - cohort["date_of_birth"]).dt.days / 365.25
    assert (age[cohort["placement_type"] == "H5"] >= 16).all()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "placed_date",
            "2023-10-01",
            "referrals.csv row 2, column placed_date: 2023-10-01 is before the referral date",
        ),
        (
            "outcome_accom",
            "W1",
            "referrals.csv row 2, column outcome_accom: 'W1' marks unsuitable accommodation",
        ),
        (
            "outcome_accom",
            "Q1",
            "referrals.csv row 2, column outcome_accom: 'Q1' is not an SSDA903 ACCOM code",
        ),
        (
            "referral_date",
            "2023-02-30",
            "referrals.csv row 2, column referral_date: '2023-02-30' is not a date",
        ),
        (
            "home_district",
            "E99999999",
            "referrals.csv row 2, column home_district: 'E99999999' is not an English",
        ),
    ],
)
def test_bad_referral_rows_are_named_by_file_row_and_column(
    history_dir: tuple[Path, History],
    tmp_path: Path,
    set_cell: Callable[[Path, int, str, str], None],
    column: str,
    value: str,
    message: str,
) -> None:
    path = tmp_path / "referrals.csv"
    path.write_bytes((history_dir[0] / "referrals.csv").read_bytes())
    set_cell(path, 2, column, value)
    with pytest.raises(InvalidInput) as e:
        load_referrals(tmp_path)
    assert str(e.value).startswith(message)


def test_left_date_without_placed_date_is_an_error(
    history_dir: tuple[Path, History], tmp_path: Path, set_cell: Callable[[Path, int, str, str], None]
) -> None:
    path = tmp_path / "referrals.csv"
    path.write_bytes((history_dir[0] / "referrals.csv").read_bytes())
    set_cell(path, 2, "outcome_accom", "")
    set_cell(path, 2, "placed_date", "")
    set_cell(path, 2, "left_date", "2024-05-01")
    with pytest.raises(InvalidInput) as e:
        load_referrals(tmp_path)
    assert "referrals.csv row 2, column left_date: 2024-05-01 is given but placed_date is empty" in str(
        e.value
    )


def test_unknown_placement_type_in_cohort_is_named(
    history_dir: tuple[Path, History], tmp_path: Path, set_cell: Callable[[Path, int, str, str], None]
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes((history_dir[0] / "cohort.csv").read_bytes())
    set_cell(path, 3, "placement_type", "Q9")
    with pytest.raises(InvalidInput) as e:
        load_cohort(tmp_path)
    assert str(e.value).startswith(
        "cohort.csv row 3, column placement_type: 'Q9' is not an SSDA903 placement type"
    )


@pytest.mark.parametrize("county", ["City of London", "Isles of Scilly", "Kent"])
def test_history_generates_for_councils_with_suppressed_figures(county: str, tmp_path: Path) -> None:
    history = write_history(tmp_path, county=county, seed=1, on=ON)
    assert len(load_cohort(tmp_path)) == len(history.cohort) >= 1
    assert len(load_referrals(tmp_path)) == len(history.referrals)


def test_referrals_for_a_place_run_at_the_flows_the_demo_s_list_is_drawn_from(
    history_dir: tuple[Path, History],
) -> None:
    # The demo's young_people.csv is a snapshot of the flows of planner.demo.flows; the history's
    # referrals that need a place (not family, staying put or custody) run at the same rate, each
    # flow at its own ages: the moves from care before 18 and a quarter, the move-ons after.
    from planner.demo.county import calibration
    from planner.forecast.history import NOT_PLACE_DEMAND

    flows = calibration("Gloucestershire").flows
    ref = history_dir[1].referrals
    last_year = ref[ref["referral_date"] >= pd.Timestamp("2025-11-23")]
    places = last_year[~last_year["outcome_accom"].str[:1].isin(list(NOT_PLACE_DEMAND))]
    assert 0.85 * flows.places_per_year < len(places) < 1.15 * flows.places_per_year
    age = (places["referral_date"] - places["date_of_birth"]).dt.days / 365.25
    from_care = flows.per_year["leaving_care_16_17"] + flows.per_year["leaving_care_at_18"]
    assert (age < 18.25).sum() == pytest.approx(from_care, rel=0.3)
    staying_put = (last_year["outcome_accom"] == "Z1").sum()
    assert staying_put == pytest.approx(flows.staying_put_per_year, rel=0.4)
