"""SSDA903 returns of each collection year 2022-23 to 2025-26, several years at once, and councils
across England (hand-made fixtures in tests/data/ssda903_*, each with a README)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.districts import find_council
from planner.data.problems import InvalidInput
from planner.sources import import_903
from planner.sources.ssda903_files import bare_year_in_name, year_in_name
from planner.sources.ssda903_history import pseudonym

DATA = Path(__file__).resolve().parent / "data"


def _id(child: str) -> str:
    return pseudonym(child, "t")


def _lines(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in result.problems]


def test_a_2022_23_return_takes_its_year_from_the_dates_and_accepts_its_codes() -> None:
    result = import_903(DATA / "ssda903_cumberland", salt="t")
    assert {(f.year, f.year_from) for f in result.files} == {(2022, "the episodes' end dates (DEC)")}
    assert _lines(result) == []  # SEX 1 and 2, PLACE H5, P2 and Z1 are all 2022-23 codes
    assert result.on.isoformat() == "2023-03-31"
    assert sorted(result.cohort["placement_type"]) == ["H5", "P2", "Z1"]


def test_a_2024_25_return_accepts_sex_m_f_u_and_k3_beside_h5() -> None:
    result = import_903(DATA / "ssda903_norfolk", salt="t")
    assert {(f.year, f.year_from) for f in result.files} == {(2024, "the folder name '2024-25'")}
    assert _lines(result) == [
        "2024-25/episodes.csv row 8, column PLACE: 'Z11' is an SSDA903 PLACE code of 2025-26, not of "
        "2024-25: read as such"
    ]
    cohort = result.cohort.set_index("child_id")
    assert cohort.loc[_id("N003"), ["gender", "placement_type", "support_need"]].tolist() == [
        "X",
        "K3",
        "medium",
    ]
    assert cohort.loc[_id("N005"), "placement_type"] == "Z11"  # reported, and kept
    assert len(cohort) == 6 and result.on.isoformat() == "2025-03-31"


def test_a_2025_26_return_accepts_z11_to_z14_and_k3_and_reports_h5() -> None:
    result = import_903(DATA / "ssda903_leeds", salt="t")
    assert {(f.year, f.year_from) for f in result.files} == {(2025, "the file names")}
    assert _lines(result) == [
        "episodes_2025-26.csv row 7, column PLACE: 'H5' is an SSDA903 PLACE code of 2017-18 to 2024-25, "
        "not of 2025-26: read as such"
    ]
    places = set(result.cohort["placement_type"])
    assert {"Z11", "Z12", "Z14", "K3"} <= places
    assert set(result.cohort.loc[result.cohort["uasc"], "child_id"]) == {_id("L002")}  # Header UASC_STATUS
    leaver = result.referrals[result.referrals["person_id"] == _id("L007")]
    assert leaver["outcome_accom"].tolist() == ["W2"]  # OC3 W1 is valid; the planner counts B&B unsuitable


def test_two_years_give_each_child_and_episode_once() -> None:
    result = import_903(DATA / "ssda903_years", salt="t")
    assert sorted({(f.name.split("/")[0], f.year) for f in result.files}) == [
        ("2023-24", 2023),
        ("2024-25", 2024),
    ]
    assert result.on.isoformat() == "2025-03-31"
    cohort = result.cohort.set_index("child_id")
    assert sorted(cohort.index) == sorted([_id("S01"), _id("S05")])
    assert cohort.loc[_id("S01"), "placement_type"] == "U6"  # moved in October 2024
    assert result.counts["children"] == 5
    # S03 was open at the end of 2023-24 but is missing from 2024-25: not in the cohort, noted.
    assert any("not in the return covering 31 Mar 2025" in n for n in result.notes)
    history = result.referrals.set_index(["person_id", "referral_date"])["outcome_accom"]
    # S04 left at 18 in 2023-24 (E5; that year's OC3: E1): the history starts with the second year
    # loaded, where her 19th birthday's OC3 shows a move from supported lodgings to her own tenancy.
    assert history.to_dict() == {
        (_id("S02"), pd.Timestamp("2024-06-09")): "Z1",  # staying put (E17)
        (_id("S04"), pd.Timestamp("2024-08-30")): "U1",  # 2024-25 OC3, at her 19th birthday
    }
    source = result.referrals.set_index("person_id")["source"]
    assert source[_id("S04")] == "moved: OC3 2024-25 U1 after E"
    assert any(n.startswith("1 event before 1 Apr 2024 not written") for n in result.notes)
    assert set(result.referrals["home_district"]) == {"E08000019"}  # S04's from the 2023-24 episodes


def test_the_same_return_in_two_folders_counts_once(tmp_path: Path) -> None:
    shutil.copytree(DATA / "ssda903_years", tmp_path / "returns")
    shutil.copytree(DATA / "ssda903_years" / "2024-25", tmp_path / "returns" / "copy of 2024-25")
    once = import_903(DATA / "ssda903_years", salt="t")
    twice = import_903(tmp_path / "returns", salt="t")
    pd.testing.assert_frame_equal(once.cohort, twice.cohort)
    pd.testing.assert_frame_equal(once.referrals, twice.referrals)


@pytest.mark.parametrize(
    ("fixture", "council"),
    [("ssda903_norfolk", "E10000020"), ("ssda903_leeds", "E08000035"), ("ssda903_cumberland", "E06000063")],
)
def test_a_return_from_a_council_anywhere_in_england_puts_children_in_its_districts(
    fixture: str, council: str
) -> None:
    result = import_903(DATA / fixture, salt="t")
    assert result.council.startswith(f"{find_council(council).name} ({council})")
    ours = set(find_council(council).district_codes)
    assert set(result.cohort["district"]) & ours
    assert set(result.referrals["home_district"]) <= ours


def test_sheffield_and_barnsley_postcodes_give_the_2023_district_codes() -> None:
    result = import_903(DATA / "ssda903_years", salt="t")
    district = result.cohort.set_index("child_id")["district"]
    assert district[_id("S01")] == "E08000019" and district[_id("S05")] == "E08000016"


def test_year_from_the_option_wins_over_names_and_dates() -> None:
    result = import_903(DATA / "ssda903_cumberland", year=2023, salt="t")
    assert {(f.year, f.year_from) for f in result.files} == {(2023, "--year")}
    assert result.on.isoformat() == "2024-03-31"


def test_year_option_cannot_merge_returns_named_for_two_years() -> None:
    with pytest.raises(InvalidInput) as e:
        import_903(DATA / "ssda903_years", year=2024)
    assert "--year 2024-25 is for one return, but the files are named for 2023-24 and 2024-25" in str(e.value)


@pytest.mark.parametrize(
    ("name", "year"),
    [("2024-25", 2024), ("ssda903_2024_25", 2024), ("903 202425", 2024), ("2024-2025", 2024),
     ("SSDA903 2025", None), ("header 2024-03-31", None), ("returns", None), ("20240331", None)],
)  # fmt: skip
def test_collection_years_in_folder_and_file_names(name: str, year: int | None) -> None:
    assert year_in_name(name) == year


@pytest.mark.parametrize(
    ("name", "year"), [("2019-episodes", 2019), ("SSDA903 2025", 2025), ("returns", None)]
)
def test_a_bare_year_in_a_name_is_found_for_the_dates_to_decide(name: str, year: int | None) -> None:
    assert bare_year_in_name(name) == year


def _norfolk(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "ssda903_norfolk", tmp_path / "norfolk")
    return tmp_path / "norfolk" / "2024-25"


def test_an_episode_dated_2099_is_reported_and_does_not_move_the_cohort(tmp_path: Path) -> None:
    folder = _norfolk(tmp_path)
    with (folder / "episodes.csv").open("a") as f:
        f.write("N001,01/01/2099,T,C2,N1,U6,PR1,,,CARPL,NR4 7PB,NR7 8HF,\n")
    result = import_903(folder.parent, salt="t")
    assert _lines(result)[-1] == (
        "2024-25/episodes.csv row 13, column DECOM: 01/01/2099 is after the end of the 2024-25 collection "
        "year (31/03/2025)"
    )
    assert result.on.isoformat() == "2025-03-31" and len(result.cohort) == 6
    assert result.cohort.set_index("child_id").loc[_id("N001"), "placement_type"] == "U4"


def test_a_date_of_birth_in_the_future_is_reported_and_the_child_left_out(tmp_path: Path) -> None:
    folder = _norfolk(tmp_path)
    header = (folder / "header.csv").read_text().replace("N004,F,30/01/2012", "N004,F,30/01/2032")
    (folder / "header.csv").write_text(header)
    result = import_903(folder.parent, salt="t")
    assert (
        "2024-25/header.csv row 5, column DOB: 30/01/2032 is after the end of the 2024-25 collection year"
        in ("\n".join(_lines(result)))
    )
    assert _id("N004") not in set(result.cohort["child_id"])


def test_the_collection_year_and_how_it_was_told_are_printed(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-903", str(DATA / "ssda903_years"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Read SSDA903 returns for 2 collection years:" in result.output
    assert (
        "  2023-24 (from the folder name '2023-24'): 2023-24/episodes.csv (Episodes, 4 rows)" in result.output
    )
    assert "Council: Sheffield (E08000019)" in result.output
    assert "Cohort on 31 Mar 2025: 2 children looked after aged 13 to 17" in result.output


def test_the_validator_projects_fake_return_imports_with_its_problems_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import-903", str(DATA / "ssda903_validator_fake"), "--out", str(tmp_path), "--all-problems"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for line in (
        "  2017-18 (from the episodes' end dates (DEC)): episodes.csv (Episodes, 686 rows)",
        "episodes.csv row 3, column REC: 'X1' is given but DEC is empty: read as an open episode",
        "episodes.csv row 218, column DEC: 01/04/2018 is after the end of the 2017-18 collection year",
        "oc3.csv row 2, column ACCOM: '01' is not an SSDA903 ACCOM code in 2017-18",
        "oc3.csv row 3, column ACTIV: 'P3' is not an SSDA903 ACTIV code in 2017-18",
    ):
        assert line in result.output
    assert "is before the years with code lists here" not in result.output  # 2017-18 has its own
    cohort = pd.read_csv(tmp_path / "cohort.csv", dtype=str, keep_default_na=False)
    # Its postcodes are random: a placement outside the council found (Warrington, 18%) gives no district.
    assert len(cohort) == 69 and (cohort["district"] == "unknown").sum() == 67
    assert "Cohort on 31 Mar 2018: 69 children looked after aged 13 to 17" in result.output
    assert "67 with district unknown (no postcode found in England), kept" in result.output


def test_a_care_leaver_born_on_29_february_is_dated_28_february_in_other_years(tmp_path: Path) -> None:
    shutil.copytree(DATA / "ssda903_leeds", tmp_path / "leeds")
    folder = tmp_path / "leeds"
    with (folder / "header_2025-26.csv").open("a") as f:
        f.write("L008,F,29/02/2004,WBRI,C100000000008,0,\n")
    with (folder / "episodes_2025-26.csv").open("a") as f:
        f.write("L008,01/03/2019,S,C2,N1,U4,PR1,28/02/2022,E6,,LS14 1EX,LS9 8AA,\n")
    with (folder / "oc3_2025-26.csv").open("a") as f:
        f.write("L008,29/02/2004,YES,F2,D1\n")  # moved from her own tenancy (E6) to semi-independent
    result = import_903(folder, salt="t")
    mine = result.referrals[result.referrals["person_id"] == _id("L008")]
    assert mine["referral_date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-02-28", "2026-02-28"]


DEMAND_MODEL = DATA / "ssda903_demand_model"


def test_bare_years_in_file_names_are_read_from_the_dates_and_the_reason_printed(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-903", str(DEMAND_MODEL), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Read SSDA903 returns for 5 collection years:" in result.output
    assert (
        "  2019-20 (from the dates: the file names say only 2019, which could be 2018-19 or 2019-20, and the "
        "episodes end 2 Apr 2019 to 1 Apr 2020): 2019-episodes.csv (Episodes, 648 rows), 2019-header.csv"
        in result.output
    )
    years = {f.name: f.year for f in import_903(DEMAND_MODEL, salt="t").files}
    assert {name: years[name] for name in ("2017-header.csv", "2019-oc3.csv", "2021-episodes.csv")} == {
        "2017-header.csv": 2017, "2019-oc3.csv": 2019, "2021-episodes.csv": 2021,
    }  # fmt: skip


def test_a_bare_year_the_dates_put_before_it_is_the_year_ending_in_it(tmp_path: Path) -> None:
    shutil.copytree(DATA / "ssda903_norfolk" / "2024-25", tmp_path / "903 2025")  # DEC up to 19 Sep 2024
    result = import_903(tmp_path / "903 2025", salt="t")
    assert {f.year for f in result.files} == {2024}
    assert result.files[0].year_from.startswith("the dates: the folder name '903 2025' says only 2025")


def test_year_option_forces_one_year_on_files_named_by_a_bare_year(tmp_path: Path) -> None:
    shutil.copytree(DATA / "ssda903_norfolk" / "2024-25", tmp_path / "903 2025")
    result = import_903(tmp_path / "903 2025", year=2025, salt="t")
    assert {(f.year, f.year_from) for f in result.files} == {(2025, "--year")}
    with pytest.raises(InvalidInput) as e:
        import_903(DEMAND_MODEL, year=2019)
    assert "the files are named for 2017, 2018, 2019, 2020 and 2021: leave --year out" in str(e.value)
