# ruff: noqa: E501  (expected messages are kept whole, one per line, to read like the output)
"""Whole-file behaviour of data contract v1: encodings, CSV shape, lenient parsing, limits, types."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.data.contract import PEOPLE, SCHEMES, load_folder
from planner.data.problems import InvalidInput
from planner.data.table import MAX_PROBLEMS, read_table

SetCell = Callable[[Path, int, str, str], None]
P, S = "young_people.csv", "schemes.csv"


def problems(folder: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_folder(folder)
    return caught.value.lines()


def test_example_folder_is_valid_and_typed_as_agreed(example_dir: Path) -> None:
    data = load_folder(example_dir)
    people, schemes = data.people, data.schemes
    assert people["person_id"].tolist() == ["YP-0001", "YP-0002", "YP-0003", "YP-0004", "YP-0005", "YP-0006"]
    assert people["date_of_birth"].dtype == "datetime64[ns]"
    assert people["needed_from"].dtype == "datetime64[ns]"
    assert people["wheelchair"].dtype == bool
    assert people["connection_districts"].iloc[0] == ("E07000081", "E07000082")
    assert people["avoid_districts"].iloc[0] == ()
    assert people["risks"].iloc[1] == ("criminal_exploitation", "going_missing")
    assert people["current_accom"].tolist() == ["", "W2", "B1", "V2", "U1", ""]
    assert people["uasc"].tolist() == [False, True, False, False, False, False]
    for column in ("capacity", "vacancies", "min_age", "max_age"):
        assert schemes[column].dtype == np.int64
    for column in ("weekly_cost", "latitude", "longitude"):
        assert schemes[column].dtype == np.float64
    assert schemes["excluded_risks"].iloc[2] == ("harm_to_others", "fire_setting")
    assert schemes["weekly_cost"].sum() == pytest.approx(3450.0)
    assert schemes["reserved_for"].tolist() == [""] * 6 + ["YP-0006"]
    assert list(schemes.columns) == SCHEMES.names
    assert list(people.columns) == PEOPLE.names


# ---- file-level faults: the message names the file ----


def test_missing_file_is_named(data_dir: Path) -> None:
    (data_dir / S).unlink()
    assert problems(data_dir) == [f"schemes.csv: file is missing from {data_dir}"]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data_dir: Path, content: bytes) -> None:
    (data_dir / P).write_bytes(content)
    (line,) = problems(data_dir)
    assert line.startswith(
        "young_people.csv: file is empty: expected a header row with person_id, date_of_birth,"
    )


def test_header_only_file_is_valid_and_holds_no_rows(data_dir: Path) -> None:
    # An empty waiting list is a real state ("nobody waiting this week"), not an error; the
    # staying-put place reserved for YP-0006 goes too (a free reserved place needs its person).
    header = (data_dir / P).read_text(encoding="utf-8").splitlines()[0]
    (data_dir / P).write_text(header + "\n", encoding="utf-8")
    schemes = (data_dir / S).read_text(encoding="utf-8").splitlines()
    (data_dir / S).write_text("\n".join(schemes[:-1]) + "\n", encoding="utf-8")
    data = load_folder(data_dir)
    assert data.people.empty
    assert list(data.people.columns) == PEOPLE.names
    assert data.people["needed_from"].dtype == "datetime64[ns]"
    assert data.people["wheelchair"].dtype == bool


def test_file_that_is_not_utf8_names_the_file_and_row(data_dir: Path) -> None:
    text = (data_dir / S).read_text(encoding="utf-8").replace("YMCA Cotswold Group", "YMCA £ Group")
    (data_dir / S).write_bytes(text.encode("latin-1"))  # what Excel's plain "CSV" writes
    assert problems(data_dir) == [
        "schemes.csv row 3: is not UTF-8 text (byte 0xa3 cannot be read, e.g. a £ or an accent saved "
        "by Excel as plain 'CSV'); save the file as 'CSV UTF-8 (comma delimited)'"
    ]


def test_utf8_with_byte_order_mark_and_windows_line_ends_are_accepted(data_dir: Path) -> None:
    text = (data_dir / S).read_text(encoding="utf-8").replace("YMCA Cotswold Group", "YMCA £ Group")
    (data_dir / S).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    schemes = load_folder(data_dir).schemes
    assert schemes.columns[0] == "scheme_id"
    assert schemes["provider"].iloc[1] == "YMCA £ Group"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda line: line + ",extra", "has 23 fields but the header has 22 (too many; a value holding a comma must be in double quotes)"),
        (lambda line: line.rsplit(",", 2)[0], "has 20 fields but the header has 22 (too few)"),
        (lambda line: line.replace("Cheltenham Foyer", "Cheltenham, Foyer"), "has 23 fields but the header has 22 (too many; a value holding a comma must be in double quotes)"),
    ],
)  # fmt: skip
def test_rows_with_too_many_or_too_few_fields_are_refused(
    data_dir: Path, edit: Callable[[str], str], message: str
) -> None:
    lines = (data_dir / S).read_text(encoding="utf-8").splitlines()
    lines[2] = edit(lines[2])
    (data_dir / S).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems(data_dir) == [f"schemes.csv row 3: {message}"]


def test_an_unclosed_quote_is_pointed_out(data_dir: Path) -> None:
    lines = (data_dir / S).read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Cheltenham Foyer", '"Cheltenham Foyer')
    (data_dir / S).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (line,) = problems(data_dir)
    assert line.startswith("schemes.csv row 3: has ")
    assert line.endswith("a double quote may be missing its closing quote)")


def test_a_blank_first_row_is_refused_as_a_missing_header(data_dir: Path) -> None:
    (data_dir / P).write_text("\n" + (data_dir / P).read_text(encoding="utf-8"), encoding="utf-8")
    (line,) = problems(data_dir)
    assert line.startswith("young_people.csv row 1: is blank: the first row must be the header (person_id,")


def test_an_overlong_field_is_a_problem_not_a_crash(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / S, 2, "name", "x" * 200_000)
    assert problems(data_dir) == [
        "schemes.csv row 2: cannot be read as CSV (field larger than field limit (131072))"
    ]


# ---- lenient where the contract says so ----


def test_booleans_accept_true_false_yes_no_1_0_in_any_case(data_dir: Path, set_cell: SetCell) -> None:
    spellings = ["TRUE", "no", "Yes", "0", "1", "False", "NO"]
    for row, value in enumerate(spellings, start=2):
        set_cell(data_dir / S, row, "ofsted_registered", value)
        set_cell(data_dir / S, row, "accepts_high_risk", "  yEs ")
    schemes = load_folder(data_dir).schemes
    assert schemes["ofsted_registered"].tolist() == [True, False, True, False, True, False, False]
    assert schemes["accepts_high_risk"].all()


def test_optional_booleans_left_empty_are_false(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / P, 3, "high_risk", "")
    assert not load_folder(data_dir).people["high_risk"].iloc[1]


def test_lists_split_on_semicolons_ignoring_spaces_empties_and_repeats(
    data_dir: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / P, 2, "connection_districts", " E07000081 ;E07000082;; E07000081 ;")
    set_cell(data_dir / P, 2, "risks", "self_harm ; going_missing")
    person = load_folder(data_dir).people.iloc[0]
    assert person["connection_districts"] == ("E07000081", "E07000082")
    assert person["risks"] == ("self_harm", "going_missing")


def test_quoted_fields_may_hold_commas_and_quotes(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / S, 3, "name", 'Cheltenham Foyer, "The Lodge"')
    assert load_folder(data_dir).schemes["name"].iloc[1] == 'Cheltenham Foyer, "The Lodge"'


def test_extra_columns_are_ignored_wherever_they_are(data_dir: Path) -> None:
    lines = (data_dir / P).read_text(encoding="utf-8").splitlines()
    lines = [f"note {i},{line},x" if i else f"officer notes,{line},Unnamed" for i, line in enumerate(lines)]
    (data_dir / P).write_text("\n".join(lines) + "\n", encoding="utf-8")
    people = load_folder(data_dir).people
    assert list(people.columns) == PEOPLE.names
    assert people["person_id"].iloc[0] == "YP-0001"


def test_blank_lines_and_spreadsheet_empty_rows_are_ignored(data_dir: Path) -> None:
    text = (data_dir / S).read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(3, "")  # a blank line in the middle: later rows keep their spreadsheet numbers
    (data_dir / S).write_text("\n".join(lines) + "\n\n" + "," * 19 + "\n   \n", encoding="utf-8")
    assert len(load_folder(data_dir).schemes) == 7


def test_cells_are_trimmed_of_surrounding_spaces(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / S, 2, "vacancies", " 3 ")
    set_cell(data_dir / S, 2, "district", " E07000081")
    row = load_folder(data_dir).schemes.iloc[0]
    assert (row["vacancies"], row["district"]) == (3, "E07000081")


def test_an_empty_row_of_commas_is_ignored_and_later_rows_keep_their_numbers(
    data_dir: Path, set_cell: SetCell
) -> None:
    # A record of the header's width with every cell empty, in a file read column by column.
    set_cell(data_dir / S, 5, "vacancies", "lots")
    lines = (data_dir / S).read_text(encoding="utf-8").splitlines()
    lines.insert(2, "," * (len(lines[0].split(",")) - 1))
    (data_dir / S).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems(data_dir) == ["schemes.csv row 6, column vacancies: 'lots' is not a whole number"]


@pytest.mark.parametrize("value", [" 3", "3 ", "\t3", "3\u00a0", " 3 "])
def test_a_number_with_white_space_at_either_end_reads_the_same_whichever_way_the_file_is_read(
    data_dir: Path, set_cell: SetCell, value: str
) -> None:
    from dataclasses import replace

    from planner.data.table import split_records

    set_cell(data_dir / S, 3, "vacancies", value)
    records = split_records((data_dir / S).read_bytes(), SCHEMES)
    assert records.plain  # read column by column
    by_column = read_table(records, SCHEMES)
    by_row = read_table(replace(records, plain=False), SCHEMES)
    assert by_column["vacancies"].iloc[1] == 3
    pd.testing.assert_frame_equal(by_column, by_row)


# ---- limits: all problems in one pass, up to 20, nothing returned ----


def test_stops_after_twenty_problems_and_says_so(data_dir: Path) -> None:
    lines = (data_dir / P).read_text(encoding="utf-8").splitlines()
    bad = [lines[1].replace("YP-0001", f"YP-9{i:03}").replace(",F,", ",Q,") for i in range(30)]
    (data_dir / P).write_text("\n".join(lines + bad) + "\n", encoding="utf-8")
    found = problems(data_dir)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0] == "young_people.csv row 8, column gender: 'Q' is not a gender (expected one of F, M, X)"
    assert found[19].startswith("young_people.csv row 27, column gender:")
    assert found[-1] == "(stopped after 20 problems; fix these and check again)"


def test_problems_in_both_files_are_reported_together(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / P, 3, "gender", "Q")
    set_cell(data_dir / S, 4, "weekly_cost", "-5")
    set_cell(data_dir / S, 2, "support_level", "lots")
    assert problems(data_dir) == [
        "young_people.csv row 3, column gender: 'Q' is not a gender (expected one of F, M, X)",
        "schemes.csv row 2, column support_level: 'lots' is not a support level (expected one of none, low, medium, high, intensive)",
        "schemes.csv row 4, column weekly_cost: -5 is negative (a weekly cost in GBP), expected 0 or more",
    ]  # fmt: skip


def test_several_problems_on_one_row_come_in_column_order(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / S, 2, "weekly_cost", "free")
    set_cell(data_dir / S, 2, "accom_type", "Q")
    set_cell(data_dir / S, 2, "capacity", "-3")
    assert [line.split(":")[0] for line in problems(data_dir)] == [
        "schemes.csv row 2, column accom_type",
        "schemes.csv row 2, column capacity",
        "schemes.csv row 2, column weekly_cost",
    ]


def test_invalid_input_carries_structured_problems(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / S, 5, "vacancies", "9")
    with pytest.raises(InvalidInput) as caught:
        load_folder(data_dir)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("schemes.csv", 5, "vacancies")
    assert problem.message == "9 is more than capacity 4"
    assert isinstance(caught.value, ValueError)


def test_read_table_works_on_bytes_without_a_folder() -> None:
    good = b"person_id,date_of_birth,gender,home_district,support_need,needed_from\nA1,2008-01-01,M,E07000078,low,2026-11-23\n"
    people = read_table(good, PEOPLE)
    assert people["needed_from"].iloc[0] == pd.Timestamp("2026-11-23")
    assert people["risks"].iloc[0] == ()
    assert people["current_accom"].iloc[0] == ""


def test_every_contract_column_is_documented_in_data_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "data" / "README.md").read_text(encoding="utf-8")
    for spec in (PEOPLE, SCHEMES):
        assert f"`{spec.file}`" in readme
        for name in spec.names:
            assert f"| `{name}` |" in readme, f"{spec.file} column {name} is not in data/README.md"
