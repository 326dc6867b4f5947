"""One person's options: ranking, exact impact on the waiting list, and why a scheme is out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, born, broken, due, frames, instance, records
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import csr_array

from planner.match.arcs import batch_pairs
from planner.match.batch import match
from planner.match.cost import pair_cost
from planner.match.eligibility import eligible_pairs
from planner.match.options import UnknownId, batch_answer, format_options, options, why_not
from planner.match.solution import BatchAnswer, answer_of


def _others_max(ppl: pd.DataFrame, sch: pd.DataFrame, person: str, scheme: str) -> int:
    """Most others due placed suitably when `person` takes a place in `scheme` (HiGHS MILP)."""
    P, S = records(ppl), records(sch)
    caps = sch["vacancies"].to_numpy(float)
    caps[sch["scheme_id"].tolist().index(scheme)] -= 1
    arcs = [
        (i, j)
        for i, p in enumerate(P)
        if p["person_id"] != person and due(p)
        for j, s in enumerate(S)
        if s["accom_type"] not in ("W", "V") and not broken(p, s, ON)
    ]
    if not arcs:
        return 0
    a = np.array(arcs)
    rows = np.concatenate([a[:, 0], len(P) + a[:, 1]])
    A = csr_array(
        (np.ones(2 * len(a)), (rows, np.tile(np.arange(len(a)), 2))), shape=(len(P) + len(S), len(a))
    )
    cap = np.concatenate([np.ones(len(P)), caps])
    r = milp(
        -np.ones(len(a)),
        constraints=[LinearConstraint(A, 0, cap)],
        integrality=np.ones(len(a)),
        bounds=(0, 1),
    )
    return round(-r.fun)


def test_others_displaced_equals_re_solving_the_batch_with_the_pair_forced() -> None:
    seen = []
    for seed in (1, 2, 3):
        ppl, sch = instance(40, 15, seed)
        batch = match(ppl, sch, on=ON).matches.set_index("person_id")["outcome"]
        for pid in ppl["person_id"]:
            others = int((batch.drop(pid) == "placed").sum())
            for row in options(ppl, sch, pid, on=ON, top=3).ranked.itertuples():
                if row.accom_code.endswith("1"):
                    forced = _others_max(ppl, sch, pid, row.scheme_id)
                    assert row.others_displaced == others - forced, (seed, pid, row)
                    seen.append((batch[pid], row.others_displaced))
    # Every case of the argument in planner/options.py occurs, and people planning ahead.
    assert {("placed", 0), ("placed", 1), ("unplaced", 1), ("not_due", 0), ("not_due", 1)} <= set(seen)


def test_options_are_ranked_suitable_first_then_by_score() -> None:
    ppl, sch = frames(
        [{"date_of_birth": born(20)}],
        [{"weekly_cost": 900.0}, {"weekly_cost": 400.0, "support_level": "low"},
         {"accom_type": "W", "weekly_cost": 90.0}, {"weekly_cost": 400.0}, {"vacancies": 0}],
    )  # fmt: skip
    o = options(ppl, sch, "P0", on=ON, top=10)
    assert o.ranked["scheme_id"].tolist() == ["S1", "S3", "S0", "S2"]
    assert o.ranked["accom_code"].tolist() == ["D1", "D1", "D1", "W2"]
    # Same place, same cost: S3 gives two levels of support the person does not need (£100 each).
    s3 = o.ranked.set_index("scheme_id").loc["S3"]
    assert s3["score"] == pytest.approx(400.0 + 200.0 + 10 * s3["near_km"], abs=0.5)
    assert o.ranked["support_fit"].tolist()[:2] == ["exact", "+2 levels"]
    assert o.excluded["scheme_id"].tolist() == ["S4"]
    assert o.excluded["rules"].iloc[0] == "has no vacancy (0 of 2 places free)"
    assert o.batch_outcome == "placed" and o.batch_scheme_id == "S1"
    assert len(options(ppl, sch, "P0", on=ON, top=2).ranked) == 2


def test_options_page_through_every_eligible_place_in_rank_order() -> None:
    ppl, sch = frames([{"date_of_birth": born(20)}], [{"weekly_cost": 300.0 + 10 * j} for j in range(7)])
    pages = [options(ppl, sch, "P0", on=ON, top=3, start=k, impact=False) for k in (0, 3, 6)]
    assert {o.eligible for o in pages} == {7}
    assert [o.ranked["scheme_id"].tolist() for o in pages] == [["S0", "S1", "S2"], ["S3", "S4", "S5"], ["S6"]]


def test_an_unplaced_person_taking_any_place_displaces_exactly_one() -> None:
    ppl, sch = frames([{"current_accom": "W2"}, {"current_accom": "D1"}], [{}])
    o = options(ppl, sch, "P1", on=ON)
    assert o.batch_outcome == "unplaced"
    assert o.ranked["others_displaced"].tolist() == [1]
    assert options(ppl, sch, "P0", on=ON).ranked["others_displaced"].tolist() == [0]


def test_why_lists_every_rule_a_scheme_breaks_in_plain_words() -> None:
    ppl, sch = frames(
        [{"date_of_birth": born(17), "risks": ("fire_setting", "self_harm"),
          "avoid_districts": ("E07000081",)}],
        [{"ofsted_registered": False, "excluded_risks": ("fire_setting",), "min_age": 18},
         {"accom_type": "V"}],
    )  # fmt: skip
    assert why_not(ppl, sch, "P0", "S0", on=ON) == [
        "takes ages 18 to 25 (they are 17)",
        "cannot manage fire_setting",
        "is not Ofsted-registered (they are 17, under 18)",
        "is in Gloucester (E07000081), a district they must avoid",
    ]
    assert (
        why_not(ppl, sch, "P0", "S1", on=ON)[0]
        == "is emergency accommodation, never used for anyone under 18"
    )
    ppl.loc[0, "date_of_birth"] = born(19)
    ppl.at[0, "avoid_districts"] = ()
    assert why_not(ppl, sch, "P0", "S1", on=ON) == [
        "is emergency accommodation: unsuitable, only for adults nobody can place suitably"
    ]


def test_ruled_out_schemes_are_counted_by_each_rule_they_break_in_funnel_order() -> None:
    ppl, sch = frames(
        [{"date_of_birth": born(17), "risks": ("fire_setting",), "avoid_districts": ("E07000081",)}],
        [{"ofsted_registered": False, "excluded_risks": ("fire_setting",), "min_age": 18},
         {"accom_type": "V"}, {"min_age": 18}, {}, {"vacancies": 0}],
    )  # fmt: skip
    o = options(ppl, sch, "P0", on=ON, impact=False)
    assert len(o.excluded) == 5 and set(o.excluded["district"]) == {"E07000081"}
    assert o.ruled_out_by == (
        ("with no vacancy", 1),
        ("taking other ages", 2),
        ("unable to manage their risks", 1),
        ("not Ofsted-registered (needed under 18)", 1),
        ("B&B or emergency (never under 18)", 1),
        ("in districts they must avoid", 5),
    )


def test_someone_not_due_sees_todays_places_for_planning_ahead_and_no_bed_and_breakfast() -> None:
    later = pd.Timestamp("2027-02-01")
    ppl, sch = frames([{"date_of_birth": born(20), "needed_from": later}, {}],
                      [{}, {"accom_type": "W", "weekly_cost": 90.0}])  # fmt: skip
    o = options(ppl, sch, "P0", on=ON)
    assert not o.due and o.batch_outcome == "not_due" and o.batch_scheme_id == ""
    assert o.ranked["scheme_id"].tolist() == ["S0"]  # B&B is never planned ahead
    assert o.ranked["others_displaced"].tolist() == [1]  # P1 is due and needs S0 today
    text = format_options(o)
    assert "Not due: needed from 1 Feb 2027, after the 28-day horizon (due by 21 Dec 2026)" in text
    assert options(ppl, sch, "P0", on=ON, horizon_days=90).due


def test_unknown_ids_are_named() -> None:
    ppl, sch = frames([{}], [{}])
    with pytest.raises(UnknownId, match="person_id 'P9' is not in the data"):
        options(ppl, sch, "P9", on=ON)
    with pytest.raises(UnknownId, match="scheme_id 'S9' is not in the data"):
        why_not(ppl, sch, "P0", "S9", on=ON)


def test_without_impact_the_batch_is_not_solved() -> None:
    ppl, sch = instance(20, 10, 3)
    o = options(ppl, sch, ppl["person_id"].iloc[0], on=ON, impact=False)
    assert o.ranked["others_displaced"].isna().all() and o.batch_outcome == ""
    text = format_options(o)
    assert ppl["person_id"].iloc[0] in text and "eligible schemes" in text


@pytest.mark.parametrize("seed", [4, 5])
def test_options_from_the_kept_batch_answer_are_the_options_solved_afresh(seed: int) -> None:
    # The answer kept from a batch `match` (through its stored bytes) gives every person the same
    # ranked places, displaces and batch outcome as solving the batch inside `options`.
    ppl, sch = instance(60, 25, seed)
    result = match(ppl, sch, on=ON)
    assert result.solution is not None
    kept = BatchAnswer.from_bytes(answer_of(result.solution, ppl, sch).to_bytes())
    assert kept is not None
    outcomes = result.matches.set_index("person_id")
    for pid in ppl["person_id"]:
        fresh = options(ppl, sch, pid, on=ON, top=4)
        reused = options(
            ppl[ppl["person_id"] == pid], sch, pid, on=ON, top=4, batch=kept
        )  # one row is enough
        pd.testing.assert_frame_equal(fresh.ranked, reused.ranked)
        pd.testing.assert_frame_equal(fresh.excluded, reused.excluded)
        assert (fresh.batch_outcome, fresh.batch_scheme_id) == (reused.batch_outcome, reused.batch_scheme_id)
        assert reused.batch_outcome == outcomes.at[pid, "outcome"]
        assert reused.batch_scheme_id == (outcomes.at[pid, "scheme_id"] or "")


def test_an_answer_is_not_kept_from_a_solution_whose_suitable_arcs_do_not_come_first() -> None:
    # `answer_of` takes the suitable arcs as the leading slice of the Solution's arcs.
    ppl, sch = instance(20, 10, 6)
    sol = match(ppl, sch, on=ON).solution
    assert sol is not None and sol.suitable[0]
    suitable = sol.suitable.copy()
    suitable[0] = False
    with pytest.raises(ValueError, match="come first"):
        answer_of(dataclasses.replace(sol, suitable=suitable), ppl, sch)


def test_a_stored_answer_of_another_format_or_damaged_is_not_used() -> None:
    ppl, sch = instance(20, 10, 6)
    data = batch_answer(ppl, sch, on=ON).to_bytes()
    assert BatchAnswer.from_bytes(data) is not None
    assert BatchAnswer.from_bytes(data[:100]) is None
    assert BatchAnswer.from_bytes(b"not an answer") is None


def test_batch_arcs_cost_what_the_pairs_cost() -> None:
    # The costs written block by block into the flow's integers are pair_cost's, pair for pair.
    ppl, sch = instance(70, 30, 7)
    due, now = np.ones(len(ppl), dtype=bool), np.ones(len(ppl), dtype=bool)
    for objective in ("default", "cost"):
        arcs = batch_pairs(ppl, sch, on=ON, first=due, second=now, objective=objective)
        pairs = eligible_pairs(ppl, sch, on=ON)
        cost = pair_cost(pairs, objective)
        for got, suitable in ((arcs.suitable, True), (arcs.fallback, False)):
            want = pairs["suitable"].to_numpy() == suitable
            assert got.person.tolist() == pairs["person"].to_numpy()[want].tolist()
            assert got.scheme.tolist() == pairs["scheme"].to_numpy()[want].tolist()
            assert got.cost.tolist() == cost[want].tolist()
        assert arcs.eligible == len(pairs)
        assert (
            arcs.options.tolist()
            == np.bincount(pairs["person"][pairs["suitable"]], minlength=len(ppl)).tolist()
        )


def test_a_bnb_option_below_the_need_says_so_not_a_negative_level() -> None:
    # Support is not a rule for B&B or emergency accommodation (unsuitable anyway): the fit says
    # how far below the need it is, as an officer reads it (the page said "+-3 level").
    ppl, sch = frames([{"support_need": "high"}], [{"accom_type": "W", "support_level": "none"}])
    fit = options(ppl, sch, "P0", on=ON, impact=False).ranked["support_fit"].tolist()
    assert fit == ["3 levels below the need"]
