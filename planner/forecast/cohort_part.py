"""The cohort's part of the forecast: children looked after now (cohort.csv) who turn 18 in the
forecast's months, each needing a place with a probability from the referral history (referrals
at 18 in the last 12 months over the children turning 18 in the next 12, times the chance the
referral ends in a place rather than staying put (foster care only), family or custody). Children
of unknown district are shared out over the districts in proportion to the known ones
(`planner.forecast.shares`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.forecast.history import FOSTER_PLACES, UNKNOWN_DISTRICT
from planner.forecast.shares import cell_of, share_unknown


def cohort_demand(
    cohort: pd.DataFrame | None,
    ref: pd.DataFrame,
    today: pd.Timestamp,
    sim: pd.PeriodIndex,
    index: dict[tuple[str, str], int],
    runs: int,
    rng: np.random.Generator,
    notes: list[str],
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Demand (runs, months, cells) of the children of cohort.csv turning 18 in the simulated
    months, and the probabilities it rests on: of a referral at 18, of staying put if fostered, of
    no place needed, and the children counted."""
    out = np.zeros((runs, len(sim), len(index)), dtype=np.int64)
    at18 = ref[ref["at_18"]]
    outcomes = at18[at18["outcome_accom"] != ""]["letter"]
    n_stay, n_other = int((outcomes == "Z").sum()), int(outcomes.isin(["B", "U", "X"]).sum())
    n_place = len(outcomes) - n_stay - n_other
    if cohort is None or cohort.empty:
        notes.append(
            "no cohort.csv: demand from children in care turning 18 comes only from the referral model"
        )
        return out, (float("nan"), float("nan"), n_other / max(len(outcomes), 1), 0)
    eighteen = cohort["date_of_birth"] + pd.DateOffset(years=18)
    next_year = int(((eighteen > today) & (eighteen <= today + pd.DateOffset(years=1))).sum())
    recent = int((at18["referral_date"] > today - pd.DateOffset(years=1)).sum())
    month = np.array([(p - sim[0]).n for p in eighteen.dt.to_period("M")])
    month[(month < 0) & (eighteen > today).to_numpy()] = 0  # later this month (month 0): into the next
    inside = (month >= 0) & (month < len(sim))
    fostered = cohort["placement_type"].isin(list(FOSTER_PLACES)).to_numpy()
    f = float(fostered[inside].mean()) if inside.any() else float(fostered.mean() if len(fostered) else 0)
    # Uncertainty in each probability: Beta and Dirichlet posteriors with flat priors.
    p_ref = rng.beta(min(recent, next_year) + 1, max(next_year - recent, 0) + 1, size=runs)
    shares = rng.dirichlet([n_place + 1, n_stay + 1, n_other + 1], size=runs)
    p_stay_f = np.clip(shares[:, 1] / max(f, 1e-9), 0, 0.95)
    p_f = p_ref * np.clip(1 - shares[:, 2] - p_stay_f, 0, 1)
    p_nf = p_ref * (1 - shares[:, 2])
    cell = cell_of(cohort["district"], cohort["support_need"], index)
    unknown = (cohort["district"] == UNKNOWN_DISTRICT).to_numpy()
    use = np.flatnonzero(inside & ((cell >= 0) | unknown))
    if use.size:
        prob = np.where(fostered[use][None, :], p_f[:, None], p_nf[:, None])  # (runs, children)
        hits = (rng.random(prob.shape) < prob).astype(float)
        known = cell[use] >= 0
        flat = month[use][known] * len(index) + cell[use][known]
        onehot = np.zeros((int(known.sum()), len(sim) * len(index)))
        onehot[np.arange(flat.size), flat] = 1.0
        out += np.rint(hits[:, known] @ onehot).astype(np.int64).reshape(runs, len(sim), len(index))
        if (~known).any():  # in proportion to the cohort's known districts, else the referrals'
            where = cohort["district"][cell >= 0] if (cell >= 0).any() else ref["home_district"]
            need = cohort["support_need"].to_numpy(dtype=object)[use[~known]]
            out += share_unknown(need, hits[:, ~known], month[use][~known], where, index, len(sim), rng)
            notes.append(
                f"{int((~known).sum())} children in cohort.csv turning 18 in the horizon have no known "
                "district: shared out over the districts in proportion to those whose is known"
            )
    mean_stay = float(np.mean(p_stay_f)) if f > 0 else 0.0
    return out, (float(p_ref.mean()), mean_stay, float(shares[:, 2].mean()), int(use.size))
