"""Eligibility: the vectorised rules agree with a row-by-row statement of PRODUCT.md's rules."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, broken, instance, people, records, schemes

from planner.data.formats import ages_on
from planner.match import eligibility
from planner.match.eligibility import BIT, HARD_MASK, RULES, broken_rules, eligible_pairs, failures
from planner.match.explain import rule_counts


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_rule_matches_a_row_by_row_check(seed: int) -> None:
    ppl, sch = instance(60, 40, seed)
    fail = failures(ppl, sch, on=ON)
    for i, p in enumerate(records(ppl)):
        for j, s in enumerate(records(sch)):
            assert set(broken_rules(int(fail[i, j] & HARD_MASK))) == broken(p, s, ON), (i, j)


@pytest.mark.parametrize("seed", [5, 6])
def test_eligible_pairs_are_exactly_the_pairs_breaking_no_rule(seed: int) -> None:
    ppl, sch = instance(80, 50, seed)
    pairs = eligible_pairs(ppl, sch, on=ON)
    got = set(zip(pairs["person"], pairs["scheme"], strict=True))
    want = {
        (i, j) for i, p in enumerate(records(ppl)) for j, s in enumerate(records(sch)) if not broken(p, s, ON)
    }
    assert got == want
    wv = sch["accom_type"].isin(["W", "V"]).to_numpy()
    assert (pairs["suitable"].to_numpy() == ~wv[pairs["scheme"].to_numpy()]).all()


def test_blocks_of_people_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    ppl, sch = instance(90, 30, 7)
    whole = eligible_pairs(ppl, sch, on=ON)
    monkeypatch.setattr(eligibility, "BLOCK_CELLS", 70)  # two people per block
    blocked = eligible_pairs(ppl, sch, on=ON)
    pd.testing.assert_frame_equal(whole, blocked)


@pytest.mark.parametrize("threads", ["1", "2", "3"])
def test_batch_arcs_worked_on_in_threads_are_those_of_one_thread_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch, threads: str
) -> None:
    from planner.match.arcs import batch_pairs

    ppl, sch = instance(90, 30, 8)
    due, now = np.arange(len(ppl)) % 3 > 0, np.arange(len(ppl)) % 2 == 0
    monkeypatch.setenv("PLANNER_THREADS", "1")
    one = batch_pairs(ppl, sch, on=ON, first=due, second=now)
    monkeypatch.setattr(eligibility, "BLOCK_CELLS", 70)  # two people a block, 45 blocks
    monkeypatch.setenv("PLANNER_THREADS", threads)
    many = batch_pairs(ppl, sch, on=ON, first=due, second=now)
    for a, b in ((one.suitable, many.suitable), (one.fallback, many.fallback)):
        assert (a.person.tolist(), a.scheme.tolist(), a.cost.tolist()) == (
            b.person.tolist(), b.scheme.tolist(), b.cost.tolist(),
        )  # fmt: skip
    assert (one.options.tolist(), one.eligible) == (many.options.tolist(), many.eligible)


def _one(person: dict, scheme: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = people(1, 1)
    s = schemes(1, 1, wv_share=0)
    neutral_p = dict(wheelchair=False, parent_with_child=False, high_risk=False, risks=(), avoid_districts=(),
                     gender="F", support_need="low", date_of_birth=pd.Timestamp("2006-01-01"))  # fmt: skip
    neutral_s = dict(vacancies=1, capacity=2, min_age=16, max_age=25, gender="any", support_level="high",
                     ofsted_registered=True, accom_type="D", excluded_risks=(),
                     district="E07000081")  # fmt: skip
    for k, v in {**neutral_p, **person}.items():
        p.at[0, k] = v
    for k, v in {**neutral_s, **scheme}.items():
        s.at[0, k] = v
    return p, s


def _rules(person: dict, scheme: dict, on: date = ON) -> list[str]:
    p, s = _one(person, scheme)
    return broken_rules(int(failures(p, s, on=on)[0, 0]))


def test_a_neutral_pair_breaks_nothing() -> None:
    assert _rules({}, {}) == []


def test_under_18s_need_an_ofsted_registered_scheme() -> None:
    seventeen = pd.Timestamp(ON - timedelta(days=17 * 365 + 10))
    assert _rules({"date_of_birth": seventeen}, {"ofsted_registered": False}) == ["ofsted"]
    assert _rules({}, {"ofsted_registered": False}) == []  # adults do not


def test_under_18s_never_go_to_bed_and_breakfast_even_if_registered() -> None:
    seventeen = pd.Timestamp(ON - timedelta(days=17 * 365 + 10))
    assert _rules({"date_of_birth": seventeen}, {"accom_type": "W"}) == ["no_bnb_under_18", "unsuitable_type"]
    assert _rules({}, {"accom_type": "V"}) == ["unsuitable_type"]  # allowed for adults, but unsuitable


def test_age_is_taken_on_the_match_date() -> None:
    birthday = pd.Timestamp(ON.replace(year=ON.year - 18))
    assert ages_on(pd.Series([birthday, birthday + pd.Timedelta(days=1)]), ON).tolist() == [18, 17]
    assert _rules({"date_of_birth": birthday + pd.Timedelta(days=1)}, {"min_age": 18}) == ["age"]
    assert _rules({"date_of_birth": birthday}, {"min_age": 18}) == []


def test_a_reserved_place_is_only_for_the_young_person_it_names() -> None:
    p, s = _one({}, {"reserved_for": "YP-9"})
    assert broken_rules(int(failures(p, s, on=ON)[0, 0])) == ["reserved"]
    p.at[0, "person_id"] = "YP-9"
    assert broken_rules(int(failures(p, s, on=ON)[0, 0])) == []
    ppl = people(5, 2)
    pairs = eligible_pairs(ppl, s.assign(reserved_for=ppl["person_id"].iloc[3]), on=ON)
    assert set(pairs["person"]) <= {3}


def test_staying_put_ends_at_the_21st_birthday() -> None:
    twenty_first = pd.Timestamp(ON.replace(year=ON.year - 21))
    z = {"accom_type": "Z", "ofsted_registered": False}
    assert _rules({"date_of_birth": twenty_first}, z) == ["staying_put_age"]
    assert _rules({"date_of_birth": twenty_first + pd.Timedelta(days=1)}, z) == []  # still 20
    assert _rules({"date_of_birth": twenty_first}, {"accom_type": "D"}) == []  # other types: max_age only


@pytest.mark.parametrize(
    ("person", "scheme", "rule"),
    [
        ({}, {"vacancies": 0}, "vacancy"),
        ({"gender": "X"}, {"gender": "F"}, "gender"),
        ({"support_need": "intensive"}, {"support_level": "high"}, "support"),
        ({"wheelchair": True}, {"wheelchair_accessible": False}, "wheelchair"),
        ({"parent_with_child": True}, {"parent_and_child": False}, "parent_and_child"),
        ({"high_risk": True}, {"accepts_high_risk": False}, "high_risk"),
        ({"risks": ("fire_setting", "self_harm")}, {"excluded_risks": ("self_harm",)}, "risks"),
        ({"avoid_districts": ("E07000082", "E07000081")}, {}, "avoid_districts"),
    ],
)
def test_each_rule_alone_rules_a_scheme_out(person: dict, scheme: dict, rule: str) -> None:
    assert _rules(person, scheme) == [rule]


def test_funnel_counts_add_up_to_the_schemes_that_do_not_fit() -> None:
    ppl, sch = instance(40, 60, 8)
    fail = failures(ppl, sch, on=ON)
    funnel, alone = rule_counts(fail)
    assert (funnel.sum(axis=1) == (fail != 0).sum(axis=1)).all()
    vacancy = RULES.index(next(r for r in RULES if r.name == "vacancy"))
    assert (funnel[:, vacancy] == (sch["vacancies"].to_numpy() == 0).sum()).all()
    for k, r in enumerate(RULES):
        assert (alone[:, k] == (fail == BIT[r.name]).sum(axis=1)).all()


def test_england_scale_eligibility_is_vectorised_and_fast() -> None:
    # 2,000 people x 1,000 schemes (2 million pairs) well under a second on the shared machine.
    ppl, sch = people(2000, 9), schemes(1000, 9)
    import time

    t = time.perf_counter()
    pairs = eligible_pairs(ppl, sch, on=ON)
    assert time.perf_counter() - t < 1.5
    assert len(pairs) > 10_000
    assert pairs["person"].dtype == np.int32
