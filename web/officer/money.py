"""Who pays, as the officer's pages show it: the council's share of a place for a young person on
the record, and a scheme's rent and support (the rule is `planner.data.funding`'s; its settings come
from the environment, or `FUNDING` in the app's configuration for tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from flask import current_app

from planner.data.funding import (
    FundingSettings,
    payers,
    scheme_split,
    share_phrase,
    shares,
    short_phrase,
    short_summary,
)
from planner.data.vocab import ADULT_AGE
from planner.match.options import Options
from web.core.models import Placement, Scheme, YoungPerson


def funding() -> FundingSettings:
    settings = current_app.config.get("FUNDING")
    return settings if isinstance(settings, FundingSettings) else FundingSettings.from_env()


@dataclass(frozen=True, slots=True)
class Split:
    """A scheme's weekly cost in its two parts, as the provider gave them or `assumed` by type."""

    total: float
    rent: float
    support: float
    assumed: bool


@dataclass(frozen=True, slots=True)
class Paid:
    """What a place costs the council for one young person, a week, and the words for it."""

    split: Split
    council: float
    housing_benefit: float
    short: float  # rent not met (paid by them, or by the council when its local offer says so)
    under_18: bool
    phrase: str  # "£620 a week, £250 to the council"
    short_phrase: str  # "rent may not be covered on apprenticeship pay (...)", or ""


def _scheme_frame(s: Scheme, weekly_cost: float | None = None) -> pd.DataFrame:
    cost = float(s.weekly_cost if weekly_cost is None else weekly_cost)
    rent = s.weekly_rent
    return pd.DataFrame({"weekly_cost": [cost], "accom_type": [s.accom_type],
                         "weekly_rent": [np.nan if rent is None else min(float(rent), cost)]})  # fmt: skip


def split_of(s: Scheme, weekly_cost: float | None = None) -> Split:
    frame = _scheme_frame(s, weekly_cost)
    split = scheme_split(frame)
    total = float(frame["weekly_cost"].iloc[0])
    return Split(total, float(split.rent[0]), float(split.support[0]), bool(split.assumed[0]))


def paid_for(p: YoungPerson, s: Scheme, *, on: date, weekly_cost: float | None = None) -> Paid:
    """The shares of scheme `s` for young person `p` on `on` (their age then decides); `weekly_cost`:
    a placement's own, where it differs from the scheme's today (the rent stays the scheme's)."""
    settings = funding()
    person = pd.DataFrame({
        "date_of_birth": [pd.Timestamp(p.date_of_birth)],
        "activity": [p.activity or ""],
        "parent_with_child": [bool(p.parent_with_child)],
    })  # fmt: skip
    who = payers(person, on=on, settings=settings)
    split = split_of(s, weekly_cost)
    pay = shares(who, scheme_split(_scheme_frame(s, weekly_cost)), np.array([0]), np.array([0]), settings)
    under_18 = bool(who.council_pays_rent[0])
    council, short = float(pay.council[0]), float(pay.short[0])
    return Paid(
        split=split,
        council=council,
        housing_benefit=float(pay.housing_benefit[0]),
        short=short,
        under_18=under_18,
        phrase=share_phrase(round(split.total), round(council), under_18=under_18),
        short_phrase=short_phrase(
            str(who.why[0]), short, council_meets=settings.council_meets_rent_shortfall
        ),
    )


def who_pays(opts: Options) -> list[str]:
    """What the person page says above their ranked places: who pays, and any rent not met."""
    if opts.council_pays_rent:
        return ["Under 18, the council pays the rent and the support of any place."]
    lines = [
        "From 18, housing benefit (or universal credit's housing element) meets a place's rent and the "
        "council pays the support."
    ]
    ranked = opts.ranked
    short = float(ranked["rent_not_met_weekly"].max()) if len(ranked) else 0.0
    summary = short_summary(opts.rent_short_why, short, council_meets=opts.council_meets)
    return lines + ([summary] if summary else [])


def from_18th_birthday(p: YoungPerson, s: Scheme, pl: Placement, paid: Paid) -> tuple[date, Paid] | None:
    """For a placement the council pays in full because they are under 18: the day they turn 18
    while living there, and the shares from then; None otherwise."""
    born = p.date_of_birth
    try:
        birthday = born.replace(year=born.year + ADULT_AGE)
    except ValueError:  # born on 29 February: 18 on 1 March
        birthday = date(born.year + ADULT_AGE, 3, 1)
    if (
        not paid.under_18
        or birthday <= pl.start_date
        or (pl.end_date is not None and pl.end_date <= birthday)
    ):
        return None
    return birthday, paid_for(p, s, on=birthday, weekly_cost=pl.weekly_cost)


def eighteenth_birthday(born: date) -> date:
    """The day someone turns 18 (born on 29 February: 1 March, as `ages_on` counts it)."""
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:
        return date(born.year + ADULT_AGE, 3, 1)
