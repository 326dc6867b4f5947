"""Demand shared out to the forecast's cells (district, support level). Children of the cohort and
referrals without a known district (`unknown`: no postcode of theirs in England in the SSDA903
return) still need places: they are shared over the council's districts in proportion to those
whose district is known, each keeping its support level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data.vocab import UNKNOWN_DISTRICT


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


def cell_of(district: pd.Series, support: pd.Series, index: object) -> np.ndarray:
    """The cell index of each (district, support level); -1 outside the cells."""
    lookup: dict[tuple[str, str], int] = index  # type: ignore[assignment]
    keys = zip(district.astype(str), support.astype(str), strict=True)
    return np.array([lookup.get(k, -1) for k in keys], dtype=int)


def _seen(later: pd.DataFrame, index: dict[tuple[str, str], int]) -> np.ndarray:
    """Referrals by cell; those of unknown district spread over the districts in proportion to the
    known referrals, at their own support level."""
    cell = cell_of(later["home_district"], later["support_need"], index)
    seen = np.bincount(cell[cell >= 0], minlength=len(index)).astype(float)
    unknown = later[(later["home_district"] == UNKNOWN_DISTRICT).to_numpy()]
    places = sorted({d for d, _ in index})
    if unknown.empty or not places:
        return seen
    known = later["home_district"][cell >= 0].value_counts().reindex(places, fill_value=0).to_numpy(float)
    shares = known / known.sum() if known.sum() > 0 else np.full(len(places), 1 / len(places))
    for level, n in unknown["support_need"].value_counts().items():
        seen[[index[(d, str(level))] for d in places]] += n * shares
    return seen


def allocate(
    totals: np.ndarray,
    later: pd.DataFrame,
    index: dict[tuple[str, str], int] | dict[str, int],
    rng: np.random.Generator,
    notes: list[str] | None = None,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """Share simulated county totals (runs, months) out to cells (or `keys`), with uncertain shares
    (a small prior keeps unseen cells rare)."""
    if keys is not None:
        seen = np.bincount(keys[keys >= 0], minlength=len(index)).astype(float)
    else:
        seen = _seen(later, index)  # type: ignore[arg-type]
        unknown = int((later["home_district"] == UNKNOWN_DISTRICT).sum())
        if unknown and notes is not None:
            notes.append(
                f"{unknown:,} referrals in referrals.csv have district unknown: shared out over the "
                "districts in proportion to those whose is known"
            )
    shares = rng.dirichlet(seen + 0.1, size=totals.shape[0])
    return np.asarray(rng.multinomial(totals, shares[:, None, :]), dtype=np.int64)
