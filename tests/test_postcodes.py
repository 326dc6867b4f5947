"""Postcodes through the ONS Postcode Directory: districts across England, and schemes.csv rows
located by postcode instead of coordinates (data contract v1.1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.data.contract import load_folder
from planner.data.districts import km_outside_district
from planner.data.postcodes import locate
from planner.data.problems import InvalidInput

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("SW1A 1AA", "E09000033"),  # Westminster
        ("M1 1AE", "E08000003"),  # Manchester
        ("LS1 1UR", "E08000035"),  # Leeds
        ("NE1 7RU", "E08000021"),  # Newcastle upon Tyne
        ("TR1 2SG", "E06000052"),  # Cornwall
        ("CA1 1RD", "E06000063"),  # Cumberland (a 2023 unitary)
        ("LA9 4DL", "E06000064"),  # Westmorland and Furness
        ("HG1 1AA", "E06000065"),  # North Yorkshire (a 2023 unitary)
        ("TA1 1HE", "E06000066"),  # Somerset (a 2023 unitary)
        ("S1 2HH", "E08000019"),  # Sheffield: E08000039 in the directory, the 2023 code here
        ("S70 2TA", "E08000016"),  # Barnsley: E08000038 in the directory
        ("NR2 1NH", "E07000148"),  # Norwich
        ("CB2 1TN", "E07000008"),  # Cambridge
        ("gl50 1hx", "E07000078"),  # Cheltenham, as typed in lower case
        ("GL501HX", "E07000078"),  # and without the space
    ],
)
def test_postcodes_across_england_give_their_district_and_a_point_inside_it(
    postcode: str, district: str
) -> None:
    found = locate([postcode]).iloc[0]
    assert (found["status"], found["district"]) == ("found", district)
    assert (
        km_outside_district(np.array([found["latitude"]]), np.array([found["longitude"]]), [district])[0] < 1
    )


@pytest.mark.parametrize(
    ("postcode", "status"),
    [
        ("CF10 1EP", "not_in_england"),  # Cardiff
        ("EH1 1YZ", "not_in_england"),  # Edinburgh
        ("GL50 9ZZ", "unknown"),
        ("GL50", "malformed"),
        ("not a postcode", "malformed"),
        ("", "empty"),
        (None, "empty"),
    ],
)
def test_postcodes_outside_england_unknown_or_malformed_give_no_district(
    postcode: str | None, status: str
) -> None:
    found = locate([postcode]).iloc[0]
    assert (found["status"], found["district"]) == (status, "")


POSTCODES = {  # a real postcode in each example scheme's district
    "SCH-001": "GL1 2AB",
    "SCH-002": "GL50 1HX",
    "SCH-003": "GL5 3HT",
    "SCH-004": "GL16 8PT",
    "SCH-005": "GL20 5NB",
    "SCH-006": "GL1 1AA",
    "SCH-007": "GL7 1XY",
}


def _with_postcodes(tmp_path: Path, postcodes: dict[str, str], keep_coordinates: bool = False) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    schemes = pd.read_csv(folder / "schemes.csv", dtype=str, keep_default_na=False)
    schemes.insert(7, "postcode", [postcodes.get(s, "") for s in schemes["scheme_id"]])
    if not keep_coordinates:
        schemes["latitude"] = schemes["longitude"] = ""
    schemes.to_csv(folder / "schemes.csv", index=False)
    return folder


def test_validate_accepts_schemes_located_by_postcode_only(tmp_path: Path) -> None:
    folder = _with_postcodes(tmp_path, POSTCODES)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    schemes = load_folder(folder).schemes.set_index("scheme_id")
    # The coordinates are the postcode's: Cheltenham Foyer's GL50 1HX is in the town centre.
    assert schemes.loc["SCH-002", ["latitude", "longitude"]].tolist() == pytest.approx(
        [51.8989, -2.0747], abs=1e-3
    )
    assert schemes.loc["SCH-002", "postcode"] == "GL50 1HX"
    assert schemes[["latitude", "longitude"]].notna().all().all()


def test_a_postcode_outside_the_rows_district_is_refused_naming_both(tmp_path: Path) -> None:
    folder = _with_postcodes(
        tmp_path, {**POSTCODES, "SCH-003": "GL50 1HX"}
    )  # Stroud's row, Cheltenham's postcode
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "schemes.csv row 4, column postcode: 'GL50 1HX' is in Cheltenham (E07000078), "
        "not in the row's district Stroud (E07000082)"
    )


def test_unknown_and_malformed_postcodes_are_refused_by_row(tmp_path: Path) -> None:
    folder = _with_postcodes(tmp_path, {**POSTCODES, "SCH-001": "GL1 9QQ", "SCH-004": "GL16"})
    with pytest.raises(InvalidInput) as e:
        load_folder(folder)
    assert e.value.lines() == [
        "schemes.csv row 2, column postcode: 'GL1 9QQ' is not in the ONS Postcode Directory "
        "(a typing slip, or a new postcode)",
        "schemes.csv row 5, column postcode: 'GL16' is not a UK postcode (e.g. GL50 1HX)",
    ]


def test_a_row_with_neither_coordinates_nor_postcode_says_what_to_give(tmp_path: Path) -> None:
    folder = _with_postcodes(tmp_path, {k: v for k, v in POSTCODES.items() if k != "SCH-005"})
    with pytest.raises(InvalidInput) as e:
        load_folder(folder)
    assert e.value.lines() == [
        "schemes.csv row 6, column latitude: is empty: give latitude and longitude, or a postcode"
    ]


def test_coordinates_far_outside_the_rows_district_are_refused(tmp_path: Path) -> None:
    folder = _with_postcodes(tmp_path, {}, keep_coordinates=True)
    schemes = pd.read_csv(folder / "schemes.csv", dtype=str, keep_default_na=False)
    schemes.loc[schemes["scheme_id"] == "SCH-005", "district"] = "E07000080"  # Tewkesbury's point
    schemes.to_csv(folder / "schemes.csv", index=False)
    with pytest.raises(InvalidInput) as e:
        load_folder(folder)
    (line,) = e.value.lines()
    assert line.startswith("schemes.csv row 6, column latitude: (51.9915, -2.1593) is ")
    assert line.endswith(" km outside Forest of Dean (E07000080), the row's district")


def test_coordinates_win_over_the_postcode_when_both_are_given(tmp_path: Path) -> None:
    folder = _with_postcodes(tmp_path, POSTCODES, keep_coordinates=True)
    schemes = load_folder(folder).schemes.set_index("scheme_id")
    assert schemes.loc["SCH-002", ["latitude", "longitude"]].tolist() == [51.8981, -2.0782]


def test_a_files_postcodes_are_looked_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.data.contract as contract

    folder = _with_postcodes(tmp_path, POSTCODES, keep_coordinates=True)
    schemes = pd.read_csv(folder / "schemes.csv", dtype=str, keep_default_na=False)
    schemes.loc[schemes["scheme_id"] == "SCH-002", ["latitude", "longitude"]] = ""
    schemes.to_csv(folder / "schemes.csv", index=False)
    calls: list[list[str]] = []

    def counted(postcodes: object) -> pd.DataFrame:
        calls.append(list(postcodes))  # type: ignore[call-overload]
        return locate(calls[-1])

    monkeypatch.setattr(contract, "locate", counted)
    located = load_folder(folder).schemes.set_index("scheme_id")
    assert len(calls) == 1 and len(calls[0]) == len(POSTCODES)
    # The lookup that checked the postcodes placed the scheme that gave only its postcode ...
    assert located.loc["SCH-002", ["latitude", "longitude"]].tolist() == pytest.approx(
        [51.8989, -2.0747], abs=1e-3
    )
    # ... and left the coordinates given alone.
    assert located.loc["SCH-001", ["latitude", "longitude"]].tolist() == [51.8643, -2.2503]
