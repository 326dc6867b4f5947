"""How far each policy is from the hindsight bound, run by run.

Run r of every policy faces the same people (common random numbers), so each run's gap is the
policy's B&B and emergency nights against that run's hindsight bound: as a ratio (nights over the
bound's; 1 when both are 0) and as nights per 100 young people referred in the run (everyone who
needed a place during it: today's list and the arrivals; not today's residents). The summary gains
three metrics per policy, with the same mean and 80% range as every other.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from planner.simulate.population import Population

GAP_METRICS: Final = ("ratio_to_hindsight", "gap_per_100_referred")
GAP_LABELS: Final = {
    "people_referred": "Young people needing a place during the run",
    "ratio_to_hindsight": "B&B and emergency nights as a multiple of the hindsight bound",
    "gap_per_100_referred": "B&B and emergency nights above the hindsight bound, "
    "per 100 young people referred",
}


def people_referred(pop: Population, weeks: int) -> int:
    """Everyone of the run who needed a place during it (today's residents aside)."""
    return int(((pop.first_scheme < 0) & (pop.arrive < weeks)).sum())


def interval(v: np.ndarray) -> tuple[float, float, float]:
    """Mean and the range 80% of runs fell in (NaN runs left out), as every summary row has them."""
    v = v[~np.isnan(v)]
    if not len(v):
        return (float("nan"),) * 3
    return float(v.mean()), float(np.quantile(v, 0.1)), float(np.quantile(v, 0.9))


def gap_rows(runs: pd.DataFrame) -> list[dict[str, object]]:
    """Summary rows (scenario, policy, metric, mean, lo80, hi80) of each policy's gap to the
    hindsight bound, from the per-run totals; none when hindsight was not simulated."""
    out: list[dict[str, object]] = []
    if runs.empty or "hindsight" not in set(runs["policy"]):
        return out
    for scenario, g in runs.groupby("scenario", sort=False):
        bound = g[g["policy"] == "hindsight"].set_index("run")["unsuitable_nights"]
        for policy, p in g.groupby("policy", sort=False):
            p = p.set_index("run")
            b = bound.reindex(p.index).to_numpy(float)
            nights = p["unsuitable_nights"].to_numpy(float)
            ratio = np.where(b > 0, nights / np.where(b > 0, b, 1.0), np.where(nights > 0, np.inf, 1.0))
            ratio = np.where(np.isinf(ratio), np.nan, ratio)
            referred = p["people_referred"].to_numpy(float)
            per_100 = 100 * (nights - b) / np.where(referred > 0, referred, np.nan)
            for metric, values in zip(GAP_METRICS, (ratio, per_100), strict=True):
                mean, lo, hi = interval(values)
                out.append({"scenario": scenario, "policy": policy, "metric": metric,
                            "mean": mean, "lo80": lo, "hi80": hi})  # fmt: skip
    return out


def gap_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and policy: B&B and emergency nights, the ratio to hindsight and the
    gap per 100 referred (means), for the CLI, the report and the web page; empty without hindsight."""
    s = summary[summary["metric"].isin(["unsuitable_nights", *GAP_METRICS])]
    if s.empty or "ratio_to_hindsight" not in set(s["metric"]):
        return pd.DataFrame(columns=["scenario", "policy", "unsuitable_nights", *GAP_METRICS])
    wide = s.pivot_table(
        index=["scenario", "policy"], columns="metric", values="mean", sort=False, dropna=False
    )
    return wide.reset_index()[["scenario", "policy", "unsuitable_nights", *GAP_METRICS]]


def gap_lines(summary: pd.DataFrame) -> list[str]:
    """The gap table as `planner scenario` prints it."""
    t = gap_table(summary)
    if t.empty:
        return []
    out = ["Gap to the hindsight bound (same runs; nights above it per 100 young people referred):"]
    cols = (t[c] for c in ("scenario", "policy", "unsuitable_nights", *GAP_METRICS))
    for scenario, policy, nights, ratio, per in zip(*cols, strict=True):
        r = "–" if pd.isna(ratio) else f"{float(ratio):.2f}x"
        p = "–" if pd.isna(per) else f"{float(per):,.0f}"
        out.append(
            f"{scenario!s:>20} {policy!s:>12} {float(nights):>10,.0f} nights  {r:>6}  {p:>7} per 100 referred"
        )
    return out
