"""planner import-903 on input that is not an SSDA903 return, or only partly: a clear message
naming file, row and column, exit status 2, never a traceback, nothing half-written."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import cli
from planner.data.problems import InvalidInput
from planner.sources import import_903

DATA = Path(__file__).resolve().parent / "data"
NORFOLK = DATA / "ssda903_norfolk" / "2024-25"


def run(src: Path, out: Path, *extra: str) -> Result:
    result = CliRunner().invoke(cli, ["import-903", str(src), "--out", str(out), *extra])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "2024-25"
    shutil.copytree(NORFOLK, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_duplicate_column_leaves_the_file_out_and_says_which(src: Path, tmp_path: Path) -> None:
    _edit(src / "header.csv", "CHILD,SEX,DOB", "CHILD,SEX,SEX")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.splitlines()[:2] == [
        "Nothing written:",
        "header.csv row 1, column SEX: column appears more than once in the header row",
    ]
    assert "no SSDA903 Header file could be read" in result.output
    assert not (tmp_path / "out").exists()


def test_a_200_kb_field_is_refused_by_row_not_read(src: Path, tmp_path: Path) -> None:
    _edit(src / "episodes.csv", "N001,03/02/2023,S,C2,N1,U4", "N001,03/02/2023,S,C2,N1," + "U" * 200_000)
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "episodes.csv row 2: cannot be read as CSV: a value is longer than 131,072 characters"
        in result.output
    )
    assert "no SSDA903 Episodes file could be read" in result.output


def test_a_missing_place_column_is_named_with_the_columns_expected(src: Path, tmp_path: Path) -> None:
    lines = (src / "episodes.csv").read_text().splitlines()
    drop = lines[0].split(",").index("PLACE")
    kept = [",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines]
    (src / "episodes.csv").write_text("\n".join(kept) + "\n")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "episodes.csv row 1, column PLACE: required column is missing from the header row (an SSDA903 "
        "Episodes file has CHILD, DECOM, RNE, LS, CIN, PLACE," in result.output
    )


def test_an_out_folder_that_does_not_exist_yet_is_created(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    result = run(src, out)
    assert result.exit_code == 0, result.output
    assert (out / "cohort.csv").is_file() and (out / "referrals.csv").is_file()
    assert result.output.rstrip().endswith(f"(created {out}/).")
    assert not list(out.glob("*.part"))


def test_an_out_folder_that_cannot_be_made_is_a_clear_error(src: Path, tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("x")
    result = run(src, tmp_path / "a file" / "out")
    assert result.exit_code == 2
    assert result.output.startswith(f"--out {tmp_path / 'a file' / 'out'}: cannot write there (")


def test_a_folder_of_other_csv_files_says_what_it_found(tmp_path: Path) -> None:
    (tmp_path / "schemes.csv").write_text("scheme_id,name\nS1,Foyer\n")
    (tmp_path / "oc2.csv").write_text("CHILD,DOB,SDQ_SCORE\n1,01/01/2010,12\n")
    (tmp_path / "return.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "return.xml").write_text("<Message/>")
    result = run(tmp_path, tmp_path / "out")
    assert result.exit_code == 2
    out = result.output
    assert "no SSDA903 Header and Episodes file could be read" in out
    assert "schemes.csv: not an SSDA903 table (columns SCHEME_ID, NAME), not read" in out
    assert "oc2.csv: the SSDA903 OC2 table, not needed here" in out
    assert "return.xlsx: spreadsheets are not read; save each SSDA903 table as CSV" in out
    assert "return.xml: XML returns are not read" in out


def test_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = run(tmp_path / "in", tmp_path / "out")
    assert result.exit_code == 2 and "no SSDA903 Header and Episodes file could be read" in result.output


def test_a_spreadsheet_saved_as_csv_is_refused_by_name(src: Path, tmp_path: Path) -> None:
    (src / "episodes.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    assert "episodes.csv: is not a CSV text file (it holds NUL bytes: a spreadsheet?)" in result.output


def test_a_windows_excel_csv_is_read(src: Path, tmp_path: Path) -> None:
    text = (src / "header.csv").read_text().replace("WBRI", "WBRI", 1)
    (src / "header.csv").write_bytes(
        text.encode("cp1252") + "N099,M,01/01/2010,WBRI,caf\u00e9,,\n".encode("cp1252")
    )
    result = run(src, tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_nothing_useful_to_write_exits_2_with_the_reason(src: Path, tmp_path: Path) -> None:
    header = (src / "header.csv").read_text().splitlines()[:2]  # N001 only, aged 15
    (src / "header.csv").write_text("\n".join(header) + "\n")
    (src / "oc3.csv").unlink()
    episodes = (src / "episodes.csv").read_text().splitlines()[:2]
    (src / "episodes.csv").write_text(
        "\n".join(episodes).replace(",,,,NR4 7PB", ",01/03/2025,E4A,,NR4 7PB") + "\n"
    )
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    reason = (
        "nothing to write: no child looked after on 31 Mar 2025 aged 13 to 17, and no care leaver's record"
    )
    assert reason in result.output
    assert not (tmp_path / "out").exists()


def test_a_row_with_too_many_values_is_named_and_left_out(src: Path, tmp_path: Path) -> None:
    _edit(src / "header.csv", "N002,F,02/11/2010,WBRI,B100000000002,0,", "N002,F,02/11/2010,WBRI,B1,0,,extra")
    result = run(src, tmp_path / "out", "--all-problems")
    assert result.exit_code == 0
    assert "header.csv row 3: has 8 values but the header has 7" in result.output


def test_a_year_option_that_is_not_a_collection_year_is_refused(src: Path, tmp_path: Path) -> None:
    result = run(src, tmp_path / "out", "--year", "2024")
    assert result.exit_code == 2 and "'2024' is not a collection year: write it as 2024-25" in result.output


def test_a_file_separated_by_semicolons_says_how_to_save_it(src: Path, tmp_path: Path) -> None:
    (src / "header.csv").write_text((src / "header.csv").read_text().replace(",", ";"))
    result = run(src, tmp_path / "out")
    assert result.exit_code == 2
    assert "its values are separated by ';', so save it as 'CSV (comma delimited)'" in result.output


CELLS = st.text(st.characters(exclude_categories=("Cs",)), max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(["header.csv", "episodes.csv", "oc3.csv"]), row=st.integers(0, 8),
       column=st.integers(0, 12), value=CELLS)  # fmt: skip
def test_any_cell_value_gives_a_result_or_a_listed_problem_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, file: str, row: int, column: int, value: str
) -> None:
    folder = tmp_path_factory.mktemp("any") / "2024-25"
    shutil.copytree(NORFOLK, folder)
    lines = list(csv.reader(io.StringIO((folder / file).read_text())))
    r, c = row % len(lines), column % len(lines[0])
    lines[r][c] = value
    with (folder / file).open("w", newline="") as f:
        csv.writer(f).writerows(lines)
    try:
        result = import_903(folder.parent, salt="t")
    except InvalidInput as e:
        assert e.problems and all(p.file for p in e.problems)
    else:
        assert len(result.cohort) + len(result.referrals) > 0
