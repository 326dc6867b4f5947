"""The demo county's figures beside the published figures they stand for, and the bounds any
council's demo keeps to (issue 14): referrals for a place in the last year between a quarter and
85% of the council's care leavers aged 17-21 (DfE); the waiting list at most 60% of them; people
now in B&B, emergency accommodation or with no fixed abode at most 3% of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

from planner.data.contract import Dataset, due_by, due_within
from planner.data.formats import ages_on, uk_date
from planner.data.roof import roof
from planner.data.vocab import OWN_TENANCY, STAYING_PUT, URGENT_ACCOM
from planner.demo.calibration import Calibration, population_16_25
from planner.demo.nominations import nominations_per_year
from planner.demo.waiting import CUSTODY
from planner.forecast.history import NOT_PLACE_DEMAND

REFERRALS_SHARE: Final = (0.25, 0.85)
LIST_SHARE: Final = 0.60
URGENT_SHARE: Final = 0.03
# New social housing lettings in England, 2023/24 (MHCLG, Social housing lettings in England,
# tenancies: April 2023 to March 2024, from CORE); no count of those to care leavers is published,
# so the demo's nominations are set beside the districts' share of them (by population aged 16-25).
ENGLAND_LETTINGS: Final = 261_000


@dataclass(frozen=True, slots=True)
class Check:
    label: str
    demo: int
    published: str  # what it is measured against: the DfE (or national) figure it stands for
    target: str  # the bound, or "" for a figure shown for comparison
    ok: bool


def referrals_last_year(referrals: pd.DataFrame, on: date) -> int:
    """Referrals for a place (not family, staying put or custody) in the year to `on`."""
    last = referrals[(referrals["referral_date"] > pd.Timestamp(on) - pd.DateOffset(years=1))
                     & (referrals["referral_date"] <= pd.Timestamp(on))]  # fmt: skip
    return int((~last["outcome_accom"].str[:1].isin(list(NOT_PLACE_DEMAND))).sum())


def checks(
    data: Dataset, cal: Calibration, *, on: date, referrals: pd.DataFrame | None = None
) -> list[Check]:
    """Each figure of the demo beside its published value; `referrals` is the demo's history."""
    p = data.people
    base = cal.flows.care_leavers_17_21

    def share(n: int, bound: float) -> tuple[str, bool]:
        return f"{n / base:.1%} of the {base:,.0f} care leavers aged 17-21", n <= bound * base

    out: list[Check] = []
    if referrals is not None:
        n = referrals_last_year(referrals, on)
        lo, hi = REFERRALS_SHARE
        text, _ = share(n, hi)
        out.append(Check("referrals for a place in the last year", n, text, f"{lo:.0%} to {hi:.0%}",
                         lo * base <= n <= hi * base))  # fmt: skip
    out.append(Check(f"on the waiting list on {uk_date(on)}", len(p), *share(len(p), LIST_SHARE)[:1],
                     f"at most {LIST_SHARE:.0%}", share(len(p), LIST_SHARE)[1]))  # fmt: skip
    urgent = int(p["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum())
    out.append(Check("now in B&B, emergency accommodation or no fixed abode", urgent, share(urgent, 1)[0],
                     f"at most {URGENT_SHARE:.0%}", share(urgent, URGENT_SHARE)[1]))  # fmt: skip
    age = ages_on(p["date_of_birth"], on)
    young = p[(age >= 17) & (age <= 21)]
    bad = int((young["current_accom"].str[1:] == "2").sum())
    published = sum(b.count * b.unsuitable for b in cal.bands[:2])
    out.append(Check("unsuitably housed now, aged 17-21 (custody: only those due out)", bad,
                     f"DfE: {published:,.0f} care leavers aged 17-21 in unsuitable accommodation",
                     "", True))  # fmt: skip
    custody = int((p["current_accom"] == "X2").sum())
    national = cal.bands[1].count * CUSTODY["19-21"]
    out.append(Check("in custody, due out within 13 weeks", custody,
                     f"about {national:,.0f} aged 19-21 in custody at England's 3% (DfE 2025)",
                     "", True))  # fmt: skip
    uasc = int(p["uasc"].sum())
    out.append(Check("former unaccompanied asylum-seeking children", uasc,
                     f"{uasc / max(len(p), 1):.0%} of the list; England: about 1 in 4 care leavers aged 18+ "
                     "(DfE 2020/21; no council figure in the shared data)", "", True))  # fmt: skip
    s = data.schemes
    sp = int(((s["accom_type"] == STAYING_PUT) & (s["vacancies"] > 0)).sum())
    out.append(Check("staying put from their 18th birthday, carers' place reserved", sp,
                     f"{cal.flows.staying_put_per_year:,.0f} staying put at 18 a year: 57% of those "
                     "leaving foster care (DfE 2019)", "", True))  # fmt: skip
    out += _housing(data, cal, on=on)
    return out


def _housing(data: Dataset, cal: Calibration, *, on: date) -> list[Check]:
    """Contract v1.2's figures: who waits with a roof, whose home ends soon, own tenancies."""
    p, s = data.people, data.schemes
    due = due_within(p, on=on)
    housed = due & (roof(p, on=on) == "housed")
    ending = housed & (p["current_until"] <= pd.Timestamp(due_by(on))).to_numpy(dtype=bool)
    ready = int((p["tenancy_ready"] & (ages_on(p["date_of_birth"], on) >= 18)).sum())
    free = int(s.loc[s["accom_type"] == OWN_TENANCY, "vacancies"].sum())
    per_year = sum(nominations_per_year(cal).values())
    pop = population_16_25()
    here = pop.loc[pop["code"].isin(cal.council.district_codes), "persons"].sum()
    lettings = ENGLAND_LETTINGS * here / pop["persons"].sum()
    return [
        Check("due within the horizon, housed until a place is found", int(housed.sum()),
              f"of whom {int(ending.sum())} whose home ends within the horizon (notice, a placement ending)",
              "", True),
        Check("own-tenancy nominations free now (housing authorities)", free,
              f"{per_year:,.0f} a year: {per_year / lettings:.1%} of the districts' about {lettings:,.0f} "
              f"new social lettings a year (MHCLG CORE 2023/24: {ENGLAND_LETTINGS:,} in England, by "
              f"population 16-25); {ready} tenancy-ready adults on the list", "", True),
    ]  # fmt: skip


def lines(found: list[Check], cal: Calibration) -> list[str]:
    """The checks as `planner demo` prints them."""
    width = max(len(c.label) for c in found)
    out = [f"Against published figures ({cal.council.name}: DfE Children looked after in England 2025):"]
    for c in found:
        target = f"; target {c.target}: {'met' if c.ok else 'NOT MET'}" if c.target else ""
        out.append(f"  {c.label:<{width}}  {c.demo:>4,}  {c.published}{target}")
    return out
