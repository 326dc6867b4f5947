"""Batch matching behaviour: priorities, B&B only as a last resort, edge cases, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, born, broken, due, frames, instance, records

from planner.match.batch import MATCH_COLUMNS, match, placement_rates
from planner.match.explain import PAID_COLUMNS


def _outcomes(ppl: pd.DataFrame, sch: pd.DataFrame, **kw: object) -> dict[str, tuple[str, str]]:
    m = match(ppl, sch, on=ON, **kw).matches  # type: ignore[arg-type]
    return {r.person_id: (r.outcome, r.scheme_id) for r in m.itertuples()}


def test_matches_have_exactly_the_product_columns_in_input_order() -> None:
    ppl, sch = instance(30, 12, 1)
    r = match(ppl, sch, on=ON)
    # PRODUCT.md's columns, then who pays for the place given (matches.csv keeps the first only).
    assert tuple(r.matches.columns) == MATCH_COLUMNS + PAID_COLUMNS
    assert r.matches["person_id"].tolist() == ppl["person_id"].tolist()
    unplaced = r.matches["outcome"] == "unplaced"
    assert (r.matches.loc[unplaced, "scheme_id"] == "").all()
    assert r.matches.loc[unplaced, ["weekly_cost", "distance_km"]].isna().all().all()
    assert r.matches["reason"].str.len().gt(20).all()
    assert set(r.timings) == {"eligibility", "build", "solve", "explain"}
    assert r.seconds == pytest.approx(sum(r.timings.values()))


def test_one_place_goes_to_the_person_already_in_bed_and_breakfast() -> None:
    ppl, sch = frames(
        [{"current_accom": "D1"}, {"current_accom": "W2"}, {"support_need": "none", "current_accom": "B1"}],
        [{"vacancies": 1}],
    )
    assert _outcomes(ppl, sch)["P1"] == ("placed", "S0")


def test_someone_needed_now_comes_before_someone_in_bed_and_breakfast_needed_later() -> None:
    # v1.2: a wider horizon never gives today's vacancy to someone due in weeks.
    later = pd.Timestamp("2026-12-20")
    ppl, sch = frames([{"current_accom": "D1"}, {"current_accom": "W2", "needed_from": later}], [{}])
    assert _outcomes(ppl, sch) == {"P0": ("placed", "S0"), "P1": ("unplaced", "")}


def test_then_the_soonest_needed() -> None:
    ppl, sch = frames(
        [{"needed_from": pd.Timestamp("2026-12-01")}, {"needed_from": pd.Timestamp("2026-11-25")}], [{}]
    )
    assert _outcomes(ppl, sch)["P1"][0] == "placed"


def test_an_under_18_comes_before_an_adult_already_in_bed_and_breakfast() -> None:
    # There is no lawful fallback for a 17-year-old; the adult in B&B has one, however bad.
    ppl, sch = frames([{"date_of_birth": born(19), "current_accom": "W2"},
                       {"date_of_birth": born(17), "current_accom": "C1"}], [{}])  # fmt: skip
    assert _outcomes(ppl, sch) == {"P0": ("unplaced", ""), "P1": ("placed", "S0")}


def test_an_under_18_due_later_does_not_take_the_place_of_an_adult_with_no_roof_now() -> None:
    # The 90-day horizon: a 16-year-old due in January came before adults needed now.
    january = pd.Timestamp("2027-01-15")
    ppl, sch = frames([{"date_of_birth": born(16), "needed_from": january}, {"current_accom": "S2"}], [{}])
    assert _outcomes(ppl, sch, horizon_days=90) == {"P0": ("unplaced", ""), "P1": ("placed", "S0")}


def test_due_later_under_18s_come_first_then_the_soonest_needed() -> None:
    soon, sooner = pd.Timestamp("2026-12-10"), pd.Timestamp("2026-12-01")
    ppl, sch = frames([{"date_of_birth": born(20), "needed_from": sooner},
                       {"date_of_birth": born(17), "needed_from": soon}], [{}])  # fmt: skip
    assert _outcomes(ppl, sch)["P1"] == ("placed", "S0")


def test_among_adults_needed_now_those_with_no_roof_come_before_the_housed() -> None:
    housed = {"date_of_birth": born(19), "needed_from": pd.Timestamp("2026-11-01"), "current_accom": "D1"}
    ppl, sch = frames([housed, {"date_of_birth": born(20), "current_accom": "S2"}], [{}])
    assert _outcomes(ppl, sch)["P1"] == ("placed", "S0")
    ended = {"date_of_birth": born(20), "current_accom": "D1", "current_until": pd.Timestamp(ON)}
    ppl, sch = frames([{"date_of_birth": born(19), "current_accom": "U1"}, ended], [{}])
    assert _outcomes(ppl, sch)["P1"] == ("placed", "S0")  # their place ends today: no roof


def test_people_needed_after_the_horizon_are_not_due_and_get_nothing_now() -> None:
    # P1 is needed on day 29: after the 28-day horizon, even though a place is free for them.
    day = pd.Timestamp(ON)
    ppl, sch = frames([{}, {"needed_from": day + pd.Timedelta(days=29)},
                       {"needed_from": day + pd.Timedelta(days=28)}], [{"vacancies": 3}])  # fmt: skip
    r = match(ppl, sch, on=ON)
    m = r.matches.set_index("person_id")
    assert m["outcome"].to_dict() == {"P0": "placed", "P1": "not_due", "P2": "placed"}
    assert m.at["P1", "scheme_id"] == "" and pd.isna(m.at["P1", "weekly_cost"])
    assert m.at["P1", "reason"].startswith(
        "needed from 22 Dec 2026, after the 28-day horizon (due by 21 Dec 2026)"
    )
    assert "1 suitable scheme fits them today" in m.at["P1", "reason"]
    assert (r.objective["due"], r.objective["not_due"], r.objective["unplaced"]) == (2, 1, 0)
    wider = match(ppl, sch, on=ON, horizon_days=30).matches
    assert (wider["outcome"] == "placed").all()


def test_not_due_people_never_take_a_place_from_someone_due() -> None:
    ppl, sch = frames([{"needed_from": pd.Timestamp("2027-03-01"), "current_accom": "W2"}, {}], [{}])
    assert _outcomes(ppl, sch) == {"P0": ("not_due", ""), "P1": ("placed", "S0")}


def test_bed_and_breakfast_only_when_the_need_is_now() -> None:
    # Nothing suitable fits either adult; only P0 needs a place today, so only P0 is offered B&B.
    bnb = {"accom_type": "W", "support_level": "intensive", "vacancies": 3, "ofsted_registered": False}
    ppl, sch = frames([{"date_of_birth": born(20), "support_need": "intensive"},
                       {"date_of_birth": born(20), "support_need": "intensive",
                        "needed_from": pd.Timestamp(ON) + pd.Timedelta(days=3)}],
                      [{"support_level": "medium"}, bnb])  # fmt: skip
    r = match(ppl, sch, on=ON)
    m = r.matches.set_index("person_id")
    assert m["outcome"].to_dict() == {"P0": "unsuitable", "P1": "unplaced"}
    assert "B&B and emergency accommodation are used only when the need is now" in m.at["P1", "reason"]


def test_a_staying_put_place_goes_only_to_its_own_young_person_and_ends_at_21() -> None:
    carers = {"accom_type": "Z", "reserved_for": "P1", "ofsted_registered": False, "min_age": 18,
              "max_age": 25, "weekly_cost": 100.0}  # fmt: skip
    # P0 is in B&B and would be cheaper there, but the place is P1's; P2 is 21 and past staying put.
    ppl, sch = frames([{"current_accom": "W2", "date_of_birth": born(19)}, {"date_of_birth": born(18)},
                       {"date_of_birth": born(21)}], [carers, {**carers, "reserved_for": "P2"}])  # fmt: skip
    r = match(ppl, sch, on=ON)
    assert {x.person_id: x.scheme_id for x in r.matches.itertuples()} == {"P0": "", "P1": "S0", "P2": ""}
    reasons = r.matches.set_index("person_id")["reason"]
    assert "2 reserved for someone else" in reasons["P0"]
    assert "1 staying put, which ends at 21" in reasons["P2"]


def test_staying_put_is_not_given_in_the_batch_to_someone_21_on_the_day_it_would_start() -> None:
    # P0 is 20 today and 21 in five days; the place is needed from ten days on: staying put has
    # ended by then. P1 turns 21 only after their start, so their carers' place is given.
    carers = {"accom_type": "Z", "ofsted_registered": False, "min_age": 18, "max_age": 25}
    turning, start = pd.Timestamp(ON.replace(year=ON.year - 21)), pd.Timestamp(ON) + pd.Timedelta(days=10)
    ppl, sch = frames([{"date_of_birth": turning + pd.Timedelta(days=5), "needed_from": start},
                       {"date_of_birth": turning + pd.Timedelta(days=20), "needed_from": start}],
                      [{**carers, "reserved_for": "P0"}, {**carers, "reserved_for": "P1"}])  # fmt: skip
    got = {x.person_id: (x.outcome, x.scheme_id) for x in match(ppl, sch, on=ON).matches.itertuples()}
    assert got == {"P0": ("unplaced", ""), "P1": ("placed", "S1")}


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
    assert "1 not wheelchair-accessible" in reasons["P0"]
    assert "1 giving less support than needed" in reasons["P0"]
    assert "1 giving less support than needed, 1 in districts they must avoid" in reasons["P1"]
    rules = r.why_not[r.why_not["person_id"] == "P0"].set_index("rule")["schemes_excluded"].to_dict()
    assert rules == {"support": 1, "wheelchair": 1}


def test_no_vacancies_anywhere_leaves_everyone_unplaced_and_says_so() -> None:
    ppl, sch = frames([{}, {}], [{"vacancies": 0}, {"vacancies": 0, "accom_type": "V"}])
    r = match(ppl, sch, on=ON)
    assert r.status == "optimal"
    assert (r.matches["outcome"] == "unplaced").all()
    assert r.matches["reason"].str.contains("2 with no vacancy").all()


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
    taken = r.matches[r.matches["outcome"].isin(["placed", "unsuitable"])]
    assert all(
        not broken(P[x.person_id], S[x.scheme_id], ON) and due(P[x.person_id]) for x in taken.itertuples()
    )
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
    assert set(rates["group"]) == {
        "gender",
        "age band",
        "legal status",
        "support need",
        "UASC",
        "home district",
    }
    assert (rates.groupby("group")["people"].sum() == 50).all()
    assert (rates["people"] == rates["due"] + rates["not_due"]).all()
    assert (rates["due"] == rates[["placed", "unsuitable", "unplaced"]].sum(axis=1)).all()
    not_due = int((r.matches["outcome"] == "not_due").sum())
    assert 0 < not_due < 50 and (rates.groupby("group")["not_due"].sum() == not_due).all()
    assert rates["value"].str.contains(r"Gloucester \(E07000081\)").any()


def test_empty_waiting_list_or_no_schemes_at_all() -> None:
    ppl, sch = instance(10, 5, 1)
    assert match(ppl.iloc[:0], sch, on=ON).matches.empty
    m = match(ppl, sch.iloc[:0], on=ON).matches
    due_now = m["outcome"] != "not_due"
    assert (m.loc[due_now, "outcome"] == "unplaced").all()
    assert m.loc[due_now, "reason"].str.contains("there are no schemes").all()


def test_why_not_counts_full_schemes_as_taken() -> None:
    ppl, sch = frames([{"current_accom": "W2"}, {"current_accom": "D1"}], [{}])
    r = match(ppl, sch, on=ON)
    assert r.why_not.to_dict("records") == [
        {"person_id": "P1", "rule": "taken", "schemes_excluded": 1, "only_this_rule": 1}
    ]
