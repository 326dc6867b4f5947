# ruff: noqa: E501  (expected messages are kept whole, one per line, to read like the output)
"""Every problem in one round: checks across a row's columns and across the two files run even
when other values (in the same row or elsewhere) could not be read, so a data officer fixes the
whole file at once rather than finding the next layer of problems after each upload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planner.data import contract, table
from planner.data.contract import load_folder, read_dataset
from planner.data.problems import InvalidInput
from planner.data.table import Records, TableSpec, split_records

SetCell = Callable[[Path, int, str, str], None]


def _problems(folder: Path, **kwargs: int) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        if kwargs:
            read_dataset(
                (folder / "young_people.csv").read_bytes(), (folder / "schemes.csv").read_bytes(), **kwargs
            )
        else:
            load_folder(folder)
    return [str(p) for p in caught.value.problems]


def test_cross_column_checks_run_on_rows_that_also_have_a_type_error(data_dir: Path, set_cell: SetCell):
    people, schemes = data_dir / "young_people.csv", data_dir / "schemes.csv"
    set_cell(people, 3, "needed_from", "2005-01-01")  # before date_of_birth 2006-07-02 ...
    set_cell(people, 3, "gender", "Female")  # ... and a bad value in the same row
    set_cell(schemes, 2, "vacancies", "9")  # more than capacity 8 ...
    set_cell(schemes, 2, "weekly_cost", "£780")  # ... beside a bad cost
    set_cell(schemes, 3, "min_age", "22")  # over max_age ...
    set_cell(schemes, 3, "max_age", "19")
    set_cell(schemes, 3, "ofsted_registered", "y")  # ... beside a bad yes/no
    set_cell(schemes, 4, "latitude", "51.4816")  # Cardiff ...
    set_cell(schemes, 4, "longitude", "-3.1791")
    set_cell(schemes, 4, "capacity", "two")  # ... and a capacity that is not a number
    found = _problems(data_dir)
    assert found == [
        "young_people.csv row 3, column gender: 'Female' is not a gender (expected one of F, M, X)",
        "young_people.csv row 3, column needed_from: 2005-01-01 is before date_of_birth 2006-07-02",
        "schemes.csv row 2, column vacancies: 9 is more than capacity 8",
        "schemes.csv row 2, column weekly_cost: '£780' is not a number (write it without £ or commas, e.g. 1234.50)",
        "schemes.csv row 3, column min_age: 22 is more than max_age 19",
        "schemes.csv row 3, column ofsted_registered: 'y' is not a yes/no value (expected true/false, yes/no or 1/0)",
        "schemes.csv row 4, column latitude: (51.4816, -3.1791) is outside England (latitude, longitude in degrees)",
        "schemes.csv row 4, column capacity: 'two' is not a whole number",
    ]


def test_a_check_needing_a_bad_value_is_not_run_on_it(data_dir: Path, set_cell: SetCell):
    """A bad value is reported once, not again by a check that would compare it (a capacity that
    did not parse is not 'less than the vacancies')."""
    set_cell(data_dir / "schemes.csv", 2, "capacity", "eight")
    set_cell(data_dir / "young_people.csv", 2, "date_of_birth", "2009-02-30")
    assert _problems(data_dir) == [
        "young_people.csv row 2, column date_of_birth: '2009-02-30' is not a date that exists",
        "schemes.csv row 2, column capacity: 'eight' is not a whole number",
    ]


def test_unknown_reserved_for_is_found_when_young_people_csv_has_problems(data_dir: Path, set_cell: SetCell):
    set_cell(data_dir / "young_people.csv", 2, "support_need", "very high")
    set_cell(data_dir / "schemes.csv", 8, "reserved_for", "YP-0099")
    found = _problems(data_dir)
    assert found == [
        "young_people.csv row 2, column support_need: 'very high' is not a support level (expected one of none, low, medium, high, intensive)",
        "schemes.csv row 8, column reserved_for: 'YP-0099' is not in young_people.csv: a reserved place with a vacancy must name a young person on the list",
    ]


def test_a_person_whose_other_values_are_bad_still_counts_for_reserved_for(data_dir: Path, set_cell: SetCell):
    set_cell(data_dir / "young_people.csv", 7, "date_of_birth", "10/09/2008")  # YP-0006, SCH-007's
    found = _problems(data_dir)
    assert len(found) == 1 and "date_of_birth" in found[0]


def test_young_people_csv_is_split_once_for_its_ids_and_its_rows(
    data_dir: Path, set_cell: SetCell, monkeypatch: pytest.MonkeyPatch
):
    split: list[str] = []

    def counted(data: bytes, spec: TableSpec) -> Records:
        split.append(spec.file)
        return split_records(data, spec)

    monkeypatch.setattr(contract, "split_records", counted)
    monkeypatch.setattr(table, "split_records", counted)
    assert len(load_folder(data_dir).people) == 6
    set_cell(data_dir / "young_people.csv", 7, "date_of_birth", "10/09/2008")  # YP-0006, SCH-007's
    assert len(_problems(data_dir)) == 1
    assert split == ["young_people.csv", "schemes.csv"] * 2


def test_the_web_asks_for_more_problems_than_the_command_line_shows(data_dir: Path, set_cell: SetCell):
    for row in range(2, 8):
        for column in ("gender", "support_need", "home_district", "needed_from"):
            set_cell(data_dir / "young_people.csv", row, column, "?")
    assert len(_problems(data_dir)) == 20  # the command line's first round
    assert len(_problems(data_dir, max_problems=1000)) == 24
