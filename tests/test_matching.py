"""Batch matching behaviour: priorities, B&B only as a last resort, edge cases, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, born, broken, frames, instance, records

from planner.match.batch import MATCH_COLUMNS, match, placement_rates


def _outcomes(ppl: pd.DataFrame, sch: pd.DataFrame, **kw: object) -> dict[str, tuple[str, str]]:
    m = match(ppl, sch, on=ON, **kw).matches  # type: ignore[arg-type]
    return {r.person_id: (r.outcome, r.scheme_id) for r in m.itertuples()}


def test_matches_have_exactly_the_product_columns_in_input_order() -> None:
    ppl, sch = instance(30, 12, 1)
    r = match(ppl, sch, on=ON)
    assert tuple(r.matches.columns) == MATCH_COLUMNS
    assert r.matches["person_id"].tolist() == ppl["person_id"].tolist()
    unplaced = r.matches["outcome"] == "unplaced"
    assert (r.matches.loc[unplaced, "scheme_id"] == "").all()
    assert r.matches.loc[unplaced, ["weekly_cost", "distance_km"]].isna().all().all()
    assert r.matches["reason"].str.len().gt(20).all()
    assert set(r.timings) == {"eligibility", "build", "solve", "explain"}
    assert r.seconds == pytest.approx(sum(r.timings.values()))


def test_one_place_goes_to_the_person_already_in_bed_and_breakfast() -> None:
    later = pd.Timestamp("2026-12-20")
    ppl, sch = frames(
        [{}, {"current_accom": "W2", "needed_from": later}, {"support_need": "none"}], [{"vacancies": 1}]
    )
    assert _outcomes(ppl, sch)["P1"] == ("placed", "S0")


def test_then_the_soonest_needed_then_under_18s() -> None:
    ppl, sch = frames(
        [{"needed_from": pd.Timestamp("2026-12-01")}, {"needed_from": pd.Timestamp("2026-11-25")}], [{}]
    )
    assert _outcomes(ppl, sch)["P1"][0] == "placed"
    ppl, sch = frames([{"date_of_birth": born(19)}, {"date_of_birth": born(17)}], [{}])
    assert _outcomes(ppl, sch)["P1"][0] == "placed"


def test_equally_urgent_claimants_are_settled_by_cost() -> None:
    # Both fit S0 (in Gloucester); only P1 lives there, so giving it to P1 costs less distance.
    ppl, sch = frames([{"home_district": "E07000079"}, {}], [{}])
    assert _outcomes(ppl, sch)["P1"][0] == "placed"


def test_urgency_never_costs_a_suitable_place_to_someone_else() -> None:
    # The urgent P0 fits both schemes, P1 only S0: placing both beats giving P0 the cheaper S0.
    ppl, sch = frames([{"current_accom": "V2"}, {"support_need": "high"}],
                      [{"weekly_cost": 100.0}, {"support_level": "low", "weekly_cost": 900.0}])  # fmt: skip
    assert _outcomes(ppl, sch) == {"P0": ("placed", "S1"), "P1": ("placed", "S0")}


def test_bed_and_breakfast_only_for_adults_nobody_could_place_suitably() -> None:
    ppl, sch = frames(
        [{"date_of_birth": born(19)}, {"date_of_birth": born(20), "support_need": "intensive"},
         {"date_of_birth": born(17), "support_need": "intensive"}],
        [{"support_level": "medium"}, {"accom_type": "W", "support_level": "intensive", "vacancies": 3,
                                       "ofsted_registered": False}],
    )  # fmt: skip
    r = match(ppl, sch, on=ON)
    got = {x.person_id: (x.outcome, x.accom_code) for x in r.matches.itertuples()}
    assert got == {"P0": ("placed", "D1"), "P1": ("unsuitable", "W2"), "P2": ("unplaced", "")}
    reasons = r.matches.set_index("person_id")["reason"]
    assert "last resort" in reasons["P1"]
    assert "never used under 18" in reasons["P2"]


def test_nobody_eligible_says_which_rules_rule_everything_out() -> None:
    ppl, sch = frames([{"wheelchair": True}, {"avoid_districts": ("E07000081",)}],
                      [{}, {"support_level": "none", "wheelchair_accessible": True}])  # fmt: skip
    r = match(ppl, sch, on=ON)
    assert (r.matches["outcome"] == "unplaced").all()
    reasons = r.matches.set_index("person_id")["reason"]
    assert "1 are not wheelchair-accessible" in reasons["P0"]
    assert "1 give less support than needed" in reasons["P0"]
    assert "1 give less support than needed, 1 are in districts they must avoid" in reasons["P1"]
    rules = r.why_not[r.why_not["person_id"] == "P0"].set_index("rule")["schemes_excluded"].to_dict()
    assert rules == {"support": 1, "wheelchair": 1}


def test_no_vacancies_anywhere_leaves_everyone_unplaced_and_says_so() -> None:
    ppl, sch = frames([{}, {}], [{"vacancies": 0}, {"vacancies": 0, "accom_type": "V"}])
    r = match(ppl, sch, on=ON)
    assert r.status == "optimal"
    assert (r.matches["outcome"] == "unplaced").all()
    assert r.matches["reason"].str.contains("2 have no vacancy").all()


def test_everyone_under_18_is_never_put_in_bed_and_breakfast() -> None:
    ppl, sch = instance(60, 25, 4)
    ppl["date_of_birth"] = [born(a) for a in np.resize([16, 17], len(ppl))]
    sch["accom_type"] = np.resize(["W", "V", "D"], len(sch))
    sch["ofsted_registered"] = True
    m = match(ppl, sch, on=ON).matches
    assert (m["outcome"] != "unsuitable").all()
    assert not m["accom_code"].str[0].isin(["W", "V"]).any()


def test_one_place_and_many_claimants_fills_it_once() -> None:
    ppl, sch = frames([{"needed_from": pd.Timestamp(ON) + pd.Timedelta(days=i)} for i in range(25)], [{}])
    m = match(ppl, sch, on=ON).matches
    assert m["outcome"].tolist() == ["placed"] + ["unplaced"] * 24
    assert m["reason"].iloc[1].startswith("fits 1 scheme but all 1 places there are taken by more urgent")


def test_objective_cost_never_costs_more_per_week_than_the_default() -> None:
    ppl, sch = instance(80, 30, 6)
    d, c = match(ppl, sch, on=ON), match(ppl, sch, on=ON, objective="cost")
    assert d.objective["placed"] == c.objective["placed"]
    assert c.objective["weekly_cost_placed"] <= d.objective["weekly_cost_placed"] + 1e-6
    assert "by weekly cost" in " ".join(c.matches["reason"])


def test_time_limit_returns_a_valid_answer_and_says_so() -> None:
    ppl, sch = instance(120, 40, 5)
    r = match(ppl, sch, on=ON, time_limit=1e-9)
    assert r.status == "time_limit" and r.method == "greedy"
    P = {p["person_id"]: p for p in records(ppl)}
    S = {s["scheme_id"]: s for s in records(sch)}
    taken = r.matches[r.matches["outcome"] != "unplaced"]
    assert all(not broken(P[x.person_id], S[x.scheme_id], ON) for x in taken.itertuples())
    used = taken["scheme_id"].value_counts()
    assert (used <= sch.set_index("scheme_id")["vacancies"][used.index]).all()
    assert match(ppl, sch, on=ON, time_limit=60).status == "optimal"


def test_placed_reasons_name_the_district_cost_and_support_fit() -> None:
    ppl, sch = frames([{"home_district": "E07000082", "connection_districts": ("E07000081",)}], [{}])
    reason = match(ppl, sch, on=ON).matches["reason"].iloc[0]
    assert "in Gloucester, a connection district" in reason
    assert "£500 a week" in reason and "support high for need low (2 levels above)" in reason


def test_placement_rates_cover_everyone_in_each_grouping() -> None:
    ppl, sch = instance(50, 20, 2)
    r = match(ppl, sch, on=ON)
    rates = placement_rates(r, ppl, on=ON)
    assert set(rates["group"]) == {"gender", "age band", "support need", "home district"}
    assert (rates.groupby("group")["people"].sum() == 50).all()
    assert rates["value"].str.contains(r"Gloucester \(E07000081\)").any()


def test_empty_waiting_list_or_no_schemes_at_all() -> None:
    ppl, sch = instance(10, 5, 1)
    assert match(ppl.iloc[:0], sch, on=ON).matches.empty
    m = match(ppl, sch.iloc[:0], on=ON).matches
    assert (m["outcome"] == "unplaced").all() and m["reason"].str.contains("there are no schemes").all()


def test_why_not_counts_full_schemes_as_taken() -> None:
    ppl, sch = frames([{"current_accom": "W2"}, {}], [{}])
    r = match(ppl, sch, on=ON)
    assert r.why_not.to_dict("records") == [
        {"person_id": "P1", "rule": "taken", "schemes_excluded": 1, "only_this_rule": 1}
    ]
