"""Rolling-origin backtest of the referral model on the referral history.

At each origin (a month with at least `min_train` months before it) the models see only the
history before it and forecast the county's monthly referrals needing a place for up to
`horizon` months; the forecasts are scored against what happened. Compared:

- `model`: the negative-binomial count model with trend and seasonality (`planner.forecast.model`);
- `seasonal_naive`: the same month a year before;
- `last12_mean`: the mean of the last 12 months;
- `markov`: a plain stock-and-flow of care leavers (as children's services demand models do):
  known care leavers move between "in a placement" and "not in a placement" with monthly rates
  from the last 12 months, are re-referred at a monthly rate, and new ones arrive at the last
  12 months' mean; no seasonality, no trend.

Past cohorts are not in the history, so the backtest scores the count model on all referrals
needing a place (at 18 and later), not the cohort part of the forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.forecast.demand import ForecastInputs, classify, load_inputs
from planner.forecast.model import fit_counts, monthly_counts

METHODS = ("model", "seasonal_naive", "last12_mean", "markov")


@dataclass(frozen=True, slots=True)
class Backtest:
    points: pd.DataFrame  # origin, month, horizon, actual, each method's forecast, lo80/hi80/lo95/hi95
    summary: pd.DataFrame  # method, mae, rmse, coverage80, coverage95, forecasts

    def mae(self, method: str) -> float:
        return float(self.summary.set_index("method")["mae"].loc[method])

    @property
    def coverage80(self) -> float:
        return float(self.summary.set_index("method")["coverage80"].loc["model"])

    @property
    def coverage95(self) -> float:
        return float(self.summary.set_index("method")["coverage95"].loc["model"])


def demand_series(referrals: pd.DataFrame, on: date | None = None) -> pd.Series:
    """Monthly referrals needing a place, complete months only."""
    ref = classify(referrals)
    today = pd.Timestamp(on) if on is not None else ref["referral_date"].max()
    last_full = today.to_period("M") - (0 if today.is_month_end else 1)
    needed = ref[ref["needs_place"] & (ref["referral_date"] <= today)]
    return monthly_counts(needed["referral_date"], ref["referral_date"].min().to_period("M"), last_full)


def _markov(ref: pd.DataFrame, origin: pd.Period, ahead: int) -> np.ndarray:
    """Expected referrals needing a place for `ahead` months from `origin`, by stock and flow."""
    t0 = origin.to_timestamp()
    seen = ref[ref["referral_date"] < t0]
    window = pd.period_range(origin - 12, origin - 1, freq="M").to_timestamp()
    first = seen.groupby("person_id")["referral_date"].min()
    dob = seen.groupby("person_id")["date_of_birth"].first()
    placed = seen["placed_date"].where(seen["placed_date"] < t0)
    left = seen["left_date"].where(seen["left_date"] < t0)

    def states(t: pd.Timestamp) -> tuple[float, float]:
        inside = (placed <= t) & (left.isna() | (left > t))
        in_place = set(seen.loc[inside.to_numpy(), "person_id"])
        known = first.index[(first < t) & ((t - dob).dt.days < 25 * 365.25)]
        return float(len(in_place)), float(len(set(known) - in_place))

    stocks = np.array([states(t) for t in window])
    month = seen["referral_date"].dt.to_period("M")
    in_window = month >= origin - 12
    repeat = (seen["referral_date"] > seen["person_id"].map(first)) & in_window
    new = (seen["referral_date"] == seen["person_id"].map(first)) & in_window
    ended = (left >= window[0]) & (left < t0)
    rho = float(repeat.sum()) / max(stocks[:, 1].sum(), 1.0)
    lam = float(ended.sum()) / max(stocks[:, 0].sum(), 1.0)
    arrivals = float(new.sum()) / 12
    share = float(seen.loc[in_window.to_numpy(), "needs_place"].mean()) if in_window.any() else 1.0
    p, n = states(t0)
    out = np.zeros(ahead)
    for h in range(ahead):
        referred = arrivals + rho * n
        out[h] = share * referred
        p, n = p * (1 - lam) + referred, n * (1 - rho) + lam * p
    return out


def backtest(
    source: str | Path | ForecastInputs,
    *,
    min_train: int = 12,
    horizon: int = 12,
    runs: int = 1000,
    seed: int = 0,
    on: date | None = None,
) -> Backtest:
    """Score the referral model and three baselines by rolling origin (see the module docstring)."""
    inputs = source if isinstance(source, ForecastInputs) else load_inputs(source)
    ref = classify(inputs.referrals)
    series = demand_series(inputs.referrals, on)
    rng = np.random.default_rng([seed, 1812])
    y = series.to_numpy(dtype=float)
    rows = []
    for o in range(max(min_train, 12), len(y)):
        ahead = min(horizon, len(y) - o)
        future = series.index[o : o + ahead]
        model = fit_counts(series.iloc[:o])
        draws = model.simulate(pd.PeriodIndex(future), runs, rng)
        q = np.quantile(draws, [0.025, 0.1, 0.9, 0.975], axis=0)
        markov = _markov(ref, series.index[o], ahead)
        for h in range(ahead):
            rows.append(
                {
                    "origin": str(series.index[o]),
                    "month": str(future[h]),
                    "horizon": h + 1,
                    "actual": y[o + h],
                    "model": float(draws[:, h].mean()),
                    "lo95": q[0, h],
                    "lo80": q[1, h],
                    "hi80": q[2, h],
                    "hi95": q[3, h],
                    "seasonal_naive": y[o + h - 12 * (1 + h // 12)],
                    "last12_mean": float(y[o - 12 : o].mean()),
                    "markov": float(markov[h]),
                }
            )
    points = pd.DataFrame(rows)
    return Backtest(points, _score(points))


def _score(points: pd.DataFrame) -> pd.DataFrame:
    out = []
    for method in METHODS:
        if points.empty:
            out.append({"method": method, "mae": np.nan, "rmse": np.nan, "forecasts": 0})
            continue
        err = points[method] - points["actual"]
        row = {
            "method": method,
            "mae": float(err.abs().mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "forecasts": len(points),
        }
        if method == "model":
            a = points["actual"]
            row["coverage80"] = float(((a >= points["lo80"]) & (a <= points["hi80"])).mean())
            row["coverage95"] = float(((a >= points["lo95"]) & (a <= points["hi95"])).mean())
        out.append(row)
    return pd.DataFrame(out)
