"""Backtest of the published-data forecast on what DfE then published (`planner forecast --published
--backtest`).

Hold out the last year (and the last two): fit on the years before, forecast every council, and
score against the published figures, beside two baselines any analyst would try first:

- `naive`: the same as the last published year;
- `trend`: a straight line through the council's own published years, extended.

A council is scored for a measure and year where DfE published the figure and all three methods
gave a forecast (the same councils for each, so the errors compare like with like).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.forecast.dfe_series import DfeSeries
from planner.forecast.published import FORECAST_MEASURES, forecast_published

SUMMARY_COLUMNS = ("held_out", "year", "ahead", "measure", "councils", "mae_model", "mae_naive", "mae_trend",
                   "model_vs_naive", "coverage80")  # fmt: skip


@dataclass(frozen=True, slots=True)
class PublishedBacktest:
    points: pd.DataFrame  # held_out, la_code, year, ahead, measure, actual, model, lo80, hi80, naive, trend
    summary: pd.DataFrame  # SUMMARY_COLUMNS: one row per hold-out, year and measure

    def row(self, held_out: int, year: int, measure: str) -> pd.Series:
        s = self.summary
        hit = s[(s["held_out"] == held_out) & (s["year"] == year) & (s["measure"] == measure)]
        return hit.iloc[0]


def linear_trend(history: pd.Series, target_years: np.ndarray) -> pd.DataFrame:
    """A least-squares line through each council's published years, at `target_years` (>= 0)."""
    out = {}
    for code, g in history.groupby(level="la_code"):
        g = g.dropna()
        years = g.index.get_level_values("year").to_numpy(float)
        if len(g) >= 2:
            slope, intercept = np.polyfit(years, g.to_numpy(float), 1)
            out[code] = np.maximum(intercept + slope * target_years, 0.0)
        elif len(g) == 1:
            out[code] = np.full(len(target_years), float(g.iloc[0]))
    return pd.DataFrame(out, index=target_years).T


def backtest_published(
    series: DfeSeries, *, held_out: tuple[int, ...] = (1, 2), runs: int = 2000, seed: int = 0
) -> PublishedBacktest:
    """Score forecasts made with the last `k` years held out, for each k in `held_out`."""
    last = series.last_year
    points = []
    for k in held_out:
        origin = last - k
        data = series.until(origin)
        fc = forecast_published(data, years=k, runs=runs, seed=seed).table
        years = np.arange(origin + 1, last + 1)
        for measure in FORECAST_MEASURES:
            history = data.values[measure]
            naive = history.xs(origin, level="year")
            trend = linear_trend(history, years)
            model = fc[fc["measure"] == measure].set_index(["la_code", "year"])
            actual = series.values[measure]
            for year in years:
                got = model.xs(year, level="year")
                frame = pd.DataFrame(
                    {
                        "actual": actual.xs(year, level="year"),
                        "model": got["mean"],
                        "lo80": got["lo80"],
                        "hi80": got["hi80"],
                        "naive": naive,
                        "trend": trend[year] if year in trend else np.nan,
                    }
                ).dropna()
                frame = frame.rename_axis("la_code").reset_index()
                frame.insert(0, "held_out", k)
                frame.insert(2, "year", int(year))
                frame.insert(3, "ahead", int(year - origin))
                frame.insert(4, "measure", measure)
                points.append(frame)
    p = pd.concat(points, ignore_index=True)
    return PublishedBacktest(p, _summarise(p))


def _summarise(p: pd.DataFrame) -> pd.DataFrame:
    err = p.assign(
        mae_model=(p["model"] - p["actual"]).abs(),
        mae_naive=(p["naive"] - p["actual"]).abs(),
        mae_trend=(p["trend"] - p["actual"]).abs(),
        coverage80=(p["actual"] >= p["lo80"]) & (p["actual"] <= p["hi80"]),
    )
    s = err.groupby(["held_out", "year", "ahead", "measure"], sort=False).agg(
        councils=("la_code", "size"),
        mae_model=("mae_model", "mean"),
        mae_naive=("mae_naive", "mean"),
        mae_trend=("mae_trend", "mean"),
        coverage80=("coverage80", "mean"),
    )
    s["model_vs_naive"] = s["mae_model"] / s["mae_naive"]
    return s.reset_index()[list(SUMMARY_COLUMNS)]


def format_summary(summary: pd.DataFrame) -> str:
    """The backtest table as the CLI prints it and benchmarks/README.md shows it."""
    t = summary.copy()
    t["held out"] = t["held_out"].map(lambda k: "last year" if k == 1 else f"last {k} years")
    t["coverage80"] = (100 * t["coverage80"]).map(lambda v: f"{v:.0f}%")
    t["model_vs_naive"] = t["model_vs_naive"].map(lambda v: f"{v:.2f}")
    for c in ("mae_model", "mae_naive", "mae_trend"):
        t[c] = t[c].map(lambda v: f"{v:.1f}")
    cols = ["held out", "year", "ahead", "measure", "councils", "mae_model", "mae_naive", "mae_trend",
            "model_vs_naive", "coverage80"]  # fmt: skip
    return t[cols].to_string(index=False)
