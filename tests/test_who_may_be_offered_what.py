"""Contract v1.2's "who may be offered what" in a batch match and one person's options: staying
put first, a roof not a move, no roof and nothing at all, own tenancies, work and study."""

from __future__ import annotations

import re

import pandas as pd
from matching_instances import ON, born, frames

from planner.data.roof import roof, urgency_order, urgency_rank
from planner.match.batch import match, placement_rates
from planner.match.options import format_options, options, why_not
from planner.match.summary import format_summary

CARERS = {"accom_type": "Z", "reserved_for": "P0", "ofsted_registered": False, "min_age": 18, "max_age": 20,
          "weekly_cost": 300.0, "support_level": "low"}  # fmt: skip
BNB = {"accom_type": "W", "support_level": "none", "vacancies": 3, "ofsted_registered": False, "min_age": 18,
       "weekly_cost": 420.0}  # fmt: skip
FULL = {"vacancies": 0}  # a suitable scheme with no place free


def _m(ppl: pd.DataFrame, sch: pd.DataFrame, **kw: object) -> pd.DataFrame:
    return match(ppl, sch, on=ON, **kw).matches.set_index("person_id")  # type: ignore[arg-type]


def test_staying_put_is_given_first_even_when_a_cheaper_place_is_free() -> None:
    ppl, sch = frames([{"date_of_birth": born(18), "current_accom": "Z1"}], [CARERS, {"weekly_cost": 200.0}])
    m = _m(ppl, sch)
    assert (m.at["P0", "scheme_id"], m.at["P0", "accom_code"]) == ("S0", "Z1")
    assert m.at["P0", "reason"].startswith("staying put with own former foster carers: Scheme (Gloucester)")
    assert "not ranked against other places" in m.at["P0", "reason"] and "best of" not in m.at["P0", "reason"]


def test_staying_put_starts_on_the_18th_birthday_inside_the_horizon() -> None:
    birthday = pd.Timestamp("2026-12-05")
    ppl, sch = frames([{"date_of_birth": birthday - pd.DateOffset(years=18), "needed_from": birthday}],
                      [CARERS, {"weekly_cost": 200.0}])  # fmt: skip
    m = _m(ppl, sch)
    assert m.at["P0", "scheme_id"] == "S0"  # 17 on the match date, 18 when it starts
    assert "from 5 Dec 2026 to their 21st birthday (5 Dec 2029)" in m.at["P0", "reason"]


def test_declined_staying_put_keeps_the_place_reserved_and_the_young_person_is_matched() -> None:
    # P1 has no roof and would fit the carers' place but for its being P0's; S1 is not accessible.
    ppl, sch = frames([{"date_of_birth": born(18), "staying_put": False, "current_accom": "Z1"},
                       {"date_of_birth": born(19), "current_accom": "S2", "wheelchair": True}],
                      [{**CARERS, "wheelchair_accessible": True}, {}])  # fmt: skip
    m = _m(ppl, sch)
    assert m.at["P0", "scheme_id"] == "S1" and m.at["P1", "scheme_id"] == ""  # nobody else takes S0
    only = _m(ppl, sch.iloc[[0]])
    assert only.at["P0", "outcome"] == "unplaced"
    assert (
        "staying put declined: their place with former foster carers (S0) stays reserved"
        in only.at["P0", "reason"]
    )
    assert "1 staying put, which they declined" in only.at["P0", "reason"]


def test_bed_and_breakfast_is_never_a_move_for_someone_suitably_housed_or_already_in_it() -> None:
    ppl, sch = frames([{"current_accom": "D1"}, {"current_accom": "W2"}, {"current_accom": "U1"}],
                      [FULL, BNB])  # fmt: skip
    m = _m(ppl, sch)
    assert (m["outcome"] == "unplaced").all()
    assert m.at["P0", "reason"].endswith(
        "stays in their current home, D1 semi-independent, transitional or self-contained accommodation, "
        "until a place is found"
    )
    assert m.at["P1", "reason"].endswith(
        "stays in bed and breakfast (W2) for now, still unsuitably housed: never moved to another B&B or "
        "emergency place"
    )
    assert roof(ppl, on=ON).tolist() == ["housed", "in_emergency", "housed"]


def test_bed_and_breakfast_is_a_roof_for_an_adult_due_now_with_none() -> None:
    ended = pd.Timestamp(ON) - pd.Timedelta(days=2)
    ppl, sch = frames(
        [{"current_accom": "S2"}, {"current_accom": "X2"}, {},
         {"current_accom": "D1", "current_until": ended},
         {"current_accom": "D1", "current_until": pd.Timestamp("2026-12-24")}],
        [FULL, {**BNB, "vacancies": 10, "support_level": "none"}],
    )  # fmt: skip
    for p in ppl.index:  # support level is no rule for B&B: it is unsuitable whatever it offers
        ppl.loc[p, "support_need"] = "intensive"
    m = _m(ppl, sch)
    assert m["outcome"].tolist() == ["unsuitable"] * 4 + ["unplaced"]
    assert "a roof for someone with none" in m.at["P0", "reason"]
    assert "it ends on 24 Dec 2026" in m.at["P4", "reason"]


def test_no_roof_and_nothing_at_all_names_the_date_and_the_housing_authority_and_is_counted() -> None:
    since = pd.Timestamp("2026-11-20")
    ppl, sch = frames([{"current_accom": "S2", "needed_from": since, "home_district": "E07000082"},
                       {"current_accom": "D1"},
                       {"date_of_birth": born(17), "current_accom": "C1"}], [FULL])  # fmt: skip
    r = match(ppl, sch, on=ON)
    reason = r.matches.set_index("person_id").at["P0", "reason"]
    assert reason.endswith(
        "no B&B or emergency place fits either: no roof from 20 Nov 2026; refer them to Stroud's housing "
        "authority (E07000082) as homeless (Housing Act 1996, Part 7)"
    )
    o = r.objective
    kinds = ("no_roof", "housed", "under_18", "in_emergency")
    assert [o[f"unplaced_{k}"] for k in kinds] == [1, 1, 1, 0]
    text = format_summary(r, ppl, on=ON)
    assert re.search(r"\n      no roof: refer to the district housing authority +1\n", text)


def test_own_tenancies_only_for_tenancy_ready_adults() -> None:
    flat = {"accom_type": "U", "vacancies": 3, "ofsted_registered": True, "min_age": 16}
    ppl, sch = frames([{"tenancy_ready": True}, {"tenancy_ready": False},
                       {"tenancy_ready": True, "date_of_birth": born(17)}], [flat])  # fmt: skip
    m = _m(ppl, sch)
    assert m["outcome"].tolist() == ["placed", "unplaced", "unplaced"]
    assert "1 offering own tenancies (tenancy-ready adults only)" in m.at["P1", "reason"]
    assert why_not(ppl, sch, "P2", "S0", on=ON) == [
        "is an own tenancy, a nomination for someone 18 or over assessed ready for it "
        "(they are 17, tenancy-ready)"
    ]


def test_a_place_near_where_they_study_or_work_says_so() -> None:
    study = {"home_district": "E07000080", "connection_districts": ("E07000081",), "activity": "F2"}
    ppl, sch = frames([study, {**study, "activity": "F5"}, {**study, "activity": "G5"}], [{"vacancies": 3}])
    m = _m(ppl, sch)
    assert "a connection district" in m.at["P0", "reason"]
    assert "near college (Gloucester)" in m.at["P0", "reason"]
    assert "near work (Gloucester)" in m.at["P1", "reason"]
    assert "near" not in m.at["P2", "reason"]


def test_placement_rates_by_legal_status() -> None:
    ppl, sch = frames([{"legal_status": "qualifying"}, {"date_of_birth": born(17)}, {}], [{"vacancies": 3}])
    rates = placement_rates(match(ppl, sch, on=ON), ppl, on=ON)
    legal = rates[rates["group"] == "legal status"].set_index("value")["people"].to_dict()
    assert legal == {"eligible": 1, "former_relevant": 1, "qualifying": 1}


def test_the_v1_2_urgency_order_of_the_waiting_list() -> None:
    later = pd.Timestamp("2026-12-10")
    ppl, _ = frames([
        {"current_accom": "D1"},                                       # adult now, housed: 2
        {"date_of_birth": born(17), "needed_from": later},             # under 18 later: 3
        {"current_accom": "W2"},                                       # adult now, in B&B: 1
        {"date_of_birth": born(16), "current_accom": "C1"},            # under 18 now: 0
        {"needed_from": later - pd.Timedelta(days=3)},                 # adult later, sooner: 4
        {"needed_from": pd.Timestamp("2027-03-01")},                   # not due: last
    ], [{}])  # fmt: skip
    assert urgency_rank(ppl, on=ON).tolist() == [2, 3, 1, 0, 4, 5]
    assert ppl["person_id"].to_numpy()[urgency_order(ppl, on=ON)].tolist() == [
        "P3",
        "P2",
        "P0",
        "P1",
        "P4",
        "P5",
    ]


def test_options_of_someone_staying_put_show_their_carers_place_not_a_ranking() -> None:
    ppl, sch = frames([{"date_of_birth": born(18), "current_accom": "Z1"}], [CARERS, {"weekly_cost": 200.0}])
    o = options(ppl, sch, "P0", on=ON)
    assert o.staying_put == "S0" and o.ranked["scheme_id"].tolist() == ["S0"]
    assert "Staying put with own former foster carers (S0), from the day it starts" in format_options(o)
    assert "Best places" not in format_options(o) and " rank " not in format_options(o)


def test_options_of_someone_housed_leave_out_bed_and_breakfast_and_say_why() -> None:
    ppl, sch = frames([{"current_accom": "D1"}, {"current_accom": "S2"}], [FULL, BNB])
    assert options(ppl, sch, "P0", on=ON).ranked.empty and options(ppl, sch, "P0", on=ON).roof == "housed"
    assert options(ppl, sch, "P1", on=ON).ranked["scheme_id"].tolist() == ["S1"]
    assert why_not(ppl, sch, "P0", "S1", on=ON) == [
        "is bed and breakfast: unsuitable, only for adults nobody can place suitably",
        "is not offered to someone with a roof: they stay where they live until a place is found",
    ]


def test_a_frame_without_v1_2_columns_matches_as_with_their_defaults() -> None:
    ppl, sch = frames([{"current_accom": "D1"}, {"current_accom": "S2"}, {"date_of_birth": born(17)}],
                      [{"vacancies": 1}, BNB])  # fmt: skip
    old = ppl.drop(columns=["legal_status", "current_until", "staying_put", "tenancy_ready", "activity"])
    pd.testing.assert_frame_equal(match(old, sch, on=ON).matches, match(ppl, sch, on=ON).matches)
    ranked = [options(p, sch, "P1", on=ON).ranked["scheme_id"].tolist() for p in (old, ppl)]
    assert ranked[0] == ranked[1] == ["S0", "S1"]  # B&B after the suitable place: no roof now


def test_of_two_places_reserved_for_one_person_the_first_that_fits_is_given() -> None:
    # Found by the reference solver's property test (seed 105416): the first reserved place by
    # position (ages to 18) does not take a 19-year-old; the second (to 21) does, and is theirs.
    z = {"accom_type": "Z", "reserved_for": "P0"}
    places = [z | {"max_age": 18}, z | {"max_age": 21}, {"weekly_cost": 100.0}]
    ppl, sch = frames([{"date_of_birth": born(19)}], places)
    m = match(ppl, sch, on=ON).matches
    assert (m["scheme_id"].iat[0], m["outcome"].iat[0]) == ("S1", "placed")
    assert m["reason"].iat[0].startswith("staying put with own former foster carers")
