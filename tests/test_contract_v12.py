# ruff: noqa: E501  (expected messages are kept whole, one per line, to read like the output)
"""Data contract v1.2: the new optional columns, their defaults (every v1.1 file stays valid and
means the same), and the checks only a match date makes (age 15 to 25, legal status by age)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.contract import CONTRACT_VERSION, PEOPLE, SCHEMES, complete_people, load_folder
from planner.data.problems import InvalidInput

SetCell = Callable[[Path, int, str, str], None]
P, S = "young_people.csv", "schemes.csv"
ON = date(2026, 11, 23)
V12_PEOPLE = ("legal_status", "current_until", "staying_put", "tenancy_ready", "activity")
V12_SCHEMES = ("weekly_rent", "weekly_support")


def _drop_columns(path: Path, names: tuple[str, ...]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    keep = [c for c in rows[0] if c not in names]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, keep, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_a_v1_1_folder_is_valid_and_reads_the_defaults(data_dir: Path) -> None:
    _drop_columns(data_dir / P, V12_PEOPLE)
    _drop_columns(data_dir / S, V12_SCHEMES)
    data = load_folder(data_dir, on=ON)
    p, s = data.people, data.schemes
    assert CONTRACT_VERSION == "1.2"
    assert (p["legal_status"] == "").all() and p["current_until"].isna().all()
    assert p["staying_put"].isna().all() and not p["tenancy_ready"].any() and (p["activity"] == "").all()
    assert s["weekly_rent"].isna().all() and s["weekly_support"].isna().all()


def test_v1_2_columns_are_read_typed(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / P, 3, "legal_status", "qualifying")
    set_cell(data_dir / P, 3, "current_until", "2026-12-01")
    set_cell(data_dir / P, 7, "staying_put", "No")
    set_cell(data_dir / P, 4, "tenancy_ready", "yes")
    set_cell(data_dir / P, 4, "activity", "F5")
    set_cell(data_dir / S, 6, "weekly_rent", "103.50")
    set_cell(data_dir / S, 6, "weekly_support", "176.50")
    p, s = (lambda d: (d.people.set_index("person_id"), d.schemes.set_index("scheme_id")))(
        load_folder(data_dir, on=ON)
    )
    assert p.at["YP-0002", "legal_status"] == "qualifying"
    assert p.at["YP-0002", "current_until"] == pd.Timestamp("2026-12-01")
    assert p["staying_put"].tolist() == [pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, False]  # declined
    assert bool(p.at["YP-0003", "tenancy_ready"]) and p.at["YP-0003", "activity"] == "F5"
    assert (s.at["SCH-005", "weekly_rent"], s.at["SCH-005", "weekly_support"]) == (103.5, 176.5)


CASES = [
    (
        P,
        2,
        "legal_status",
        "looked_after",
        "'looked_after' is not a legal status (expected one of eligible, relevant, former_relevant, qualifying)",
    ),
    (P, 3, "current_until", "1/12/2026", "'1/12/2026' is not a date (expected YYYY-MM-DD, e.g. 2026-11-23)"),
    (P, 7, "staying_put", "maybe", "'maybe' is not a yes/no value (expected true/false, yes/no or 1/0)"),
    (P, 4, "tenancy_ready", "y", "'y' is not a yes/no value (expected true/false, yes/no or 1/0)"),
    (
        P,
        4,
        "activity",
        "G1",
        "'G1' is not an SSDA903 activity (OC3 ACTIV) code of 2025-26 (expected one of F1, P1, F2, P2, F4, P4, F5, P5, G4, G5, G6, 0)",
    ),
    (S, 6, "weekly_rent", "£103", "'£103' is not a number (write it without £ or commas, e.g. 1234.50)"),
    (
        S,
        4,
        "weekly_rent",
        "103",
        "is empty but weekly_rent is given: give both parts of weekly_cost, or neither",
    ),
    (S, 6, "weekly_support", "-5", "-5 is negative (a weekly cost of support in GBP), expected 0 or more"),
]


@pytest.mark.parametrize(("file", "row", "column", "value", "message"), CASES)
def test_a_bad_v1_2_cell_is_named_by_file_row_and_column(
    data_dir: Path, set_cell: SetCell, file: str, row: int, column: str, value: str, message: str
) -> None:
    set_cell(data_dir / file, row, column, value)
    with pytest.raises(InvalidInput) as e:
        load_folder(data_dir, on=ON)
    found = [(p.file, p.row, p.message) for p in e.value.problems]
    assert (file, row, message) in found, found


def test_rent_and_support_must_add_up_to_the_weekly_cost_to_the_penny(
    data_dir: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / S, 4, "weekly_rent", "120.00")
    set_cell(data_dir / S, 4, "weekly_support", "199.99")
    with pytest.raises(InvalidInput) as e:
        load_folder(data_dir)
    assert str(e.value) == (
        "schemes.csv row 4, column weekly_support: weekly_rent £120.00 and weekly_support £199.99 add up "
        "to £319.99, not the weekly_cost £320.00: the two parts must add up to it"
    )
    set_cell(data_dir / S, 4, "weekly_support", "200")
    assert load_folder(data_dir).schemes["weekly_support"].iloc[2] == 200.0


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (
            "1990-05-01",
            "1990-05-01 makes them 36 on 23 Nov 2026, the match date: care leavers are 16 to 25 (15 is accepted, for a referral ahead of the 16th birthday); is the date of birth right?",
        ),
        (
            "2012-01-01",
            "2012-01-01 makes them 14 on 23 Nov 2026, the match date: care leavers are 16 to 25 (15 is accepted, for a referral ahead of the 16th birthday); is the date of birth right?",
        ),
    ],
)
def test_an_age_outside_15_to_25_on_the_match_date_names_the_cell(
    data_dir: Path, set_cell: SetCell, born: str, message: str
) -> None:
    set_cell(data_dir / P, 4, "date_of_birth", born)
    set_cell(data_dir / P, 4, "needed_from", "2026-12-07")
    load_folder(data_dir)  # without a date, nothing to check it against
    with pytest.raises(InvalidInput) as e:
        load_folder(data_dir, on=ON)
    assert str(e.value) == f"young_people.csv row 4, column date_of_birth: {message}"


def test_ages_15_and_25_are_accepted(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / P, 2, "date_of_birth", "2011-11-23")  # 15 today
    set_cell(data_dir / P, 4, "date_of_birth", "2000-11-24")  # 25, 26 tomorrow
    set_cell(data_dir / P, 4, "needed_from", "2026-12-07")
    assert len(load_folder(data_dir, on=ON).people) == 6


@pytest.mark.parametrize(
    ("row", "status", "message"),
    [
        (
            3,
            "relevant",
            "'relevant' is for 16-17 year-olds, but they are 20 on 23 Nov 2026: from the 18th birthday a young person who was eligible or relevant is former_relevant",
        ),
        (
            3,
            "eligible",
            "'eligible' is for 16-17 year-olds, but they are 20 on 23 Nov 2026: from the 18th birthday a young person who was eligible or relevant is former_relevant",
        ),
        (
            2,
            "former_relevant",
            "'former_relevant' starts at 18, but they are 17 on 23 Nov 2026: under 18 they are eligible or relevant (one of eligible, relevant, former_relevant, qualifying)",
        ),
    ],
)
def test_a_legal_status_that_cannot_be_at_their_age_names_the_cell(
    data_dir: Path, set_cell: SetCell, row: int, status: str, message: str
) -> None:
    set_cell(data_dir / P, row, "legal_status", status)
    load_folder(data_dir)
    with pytest.raises(InvalidInput) as e:
        load_folder(data_dir, on=ON)
    assert str(e.value) == f"young_people.csv row {row}, column legal_status: {message}"


@pytest.mark.parametrize(
    ("row", "status"), [(2, "qualifying"), (3, "qualifying"), (2, "relevant"), (3, "former_relevant")]
)
def test_legal_statuses_that_fit_the_age_are_accepted(
    data_dir: Path, set_cell: SetCell, row: int, status: str
) -> None:
    set_cell(data_dir / P, row, "legal_status", status)
    assert len(load_folder(data_dir, on=ON).people) == 6


@pytest.mark.parametrize("command", ["match", "options"])
def test_match_and_options_refuse_an_age_outside_15_to_25_with_exit_2(
    data_dir: Path, set_cell: SetCell, tmp_path: Path, command: str
) -> None:
    set_cell(data_dir / P, 5, "date_of_birth", "1986-04-02")
    args = [command, str(data_dir), *(["YP-0004"] if command == "options" else []), "--date", "2026-11-23"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert (
        "young_people.csv row 5, column date_of_birth: 1986-04-02 makes them 40 on 23 Nov 2026"
        in result.output
    )
    assert "Traceback" not in result.output
    assert not (data_dir / "matches.csv").exists()


def test_validate_checks_ages_only_with_a_date(data_dir: Path, set_cell: SetCell) -> None:
    set_cell(data_dir / P, 5, "date_of_birth", "1986-04-02")
    plain = CliRunner().invoke(cli, ["validate", str(data_dir)])
    assert plain.exit_code == 0 and "ages and legal statuses not checked: give --date" in plain.output
    dated = CliRunner().invoke(cli, ["validate", str(data_dir), "--date", "2026-11-23"])
    assert dated.exit_code == 2 and "row 5, column date_of_birth: 1986-04-02 makes them 40" in dated.output


def test_a_frame_without_v1_2_columns_is_completed_with_their_defaults(example_dir: Path) -> None:
    people = load_folder(example_dir).people
    old = people.drop(columns=list(V12_PEOPLE))
    full = complete_people(old)
    assert list(full.columns) == list(old.columns) + list(V12_PEOPLE)
    assert full["staying_put"].isna().all() and full["current_until"].isna().all()
    assert not full["tenancy_ready"].any() and (full["legal_status"] == "").all()
    assert complete_people(people) is people  # nothing to add: the same frame
    assert set(V12_PEOPLE) <= set(PEOPLE.names) and set(V12_SCHEMES) <= set(SCHEMES.names)
