"""Commissioning: the plan stays within budget, says block or spot and why, and beats the rule."""

from __future__ import annotations

import pandas as pd
import pytest
from scenario_fixtures import FOREST, GLOUCESTER, dataset, referrals_frame, scenario

from planner.simulate.commissioning import commission, default_candidates, simple_rule
from planner.simulate.scenario import Candidate

CANDIDATES = (
    Candidate(FOREST, "D", "high", 900.0, 0, 6, "block"),
    Candidate(FOREST, "D", "high", 1200.0, 0, 6, "spot"),
    Candidate(GLOUCESTER, "E", "low", 300.0, 0, 8, "block"),
    Candidate(GLOUCESTER, "D", "medium", 600.0, 0, 6, "block"),
)


@pytest.fixture(scope="module")
def referrals() -> pd.DataFrame:
    return referrals_frame()


def _scenario():  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(scenario(months=12), candidates=CANDIDATES)


@pytest.fixture(scope="module")
def plan(referrals):  # type: ignore[no-untyped-def]
    return commission(_scenario(), dataset(), referrals, 3000.0, samples=6, runs=8)


@pytest.mark.parametrize("budget", [0.0, 1500.0, 3000.0])
def test_plan_respects_the_weekly_budget(budget, referrals, plan):
    if budget != 3000.0:
        plan = commission(_scenario(), dataset(), referrals, budget, samples=3, runs=1)
    block = plan.plan[plan.plan["contract"] == "block"]
    assert (block["places"] * block["unit_weekly_cost"]).sum() <= budget + 1e-6
    assert plan.expected_weekly_cost <= budget + 1e-6
    limits = {(c.district, c.accom_type, c.support_level, c.contract): c.max_places for c in CANDIDATES}
    for r in plan.plan.itertuples():
        assert r.places <= limits[r.district, r.accom_type, r.support_level, r.contract]
    assert plan.budget == budget
    if budget == 0:
        assert plan.plan.empty


def test_plan_says_block_or_spot_and_why(plan):
    assert not plan.plan.empty
    assert set(plan.plan["contract"]) <= {"block", "spot"}
    for row in plan.plan.itertuples():
        assert row.reason.startswith(row.contract + ":")
        assert "expected use" in row.reason or "in use" in row.reason
    assert plan.plan["expected_nights_avoided"].sum() > 0


def test_plan_beats_the_longest_waiting_list_rule_in_simulation(plan):
    v = plan.verification.summary
    nights = v[v["metric"].isin(["bnb_nights", "emergency_nights"])].groupby("scenario")["mean"].sum()
    assert nights["plan"] < nights["simple-rule"]
    assert nights["plan"] < nights["baseline"]


def test_simple_rule_buys_block_places_within_budget_where_the_list_is_longest():
    data = dataset(people=8)
    places = simple_rule(data, CANDIDATES, 2000.0, scenario().start)
    cost = sum(p * c.weekly_cost for p, c in zip(places, CANDIDATES, strict=True))
    assert 0 < cost <= 2000.0
    assert all(c.contract == "block" for p, c in zip(places, CANDIDATES, strict=True) if p)


def test_default_candidates_cover_every_district_with_block_and_spot():
    cands = default_candidates(dataset())
    assert {c.district for c in cands} == {FOREST, GLOUCESTER}
    assert {c.contract for c in cands} == {"block", "spot"}
    block = {(c.district, c.accom_type, c.support_level, c.parent_and_child): c.weekly_cost
             for c in cands if c.contract == "block"}  # fmt: skip
    for c in cands:
        if c.contract == "spot":
            assert c.weekly_cost > block[c.district, c.accom_type, c.support_level, c.parent_and_child]


def test_cli_commission_writes_plan_and_report_and_rejects_a_bad_file(tmp_path):
    from click.testing import CliRunner

    from planner.cli import cli
    from planner.data.contract import PEOPLE, SCHEMES
    from planner.data.table import write_table
    from planner.forecast.history import REFERRALS

    folder = tmp_path / "county"
    folder.mkdir()
    data = dataset()
    write_table(data.people, PEOPLE, folder)
    write_table(data.schemes, SCHEMES, folder)
    write_table(referrals_frame(), REFERRALS, folder)
    good = tmp_path / "s.yaml"
    good.write_text(
        "name: now\ndata: county\nstart: 2026-11-23\nmonths: 12\ncandidates:\n"
        f"  - {{district: {FOREST}, type: D, support_level: high, weekly_cost: 900, max_places: 4}}\n"
        f"  - {{district: {FOREST}, type: D, support_level: high, weekly_cost: 1200, contract: spot}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "plan"
    args = ["commission", str(good), "--budget", "2500", "--out", str(out), "--samples", "3", "--runs", "2"]
    result = CliRunner().invoke(cli, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "plan.csv")
    assert {"district", "contract", "places", "expected_weekly_cost", "reason"} <= set(plan.columns)
    assert plan["expected_weekly_cost"].sum() <= 2500
    assert "Where to buy places" in (out / "report.html").read_text(encoding="utf-8")
    saved = pd.read_csv(out / "savings.csv")
    assert list(saved.columns) == ["scenario", "metric", "mean", "lo80", "hi80"]
    assert "plan saves" in result.output and "against buying nothing" in result.output

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: now\ndata: county\nstart: 2026-11-23\ncandidates:\n  - {district: X1}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["commission", str(bad), "--budget", "100", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert (
        "bad.yaml line 5, key candidates[0].district: 'X1' is not an English district code" in result.output
    )


def test_a_solver_with_no_answer_in_time_buys_nothing_and_says_so(monkeypatch):
    import numpy as np

    import planner.simulate.commissioning as c

    rng = np.random.default_rng(0)
    n, weeks = 400, 104
    start = rng.integers(0, weeks - 10, n)
    sample = {"who": np.arange(n), "start": start, "weeks": rng.integers(1, 50, n),
              "end": np.minimum(start[:, None] + rng.integers(20, 100, (n, len(CANDIDATES))), weeks),
              "eligible": rng.random((n, len(CANDIDATES))) < 0.9}  # fmt: skip
    monkeypatch.setattr(c, "SOLVE_SECONDS", 1e-6)
    places, used, nights, status = c.optimise(CANDIDATES, [sample] * 4, 3000.0, weeks)
    assert status in ("no_solution", "time_limit")
    if status == "no_solution":
        assert (places == [x.min_places for x in CANDIDATES]).all() and not used.any() and not nights.any()


def test_each_sample_keeps_the_people_longest_without_a_place_up_to_the_model_s_size(referrals, monkeypatch):
    import planner.simulate.commissioning as c

    monkeypatch.setattr(c, "MAX_PAIRS", 3)
    capped = c._samples(_scenario(), dataset(), referrals, CANDIDATES, 2)
    monkeypatch.setattr(c, "MAX_PAIRS", 10**9)
    every = c._samples(_scenario(), dataset(), referrals, CANDIDATES, 2)
    for kept, all_ in zip(capped, every, strict=True):
        assert kept["eligible"].sum() <= 3
        if len(kept["who"]):
            assert kept["weeks"].min() >= sorted(all_["weeks"], reverse=True)[len(kept["who"]) - 1]


def test_savings_are_run_by_run_differences_from_buying_nothing(plan):
    from planner.simulate.commissioning import savings

    saved = savings(plan.verification).set_index(["scenario", "metric"])
    v = plan.verification.summary.set_index(["scenario", "policy", "metric"])["mean"]
    for name in ("plan", "simple-rule"):
        for metric in ("bnb_nights", "unsuitable_nights", "weekly_cost"):
            row = saved.loc[(name, metric)]
            expected = v[("baseline", "optimised", metric)] - v[(name, "optimised", metric)]
            assert row["mean"] == pytest.approx(expected)
            assert row["lo80"] <= row["mean"] <= row["hi80"]
    assert (
        saved.loc[("plan", "unsuitable_nights"), "mean"]
        > saved.loc[("simple-rule", "unsuitable_nights"), "mean"]
    )


def test_progress_counts_every_step_up_to_the_total(referrals):
    steps: list[tuple[int, int]] = []
    commission(
        _scenario(),
        dataset(),
        referrals,
        1500.0,
        samples=2,
        runs=2,
        progress=lambda n, t: steps.append((n, t)),
    )
    assert {t for _, t in steps} == {2 + 1 + 3 * 2}
    assert sum(n for n, _ in steps) == 2 + 1 + 3 * 2
