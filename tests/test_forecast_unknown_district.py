"""Children in cohort.csv whose district is `unknown` (no postcode in England in the SSDA903
return) still count in the forecast: shared out over the districts like those whose is known."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.data.problems import InvalidInput
from planner.data.table import format_table, read_table
from planner.forecast.demand import ForecastInputs, forecast
from planner.forecast.history import COHORT
from planner.sources import import_903

RETURN = Path(__file__).resolve().parent / "data" / "ssda903"
CHELTENHAM, GLOUCESTER = "E07000078", "E07000081"


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return import_903(RETURN, salt="t").referrals


def _cohort(districts: list[str]) -> pd.DataFrame:
    """Children in children's homes turning 18 between May 2026 and February 2027."""
    n = len(districts)
    born = [pd.Timestamp(2008, 5, 1) + pd.DateOffset(months=i % 10) for i in range(n)]
    return pd.DataFrame(
        {
            "child_id": [f"C-{i:03d}" for i in range(n)],
            "date_of_birth": pd.Series(born, dtype="datetime64[ns]"),
            "gender": "F",
            "district": districts,
            "placement_type": "K2",
            "support_need": "high",
            "uasc": False,
        }
    )


def _demand(referrals: pd.DataFrame, districts: list[str]) -> tuple[pd.Series, list[str]]:
    f = forecast(ForecastInputs(referrals, _cohort(districts)), months=12, start="2026-04", runs=4000,
                 on=date(2026, 3, 31))  # fmt: skip
    table = f.table[f.table["support_level"] == "high"]
    return table.groupby("district")["demand_mean"].sum(), f.notes


def test_unknown_districts_are_shared_in_proportion_to_the_known_ones(referrals: pd.DataFrame) -> None:
    known = [CHELTENHAM] * 30 + [GLOUCESTER] * 10
    # The same children, a half of each district's unknown: the known ones are still 3 to 1.
    half = [CHELTENHAM] * 15 + ["unknown"] * 15 + [GLOUCESTER] * 5 + ["unknown"] * 5
    all_known, notes_known = _demand(referrals, known)
    shared, notes_shared = _demand(referrals, half)
    assert set(shared.index) == set(all_known.index)  # no "unknown" district in the forecast
    np.testing.assert_allclose(
        shared[[CHELTENHAM, GLOUCESTER]], all_known[[CHELTENHAM, GLOUCESTER]], rtol=0.05
    )
    assert shared.sum() == pytest.approx(all_known.sum(), rel=0.03)
    assert not any("no known district" in n for n in notes_known)
    assert any(n.startswith("20 children in cohort.csv turning 18") for n in notes_shared)


def test_the_cohort_file_accepts_unknown_but_no_other_word_for_a_district() -> None:
    good = format_table(_cohort([CHELTENHAM, "unknown"]), COHORT)
    assert list(read_table(good.encode(), COHORT)["district"]) == [CHELTENHAM, "unknown"]
    with pytest.raises(InvalidInput) as e:
        read_table(format_table(_cohort(["Cheltenham"]), COHORT).encode(), COHORT)
    assert str(e.value) == (
        "cohort.csv row 2, column district: 'Cheltenham' is not an English district code "
        "(ONS LAD code, e.g. E07000078) or 'unknown'"
    )


@pytest.mark.parametrize("code", ["K3", "Z11", "Z12", "Z13", "Z14", "H5", "P2", "Z1"])
def test_the_cohort_file_accepts_every_placement_code_of_2022_23_to_2025_26(code: str) -> None:
    cohort = _cohort([CHELTENHAM]).assign(placement_type=code)
    assert read_table(format_table(cohort, COHORT).encode(), COHORT)["placement_type"].iloc[0] == code


def _later_referrals(n: int = 360) -> pd.DataFrame:
    """Care leavers aged 19-21 moving on, 10 a month for three years, 2 in Cheltenham to 1 in
    Gloucester."""
    day = pd.Timestamp(2023, 4, 1) + pd.to_timedelta(np.arange(n) * 3, unit="D")
    return pd.DataFrame({
        "referral_id": [f"R-{i}" for i in range(n)], "person_id": [f"P-{i}" for i in range(n)],
        "referral_date": day, "date_of_birth": day - pd.DateOffset(years=20), "gender": "F",
        "home_district": [CHELTENHAM, CHELTENHAM, GLOUCESTER] * (n // 3), "support_need": "medium",
        "wheelchair": False, "parent_with_child": False, "high_risk": False, "risks": [()] * n,
        "outcome_accom": "U1", "placed_date": day, "left_date": pd.Series(pd.NaT, index=range(n)),
    })  # fmt: skip


def test_referrals_of_unknown_district_are_shared_out_and_said_so() -> None:
    known = _later_referrals()
    half = known.assign(home_district=known["home_district"].where(known.index % 2 == 0, "unknown"))
    a = forecast(ForecastInputs(known), months=12, start="2026-04", runs=2000, on=date(2026, 3, 31))
    b = forecast(ForecastInputs(half), months=12, start="2026-04", runs=2000, on=date(2026, 3, 31))
    by_a = a.table[a.table["support_level"] == "all"].groupby("district")["demand_mean"].sum()
    by_b = b.table[b.table["support_level"] == "all"].groupby("district")["demand_mean"].sum()
    assert "unknown" not in set(b.table["district"])
    assert by_b.sum() == pytest.approx(by_a.sum(), rel=0.05)  # nobody is lost for a postcode
    assert by_b[CHELTENHAM] / by_b[GLOUCESTER] == pytest.approx(2.0, rel=0.15)
    medium = b.table[(b.table["support_level"] == "medium")]["demand_mean"].sum()
    assert medium == pytest.approx(by_b.sum(), rel=0.02)  # each keeps its support level
    assert any(
        n.startswith("180 referrals in referrals.csv have district unknown: shared out") for n in b.notes
    )


def test_the_referrals_file_accepts_unknown_for_a_home_district(referrals: pd.DataFrame) -> None:
    from planner.data.history_formats import REFERRALS

    written = format_table(referrals.head(2).assign(home_district=["unknown", CHELTENHAM]), REFERRALS)
    assert list(read_table(written.encode(), REFERRALS)["home_district"]) == ["unknown", CHELTENHAM]
