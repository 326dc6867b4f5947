"""SSDA903 placeholders are read as "not applicable" or "not known", never as a setting, an address
or a problem; OC3 ACTIV is kept as the care leaver's activity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.sources import import_903
from planner.sources.ssda903_history import pseudonym

NORFOLK = Path(__file__).resolve().parent / "data" / "ssda903_norfolk"


@pytest.fixture
def norfolk(tmp_path: Path) -> Path:
    shutil.copytree(NORFOLK, tmp_path / "norfolk")
    return tmp_path / "norfolk"


def _id(child: str) -> str:
    return pseudonym(child, "t")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_urn_xxxxxxx_is_not_a_setting_that_links_children(norfolk: Path) -> None:
    episodes = norfolk / "2024-25" / "episodes.csv"
    _edit(episodes, "NR4 7PB,NR7 8HF,", "NR4 7PB,NR7 8HF,XXXXXXX")  # N001, foster care, own carers
    _edit(episodes, "NR31 6HF,NR30 2AE,", "NR31 6HF,NR30 2AE,XXXXXXX")  # N002
    result = import_903(norfolk, salt="t")
    urn = result.cohort.set_index("child_id")["urn"]
    assert urn[_id("N001")] == "" and urn[_id("N002")] == ""
    assert urn[_id("N003")].startswith("URN-")  # a real registration is still kept, as a pseudonym
    assert not [p for p in result.problems if p.column == "URN"]
    assert any("2 URN, HOME_POST or PL_POST values standing for 'not applicable'" in n for n in result.notes)


def test_placeholder_postcodes_are_not_problems_and_the_other_postcode_still_places_the_child(
    norfolk: Path,
) -> None:
    episodes = norfolk / "2024-25" / "episodes.csv"
    _edit(episodes, "PR1,,,,NR4 7PB,", "PR1,,,,XXXXXXX,")  # N001's home
    _edit(episodes, "PR1,,,,NR31 6HF,", "PR1,,,,ZZ99 3VZ,")  # N002's home
    result = import_903(norfolk, salt="t")
    assert not [p for p in result.problems if p.column in ("HOME_POST", "PL_POST")]
    district = result.cohort.set_index("child_id")["district"]
    assert district[_id("N001")] == "E07000148"  # Norwich, from the placement postcode NR7 8HF
    assert district[_id("N002")] == "E07000145"  # Great Yarmouth, from NR30 2AE


def test_a_postcode_that_is_no_placeholder_is_still_a_problem(norfolk: Path) -> None:
    _edit(norfolk / "2024-25" / "episodes.csv", "NR4 7PB,NR7 8HF,", "NR4 7PB,XYZ,")
    result = import_903(norfolk, salt="t")
    assert [str(p) for p in result.problems if p.column == "PL_POST"] == [
        "2024-25/episodes.csv row 2, column PL_POST: 'XYZ' is not a UK postcode (e.g. GL50 1HX)"
    ]


def test_oc3_activity_is_kept_and_not_known_is_empty() -> None:
    result = import_903(NORFOLK, salt="t")
    history = result.referrals.set_index("person_id")
    assert history.loc[_id("N006"), "activity"] == "F4"  # full-time apprenticeship, staying put
    assert (history.loc[[_id("N008")], "activity"] == "").all()  # not in touch: ACTIV 0
    written = result.referrals["activity"]
    assert set(written) <= {"", "F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"}
    assert isinstance(written, pd.Series)
