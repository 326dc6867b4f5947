"""Summaries of the forecast's simulated demand and supply: the CSV table, fan-chart quantiles and
demand by age band. Kept apart from the model so that `planner.forecast.demand` reads in one sitting."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.shortfall import at_or_above

FORECAST_COLUMNS: Final = [
    "month", "district", "support_level", "demand_mean", "demand_lo80", "demand_hi80",
    "supply_mean", "shortfall_mean", "p_shortfall", "carried_mean",
]  # fmt: skip
# carried_mean: of demand_mean, the young people still waiting from the month before (its shortfall)
QUANTILES: Final = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
AGE_BANDS: Final = ("17-18", "19-21", "22-25")  # DfE's care leaver bands, and 22-25


def band_of(age_years: np.ndarray) -> np.ndarray:
    """Age band index (AGE_BANDS) of ages in years."""
    return np.where(age_years < 19, 0, np.where(age_years < 22, 1, 2)).astype(int)


def interval(d: np.ndarray, prefix: str = "") -> dict[str, np.ndarray]:
    """Mean and 80% interval of draws along axis 0, widened to include the mean: columns
    `{prefix}mean`, `{prefix}lo80`, `{prefix}hi80`."""
    mean = d.mean(axis=0)
    # A count that is nearly always 0 has a 90% quantile of 0 below a positive mean: the interval
    # is widened to include the mean so that lo80 <= mean <= hi80 always reads sensibly.
    return {
        f"{prefix}mean": mean,
        f"{prefix}lo80": np.minimum(np.quantile(d, 0.1, axis=0), mean),
        f"{prefix}hi80": np.maximum(np.quantile(d, 0.9, axis=0), mean),
    }


def _stats(d: np.ndarray, s: np.ndarray, short: np.ndarray, c: np.ndarray) -> dict[str, np.ndarray]:
    return {
        **interval(d, "demand_"),
        "supply_mean": s.mean(axis=0),
        "shortfall_mean": short.mean(axis=0),
        "p_shortfall": (short > 0).mean(axis=0),
        "carried_mean": c.mean(axis=0),
    }


def summarise(
    demand: np.ndarray,
    supply: np.ndarray,
    unserved: np.ndarray,
    months: pd.PeriodIndex,
    cells: list[tuple[str, str]],
    carried: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forecast table and fan-chart quantiles from draws (runs, months, cells): demand (with
    `carried`, the part of it still waiting from the month before), places free at each cell's own
    level, and demand left unserved (`shortfall.share_out`). A level's row shows the places free at
    that level or above, those that could serve it."""
    runs, n_months, k = demand.shape
    carried = np.zeros_like(demand) if carried is None else carried
    names = sorted({d for d, _ in cells})
    per_d = len(SUPPORT_LEVELS)
    by_level = (runs, n_months, len(names), per_d)
    d_all = demand.reshape(by_level).sum(axis=3)
    s_all = supply.reshape(by_level).sum(axis=3)
    u_all = unserved.reshape(by_level).sum(axis=3)
    c_all = carried.reshape(by_level).sum(axis=3)
    reachable = at_or_above(supply.reshape(by_level)).reshape(runs, n_months, k)
    frames = []
    for d, s, u, c, labels in (
        (demand, reachable, unserved, carried, cells),
        (d_all, s_all, u_all, c_all, [(n, "all") for n in names]),
    ):
        stats = _stats(d, s, u, c)
        frame = pd.DataFrame(
            {
                "month": np.repeat([str(m) for m in months], len(labels)),
                "district": [c[0] for c in labels] * n_months,
                "support_level": [c[1] for c in labels] * n_months,
            }
        )
        for col, values in stats.items():
            frame[col] = values.reshape(-1)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).sort_values(["month", "district", "support_level"])
    for col in (*FORECAST_COLUMNS[3:8], "carried_mean"):
        table[col] = table[col].round(2)
    table["p_shortfall"] = table["p_shortfall"].round(3)
    total_d = d_all.sum(axis=2, keepdims=True)
    total_s = s_all.sum(axis=2, keepdims=True)
    q_frames = []
    for d, s, ids in ((d_all, s_all, names), (total_d, total_s, ["all"])):
        q = np.quantile(d, QUANTILES, axis=0)  # (quantiles, months, districts)
        frame = pd.DataFrame(
            {
                "month": np.repeat([m.to_timestamp() for m in months], len(ids)),
                "district": ids * n_months,
            }
        )
        frame["mean"] = d.mean(axis=0).reshape(-1)
        for i, level in enumerate(QUANTILES):
            frame[f"q{level * 100:g}"] = q[i].reshape(-1)
        frame["supply_mean"] = s.mean(axis=0).reshape(-1)
        q_frames.append(frame)
    return table.reset_index(drop=True)[FORECAST_COLUMNS], pd.concat(q_frames, ignore_index=True)


def by_age(bands: np.ndarray, months: pd.PeriodIndex) -> pd.DataFrame:
    """County demand by age band: draws (runs, months, bands) to month, age_band, mean, 80%."""
    stats = interval(bands, "demand_")
    frame = pd.DataFrame(
        {
            "month": np.repeat([str(m) for m in months], len(AGE_BANDS)),
            "age_band": list(AGE_BANDS) * len(months),
        }
    )
    for col, values in stats.items():
        frame[col] = np.round(values.reshape(-1), 2)
    return frame


def district_lines(table: pd.DataFrame, months: int) -> list[str]:
    """Per district over the forecast: places needed (each young person once: those still waiting
    from the month before are not counted again), mean places free a month, and the months in which
    some support level is more likely short than not (what `planner forecast` prints)."""
    from planner.data.districts import district_name

    rows = table[table["support_level"] == "all"]
    pooled = rows.assign(demand_mean=rows["demand_mean"] - rows["carried_mean"]).groupby("district")
    by_level = table[table["support_level"] != "all"]
    short = by_level[by_level["p_shortfall"] > 0.5].groupby("district")["month"].nunique()
    lines = [f"By district over {months} months (places needed; mean places free a month; months in which "
             "some support level is more likely short than not):"]  # fmt: skip
    free_by = pooled["supply_mean"].mean()
    for code, demand in pooled["demand_mean"].sum().items():
        free = float(free_by.loc[str(code)])
        lines.append(f"  {district_name(str(code))} ({code}): {demand:,.0f} needed, {free:,.1f} free, "
                     f"{int(short.get(code, 0))} months short")  # fmt: skip
    return lines


def council_rows(table: pd.DataFrame, quantiles: pd.DataFrame, support_level: str = "all") -> pd.DataFrame:
    """The council as a whole, month by month: the districts' means added up (places needed, still
    waiting from today, places free, shortfall), the districts more likely short than not, and for
    all support levels the 80% interval of the council's places needed (from the draws, which a
    sum of the districts' intervals would overstate); other levels have none (NaN)."""
    rows = table[table["support_level"] == support_level]
    sums = rows.groupby("month")[["demand_mean", "carried_mean", "supply_mean", "shortfall_mean"]].sum()
    sums["districts_short"] = (rows["p_shortfall"] > 0.5).groupby(rows["month"]).sum()
    council = quantiles[quantiles["district"] == "all"].assign(
        month=lambda q: pd.PeriodIndex(q["month"], freq="M").astype(str)
    )
    bounds = council.set_index("month")[["q10", "q90"]].rename(
        columns={"q10": "demand_lo80", "q90": "demand_hi80"}
    )
    if support_level != "all":
        bounds = bounds.assign(demand_lo80=np.nan, demand_hi80=np.nan)
    out = sums.join(bounds).reset_index()
    out["demand_lo80"] = np.minimum(out["demand_lo80"], out["demand_mean"])
    out["demand_hi80"] = np.maximum(out["demand_hi80"], out["demand_mean"])
    return out[["month", "demand_mean", "demand_lo80", "demand_hi80", "carried_mean", "supply_mean",
                "shortfall_mean", "districts_short"]].round(2)  # fmt: skip
