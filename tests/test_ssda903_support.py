"""Support need from what an SSDA903 return shows (`planner.sources.ssda903_support`): placement
type and provider, the accommodation a care leaver went to, missing spells and custody; `none`
through `intensive` all reachable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.sources import import_903
from planner.sources.ssda903_history import pseudonym
from planner.sources.ssda903_support import accommodation_level, placement_level, support_need

NORFOLK = Path(__file__).resolve().parent / "data" / "ssda903_norfolk"


def _need(place: str = "", provider: str = "", accom: str = "", activity: str = "", spells: int = 0,
          custody: bool = False) -> str:  # fmt: skip
    one = pd.Index([0])
    placed = placement_level(pd.Series([place], index=one), pd.Series([provider], index=one))
    went = accommodation_level(pd.Series([accom], index=one), pd.Series([activity], index=one))
    base = went if accom else placed
    level = support_need(base, placed, pd.Series([spells], index=one), pd.Series([custody], index=one))
    return str(level.iloc[0])


@pytest.mark.parametrize(
    ("case", "need"),
    [
        ({"place": "K1"}, "intensive"),  # secure children's home
        ({"place": "K2"}, "high"),  # children's home
        ({"place": "K2", "spells": 1}, "intensive"),  # and went missing
        ({"place": "K3", "provider": "PR4"}, "medium"),  # supported accommodation
        ({"place": "U4", "provider": "PR1"}, "low"),  # the council's own foster carers
        ({"place": "U4", "provider": "PR4"}, "medium"),  # an independent fostering agency
        ({"place": "U4", "provider": "PR1", "spells": 3}, "high"),
        ({"place": "U6", "provider": "PR1", "custody": True}, "high"),  # remanded or sentenced
        ({"place": "U6", "provider": "PR1", "custody": True, "spells": 3}, "intensive"),
        ({"place": "K2", "accom": "C1"}, "high"),  # left care to a community home
        ({"place": "K2", "accom": "D1"}, "medium"),  # ... to semi-independent accommodation
        ({"place": "U4", "accom": "Z1"}, "low"),  # staying put
        ({"place": "U4", "accom": "U1", "activity": "F2"}, "none"),  # own tenancy, in education
        ({"place": "U4", "accom": "U1", "activity": "G5"}, "low"),  # own tenancy, NEET
        ({"accom": "K1", "activity": "F5"}, "none"),  # ordinary lodgings, in work
        ({"place": "K2", "accom": "W2"}, "high"),  # B&B says nothing of need: the placement does
        ({"accom": "V2"}, "medium"),  # emergency accommodation, nothing else known
    ],
)
def test_support_need_from_what_the_return_shows(case: dict[str, object], need: str) -> None:
    assert _need(**case) == need  # type: ignore[arg-type]


def test_every_support_level_is_reachable() -> None:
    levels = {_need(place="U4", accom="U1", activity="F1"), _need(place="U4"), _need(place="K3"),
              _need(place="K2"), _need(place="K1")}  # fmt: skip
    assert levels == {"none", "low", "medium", "high", "intensive"}


def test_the_import_reads_missing_spells_and_agency_foster_care(tmp_path: Path) -> None:
    shutil.copytree(NORFOLK, tmp_path / "norfolk")
    (tmp_path / "norfolk" / "2024-25" / "missing.csv").write_text(
        "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
        "N003,20/08/2008,M,03/10/2024,04/10/2024\n"  # K3: medium, one spell: high
        "N007,19/09/2006,M,01/02/2024,02/02/2024\n"  # left a children's home to supported
        "N007,19/09/2006,A,01/05/2024,01/05/2024\n"  # accommodation (D, medium) after three
        "N007,19/09/2006,M,01/08/2024,03/08/2024\n"  # spells in the year before: intensive
    )
    result = import_903(tmp_path / "norfolk", salt="t")
    need = result.cohort.set_index("child_id")["support_need"]
    assert need[pseudonym("N003", "t")] == "high"
    assert need[pseudonym("N001", "t")] == "low"  # foster care with the council's own carers
    assert need[pseudonym("N009", "t")] == "medium"  # foster care through an agency (PR4)
    history = result.referrals.set_index("person_id")
    assert history.loc[pseudonym("N007", "t"), "support_need"] == "intensive"
    assert history.loc[pseudonym("N007", "t"), "risks"] == ("going_missing",)
    assert not [p for p in result.problems if p.file.endswith("missing.csv")]
    assert "Missing" not in " ".join(n for n in result.notes if "not needed here" in n)
