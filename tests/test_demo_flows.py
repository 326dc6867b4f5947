"""The demo county grounded in published figures (issue 14): yearly referrals for a place from
flows of the council's DfE counts, a waiting list of the people referred and not yet placed, and
current accommodation at DfE's rates, for Gloucestershire, East Sussex and South Gloucestershire."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import planner.demo.county as demo
from planner.cli import cli
from planner.data.contract import Dataset, due_within
from planner.data.formats import ages_on
from planner.data.vocab import URGENT_ACCOM
from planner.demo.cohort import uasc_share_16_17
from planner.demo.waiting import NOW_19_21
from planner.forecast.history import NOT_PLACE_DEMAND, load_referrals
from planner.forecast.published_places import PLACES_PER_CARE_LEAVER

ON = date(2026, 11, 23)
# DfE Children looked after in England 2025: care leavers aged 17-18 and 19-21, and how many of
# them were in unsuitable accommodation (data/reference/dfe_care_leavers_accommodation_suitability.csv).
DFE = {
    "Gloucestershire": (156, 378, 7 + 21),
    "East Sussex": (117, 301, 0 + 10),
    "South Gloucestershire": (62, 187, 0 + 11),  # 19-21 unsuitable suppressed: 187 - 176 suitable
}
COUNCILS = list(DFE)


@pytest.fixture(scope="module", params=COUNCILS)
def council(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path, Dataset]:
    folder = tmp_path_factory.mktemp("demo")
    return request.param, folder, demo.write_demo(folder, county=request.param, seed=1, on=ON)


def _referrals_last_year(folder: Path) -> int:
    ref = load_referrals(folder)
    last = ref[(ref["referral_date"] > pd.Timestamp(ON) - pd.DateOffset(years=1))]
    return int((~last["outcome_accom"].str[:1].isin(list(NOT_PLACE_DEMAND))).sum())


def test_referrals_for_a_place_last_year_are_a_quarter_to_85_percent_of_care_leavers_17_21(
    council: tuple[str, Path, Dataset],
) -> None:
    name, folder, _ = council
    leavers = sum(DFE[name][:2])
    assert 0.25 * leavers <= _referrals_last_year(folder) <= 0.85 * leavers


def test_the_waiting_list_is_at_most_60_percent_of_care_leavers_17_21(
    council: tuple[str, Path, Dataset],
) -> None:
    name, _, data = council
    assert len(data.people) <= 0.6 * sum(DFE[name][:2])
    assert len(data.people) >= 0.05 * sum(DFE[name][:2])  # and not empty: a real week's list


def test_at_most_3_percent_of_care_leavers_17_21_are_now_in_bnb_emergency_or_of_no_fixed_abode(
    council: tuple[str, Path, Dataset],
) -> None:
    name, _, data = council
    urgent = data.people["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum()
    assert urgent <= 0.03 * sum(DFE[name][:2])


def test_the_list_s_unsuitably_housed_17_21_year_olds_are_the_councils_dfe_count_at_most(
    council: tuple[str, Path, Dataset],
) -> None:
    name, _, data = council
    p = data.people
    age = ages_on(p["date_of_birth"], ON)
    unsuitable = (p.loc[(age >= 17) & (age <= 21), "current_accom"].str[1:] == "2").sum()
    # Everyone in unsuitable accommodation needs a move, but custody only when release is near.
    assert 0.4 * DFE[name][2] - 2 <= unsuitable <= DFE[name][2] + 2
    assert not p.loc[age < 18, "current_accom"].str[:1].isin(["W", "V"]).any()


def test_yearly_referrals_are_the_published_flows_and_the_history_runs_at_that_rate(
    council: tuple[str, Path, Dataset],
) -> None:
    name, folder, _ = council
    a, b, _ = DFE[name]
    flows = demo.calibration(name).flows
    # 16-17 and 18 split the 17-18 group's places (planner.forecast.published_places).
    assert flows.per_year["leaving_care_16_17"] + flows.per_year["leaving_care_at_18"] == pytest.approx(
        PLACES_PER_CARE_LEAVER["care_leavers_17_18"] * a
    )
    assert flows.per_year["move_on_19_21"] == pytest.approx(PLACES_PER_CARE_LEAVER["care_leavers_19_21"] * b)
    assert 0 < flows.per_year["move_on_22_25"] < flows.per_year["move_on_19_21"]  # the smaller group
    # Stock and flow agree: the history's referrals for a place last year are the flows (a 5% trend).
    assert _referrals_last_year(folder) == pytest.approx(flows.places_per_year, rel=0.2)


def test_only_some_of_the_list_are_due_and_most_of_the_rest_within_three_months(
    council: tuple[str, Path, Dataset],
) -> None:
    _, _, data = council
    p = data.people
    due = due_within(p, on=ON)
    assert 0.4 * len(p) <= due.sum() <= 0.85 * len(p)
    later = p.loc[p["needed_from"] > pd.Timestamp(ON), "needed_from"]
    assert (later <= pd.Timestamp(ON) + pd.Timedelta(days=91)).mean() >= 0.8


def test_current_accommodation_follows_dfe_with_custody_no_fixed_abode_and_bnb_present() -> None:
    data = demo.generate("Gloucestershire", people=3000, seed=1, on=ON)  # scaled up to see shares
    p = data.people
    code = p["current_accom"]
    for present in ("X2", "S2", "W2", "V2", "Z1", "U1", "D1", "C1"):
        assert (code == present).any(), present
    # Nobody has been in B&B longer than six weeks.
    bnb = p[code == "W2"]
    assert (bnb["needed_from"] >= pd.Timestamp(ON) - pd.Timedelta(days=42)).all()
    # 19-21 year-olds moving from a suitable place live where DfE's national table puts them.
    age = ages_on(p["date_of_birth"], ON)
    suitable = code[(age >= 19) & (age <= 21) & code.str.endswith("1")]
    mine = suitable.value_counts(normalize=True)
    national = pd.Series(NOW_19_21) / sum(NOW_19_21.values())
    shares = mine.reindex(national.index, fill_value=0).to_numpy()
    assert shares == pytest.approx(national.to_numpy(), abs=0.05)
    assert mine.idxmax() == "U1"  # a third live independently


def test_uasc_are_at_the_councils_share_under_18_and_the_national_share_over() -> None:
    data = demo.generate("Gloucestershire", people=3000, seed=1, on=ON)
    p = data.people
    age = ages_on(p["date_of_birth"], ON)
    staying_put = p["person_id"].isin(data.schemes["reserved_for"])  # turning 18: the adults' share
    young = p[(age < 18) & (p["current_accom"].str[1:] != "2") & ~staying_put]
    assert young["uasc"].mean() == pytest.approx(uasc_share_16_17("E10000013"), abs=0.06)
    assert p.loc[age >= 18, "uasc"].mean() == pytest.approx(0.25, abs=0.04)


def test_planner_demo_prints_each_target_beside_the_dfe_figure(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--county", "South Gloucestershire"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Against published figures (South Gloucestershire" in out
    labels = (
        "referrals for a place in the last year",
        "on the waiting list on 23 Nov 2026",
        "now in B&B, emergency accommodation or no fixed abode",
        "in custody, due out within 13 weeks",
        "former unaccompanied asylum-seeking children",
    )
    for label in labels:
        assert label in out
    assert "of the 249 care leavers aged 17-21" in out  # 62 + 187, DfE 2025
    assert out.count("met") >= 3 and "NOT MET" not in out


def test_seeds_keep_the_targets(tmp_path: Path) -> None:
    # Not just seed 1: the bounds hold for the demo any seed gives.
    for seed in (2, 3):
        data = demo.write_demo(tmp_path / str(seed), county="Gloucestershire", seed=seed, on=ON)
        assert 0.25 * 534 <= _referrals_last_year(tmp_path / str(seed)) <= 0.85 * 534
        assert len(data.people) <= 0.6 * 534
        assert data.people["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum() <= 0.03 * 534
