# ruff: noqa: E501  (the broken inputs and their messages are kept one per line, like the output)
"""`planner validate DATA_DIR`: what a council data officer sees, on good and on broken folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from planner.cli import cli

SetCell = Callable[[Path, int, str, str], None]
Edit = Callable[[Path, SetCell], None]
P, S = "young_people.csv", "schemes.csv"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def validate(folder: Path, tmp_path: Path) -> Result:
    """Run the command from an empty working folder, checking that nothing is written anywhere."""
    before = snapshot(folder)
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["validate", str(folder)])
    finally:
        os.chdir(old)
    assert snapshot(folder) == before
    assert not any(cwd.iterdir())
    return result


def test_valid_folder_prints_a_summary_by_district(example_dir: Path, tmp_path: Path) -> None:
    result = validate(example_dir, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"{example_dir}: young_people.csv and schemes.csv are valid (data contract v1.2)."
    assert lines[1] == (
        "  6 young people, needed from 23 Nov 2026 to 4 Jan 2027; "
        "2 now in B&B, emergency accommodation or with no fixed abode"
    )
    assert lines[2] == (
        "  7 schemes, 61 places, 15 vacancies (10 not in B&B or emergency accommodation); "
        "£250 to £950 a week per place"
    )
    assert lines[3].split() == ["district", "name", "young", "people", "schemes", "places", "vacancies"]
    assert lines[4:] == [
        "  E07000078  Cheltenham                 1        1      30          3",
        "  E07000079  Cotswold                   1        1       1          1",
        "  E07000080  Forest of Dean             1        1       4          1",
        "  E07000081  Gloucester                 1        2      18          7",
        "  E07000082  Stroud                     1        1       2          1",
        "  E07000083  Tewkesbury                 1        1       6          2",
        "             total                      6        7      61         15",
        "  ages and legal statuses not checked: give --date, the match date",
    ]


def test_header_only_files_validate_as_an_empty_folder(data_dir: Path, tmp_path: Path) -> None:
    for name in (P, S):
        path = data_dir / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = validate(data_dir, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "  0 young people",
        "  0 schemes, 0 places, 0 vacancies",
        "  ages and legal statuses not checked: give --date, the match date",
    ]


def drop_column(column: str) -> Edit:
    def edit(folder: Path, _: SetCell) -> None:
        lines = (folder / P).read_text(encoding="utf-8").splitlines()
        i = lines[0].split(",").index(column)
        rows = [",".join(v for j, v in enumerate(line.split(",")) if j != i) for line in lines]
        (folder / P).write_text("\n".join(rows) + "\n", encoding="utf-8")

    return edit


def cell(file: str, row: int, column: str, value: str) -> Edit:
    def edit(folder: Path, set_cell: SetCell) -> None:
        set_cell(folder / file, row, column, value)

    return edit


def cells(*edits: Edit) -> Edit:
    def edit(folder: Path, set_cell: SetCell) -> None:
        for e in edits:
            e(folder, set_cell)

    return edit


def rewrite(file: str, change: Callable[[bytes], bytes]) -> Edit:
    def edit(folder: Path, _: SetCell) -> None:
        (folder / file).write_bytes(change((folder / file).read_bytes()))

    return edit


def remove(file: str) -> Edit:
    return lambda folder, _: (folder / file).unlink()


def line(n: int, change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[n - 1] = change(lines[n - 1])
        return b"\n".join(lines)

    return edit


# Issue 3's "Done when" list: (broken input, the expected start of the one line of error output)
BROKEN = {
    "missing required column": (drop_column("needed_from"), "young_people.csv row 1, column needed_from: required column"),
    "impossible date": (cell(P, 3, "date_of_birth", "2006-02-30"), "young_people.csv row 3, column date_of_birth: '2006-02-30' is not a date that exists"),
    "unknown district code": (cell(S, 4, "district", "E07099999"), "schemes.csv row 4, column district: 'E07099999' is not an English district code"),
    "duplicate id": (cell(P, 6, "person_id", "YP-0002"), "young_people.csv row 6, column person_id: duplicate id 'YP-0002' (first on row 3)"),
    "vacancies above capacity": (cells(cell(S, 5, "capacity", "5"), cell(S, 5, "vacancies", "7")), "schemes.csv row 5, column vacancies: 7 is more than capacity 5"),
    "unknown support level": (cell(P, 2, "support_need", "moderate"), "young_people.csv row 2, column support_need: 'moderate' is not a support level"),
    "negative cost": (cell(S, 7, "weekly_cost", "-420"), "schemes.csv row 7, column weekly_cost: -420 is negative"),
    "scheme outside England": (cells(cell(S, 2, "latitude", "51.4816"), cell(S, 2, "longitude", "-3.1791")), "schemes.csv row 2, column latitude: (51.4816, -3.1791) is outside England"),
    "unparseable boolean": (cell(S, 3, "wheelchair_accessible", "n/a"), "schemes.csv row 3, column wheelchair_accessible: 'n/a' is not a yes/no value"),
    "unknown accommodation type": (cell(S, 6, "accom_type", "H"), "schemes.csv row 6, column accom_type: 'H' is not an SSDA903 accommodation type"),
    "empty file": (rewrite(S, lambda b: b""), "schemes.csv: file is empty"),
    "file that is not UTF-8": (rewrite(P, lambda b: b.replace(b"YP-0003", "YP-0003é".encode("cp1252"))), "young_people.csv row 4: is not UTF-8 text"),
    "missing file": (remove(P), "young_people.csv: file is missing from"),
    "row with too many fields": (rewrite(S, line(3, lambda b: b + b",")), "schemes.csv row 3: has 23 fields but the header has 22 (too many"),
    "row with too few fields": (rewrite(P, line(5, lambda b: b.rsplit(b",", 1)[0])), "young_people.csv row 5: has 18 fields but the header has 19 (too few)"),
}  # fmt: skip


@pytest.mark.parametrize("broken", BROKEN)
def test_broken_folder_exits_2_with_one_line_naming_file_and_column(
    data_dir: Path, tmp_path: Path, set_cell: SetCell, broken: str
) -> None:
    edit, expected = BROKEN[broken]
    edit(data_dir, set_cell)
    result = validate(data_dir, tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's clean exit, not an escaped error
    (only,) = result.stderr.splitlines()
    assert only.startswith(expected)


def test_every_problem_in_both_files_is_one_line_of_output(
    data_dir: Path, tmp_path: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / P, 2, "gender", "female")
    set_cell(data_dir / P, 4, "needed_from", "tomorrow")
    set_cell(data_dir / S, 3, "min_age", "14")
    result = validate(data_dir, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "young_people.csv row 2, column gender: 'female' is not a gender (expected one of F, M, X)",
        "young_people.csv row 4, column needed_from: 'tomorrow' is not a date (expected YYYY-MM-DD, e.g. 2026-11-23)",
        "schemes.csv row 3, column min_age: 14 is less than 16 (ages 16 to 25)",
    ]


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_validate_is_documented_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example: planner validate data/example" in result.stdout


def test_history_files_in_the_folder_are_checked_with_the_others(data_dir: Path, tmp_path: Path) -> None:
    from datetime import date

    from planner.data.table import write_table
    from planner.demo import generate_history
    from planner.forecast.history import COHORT, REFERRALS

    history = generate_history(county="Gloucestershire", seed=3, on=date(2026, 11, 23))
    write_table(history.referrals, REFERRALS, data_dir)
    write_table(history.cohort, COHORT, data_dir)
    good = validate(data_dir, tmp_path)
    assert good.exit_code == 0
    assert f"referrals.csv is valid: {len(history.referrals):,} rows" in good.output
    assert f"cohort.csv is valid: {len(history.cohort):,} rows" in good.output

    lines = (data_dir / "cohort.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",F,", ",Q,").replace(",M,", ",Q,").replace(",X,", ",Q,")
    (data_dir / "cohort.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data_dir / "schemes.csv").write_text("", encoding="utf-8")
    bad = validate(data_dir, tmp_path)
    assert bad.exit_code == 2
    assert "schemes.csv: file is empty" in bad.output
    assert "cohort.csv row 2, column gender: 'Q' is not a gender" in bad.output


def test_validate_lists_cross_column_problems_beside_type_errors_in_one_round(
    data_dir: Path, tmp_path: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / S, 2, "vacancies", "9")  # over capacity 8, in a row whose cost is bad
    set_cell(data_dir / S, 2, "weekly_cost", "£780")
    set_cell(data_dir / P, 2, "gender", "Female")  # a bad person: SCH-007's YP-0006 still counts
    result = validate(data_dir, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-3:] == [
        "young_people.csv row 2, column gender: 'Female' is not a gender (expected one of F, M, X)",
        "schemes.csv row 2, column vacancies: 9 is more than capacity 8",
        "schemes.csv row 2, column weekly_cost: '£780' is not a number (write it without £ or commas, e.g. 1234.50)",
    ]
