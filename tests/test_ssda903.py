"""planner import-903 on a hand-made SSDA903 return with real codes and deliberate errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.problems import InvalidInput
from planner.forecast.demand import forecast
from planner.forecast.history import load_cohort, load_referrals
from planner.sources.ssda903 import import_903, pseudonym
from planner.sources.ssda903_codes import district_of_postcode

RETURN = Path(__file__).resolve().parent / "data" / "ssda903"
# The deliberate errors in tests/data/ssda903 (see its README).
EXPECTED = [
    "episodes.csv row 13, column PLACE: 'U7' is not an SSDA903 PLACE code",
    "episodes.csv row 20, column DECOM: '2021-06-29' is not a date (SSDA903 dates are dd/mm/yyyy",
    "episodes.csv row 26, column LS: 'C3' is not an SSDA903 LS code",
    "episodes.csv row 37, column DEC: 16/12/2022 is before DECOM 23/09/2023",
    "episodes.csv row 64, column CHILD: '999999' is not in the Header file",
    "header.csv row 6, column SEX: '3' is not an SSDA903 SEX code",
    "header.csv row 13, column DOB: '31/02/2010' is not a date",
    "oc3.csv row 5, column ACCOM: 'W3' is not an SSDA903 ACCOM code",
    "oc3.csv row 8, column IN_TOUCH: 'MAYBE' is not an SSDA903 IN_TOUCH code",
]


def test_every_deliberate_error_is_listed_with_file_row_column_and_value() -> None:
    result = import_903(RETURN, salt="test")
    found = [str(p) for p in result.problems]
    assert len(found) == len(EXPECTED)
    for line, expected in zip(found, EXPECTED, strict=True):
        assert line.startswith(expected)


def test_skip_keeps_the_valid_rows_and_derives_cohort_and_history() -> None:
    result = import_903(RETURN, salt="test")
    assert result.on.isoformat() == "2026-03-31"  # end of the latest collection year
    cohort, ref = result.cohort, result.referrals
    # 22 looked after aged 13-17: 100105 (SEX 3) and 100112 (bad DOB) are left out, and so is
    # 100120 (postcodes outside the lookup).
    assert len(cohort) == 19
    assert pseudonym("100105", "test") not in set(cohort["child_id"])
    age = (pd.Timestamp("2026-03-31") - cohort["date_of_birth"]).dt.days / 365.25
    assert age.between(13, 18.1).all()
    assert set(cohort["district"]) <= {f"E0700007{i}" for i in (8, 9)} | {f"E0700008{i}" for i in range(4)}
    # UASC: 100104 and 100110 are; 100103 stopped being UASC in January 2026.
    assert set(cohort.loc[cohort["uasc"], "child_id"]) == {
        pseudonym("100104", "test"),
        pseudonym("100110", "test"),
    }
    # Staying put (E17) becomes Z1; OC3 accommodation wins over the reason the episode ended.
    assert (ref["outcome_accom"] == "Z1").sum() >= 3
    assert ref["outcome_accom"].isin(["D1", "E1", "T1"]).any()
    assert "W3" not in set(ref["outcome_accom"])


def test_nothing_identifying_is_kept(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["import-903", str(RETURN), "--out", str(tmp_path)], env={"PLANNER_903_SALT": "s"}
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cohort.csv").read_text() + (tmp_path / "referrals.csv").read_text()
    header = pd.read_csv(RETURN / "header.csv", dtype=str)
    for child, upn, dob in zip(header["CHILD"], header["UPN"], header["DOB"], strict=True):
        assert child not in text and upn not in text and dob not in text
    assert "GL" not in text and "B15" not in text  # no postcodes
    days = pd.concat([load_cohort(tmp_path)["date_of_birth"], load_referrals(tmp_path)["date_of_birth"]])
    assert (days.dt.day == 1).all()  # month and year of birth only


def test_ids_are_stable_for_a_salt_and_differ_between_salts() -> None:
    a = import_903(RETURN, salt="one").cohort["child_id"]
    b = import_903(RETURN, salt="one").cohort["child_id"]
    c = import_903(RETURN, salt="two").cohort["child_id"]
    assert list(a) == list(b) and not set(a) & set(c)


def test_reject_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import-903", str(RETURN), "--out", str(out), "--on-error", "reject"])
    assert result.exit_code == 2
    assert "Rejected, nothing written" in result.output
    for expected in EXPECTED:
        assert expected in result.output
    assert not out.exists()
    with pytest.raises(InvalidInput):
        import_903(RETURN, on_error="reject")


def test_a_clean_return_is_accepted_under_reject(tmp_path: Path) -> None:
    src = tmp_path / "clean"
    shutil.copytree(RETURN, src)
    episodes = pd.read_csv(src / "episodes.csv", dtype=str, keep_default_na=False)
    header = pd.read_csv(src / "header.csv", dtype=str, keep_default_na=False)
    oc3 = pd.read_csv(src / "oc3.csv", dtype=str, keep_default_na=False)
    bad_children = {"100105", "100112", "100108", "100111", "100114", "100118", "999999"}
    episodes[~episodes["CHILD"].isin(bad_children)].to_csv(src / "episodes.csv", index=False)
    header[~header["CHILD"].isin(bad_children)].to_csv(src / "header.csv", index=False)
    oc3[~oc3["CHILD"].isin({"100126", "100129"})].to_csv(src / "oc3.csv", index=False)
    result = import_903(src, on_error="reject", salt="x")
    assert result.problems == [] and len(result.cohort) > 10


def test_the_imported_folder_forecasts(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-903", str(RETURN), "--out", str(tmp_path)])
    assert "planner forecast" in result.output and "--start 2026-04" in result.output
    f = forecast(tmp_path, months=12, start="2026-04", runs=200)
    assert f.table["month"].iloc[0] == "2026-04"
    assert (f.table["supply_mean"] == 0).all()  # no schemes.csv
    assert any("no schemes.csv" in n for n in f.notes)
    assert f.table["demand_mean"].sum() > 0


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("GL50 1HX", "E07000078"), ("gl7 1xy", "E07000079"), ("GL15", "E07000080"), ("B15 2TT", ""), ("", "")],
)
def test_postcodes_become_districts_or_nothing(postcode: str, district: str) -> None:
    assert district_of_postcode(postcode) == district


def test_a_folder_without_a_return_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-903", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no SSDA903 Header and Episodes files found" in result.output
