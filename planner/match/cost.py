"""Level 3 of the matching objective: what one person in one place costs, in whole pence.

Whole pence keep the min-cost flow exact. `eligibility.batch_pairs` writes these integers straight
into the flow's arrays block by block (no float copy per pair); `pair_cost` gives the same numbers
for a frame of pairs (one person's options, the benchmarks' baselines).

The objectives: `default` counts the place's weekly cost, distance and unused
support; `cost` the weekly cost alone; `council` the council's share of it alone (who pays:
`planner.data.funding`), which depends on the person as well as the place (`Paying`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

from planner.data.funding import (
    DEFAULT_FUNDING,
    FundingSettings,
    Payers,
    SchemeSplit,
    payers,
    scheme_split,
    shares,
)

Objective = Literal["default", "cost", "council"]
OBJECTIVES: Final = ("default", "cost", "council")


@dataclass(frozen=True, slots=True)
class CostWeights:
    """Level 3 of the objective in GBP a week. A place 10 km further from the nearest of home
    and connection districts counts as £100 a week dearer; each support level above need (a
    scarce high-support place used for a low need) as £100 a week. Judgement, not data:
    councils can set their own."""

    gbp_per_km: float = 10.0
    gbp_per_extra_support_level: float = 100.0


DEFAULT_WEIGHTS: Final = CostWeights()


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")


def cost_pence(
    weekly_cost: np.ndarray,
    near_km: np.ndarray,
    extra_support: np.ndarray,
    objective: Objective,
    weights: CostWeights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """Level-3 cost in pence (int64) of pairs given as parallel arrays: the scheme's weekly cost,
    km to the nearest of home and connection districts, support levels above the need."""
    check_objective(objective)
    gbp = np.asarray(weekly_cost, dtype=np.float64)
    if objective == "default":
        gbp = (
            gbp
            + weights.gbp_per_km * np.asarray(near_km, dtype=np.float64)
            + weights.gbp_per_extra_support_level * np.asarray(extra_support, dtype=np.float64)
        )
    return np.rint(gbp * 100).astype(np.int64)


def pair_cost(
    pairs: pd.DataFrame, objective: Objective, weights: CostWeights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """Level-3 cost in pence of each row of `eligibility.eligible_pairs` (with `council_weekly`,
    `Paying.weekly`'s figures, for the council objective)."""
    weekly = pairs["council_weekly" if objective == "council" else "weekly_cost"].to_numpy()
    return cost_pence(
        weekly, pairs["near_km"].to_numpy(), pairs["extra_support"].to_numpy(), objective, weights,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Paying:
    """What level 3 counts as a pair's weekly cost: the place's `weekly_cost`, or for the council
    objective the council's share of it, which depends on who takes the place (`funding.shares`)."""

    weekly_cost: np.ndarray  # per scheme, GBP
    council: tuple[Payers, SchemeSplit, FundingSettings] | None = None

    def weekly(self, person: np.ndarray, scheme: np.ndarray) -> np.ndarray:
        """GBP a week of pairs (positions in the people and schemes `paying` was given)."""
        if self.council is None:
            return np.take(self.weekly_cost, scheme)
        who, split, settings = self.council
        return shares(who, split, person, scheme, settings).council


def paying(
    people: pd.DataFrame, schemes: pd.DataFrame, *, on: date, objective: Objective,
    funding: FundingSettings = DEFAULT_FUNDING,
) -> Paying:  # fmt: skip
    check_objective(objective)
    weekly = schemes["weekly_cost"].to_numpy(dtype=np.float64)
    if objective != "council":
        return Paying(weekly)
    return Paying(weekly, (payers(people, on=on, settings=funding), scheme_split(schemes), funding))
