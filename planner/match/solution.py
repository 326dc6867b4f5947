"""The solver's raw answer for a waiting list, before reasons: what `batch.match`, `explain` and
`options` share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class Solution:
    """The solver's raw answer, before reasons: shared by `match`, `explain` and `options`."""

    pairs: pd.DataFrame  # eligibility.eligible_pairs
    chosen: np.ndarray  # per person: index into pairs, -1 when not placed
    cost: np.ndarray  # level-3 cost per pair, pence
    rank: np.ndarray  # urgency class per person
    due: np.ndarray  # per person: due within the horizon (the others are not_due)
    now: np.ndarray  # per person: needed on or before the match date
    horizon_days: int
    status: str
    method: str
    timings: dict[str, float]
