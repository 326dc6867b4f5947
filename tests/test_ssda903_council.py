"""Whose returns these are: `planner import-903 --council`, else the council found from the
postcodes and printed; a child's district from their home, or from a placement in the council's
own districts; and `planner forecast --council` for a history whose districts cannot say."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.sources import import_903
from planner.sources.ssda903_history import pseudonym

DATA = Path(__file__).resolve().parent / "data"
DEMAND_MODEL = DATA / "ssda903_demand_model"


def _id(child: str) -> str:
    return pseudonym(child, "t")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dm") / "imported"
    result = CliRunner().invoke(
        cli, ["import-903", str(DEMAND_MODEL), "--out", str(out), "--council", "Lancashire"]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_council_given_is_printed_with_what_the_postcodes_say(imported: tuple[Path, str]) -> None:
    _, output = imported
    assert (
        "Council: Lancashire (E10000017), as given with --council: 0% of the children with a known district "
        "live there (the postcodes point to Sheffield (E08000019): check --council)." in output
    )
    assert "Next: planner forecast " in output and "--start 2022-04 --council E10000017" in output


def test_a_history_of_unknown_districts_forecasts_for_the_council_given(imported: tuple[Path, str]) -> None:
    out, _ = imported
    for f in ("cohort.csv", "referrals.csv"):  # only the invented postcodes that happen to be real
        text = (out / f).read_text()
        assert text.count("unknown") > 0.6 * text.count("\n")
    csv = out / "forecast.csv"
    args = [
        "--start",
        "2022-04",
        "--months",
        "6",
        "--runs",
        "100",
        "--out",
        str(csv),
        "--council",
        "E10000017",
    ]
    run = CliRunner().invoke(cli, ["forecast", str(out), *args])
    assert run.exit_code == 0, run.output
    assert "Lancaster (E07000121)" in run.output  # the council's districts, all of them
    assert (
        "Sense check: places needed by care leavers" in run.output and "Lancashire (E10000017)" in run.output
    )


def test_a_history_with_no_known_district_and_no_council_is_refused_clearly(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    shutil.copytree(DATA / "ssda903_norfolk", tmp_path / "norfolk")
    episodes = tmp_path / "norfolk" / "2024-25" / "episodes.csv"
    lines = episodes.read_text().splitlines()
    blank = [",".join([*line.split(",")[:10], "", "", line.split(",")[12]]) for line in lines[1:]]
    episodes.write_text("\n".join([lines[0], *blank]) + "\n")
    assert (
        CliRunner().invoke(cli, ["import-903", str(tmp_path / "norfolk"), "--out", str(out)]).exit_code == 0
    )
    run = CliRunner().invoke(cli, ["forecast", str(out), "--out", str(tmp_path / "f.csv"), "--runs", "50"])
    assert run.exit_code == 2
    assert "every district is 'unknown'" in run.output and "--council NAME|CODE" in run.output
    assert "Traceback" not in run.output


def test_a_council_that_is_none_is_refused_with_exit_2(tmp_path: Path) -> None:
    run = CliRunner().invoke(
        cli, ["import-903", str(DEMAND_MODEL), "--out", str(tmp_path / "o"), "--council", "Lancs"]
    )
    assert run.exit_code == 2
    assert "--council: 'Lancs' is not an English county or unitary authority" in run.output
    assert not (tmp_path / "o").exists()


def test_the_council_is_found_from_the_postcodes_and_printed_when_not_given() -> None:
    result = import_903(DATA / "ssda903_years", salt="t")
    assert result.council.startswith("Sheffield (E08000019), from the postcodes: 80% of the children")
    assert result.council_code == "E08000019"


def test_a_placement_across_the_border_gives_no_district_but_a_home_does(tmp_path: Path) -> None:
    shutil.copytree(DATA / "ssda903_norfolk", tmp_path / "norfolk")
    episodes = tmp_path / "norfolk" / "2024-25" / "episodes.csv"
    text = episodes.read_text()
    text = text.replace(
        "N009,17/03/2022,S,C2,N1,U4,PR4,,,,NR5 9JA,IP4 1AA,", "N009,17/03/2022,S,C2,N1,U4,PR4,,,,,IP4 1AA,"
    )
    text = text.replace(
        "N002,15/06/2024,S,C1,N1,U6,PR1,,,,NR31 6HF,", "N002,15/06/2024,S,C1,N1,U6,PR1,,,,IP4 1AA,"
    )
    episodes.write_text(text)
    result = import_903(tmp_path / "norfolk", salt="t")
    district = result.cohort.set_index("child_id")["district"]
    assert district[_id("N009")] == "unknown"  # placed in Ipswich, no home postcode: counted for Norfolk
    assert district[_id("N002")] == "E07000202"  # her home is in Ipswich: that is her district
    assert result.council_code == "E10000020"
