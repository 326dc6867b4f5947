"""SSDA903 code lists per collection year, as the field's validator (data-to-insight/
csc-validator-be-903) checks them, and how the import reads a code out of its year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.forecast.history import PLACEMENT_TYPES
from planner.sources import import_903
from planner.sources.ssda903_codes import FIRST_YEAR, GENDER, LAST_YEAR, LISTS
from planner.sources.ssda903_history import pseudonym

YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
ALL = list(YEARS)
UNTIL_2024_25 = [y for y in YEARS if y <= 2024]
NORFOLK = Path(__file__).resolve().parent / "data" / "ssda903_norfolk"


def _valid_in(field: str, code: str) -> list[int]:
    return [y for y in YEARS if code in LISTS[field].valid(y)]


@pytest.mark.parametrize(
    ("field", "code", "years"),
    [
        ("PLACE", "K3", [2024, 2025]),  # supported accommodation, from 2024-25 (rule 146)
        ("PLACE", "H5", UNTIL_2024_25),  # withdrawn in 2025-26
        ("PLACE", "P2", UNTIL_2024_25),
        ("PLACE", "Z1", UNTIL_2024_25),  # split into Z11 to Z14 in 2025-26
        ("PLACE", "Z11", [2025]),
        ("PLACE", "Z14", [2025]),
        ("PLACE", "U4", ALL),
        ("SEX", "1", [*range(FIRST_YEAR, 2024)]),  # rule 101: 1 and 2 until 2023-24
        ("SEX", "M", [2024, 2025]),  # M, F, U from 2024-25
        ("SEX", "U", [2024, 2025]),
        ("ACCOM", "G1", ALL),  # rule 133: gone abroad, deported, with 1 or 2
        ("ACCOM", "H1", ALL),
        ("ACCOM", "V1", ALL),
        ("ACCOM", "W1", ALL),
        ("ACCOM", "0", ALL),  # not in touch
        ("ACCOM", "S1", []),  # no fixed abode and custody are never suitable
        ("ACCOM", "X1", []),
        ("ACTIV", "0", ALL),
        ("IN_TOUCH", "RHOM", ALL),
        ("REC", "E15", ALL),
        ("MOTHER", "1", ALL),
    ],
)
def test_codes_are_valid_in_the_years_the_dfe_rules_allow(field: str, code: str, years: list[int]) -> None:
    assert _valid_in(field, code) == years


def test_apprenticeships_are_f4_and_p4_and_training_or_employment_f5_and_p5() -> None:
    labels = LISTS["ACTIV"].labels
    assert labels["F4"] == "Full-time apprenticeship" and labels["P4"] == "Part-time apprenticeship"
    assert labels["F5"].startswith("Full-time training or employment")
    assert labels["P5"].startswith("Part-time training or employment")


def test_every_placement_code_of_any_year_is_a_cohort_placement_type() -> None:
    ever = set().union(*(LISTS["PLACE"].valid(y) for y in YEARS))
    assert ever == set(PLACEMENT_TYPES)


def test_every_sex_code_gives_a_gender_of_the_contract() -> None:
    assert set(LISTS["SEX"].labels) == set(GENDER) and set(GENDER.values()) == {"M", "F", "X"}


def test_each_list_names_the_validator_rule_it_comes_from() -> None:
    for field, codes in LISTS.items():
        assert codes.rule.startswith("rule ") and "/rule_" in codes.rule, field


def test_a_code_of_another_year_is_reported_and_read(tmp_path: Path) -> None:
    shutil.copytree(NORFOLK, tmp_path / "norfolk")
    header = tmp_path / "norfolk" / "2024-25" / "header.csv"
    header.write_text(header.read_text().replace("N001,M,", "N001,1,"))  # the 2023-24 code for male
    result = import_903(tmp_path / "norfolk", salt="t")
    assert "2024-25/header.csv row 2, column SEX: '1' is an SSDA903 SEX code of 2017-18 to 2023-24, not of " \
           "2024-25: read as such" in [str(p) for p in result.problems]  # fmt: skip
    cohort = result.cohort.set_index("child_id")
    assert cohort.loc[pseudonym("N001", "t"), "gender"] == "M"
