"""Who pays for a placement: the council's share of a place's weekly cost (contract v1.2's
`weekly_rent` and `weekly_support`), by the young person's legal status, age and activity.

The rule, in one place (data/README.md, "Who pays"):

1. **Under 18** (`eligible`, `relevant`, or a `qualifying` 16-17 year-old the council places) the
   council pays the rent and the support. Relevant children are excluded from housing benefit and
   universal credit (Children (Leaving Care) Act 2000, s.6); eligible children are looked after.
2. **From 18** (`former_relevant`, `qualifying`) housing benefit (in supported exempt
   accommodation) or universal credit's housing element meets the rent, up to the scheme's
   `weekly_rent`; support is never eligible for it, and the council pays it. Unless:
   - **paid work** (`activity` F4/P4 apprenticeship, F5/P5 training or employment): assumed
     earnings (the apprentice rate for an apprenticeship, else the minimum wage for their age, for
     full-time or part-time hours) reduce universal credit by the taper (55p for each £1 earned
     above the work allowance, which only a parent with a child has). The reduction takes the rest
     of the award first (the standard allowance, and a parent's child element), then the rent;
   - **full-time higher education** (`F1`): most full-time students cannot claim either benefit
     (Shelter), so none of the rent is met; they pay it from student finance.
   The rent not met is the young person's to pay, or the council's where its local offer meets it
   (`FundingSettings.council_meets_rent_shortfall`).
3. **Staying put** (`Z`): `weekly_rent` is the young person's housing benefit or universal
   credit paid to their former foster carers, `weekly_support` the council's staying put
   allowance on top: the same rule.
4. A scheme without `weekly_rent` and `weekly_support` is split by its accommodation type
   (`ASSUMED_RENT_GBP`), and reports say the split is assumed.

Universal credit's method stands for both benefits (housing benefit in exempt accommodation tapers
at 65% against an applicable amount; set `PLANNER_UC_TAPER` to 0.65 to approximate it). Amounts are
the 2025-26 rates (CPAG, GOV.UK); each is a setting read from the environment (`from_env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from planner.data.formats import ages_on, gbp
from planner.data.vocab import ADULT_AGE

WEEKS_A_MONTH: Final = 52 / 12
APPRENTICESHIP: Final = frozenset({"F4", "P4"})
EMPLOYMENT: Final = frozenset({"F5", "P5"})
PART_TIME: Final = frozenset({"P4", "P5"})
FULL_TIME_HIGHER_EDUCATION: Final = "F1"

# The rent part of a place when schemes.csv does not give it (and the demo's rents): what housing
# benefit meets for a care leaver. Care leavers under 25 get the one-bedroom Local Housing
# Allowance, not the shared room rate (Shelter; Kent's supported lodgings pay hosts that rate from
# 18); councils quote it as "the local housing allowance element of your rent, with the local
# authority covering the shortfall and any support costs" (Hackney). One-bedroom rates outside
# London, 2024-25 and frozen for 2025-26: Stafford £109.32, Leicester £124.27, Coventry £132.33,
# Castle Point £156.29 a week (the councils' published rates): about £130. An own tenancy's rent is
# a new social letting's, £103 (MHCLG CORE 2023/24 median). A community home (C) and family (B) have
# no rent that housing benefit meets.
LHA_ONE_BEDROOM_GBP: Final = 130.0
SOCIAL_RENT_GBP: Final = 103.0
ASSUMED_RENT_GBP: Final = {
    "B": 0.0, "C": 0.0, "D": LHA_ONE_BEDROOM_GBP, "E": LHA_ONE_BEDROOM_GBP, "K": LHA_ONE_BEDROOM_GBP,
    "T": LHA_ONE_BEDROOM_GBP, "U": SOCIAL_RENT_GBP, "V": LHA_ONE_BEDROOM_GBP, "W": LHA_ONE_BEDROOM_GBP,
    "Y": LHA_ONE_BEDROOM_GBP, "Z": LHA_ONE_BEDROOM_GBP,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FundingSettings:
    """The assumptions of the rule, each read from `PLANNER_<NAME>` (upper case). Pay: the minimum
    wage from April 2025 (apprentice rate, for under-19s and an apprenticeship's first year; 18-20;
    21 and over); hours: 30 a week full time (the least an apprenticeship may be, as a rule), 16
    part time. Universal credit 2025-26 (monthly): standard allowance, work allowance with housing
    costs, child element (a child born from 6 April 2017), taper."""

    apprentice_hourly_gbp: float = 7.55
    wage_18_20_hourly_gbp: float = 10.00
    wage_21_over_hourly_gbp: float = 12.21
    full_time_hours: float = 30.0
    part_time_hours: float = 16.0
    uc_taper: float = 0.55
    uc_standard_under_25_gbp_month: float = 316.98
    uc_standard_25_over_gbp_month: float = 400.14
    uc_work_allowance_gbp_month: float = 411.00
    uc_child_element_gbp_month: float = 292.81
    council_meets_rent_shortfall: bool = False  # the local offer tops up rent that is not met

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> FundingSettings:
        """Defaults, each replaced by `PLANNER_<NAME>` when set; ValueError names a bad one."""
        e = os.environ if env is None else env
        given: dict[str, Any] = {}
        for f in fields(cls):
            text = e.get(f"PLANNER_{f.name.upper()}", "").strip()
            if text:
                given[f.name] = _parse(f.name, text, f.default)
        return cls(**given)

    def key(self) -> str:
        """Every setting, for a cache key."""
        return " ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))


def _parse(name: str, text: str, default: object) -> float | bool:
    var = f"PLANNER_{name.upper()}"
    if isinstance(default, bool):
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise ValueError(f"{var} must be true or false, not {text!r}")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{var} must be a number, not {text!r}") from None
    top = 1.0 if name == "uc_taper" else 168.0 if name.endswith("hours") else 10_000.0
    if not 0 <= value <= top:
        raise ValueError(f"{var} must be from 0 to {top:,g}, not {text!r}")
    return value


DEFAULT_FUNDING: Final = FundingSettings()


@dataclass(frozen=True, slots=True)
class SchemeSplit:
    """Each scheme's weekly rent and support (GBP), as given or `assumed` by accommodation type."""

    rent: np.ndarray
    support: np.ndarray
    assumed: np.ndarray  # bool


def scheme_split(schemes: pd.DataFrame) -> SchemeSplit:
    """The two parts of each scheme's `weekly_cost`: `weekly_rent` and `weekly_support` where
    schemes.csv gives them, else the assumed rent of its type (never more than the cost)."""
    cost = schemes["weekly_cost"].to_numpy(dtype=np.float64)
    typical = (
        schemes["accom_type"].map(ASSUMED_RENT_GBP).fillna(LHA_ONE_BEDROOM_GBP).to_numpy(dtype=np.float64)
    )
    given = (
        schemes["weekly_rent"].to_numpy(dtype=np.float64)
        if "weekly_rent" in schemes
        else np.full(len(schemes), np.nan)
    )
    assumed = np.isnan(given)
    rent = np.where(assumed, np.minimum(typical, cost), given)
    return SchemeSplit(rent, cost - rent, assumed)


@dataclass(frozen=True, slots=True)
class Payers:
    """Per young person, what decides who pays (`payers`)."""

    council_pays_rent: np.ndarray  # bool: under 18 on the day the place starts
    rent_not_met: np.ndarray  # GBP a week of any rent that housing support would not meet (inf: none met)
    why: np.ndarray  # "", "apprenticeship", "work" or "student": why the rent may not be met
    earnings: np.ndarray  # assumed weekly earnings, GBP


def payers(people: pd.DataFrame, *, on: date, settings: FundingSettings = DEFAULT_FUNDING) -> Payers:
    """Who pays for each young person from the day their place starts: `on`, or their
    `needed_from` when later (a staying put that starts on the 18th birthday is paid as from 18)."""
    s = settings
    age = _age_at_start(people, on)
    activity = _column(people, "activity")
    parent = (
        people["parent_with_child"].to_numpy(dtype=bool)
        if "parent_with_child" in people
        else np.zeros(len(people), dtype=bool)
    )
    # Eligible and relevant are 16-17 year-olds (the contract checks it on the match date); a status
    # recorded then does not outlast an 18th birthday before the place starts.
    council = age < ADULT_AGE
    apprentice = np.isin(activity, list(APPRENTICESHIP))
    working = apprentice | np.isin(activity, list(EMPLOYMENT))
    hourly = np.where(
        apprentice,
        s.apprentice_hourly_gbp,
        np.where(age >= 21, s.wage_21_over_hourly_gbp, s.wage_18_20_hourly_gbp),
    )
    hours = np.where(np.isin(activity, list(PART_TIME)), s.part_time_hours, s.full_time_hours)
    earnings = np.where(working, hourly * hours, 0.0)
    monthly = earnings * WEEKS_A_MONTH
    allowance = np.where(parent, s.uc_work_allowance_gbp_month, 0.0)
    taken = s.uc_taper * np.maximum(monthly - allowance, 0.0)
    rest = np.where(age >= 25, s.uc_standard_25_over_gbp_month, s.uc_standard_under_25_gbp_month)
    rest = rest + np.where(parent, s.uc_child_element_gbp_month, 0.0)
    gap = np.maximum(taken - rest, 0.0) / WEEKS_A_MONTH
    student = activity == FULL_TIME_HIGHER_EDUCATION
    gap = np.where(student, np.inf, gap)
    gap = np.where(council, 0.0, gap)
    why = np.where(student, "student", np.where(apprentice, "apprenticeship", np.where(working, "work", "")))
    why = np.where(council | (gap == 0), "", why)
    return Payers(council, gap, why.astype(object), earnings)


def _age_at_start(people: pd.DataFrame, on: date) -> np.ndarray:
    """Whole years on the later of `on` and `needed_from` (birthdays on 29 February count from 1
    March, as `ages_on`)."""
    if "needed_from" not in people:
        return ages_on(people["date_of_birth"], on)
    start = pd.DatetimeIndex(people["needed_from"]).fillna(pd.Timestamp(on))
    start = pd.DatetimeIndex(np.maximum(start.to_numpy(), np.datetime64(on, "ns")))
    born = pd.DatetimeIndex(people["date_of_birth"])
    before = (born.month > start.month) | ((born.month == start.month) & (born.day > start.day))
    return np.asarray(start.year - born.year - before.astype(int), dtype=np.int64)


def _column(people: pd.DataFrame, name: str) -> np.ndarray:
    if name not in people:
        return np.full(len(people), "", dtype=object)
    return people[name].fillna("").to_numpy(dtype=object)


@dataclass(frozen=True, slots=True)
class Shares:
    """Who pays what of pairs (person, scheme), GBP a week: the council, housing benefit (or
    universal credit's housing element), and the young person (rent not met that the council does
    not meet); `short` is the rent not met, whoever pays it."""

    council: np.ndarray
    housing_benefit: np.ndarray
    young_person: np.ndarray
    short: np.ndarray


def shares(
    who: Payers, split: SchemeSplit, person: np.ndarray, scheme: np.ndarray,
    settings: FundingSettings = DEFAULT_FUNDING,
) -> Shares:  # fmt: skip
    """Each pair's shares: `person` and `scheme` are positions in the frames `who` and `split` came
    from (parallel arrays, vectorised)."""
    rent, support = np.take(split.rent, scheme), np.take(split.support, scheme)
    by_council = np.take(who.council_pays_rent, person)
    short = np.where(by_council, 0.0, np.minimum(rent, np.take(who.rent_not_met, person)))
    benefit = np.where(by_council, 0.0, rent - short)
    topped = short if settings.council_meets_rent_shortfall else np.zeros_like(short)
    council = support + np.where(by_council, rent, topped)
    return Shares(council, benefit, short - topped, short)


def council_weekly(
    people: pd.DataFrame, schemes: pd.DataFrame, person: np.ndarray, scheme: np.ndarray, *, on: date,
    settings: FundingSettings = DEFAULT_FUNDING,
) -> np.ndarray:  # fmt: skip
    """The council's share (GBP a week) of pairs given as positions in `people` and `schemes`."""
    return shares(
        payers(people, on=on, settings=settings), scheme_split(schemes), person, scheme, settings
    ).council


# How a reason says why the rent may not be met.
SHORT_BECAUSE: Final = {
    "apprenticeship": "on apprenticeship pay",
    "work": "on their pay",
    "student": "for a full-time student, who cannot claim housing benefit",
}


def share_phrase(total: float, council: float, *, under_18: bool) -> str:
    """`£620 a week, £250 to the council` (or all of it, under 18)."""
    if under_18 or abs(council - total) < 0.005:
        return f"{gbp(total)} a week, all to the council" + (" (under 18)" if under_18 else "")
    return f"{gbp(total)} a week, {gbp(council)} to the council"


def short_phrase(why: str, short: float, *, council_meets: bool) -> str:
    """`rent may not be covered on apprenticeship pay (£51 a week short)`; "" when it is."""
    if short <= 0.005 or not why:
        return ""
    who = "the council meets it" if council_meets else "theirs to pay"
    return f"rent may not be covered {SHORT_BECAUSE[why]} ({gbp(round(short))} a week short, {who})"


def short_summary(why: str, most: float, *, council_meets: bool) -> str:
    """`Rent may not be covered on apprenticeship pay: up to £51 a week short at these places (theirs
    to pay).`, over someone's places (`most`: the largest rent not met); "" when every rent is met."""
    if most <= 0.005 or not why:
        return ""
    who = "the council meets it" if council_meets else "theirs to pay"
    return (
        f"Rent may not be covered {SHORT_BECAUSE[why]}: up to {gbp(round(most))} a week short at these "
        f"places ({who})."
    )
