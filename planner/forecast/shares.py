"""Children of the cohort without a known district (cohort.csv's `unknown`: no postcode of theirs in
England in the SSDA903 return) still need places when they turn 18: their simulated demand is
shared over the council's districts in proportion to the children whose district is known."""

from __future__ import annotations

import numpy as np
import pandas as pd


def share_unknown(
    support: np.ndarray,
    hits: np.ndarray,
    month: np.ndarray,
    known: pd.Series,
    index: dict[tuple[str, str], int],
    n_months: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Demand (runs, months, cells) of children without a known district: each run's count for a
    month and support level shared over the districts in proportion to `known` (the districts of
    the children whose district is known)."""
    out = np.zeros((hits.shape[0], n_months, len(index)), dtype=np.int64)
    places = sorted({d for d, _ in index})
    if not support.size or not places:
        return out
    counts = known.value_counts().reindex(places, fill_value=0).to_numpy(dtype=float)
    shares = counts / counts.sum() if counts.sum() > 0 else np.full(len(places), 1 / len(places))
    for level in sorted(set(support)):
        mine = np.flatnonzero(support == level)
        by_month = np.zeros((mine.size, n_months))
        by_month[np.arange(mine.size), month[mine]] = 1.0
        counts_rm = np.rint(hits[:, mine] @ by_month).astype(np.int64)  # (runs, months)
        out[:, :, [index[(d, level)] for d in places]] += rng.multinomial(counts_rm, shares)
    return out
