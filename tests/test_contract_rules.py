# ruff: noqa: E501  (expected messages are kept whole, one per line, to read like the output)
"""Each rule of data contract v1 (PRODUCT.md s.3): one broken cell, one exact message.

Every case starts from the valid `data/example/` folder and changes a single cell, so the
message must name that file, that spreadsheet row (header = row 1) and that column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planner.data.contract import load_folder
from planner.data.problems import InvalidInput

SetCell = Callable[[Path, int, str, str], None]
P, S = "young_people.csv", "schemes.csv"
RISK_VOCABULARY = (
    "in the risk vocabulary (self_harm, sexual_exploitation, criminal_exploitation, substance_use, "
    "eating_disorder, going_missing, harm_to_others, sexual_harm_to_others, fire_setting, "
    "harm_to_animals, exploiting_others)"
)
NOT_A_DATE = "is not a date (expected YYYY-MM-DD, e.g. 2026-11-23)"
NOT_A_LAD = "is not an English district code (ONS LAD code, e.g. E07000078)"
NOT_ACCOM_CODE = "is not an SSDA903 ACCOM code (a type letter then 1 suitable or 2 not suitable, e.g. W2)"
NOT_SCHEME_TYPE = (
    "is not an SSDA903 accommodation type for a scheme (expected one of B, C, D, E, K, T, U, V, W, Y, Z)"
)
NOT_BOOL = "is not a yes/no value (expected true/false, yes/no or 1/0)"

# (file, spreadsheet row, column, new value, the whole message)
CASES = [
    # dates
    (P, 3, "date_of_birth", "2006-02-30", "'2006-02-30' is not a date that exists"),
    (P, 4, "needed_from", "2026-13-01", "'2026-13-01' is not a date that exists"),
    (P, 3, "date_of_birth", "02/07/2006", f"'02/07/2006' {NOT_A_DATE}"),
    (P, 3, "date_of_birth", "2006-2-7", f"'2006-2-7' {NOT_A_DATE}"),
    (P, 3, "date_of_birth", "9999-12-31", "'9999-12-31' is not a plausible date (expected a year from 1900 to 2199)"),
    (P, 3, "needed_from", "2005-01-01", "2005-01-01 is before date_of_birth 2006-07-02"),
    # district codes
    (P, 2, "home_district", "E07000999", f"'E07000999' {NOT_A_LAD}"),
    (P, 2, "home_district", "W06000015", f"'W06000015' {NOT_A_LAD}"),  # Cardiff: Welsh, not English
    (S, 6, "district", "E10000013", "'E10000013' is a county or region code, not a district code (ONS LAD code, e.g. E07000078)"),
    (P, 2, "connection_districts", "E07000081;E0700008", f"'E0700008' {NOT_A_LAD}"),
    (P, 2, "avoid_districts", "S12000036; E0", "'S12000036', 'E0' are not English district codes (ONS LAD codes)"),
    # ids
    (P, 4, "person_id", "YP-0001", "duplicate id 'YP-0001' (first on row 2)"),
    (S, 3, "scheme_id", "SCH-001", "duplicate id 'SCH-001' (first on row 2)"),
    (P, 2, "person_id", "Jane Smith", "'Jane Smith' is not a pseudonymous id (letters, digits, '-', '_' or '.', no spaces, at most 64 characters; never a name)"),
    # vocabularies
    (P, 2, "support_need", "very high", "'very high' is not a support level (expected one of none, low, medium, high, intensive)"),
    (S, 2, "support_level", "Medium", "'Medium' is not a support level (expected one of none, low, medium, high, intensive)"),
    (P, 5, "gender", "Female", "'Female' is not a gender (expected one of F, M, X)"),
    (S, 6, "gender", "X", "'X' is not a scheme gender (expected one of any, F, M)"),
    (P, 3, "risks", "arson;self_harm", f"'arson' is not {RISK_VOCABULARY}"),
    (P, 3, "risks", "arson; knife_crime", f"'arson', 'knife_crime' are not {RISK_VOCABULARY}"),
    (S, 6, "excluded_risks", "fire_setting;arson", f"'arson' is not {RISK_VOCABULARY}"),
    (S, 4, "accom_type", "Q", f"'Q' {NOT_SCHEME_TYPE}"),
    (S, 4, "accom_type", "S", f"'S' {NOT_SCHEME_TYPE}"),  # no fixed abode is not a scheme
    (S, 4, "accom_type", "supported lodgings", f"'supported lodgings' {NOT_SCHEME_TYPE}"),
    # SSDA903 ACCOM codes and their contradictions
    (P, 3, "current_accom", "W3", f"'W3' {NOT_ACCOM_CODE}"),
    (P, 3, "current_accom", "Q1", f"'Q1' {NOT_ACCOM_CODE}"),
    (P, 3, "current_accom", "w2", f"'w2' {NOT_ACCOM_CODE}"),
    (P, 3, "current_accom", "S1", "'S1' says no fixed abode or homeless is suitable, but S is never suitable (use S2)"),
    (P, 3, "current_accom", "X1", "'X1' says in custody is suitable, but X is never suitable (use X2)"),
    (P, 3, "current_accom", "W1", "'W1' says bed and breakfast is suitable, but W is never suitable (use W2)"),
    # booleans
    (P, 5, "wheelchair", "maybe", f"'maybe' {NOT_BOOL}"),
    (S, 7, "ofsted_registered", "y", f"'y' {NOT_BOOL}"),
    # numbers and ranges
    (S, 3, "vacancies", "40", "40 is more than capacity 30"),
    (S, 2, "vacancies", "-1", "-1 is negative (places free), expected 0 or more"),
    (S, 2, "capacity", "1.5", "'1.5' is not a whole number"),
    (S, 2, "capacity", "ten", "'ten' is not a whole number"),
    (S, 2, "capacity", "99999999999999999999", "'99999999999999999999' is too large for a count"),
    (S, 2, "weekly_cost", "-20", "-20 is negative (a weekly cost in GBP), expected 0 or more"),
    (S, 2, "weekly_cost", "£780", "'£780' is not a number (write it without £ or commas, e.g. 1234.50)"),
    (S, 5, "min_age", "15", "15 is less than 16 (ages 16 to 25)"),
    (S, 5, "max_age", "26", "26 is more than 25 (ages 16 to 25)"),
    (S, 2, "min_age", "22", "22 is more than max_age 21"),
    (S, 7, "latitude", "north", "'north' is not a number"),
    (S, 7, "latitude", "95", "95 is more than 90 (degrees)"),
    # required values
    (P, 2, "support_need", "", "is empty but a value is required"),
    (S, 4, "name", "  ", "is empty but a value is required"),
    # v1.1: staying put and reserved places
    (S, 8, "reserved_for", "", "is empty, but a staying-put place (Z) is only ever for the young person living with their own former foster carers: give their person_id (data contract v1.1)"),
    (S, 8, "reserved_for", "YP-0099", "'YP-0099' is not in young_people.csv: a reserved place with a vacancy must name a young person on the list"),
    (S, 3, "reserved_for", "YP-0099", "'YP-0099' is not in young_people.csv: a reserved place with a vacancy must name a young person on the list"),
    (S, 8, "reserved_for", "Jane Smith", "'Jane Smith' is not a pseudonymous id (letters, digits, '-', '_' or '.', no spaces, at most 64 characters; never a name)"),
    (P, 3, "uasc", "perhaps", f"'perhaps' {NOT_BOOL}"),
]  # fmt: skip


def problems(folder: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_folder(folder)
    return caught.value.lines()


@pytest.mark.parametrize(("file", "row", "column", "value", "message"), CASES)
def test_each_broken_cell_is_reported_with_file_row_and_column(
    data_dir: Path, set_cell: SetCell, file: str, row: int, column: str, value: str, message: str
) -> None:
    set_cell(data_dir / file, row, column, value)
    assert problems(data_dir) == [f"{file} row {row}, column {column}: {message}"]


def test_message_reads_like_the_contract_example(data_dir: Path, set_cell: SetCell) -> None:
    # PRODUCT.md's own example, on a scheme moved to spreadsheet row 14.
    lines = (data_dir / S).read_text(encoding="utf-8").splitlines()
    rows = [lines[0]] + [lines[1].replace("SCH-001", f"SCH-1{i:02}") for i in range(12)] + lines[1:]
    (data_dir / S).write_text("\n".join(rows) + "\n", encoding="utf-8")
    set_cell(data_dir / S, 14, "capacity", "5")
    set_cell(data_dir / S, 14, "vacancies", "7")
    assert problems(data_dir) == ["schemes.csv row 14, column vacancies: 7 is more than capacity 5"]


@pytest.mark.parametrize(
    ("where", "lat", "lon"),
    [
        ("Cardiff, inside England's bounding box", "51.4816", "-3.1791"),
        ("Newport, Wales, 3 km from the Severn", "51.5842", "-2.9977"),
        ("Edinburgh", "55.9533", "-3.1883"),
        ("the English Channel", "50.2000", "-1.0000"),
        ("the North Sea off Norfolk", "53.2000", "1.8000"),
    ],
)
def test_scheme_outside_england_is_refused_against_the_real_boundary(
    data_dir: Path, set_cell: SetCell, where: str, lat: str, lon: str
) -> None:
    set_cell(data_dir / S, 3, "latitude", lat)
    set_cell(data_dir / S, 3, "longitude", lon)
    (line,) = problems(data_dir)
    assert line.startswith("schemes.csv row 3, column latitude: (")
    assert line.endswith(") is outside England (latitude, longitude in degrees)")


@pytest.mark.parametrize(
    ("lat", "lon", "district"),
    [
        ("51.6330", "-2.6560", "E07000080"),  # Sedbury, Forest of Dean: across the Wye from Chepstow
        ("51.6062", "-2.6540", "E07000080"),  # Beachley shore: 400 m outside the generalised boundary
        ("55.7700", "-2.0100", "E06000057"),  # Berwick-upon-Tweed, north of the Tweed yet in England
        ("49.9150", "-6.3150", "E06000053"),  # Isles of Scilly
        ("50.5960", "-1.2800", "E06000046"),  # Isle of Wight
    ],
)
def test_english_points_near_borders_and_on_islands_are_accepted(
    data_dir: Path, set_cell: SetCell, lat: str, lon: str, district: str
) -> None:
    set_cell(data_dir / S, 3, "latitude", lat)
    set_cell(data_dir / S, 3, "longitude", lon)
    set_cell(data_dir / S, 3, "district", district)
    assert len(load_folder(data_dir).schemes) == 7


def test_missing_required_column_names_the_column_and_header_row(data_dir: Path) -> None:
    path = data_dir / P
    lines = path.read_text(encoding="utf-8").splitlines()
    drop = lines[0].split(",").index("support_need")
    kept = [",".join(v for i, v in enumerate(line.split(",")) if i != drop) for line in lines]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert problems(data_dir) == [
        "young_people.csv row 1, column support_need: required column is missing from the header row"
    ]


def test_optional_columns_may_be_left_out_and_take_their_defaults(data_dir: Path) -> None:
    path = data_dir / S
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    optional = {
        "wheelchair_accessible",
        "parent_and_child",
        "accepts_high_risk",
        "excluded_risks",
        "ofsted_registered",
    }
    keep = [i for i, h in enumerate(header) if h not in optional]
    path.write_text(
        "\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n", encoding="utf-8"
    )
    schemes = load_folder(data_dir).schemes
    assert not schemes["ofsted_registered"].any()
    assert not schemes["wheelchair_accessible"].any()
    assert schemes["excluded_risks"].tolist() == [()] * 7


def test_a_full_reserved_place_may_name_someone_already_living_there(
    data_dir: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / S, 8, "vacancies", "0")
    set_cell(data_dir / S, 8, "reserved_for", "YP-0042")  # living there: not on the waiting list
    assert load_folder(data_dir).schemes["reserved_for"].iloc[6] == "YP-0042"


def test_a_version_1_file_with_a_staying_put_row_is_refused_saying_why(data_dir: Path) -> None:
    # v1 had no reserved_for column (nor v1.2's weekly_rent, weekly_support, the last two): every v1
    # file stays valid except a Z row, which cannot say whose it is.
    path = data_dir / S
    lines = [line.rsplit(",", 3)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (line,) = problems(data_dir)
    assert line.startswith("schemes.csv row 8, column reserved_for: is empty, but a staying-put place (Z)")
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # without the Z row, v1 still reads
    assert len(load_folder(data_dir).schemes) == 6


def test_a_column_twice_in_the_header_is_refused(data_dir: Path) -> None:
    path = data_dir / P
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line + "," + line.split(",")[2] for line in lines) + "\n", encoding="utf-8")
    assert problems(data_dir) == [
        "young_people.csv row 1, column gender: column appears more than once in the header row"
    ]


def test_cross_column_checks_are_reported_in_the_same_pass_as_bad_values(
    data_dir: Path, set_cell: SetCell
) -> None:
    set_cell(data_dir / S, 2, "latitude", "51.4816")
    set_cell(data_dir / S, 2, "longitude", "-3.1791")
    set_cell(data_dir / S, 3, "weekly_cost", "-1")
    set_cell(data_dir / S, 4, "vacancies", "3")
    set_cell(data_dir / S, 4, "capacity", "x")  # row 4's vacancies cannot be compared with this
    assert problems(data_dir) == [
        "schemes.csv row 2, column latitude: (51.4816, -3.1791) is outside England (latitude, longitude in degrees)",
        "schemes.csv row 3, column weekly_cost: -1 is negative (a weekly cost in GBP), expected 0 or more",
        "schemes.csv row 4, column capacity: 'x' is not a whole number",
    ]
