"""planner import-903 on a hand-made 2025-26 return with real codes and deliberate errors
(tests/data/ssda903, its README lists them): what is kept, dropped, derived and reported."""

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
from planner.sources import import_903
from planner.sources.ssda903_history import pseudonym

DATA = Path(__file__).resolve().parent / "data"
RETURN = DATA / "ssda903"
GLOUCESTERSHIRE = {f"E0700007{i}" for i in (8, 9)} | {f"E0700008{i}" for i in range(4)}
# The deliberate errors in tests/data/ssda903 (see its README), in file and row order.
EXPECTED = [
    "episodes.csv row 13, column PLACE: 'U7' is not an SSDA903 PLACE code in 2025-26",
    "episodes.csv row 20, column DECOM: '2021-06-29' is not a date (SSDA903 dates are dd/mm/yyyy",
    "episodes.csv row 22, column CHILD: '100112': the child's Header row is not usable",
    "episodes.csv row 23, column CHILD: '100112': the child's Header row is not usable",
    "episodes.csv row 26, column LS: 'C3' is not an SSDA903 LS code in 2025-26",
    "episodes.csv row 37, column DEC: 16/12/2022 is before DECOM 23/09/2023",
    "episodes.csv row 64, column CHILD: '999999' is not in the Header file",
    "header.csv row 6, column SEX: '3' is not an SSDA903 SEX code in 2025-26 (e.g. M, F, U)",
    "header.csv row 13, column DOB: '31/02/2010' is not a date",
    "oc3.csv row 5, column ACCOM: 'W3' is not an SSDA903 ACCOM code in 2025-26",
    "oc3.csv row 8, column IN_TOUCH: 'MAYBE' is not an SSDA903 IN_TOUCH code in 2025-26",
]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return import_903(RETURN, salt="test")


def _id(child: str) -> str:
    return pseudonym(child, "test")


def test_every_deliberate_error_is_listed_with_file_row_column_and_value(result) -> None:  # type: ignore[no-untyped-def]
    found = [str(p) for p in result.problems]
    assert len(found) == len(EXPECTED), "\n".join(found)
    for line, expected in zip(found, EXPECTED, strict=True):
        assert line.startswith(expected)


def test_a_bad_field_is_dropped_and_its_row_kept_where_still_usable(result) -> None:  # type: ignore[no-untyped-def]
    cohort = result.cohort.set_index("child_id")
    assert cohort.loc[_id("100105"), "gender"] == "X"  # SEX '3' dropped; the child stays
    assert _id("100114") in cohort.index  # LS 'C3' dropped; the episode and child stay
    assert _id("100112") not in cohort.index  # no valid date of birth: no age, left out
    # 100108's first episode (PLACE 'U7') is left out, their current one (K2) is not.
    assert cohort.loc[_id("100108"), "placement_type"] == "K2"


def test_cohort_is_taken_on_31_march_ending_the_collection_year(result) -> None:  # type: ignore[no-untyped-def]
    assert result.on.isoformat() == "2026-03-31"
    assert [f.year for f in result.files] == [2025] * 4
    age = (pd.Timestamp("2026-03-31") - result.cohort["date_of_birth"]).dt.days / 365.25
    assert age.between(13, 18.1).all()
    assert len(result.cohort) == 23
    assert result.cohort["placement_type"].isin(["U3", "U4", "U6", "K2", "K3"]).all()


def test_districts_come_from_the_home_postcode_else_the_placement_and_unknown_is_kept(result) -> None:  # type: ignore[no-untyped-def]
    district = result.cohort.set_index("child_id")["district"]
    assert district[_id("100120")] == "E08000025"  # Birmingham postcodes: Birmingham
    assert district[_id("100145")] == "unknown"  # no postcode: kept, district unknown
    assert district[_id("100146")] == "E07000082"  # home in Cardiff, placed in Stroud
    assert set(district) - {"E08000025", "unknown"} <= GLOUCESTERSHIRE
    assert result.counts["cohort_unknown_district"] == 1
    assert result.council.startswith("Gloucestershire (E10000013)")


def test_uasc_children_are_those_whose_status_had_not_ended(result) -> None:  # type: ignore[no-untyped-def]
    # 100104 and 100110 are UASC; 100103 stopped being UASC in January 2026.
    assert set(result.cohort.loc[result.cohort["uasc"], "child_id"]) == {_id("100104"), _id("100110")}


def test_history_takes_the_accommodation_from_the_ending_or_the_same_years_oc3(result) -> None:  # type: ignore[no-untyped-def]
    ref = result.referrals
    mine = ref[ref["person_id"] == _id("100139")]
    # Left care at 18 to supported accommodation (E5); the same year's OC3 says supported lodgings.
    assert mine[["outcome_accom", "parent_with_child"]].values.tolist() == [["E1", True]]
    assert mine["referral_date"].iloc[0] == pd.Timestamp("2025-10-01")
    staying_put = ref[ref["source"] == "left care: episode ended E17"]
    assert len(staying_put) == 4 and (staying_put["outcome_accom"] == "Z1").all()
    assert not ref["outcome_accom"].isin(["W3", "G1", "H1", "0"]).any()


def test_care_leavers_not_in_touch_are_not_known_never_demand_nor_a_made_up_place(result) -> None:  # type: ignore[no-untyped-def]
    ref = result.referrals.set_index(["person_id", "referral_date"])["outcome_accom"]
    assert (_id("100141"), pd.Timestamp("2025-11-20")) not in ref.index  # IN_TOUCH NO, ACCOM 0
    # Left care to family (E4A): written, not demand; then RHOM (not known): not written.
    rows = result.referrals[result.referrals["person_id"] == _id("100144")]
    assert rows["outcome_accom"].tolist() == ["B1"]
    assert ref[(_id("100141"), pd.Timestamp("2023-11-20"))] == "U1"  # the move at 18 (E6) is known
    # Left care not known (E8), then in emergency accommodation (V1 is valid; counted unsuitable).
    assert ref[(_id("100142"), pd.Timestamp("2026-01-05"))] == "V2"
    assert "R1" not in set(result.referrals["outcome_accom"])
    assert result.counts["not_known"] >= 2 and result.counts["left_not_known"] >= 1  # 100142 left E8


def test_endings_that_do_not_make_a_care_leaver_are_left_out_with_a_note(result) -> None:  # type: ignore[no-untyped-def]
    people = set(result.referrals["person_id"])
    assert _id("100140") not in people  # E15: age assessed as 18 or over
    assert _id("100143") in people  # left to supported accommodation (E5)...
    assert (result.referrals["person_id"] == _id("100143")).sum() == 1  # ...then gone abroad (G1)
    assert any("E15 age assessment determined child is aged 18 or over: 1" in n for n in result.notes)
    assert any("gone abroad or deported" in n for n in result.notes)


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
    assert "GL" not in text and "B15" not in text and "SC12" not in text  # no postcodes, no URNs
    days = pd.concat([load_cohort(tmp_path)["date_of_birth"], load_referrals(tmp_path)["date_of_birth"]])
    assert (days.dt.day == 1).all()  # month and year of birth only


def test_urns_are_pseudonyms_that_still_link_placements_in_one_setting(result) -> None:  # type: ignore[no-untyped-def]
    urn = result.cohort.set_index("child_id")["urn"]
    # 100102, 100108 and 100121 are all in the children's home SC123456.
    assert (
        urn[_id("100102")] == urn[_id("100108")] == urn[_id("100121")] == pseudonym("SC123456", "test", "URN")
    )
    assert urn[_id("100101")] == ""  # foster care has no URN
    assert result.cohort.set_index("child_id").loc[_id("100102"), "place_provider"] == "PR4"


def test_ids_are_stable_for_a_salt_and_differ_between_salts() -> None:
    a = import_903(RETURN, salt="one").cohort["child_id"]
    b = import_903(RETURN, salt="one").cohort["child_id"]
    c = import_903(RETURN, salt="two").cohort["child_id"]
    assert list(a) == list(b) and not set(a) & set(c)


def test_reject_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import-903", str(RETURN), "--out", str(out), "--on-error", "reject"])
    assert result.exit_code == 2
    assert result.output.startswith("Rejected, nothing written:")
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
