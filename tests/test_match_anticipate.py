"""`planner match --anticipate`: a place is held for someone due soon after the horizon who would
have no other, only when everyone the batch places can still be placed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, born, frames
from matching_instances import people as random_people
from matching_instances import schemes as random_schemes

from planner.match.anticipate import HELD_PREFIX, LOOKAHEAD_DAYS, hold_lines
from planner.match.batch import match
from planner.match.eligibility import HARD_MASK, failures

SOON = pd.Timestamp(ON) + pd.Timedelta(days=35)  # after the 28-day horizon, within the lookahead
ADULT_HOUSED = {"date_of_birth": born(20), "current_accom": "U1"}  # a roof while they wait
MINOR_SOON = {"date_of_birth": born(17), "needed_from": SOON}
REGISTERED = {"weekly_cost": 300.0}
UNREGISTERED = {"weekly_cost": 400.0, "ofsted_registered": False, "min_age": 18}


def _run(ppl: pd.DataFrame, sch: pd.DataFrame, anticipate: bool):
    return match(ppl, sch, on=ON, anticipate_days=LOOKAHEAD_DAYS if anticipate else 0)


def test_a_registered_place_is_held_for_a_17_year_old_due_soon_when_the_adult_now_has_another() -> None:
    ppl, sch = frames([ADULT_HOUSED, MINOR_SOON], [REGISTERED, UNREGISTERED])
    plain = _run(ppl, sch, False).matches.set_index("person_id")
    assert plain.at["P0", "scheme_id"] == "S0"  # the cheaper place, the only one P1 could take
    result = _run(ppl, sch, True)
    m = result.matches.set_index("person_id")
    assert m.at["P0", "scheme_id"] == "S1" and m.at["P0", "outcome"] == "placed"
    assert m.at["P1", "outcome"] == "not_due" and m.at["P1", "scheme_id"] == ""
    assert f"{HELD_PREFIX} at Scheme (S0)" in m.at["P1", "reason"]
    assert result.holds is not None
    assert list(result.holds["scheme_id"]) == ["S0"]
    day = SOON.day
    assert (
        result.holds["reason"].iat[0]
        == f"held for a 17-year-old due on {day} Dec who has no other registered place"
    )
    assert "1 place held back" in "\n".join(hold_lines(result.holds))


def test_no_place_is_held_when_the_adult_due_now_has_no_other() -> None:
    ppl, sch = frames([ADULT_HOUSED, MINOR_SOON], [REGISTERED])
    result = _run(ppl, sch, True)
    assert result.matches.set_index("person_id").at["P0", "scheme_id"] == "S0"
    assert result.holds is not None and result.holds.empty


def test_an_under_18_due_now_keeps_the_place_over_an_under_18_due_soon() -> None:
    ppl, sch = frames([{"date_of_birth": born(16)}, MINOR_SOON], [REGISTERED, UNREGISTERED])
    result = _run(ppl, sch, True)
    assert result.matches.set_index("person_id").at["P0", "scheme_id"] == "S0"
    assert result.holds is not None and result.holds.empty


def test_a_wheelchair_user_due_soon_is_named_as_one() -> None:
    chair = {"date_of_birth": born(19), "needed_from": SOON, "wheelchair": True}
    ppl, sch = frames([ADULT_HOUSED, chair], [{**REGISTERED, "wheelchair_accessible": True}, UNREGISTERED])
    result = _run(ppl, sch, True)
    assert result.holds is not None
    assert result.holds["reason"].iat[0].endswith("wheelchair user due on 28 Dec who has no other "
                                                  "wheelchair-accessible place")  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_holding_places_never_breaks_a_hard_rule_nor_unplaces_anyone_the_batch_placed(seed: int) -> None:
    ppl = random_people(40, seed)
    ppl["needed_from"] = ppl["needed_from"] + pd.to_timedelta(np.arange(40) % 3 * 20, unit="D")
    sch = random_schemes(12, seed, people_ids=list(ppl["person_id"]))
    plain = _run(ppl, sch, False).matches.set_index("person_id")
    result = _run(ppl, sch, True)
    m = result.matches.set_index("person_id")
    was = plain.index[plain["outcome"] == "placed"]
    assert (m.loc[was, "outcome"] == "placed").all()
    assert (m["outcome"] == "unsuitable").sum() <= (plain["outcome"] == "unsuitable").sum()
    fail = failures(ppl, sch, on=ON)
    for k, row in enumerate(m.reindex(ppl["person_id"]).itertuples()):
        if row.scheme_id:
            j = int(np.flatnonzero(sch["scheme_id"] == row.scheme_id)[0])
            assert fail[k, j] & HARD_MASK == 0
    held = result.holds if result.holds is not None else pd.DataFrame()
    for sid, n in m[m["scheme_id"] != ""]["scheme_id"].value_counts().items():
        vacancies = int(sch.loc[sch["scheme_id"] == sid, "vacancies"].iat[0])
        assert n + int((held["scheme_id"] == sid).sum()) <= vacancies if len(held) else n <= vacancies
