"""Who pays for a placement (planner.data.funding): the council's share by legal status, age and
activity, with the assumptions as settings, and how reasons and options say it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from matching_instances import ON, frames

from planner.data.funding import (
    FundingSettings,
    payers,
    scheme_split,
    share_phrase,
    shares,
)
from planner.match.batch import match
from planner.match.options import format_options, options

RENT, SUPPORT = 250.0, 370.0  # a £620 place: the example
MONTH = 52 / 12


def _person(age: int, *, status: str = "", activity: str = "", parent: bool = False) -> dict:
    born = date(ON.year - age, 1, 15)
    return {"date_of_birth": pd.Timestamp(born), "legal_status": status, "activity": activity,
            "parent_with_child": parent}  # fmt: skip


def _share(person: dict, settings: FundingSettings | None = None, *, rent: float = RENT, accom: str = "D"):  # type: ignore[no-untyped-def]
    settings = settings or FundingSettings()
    ppl = pd.DataFrame([person])
    sch = pd.DataFrame({"weekly_cost": [rent + SUPPORT], "weekly_rent": [rent], "weekly_support": [SUPPORT],
                        "accom_type": [accom]})  # fmt: skip
    who = payers(ppl, on=ON, settings=settings)
    pay = shares(who, scheme_split(sch), np.array([0]), np.array([0]), settings)
    return pay, who


def _gap(weekly_pay: float, *, age: int = 19, parent: bool = False) -> float:
    """Universal credit's rule written out: 55% of pay above a parent's work allowance, less the
    standard allowance (and a parent's child element), is what the rent loses, a week."""
    allowance = 411.00 if parent else 0.0
    award = (400.14 if age >= 25 else 316.98) + (292.81 if parent else 0.0)
    return max(0.55 * max(weekly_pay * MONTH - allowance, 0) - award, 0) / MONTH


@pytest.mark.parametrize("status", ["", "eligible", "relevant", "qualifying"])
@pytest.mark.parametrize("age", [16, 17])
@pytest.mark.parametrize("activity", ["", "F2", "F4", "F5", "F1", "G5"])
def test_under_18_the_council_pays_rent_and_support(status: str, age: int, activity: str) -> None:
    pay, who = _share(_person(age, status=status, activity=activity))
    assert pay.council[0] == RENT + SUPPORT
    assert pay.housing_benefit[0] == 0 and pay.short[0] == 0 and who.why[0] == ""


@pytest.mark.parametrize("status", ["", "former_relevant", "qualifying"])
@pytest.mark.parametrize("age", [18, 21, 25])
@pytest.mark.parametrize("activity", ["", "F2", "P2", "P1", "G4", "G5", "G6", "0"])
def test_from_18_housing_benefit_meets_the_rent_and_the_council_the_support(
    status: str, age: int, activity: str
) -> None:
    pay, _ = _share(_person(age, status=status, activity=activity))
    assert (pay.council[0], pay.housing_benefit[0], pay.young_person[0]) == (SUPPORT, RENT, 0)


def test_a_status_recorded_on_the_match_date_does_not_outlast_the_18th_birthday() -> None:
    # Eligible at 17 on the match date, placed from the 18th birthday: housing benefit meets the rent.
    born = pd.Timestamp(date(ON.year - 18, ON.month, ON.day + 4))
    person = {
        **_person(17, status="eligible"),
        "date_of_birth": born,
        "needed_from": born + pd.DateOffset(years=18),
    }
    pay, who = _share(person)
    assert not who.council_pays_rent[0] and pay.council[0] == SUPPORT


@pytest.mark.parametrize(
    ("age", "activity", "pay_week"),
    [
        (19, "F4", 7.55 * 30),  # a full-time apprentice: the apprentice rate
        (23, "F4", 7.55 * 30),  # the apprentice rate in an apprenticeship's first year, whatever the age
        (19, "F5", 10.00 * 30),  # full-time work at 18-20: the minimum wage for the age
        (22, "F5", 12.21 * 30),  # 21 and over: the National Living Wage
        (25, "F5", 12.21 * 30),  # 25: the standard allowance for 25 and over
    ],
)
def test_pay_reduces_the_rent_housing_benefit_meets(age: int, activity: str, pay_week: float) -> None:
    pay, who = _share(_person(age, status="former_relevant", activity=activity))
    gap = _gap(pay_week, age=age)
    assert gap > 0
    assert pay.short[0] == pytest.approx(min(gap, RENT))
    assert pay.housing_benefit[0] == pytest.approx(RENT - min(gap, RENT))
    assert pay.council[0] == SUPPORT  # the young person pays the rest ...
    assert pay.young_person[0] == pytest.approx(min(gap, RENT))
    assert who.why[0] == ("apprenticeship" if activity == "F4" else "work")
    assert who.earnings[0] == pytest.approx(pay_week)


def test_an_apprentices_pay_leaves_about_51_pounds_of_rent_a_week() -> None:
    pay, _ = _share(_person(19, activity="F4"))
    # £226.50 a week is £981.50 a month; 55% is £539.83, £222.85 more than the £316.98 allowance.
    assert round(pay.short[0], 2) == 51.43


def test_the_council_meets_rent_pay_leaves_when_its_local_offer_says_so() -> None:
    tops_up = FundingSettings(council_meets_rent_shortfall=True)
    pay, _ = _share(_person(19, activity="F4"), tops_up)
    assert pay.council[0] == pytest.approx(SUPPORT + 51.43, abs=0.01)
    assert pay.young_person[0] == 0 and pay.short[0] == pytest.approx(51.43, abs=0.01)


def test_part_time_pay_is_taken_from_the_rest_of_the_award_first() -> None:
    # 16 hours at the apprentice rate: 55% of it is under the standard allowance, so the rent is met.
    pay, who = _share(_person(19, activity="P4"))
    assert pay.housing_benefit[0] == RENT and pay.short[0] == 0 and who.why[0] == ""
    # 16 hours at 18-20's wage: £381 a month taken, £64 more than the allowance: £14.85 a week.
    pay, who = _share(_person(19, activity="P5"))
    assert pay.short[0] == pytest.approx(_gap(10.00 * 16)) and round(pay.short[0], 2) == 14.85


def test_a_parent_has_a_work_allowance_and_a_child_element() -> None:
    alone, _ = _share(_person(19, activity="F4"))
    parent, _ = _share(_person(19, activity="F4", parent=True))
    assert alone.short[0] > 0 and parent.short[0] == 0
    assert _gap(7.55 * 30, parent=True) == 0


def test_a_full_time_student_gets_no_housing_benefit() -> None:
    pay, who = _share(_person(20, activity="F1"))
    assert pay.housing_benefit[0] == 0 and pay.short[0] == RENT and who.why[0] == "student"
    assert pay.council[0] == SUPPORT
    tops_up = FundingSettings(council_meets_rent_shortfall=True)
    assert _share(_person(20, activity="F1"), tops_up)[0].council[0] == RENT + SUPPORT


def test_rent_not_met_is_never_more_than_the_rent() -> None:
    pay, _ = _share(_person(24, activity="F5"), rent=40.0)
    assert pay.short[0] == 40.0 and pay.housing_benefit[0] == 0


def test_staying_put_follows_the_same_rule() -> None:
    # Z: the rent is the young person's housing benefit to their carers, the support the allowance.
    pay, _ = _share(_person(18), rent=130.0, accom="Z")
    assert (pay.council[0], pay.housing_benefit[0]) == (SUPPORT, 130.0)
    pay, _ = _share(_person(19, activity="F4"), rent=130.0, accom="Z")
    assert pay.housing_benefit[0] == pytest.approx(130.0 - 51.43, abs=0.01)


def test_every_assumption_is_a_setting_read_from_the_environment() -> None:
    env = {
        "PLANNER_APPRENTICE_HOURLY_GBP": "8.00",
        "PLANNER_FULL_TIME_HOURS": "37.5",
        "PLANNER_UC_TAPER": "0.65",
        "PLANNER_COUNCIL_MEETS_RENT_SHORTFALL": "yes",
        "PLANNER_UC_STANDARD_UNDER_25_GBP_MONTH": "338.58",
    }
    s = FundingSettings.from_env(env)
    assert (s.apprentice_hourly_gbp, s.full_time_hours, s.uc_taper) == (8.0, 37.5, 0.65)
    assert s.council_meets_rent_shortfall and s.uc_standard_under_25_gbp_month == 338.58
    pay, _ = _share(_person(19, activity="F4"), s)
    gap = max(0.65 * 8.0 * 37.5 * MONTH - 338.58, 0) / MONTH
    assert pay.short[0] == pytest.approx(gap) and pay.council[0] == pytest.approx(SUPPORT + gap)
    assert FundingSettings.from_env({}) == FundingSettings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PLANNER_UC_TAPER", "55%", "PLANNER_UC_TAPER must be a number, not '55%'"),
        ("PLANNER_UC_TAPER", "55", "PLANNER_UC_TAPER must be from 0 to 1, not '55'"),
        ("PLANNER_FULL_TIME_HOURS", "-3", "PLANNER_FULL_TIME_HOURS must be from 0 to 168, not '-3'"),
        ("PLANNER_COUNCIL_MEETS_RENT_SHORTFALL", "maybe", "must be true or false, not 'maybe'"),
    ],
)
def test_a_bad_setting_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        FundingSettings.from_env({name: value})


def test_a_split_not_given_is_assumed_by_type_and_said_so() -> None:
    sch = pd.DataFrame({"weekly_cost": [620.0, 620.0, 90.0, 3000.0, 218.0],
                        "weekly_rent": [250.0, np.nan, np.nan, np.nan, np.nan],
                        "weekly_support": [370.0, np.nan, np.nan, np.nan, np.nan],
                        "accom_type": ["D", "D", "E", "C", "U"]})  # fmt: skip
    split = scheme_split(sch)
    assert split.rent.tolist() == [250.0, 130.0, 90.0, 0.0, 103.0]  # never more than the cost
    assert split.support.tolist() == [370.0, 490.0, 0.0, 3000.0, 115.0]
    assert split.assumed.tolist() == [False, True, True, True, True]


def test_share_phrases_as_councils_write_them() -> None:
    assert share_phrase(620, 250, under_18=False) == "£620 a week, £250 to the council"
    assert share_phrase(620, 620, under_18=True) == "£620 a week, all to the council (under 18)"
    assert share_phrase(1234.5, 1234.5, under_18=False) == "£1,234.50 a week, all to the council"


def _one_place(activity: str, age: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    person = {
        "date_of_birth": pd.Timestamp(date(ON.year - age, 1, 1)),
        "activity": activity,
        "support_need": "low",
    }
    return frames([person], [PLACE_620])


PLACE_620 = {"weekly_cost": 620.0, "weekly_rent": 250.0, "weekly_support": 370.0, "support_level": "low"}


def test_a_reason_gives_both_figures_and_says_when_pay_leaves_the_rent_unmet() -> None:
    ppl, sch = _one_place("F4", 19)
    m = match(ppl, sch, on=ON).matches
    assert "£620 a week, £370 to the council" in m["reason"].iloc[0]
    assert (
        "rent may not be covered on apprenticeship pay (£51 a week short, theirs to pay)"
        in m["reason"].iloc[0]
    )
    assert (m["council_weekly"].iloc[0], m["housing_benefit_weekly"].iloc[0]) == (370.0, 198.57)
    ppl, sch = _one_place("", 17)
    assert "£620 a week, all to the council (under 18)" in match(ppl, sch, on=ON).matches["reason"].iloc[0]
    ppl, sch = _one_place("F2", 20)
    reason = match(ppl, sch, on=ON).matches["reason"].iloc[0]
    assert "£620 a week, £370 to the council" in reason and "rent may not" not in reason


def test_options_rank_by_the_councils_cost_and_show_both_figures() -> None:
    cheap = {"scheme_id": "CHEAP", "weekly_cost": 500.0, "weekly_rent": 60.0, "weekly_support": 440.0}
    person = {"date_of_birth": pd.Timestamp(date(ON.year - 20, 1, 1)), "support_need": "low"}
    ppl, sch = frames([person], [{**cheap, "support_level": "low"}, {**PLACE_620, "scheme_id": "EXEMPT"}])
    total = options(ppl, sch, ppl["person_id"].iloc[0], on=ON, objective="cost")
    council = options(ppl, sch, ppl["person_id"].iloc[0], on=ON, objective="council")
    assert total.ranked["scheme_id"].tolist() == ["CHEAP", "EXEMPT"]
    assert council.ranked["scheme_id"].tolist() == ["EXEMPT", "CHEAP"]
    assert council.ranked["council_weekly"].tolist() == [370.0, 440.0]
    text = format_options(council)
    assert "score = cost to the council" in text and "to_council" in text and "£370" in text


def test_who_pays_is_worked_out_on_the_day_the_place_starts() -> None:
    # 17 on the match date, needed from the 18th birthday (staying put starts then): paid as from 18.
    born = pd.Timestamp(date(ON.year - 18, ON.month, ON.day + 4))
    ppl = pd.DataFrame(
        {"date_of_birth": [born, born], "needed_from": [pd.Timestamp(ON), born + pd.DateOffset(years=18)]}
    )
    who = payers(ppl, on=ON)
    assert who.council_pays_rent.tolist() == [True, False]
