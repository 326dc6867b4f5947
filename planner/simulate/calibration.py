"""The baseline beside what the council publishes: is the simulation one the council would recognise?

DfE publishes, for each council, its care leavers aged 17-21 and how many of them live in
accommodation considered unsuitable (`planner.forecast.suitability`); B&B and emergency
accommodation (W, V) are part of that, with no fixed abode, custody and others. The simulation
counts, night by night, the young people it places in B&B or emergency accommodation (adults with
no roof, or there already, waiting for a place): its average night beside DfE's count says
whether the simulated county is of the council's order (a tenth of DfE's count to all of it is
what W and V can be); the share of the council's care leavers aged 17-21 among them is set beside
DfE's share. A baseline that drifts (its last quarter's B&B and emergency nights more than twice
its first quarter's, or less than half) says the data, or the demo, are not in a steady state:
the scenario's changes are then measured against a moving line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.forecast.suitability import CareLeavers17To21, care_leavers_17_21

DRIFT: Final = 2.0  # last quarter against first: more than this (or less than its inverse) drifts
BAND: Final = (0.1, 1.0)  # the average night's W/V against DfE's unsuitable count 17-21
MONTH_COLUMNS: Final = ("unsuitable_nights", "unsuitable_per_night", "unsuitable_share_17_21",
                        "under18_waiting_nights", "housed_waiting_nights", "waiting")  # fmt: skip


def council_care_leavers(district_codes: Iterable[str]) -> CareLeavers17To21 | None:
    """DfE's care leavers aged 17-21 of the councils these districts belong to."""
    d = districts()
    codes = [c for c in dict.fromkeys(district_codes) if c in d.index]
    utlas = sorted(set(d.loc[codes, "utla_code"].astype(str)))
    return care_leavers_17_21(tuple(utlas)) if utlas else None


def headline_policy(policies: Iterable[str]) -> str:
    """The policy the baseline is reported for: the optimised panel when it was run, else a
    policy with figures of its own (the clairvoyant bound has no split)."""
    seen = list(dict.fromkeys(str(p) for p in policies))
    return next((p for p in ("optimised", "fcfs") if p in seen), seen[0])


@dataclass(frozen=True, slots=True)
class Calibration:
    """The baseline of one policy against DfE's figures."""

    policy: str
    per_night: float  # B&B and emergency accommodation on an average night (mean of runs)
    share_17_21: float  # of DfE's care leavers aged 17-21, aged 17-21 and in W/V, average night
    first_quarter: float  # B&B and emergency nights, first 13 weeks
    last_quarter: float  # and last 13 weeks
    care_leavers: CareLeavers17To21 | None

    @property
    def drift(self) -> float:
        """Last quarter's nights over the first's (inf when the first had none and the last some)."""
        if self.first_quarter > 0:
            return self.last_quarter / self.first_quarter
        return float("inf") if self.last_quarter > 0 else 1.0

    @property
    def drifts(self) -> bool:
        return not (1 / DRIFT <= self.drift <= DRIFT)

    @property
    def of_dfe(self) -> float:
        """The average night against DfE's unsuitable count 17-21."""
        if self.care_leavers is None or not self.care_leavers.unsuitable:
            return float("nan")
        return self.per_night / self.care_leavers.unsuitable


def calibrate(summary: pd.DataFrame, care_leavers: CareLeavers17To21 | None, scenario: str = "baseline",
              policy: str | None = None) -> Calibration:  # fmt: skip
    """The scenario's (the baseline's) figures from a simulation's summary."""
    rows = summary[summary["scenario"] == scenario]
    policy = policy or headline_policy(rows["policy"])
    mean = rows[rows["policy"] == policy].set_index("metric")["mean"]
    return Calibration(policy, float(mean["unsuitable_per_night"]), float(mean["unsuitable_share_17_21"]),
                       float(mean["unsuitable_nights_first_quarter"]),
                       float(mean["unsuitable_nights_last_quarter"]), care_leavers)  # fmt: skip


def baseline_by_month(
    by_month: pd.DataFrame, scenario: str = "baseline", policy: str | None = None
) -> pd.DataFrame:
    """The scenario's line month by month (means over runs), one row a month: month and
    MONTH_COLUMNS."""
    rows = by_month[by_month["scenario"] == scenario]
    policy = policy or headline_policy(rows["policy"])
    table = rows[rows["policy"] == policy].pivot_table(
        index="month", columns="metric", values="mean", sort=False
    )
    table = table.reindex(columns=list(MONTH_COLUMNS))
    return table.reset_index().rename_axis(columns=None)


def lines(cal: Calibration) -> list[str]:
    """What `planner scenario` prints about the baseline (a heading, then sentences the report and
    the web page show too)."""
    c = cal.care_leavers
    night = f"On an average night {cal.per_night:,.1f} young people are in B&B or emergency accommodation"
    out = [f"Baseline against published figures ({cal.policy}):"]
    if c is None:
        out.append(f"  {night}; DfE publishes no count of this council's care leavers aged 17-21.")
    else:
        out.append(
            f"  {night}: {cal.of_dfe:.2g} of DfE's {c.unsuitable:,.0f} care leavers aged 17-21 in unsuitable "
            f"accommodation of any kind ({c.unsuitable_share:.1%} of its {c.count:,.0f}; B&B and emergency "
            "accommodation are a part of it)."
        )
        out.append(
            f"  Care leavers aged 17-21 in B&B or emergency accommodation: {cal.share_17_21:.1%} of DfE's "
            f"{c.count:,.0f}, beside DfE's {c.unsuitable_share:.1%} unsuitably housed."
        )
        lo, hi = BAND
        if not lo <= cal.of_dfe <= hi:
            out.append(
                f"  WARNING: the average night is {cal.of_dfe:.2g} of DfE's unsuitable count, outside {lo:g} "
                f"to {hi:g}: the county's data (places, referrals, stays, homes ending) are not of the "
                "council's order."
            )
        out += [f"  Note: {n}." for n in c.notes]
    out.append(
        f"  B&B and emergency nights: {cal.first_quarter:,.0f} in the first quarter, "
        f"{cal.last_quarter:,.0f} in the last ({_ratio(cal.drift)})."
    )
    if cal.drifts:
        out.append(
            f"  WARNING: the baseline drifts ({_ratio(cal.drift)} between the first and last quarter, beyond "
            f"{DRIFT:g}x either way): the data or the demo are not in a steady state, so the scenario is "
            "measured against a moving line (see by_month.csv)."
        )
    return out


def _ratio(r: float) -> str:
    return "no nights in the first quarter" if not np.isfinite(r) else f"{r:.2f}x"
