"""A forecast any council can run today: from DfE's published series alone (`dfe_series`), the next
three reporting years of children looked after, care leavers aged 17-18 and 19-21, and the places
those care leavers imply a year (`planner forecast --published`).

A cohort-flow model, fitted across all councils at once (each keeps its own level, as every
equation works on the council's own last figures):

- care leavers aged 19-21 in year t were 18 in t-1, t-2 or t-3, and the 17-18 group is mostly
  18-year-olds, so  B(t) = b1 B(t-1) + b2 A(t-1) + b3 A(t-2);
- care leavers aged 17-18 come out of the looked-after stock, at the council's own rate:
  A(t) = a r L(t-1), r the council's mean of A(s) / L(s-1) over its published years before t, a
  the pooled change in that rate (care leavers have grown faster than the looked-after stock);
- children looked after carry on from last year with part of last year's net flow:
  L(t) = L(t-1) + c (S(t-1) - C(t-1)), S starting and C ceasing to be looked after.

Each equation is a weighted least squares through the origin (weights 1 / last level: counts vary
about as Poisson counts do) on every council-year where DfE published all its figures. Where a
council lacks one (suppressed `c`, or `z` before it existed), it is forecast with the same
equation fitted without that term (`TERMS`, most complete first), and the notes say so; a measure
whose own last figure is not published is not forecast at all. Nothing is imputed.

Intervals: residuals of all councils (centred, scaled by the square root of the fitted value)
are drawn `runs` times for each council and equation; later years are simulated on the drawn
values, the council's rate of care leavers to children looked after updated with them.
`published_backtest` checks how often the 80% intervals held what DfE then published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from planner.forecast.dfe_series import LABELS, DfeSeries
from planner.forecast.published_places import add_places
from planner.forecast.tables import interval

log = logging.getLogger(__name__)

FORECAST_MEASURES: Final = ("looked_after", "care_leavers_17_18", "care_leavers_19_21")
PUBLISHED_COLUMNS: Final = ("la_code", "year", "measure", "mean", "lo80", "hi80")
_SHORT: Final = {"L": "looked_after", "S": "starting", "C": "ceasing", "A": "care_leavers_17_18",
                 "B": "care_leavers_19_21"}  # fmt: skip
# Terms of each equation, most complete first: "A2" is A two years before the forecast year,
# "R1" the council's own rate of care leavers to children looked after a year before, times L1,
# "NET1" last year's starting minus ceasing (looked_after is forecast as a change on L1).
TERMS: Final = {
    "B": (("B1", "A1", "A2"), ("B1", "A1"), ("B1",)),
    "A": (("R1",), ("A1",)),
    "L": (("NET1",), ()),
}
OWN: Final = {"B": "B1", "A": "A1", "L": "L1"}  # the council's own last level, which must be published
MIN_WEIGHT_LEVEL: Final = 5.0  # so that a council with 0 or 1 care leavers does not dominate the fit


@dataclass(frozen=True, slots=True)
class Equation:
    """One fitted equation: y = X @ coef (for looked_after: y - L1), with its scaled residuals."""

    target: str  # "A", "B" or "L"
    terms: tuple[str, ...]
    coef: np.ndarray
    residuals: pd.Series  # scaled residual by (la_code, year) of the fitting rows
    observations: int

    def describe(self) -> str:
        parts = [f"{c:.3f} {t}" for c, t in zip(self.coef, self.terms, strict=True)]
        lhs = f"{self.target}(t)" + (" - L(t-1)" if self.target == "L" else "")
        return f"{lhs} = {' + '.join(parts) or '0'}  ({self.observations} council-years)"


@dataclass(frozen=True, slots=True)
class PublishedForecast:
    """The forecast: `table` in the columns of PUBLISHED_COLUMNS, one row per council, year, measure."""

    table: pd.DataFrame
    data_until: int
    equations: tuple[Equation, ...]
    notes: tuple[str, ...]
    draws: dict[str, np.ndarray]  # measure -> runs x councils x years (for fan charts)
    councils: tuple[str, ...]

    def council(self, code: str) -> pd.DataFrame:
        """One council's rows, measures as rows and the forecast years in order."""
        return self.table[self.table["la_code"] == code].reset_index(drop=True)

    def fan(
        self, code: str, measure: str, quantiles: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)
    ) -> pd.DataFrame:
        """Quantiles of the draws by forecast year (columns q10, q25, ...), for fan charts."""
        d = self.draws[measure][:, self.councils.index(code), :]
        years = self.data_until + 1 + np.arange(d.shape[1])
        if np.isnan(d).all():
            return pd.DataFrame(index=pd.Index(years, name="year"))
        q = np.quantile(d, quantiles, axis=0)
        return pd.DataFrame(
            {f"q{round(100 * p)}": q[i] for i, p in enumerate(quantiles)}, index=pd.Index(years, name="year")
        )


def _lagged(series: DfeSeries) -> pd.DataFrame:
    """Every council-year with its own figures (A, B, L, S, C) and last years' (A1, A2, B1, L1, NET1, R1).

    `rate` is the council's mean of A(s) / L(s-1) over s up to and including the row's year, so the
    row before a forecast year gives R1 without looking at that year.
    """
    v = series.values.rename(columns={m: k for k, m in _SHORT.items()})
    g = v.groupby(level="la_code")
    out = v.copy()
    for k in ("A", "B", "L", "S", "C"):
        out[f"{k}1"] = g[k].shift(1)
    out["A2"] = g["A"].shift(2)
    out["NET1"] = out["S1"] - out["C1"]
    ratio = (out["A"] / out["L1"]).replace([np.inf, -np.inf], np.nan)
    out["rate"] = ratio.groupby(level="la_code").transform(lambda r: r.expanding().mean())
    out["rate_n"] = ratio.notna().groupby(level="la_code").cumsum()
    out["R1"] = out.groupby(level="la_code")["rate"].shift(1) * out["L1"]
    return out


def _fit(frame: pd.DataFrame, target: str, terms: tuple[str, ...]) -> Equation:
    own = OWN[target]
    rows = frame.dropna(subset=[target, own, *terms])
    y = rows[target].to_numpy(float) - (rows["L1"].to_numpy(float) if target == "L" else 0.0)
    x = rows[list(terms)].to_numpy(float)
    level = rows[own].to_numpy(float)
    sw = 1.0 / np.sqrt(np.maximum(level, MIN_WEIGHT_LEVEL))
    if terms:
        coef = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
    else:
        coef = np.zeros(0)
    fitted = x @ coef + (level if target == "L" else 0.0)
    resid = (rows[target].to_numpy(float) - fitted) / np.sqrt(np.maximum(fitted, 1.0))
    # In-sample residuals are a little smaller than errors on new years: widen by the usual factor.
    n = len(rows)
    resid = (resid - resid.mean()) * np.sqrt(n / max(n - len(terms), 1))
    return Equation(target, terms, coef, pd.Series(resid, index=rows.index), n)


def fit_equations(series: DfeSeries) -> dict[tuple[str, tuple[str, ...]], Equation]:
    """Every equation of TERMS fitted on every council-year of `series` with its figures published."""
    frame = _lagged(series)
    return {(t, terms): _fit(frame, t, terms) for t, options in TERMS.items() for terms in options}


def _choose(last: pd.DataFrame, target: str) -> pd.Series:
    """The most complete TERMS each council can use: all its inputs published (else None)."""
    published = last.notna()
    return pd.Series(
        [
            next(
                (
                    t
                    for t in TERMS[target]
                    if published.at[code, OWN[target]] and published.loc[code, list(t)].all()
                ),
                None,
            )
            for code in last.index
        ],
        index=last.index,
        dtype=object,
    )


def forecast_published(
    series: DfeSeries,
    *,
    councils: list[str] | None = None,
    data_until: int | None = None,
    years: int = 3,
    runs: int = 2000,
    seed: int = 0,
) -> PublishedForecast:
    """Forecast `years` reporting years after `data_until` (default: the last published year)."""
    until = series.last_year if data_until is None else data_until
    if until not in series.years:
        raise ValueError(
            f"there are no DfE figures for {until}; the series covers {series.years[0]}-{series.years[-1]}"
        )
    if until - series.years[0] < 2:
        raise ValueError(
            f"the model needs three years of figures up to {until}: give a year from {series.years[0] + 2}"
        )
    data = series.until(until)
    equations = fit_equations(data)
    codes = list(councils) if councils is not None else data.current_councils()
    frame = _lagged(data)
    # The inputs at the origin: this year's figures become next year's lags.
    now = frame.xs(until, level="year").reindex(codes)
    before = frame.xs(until - 1, level="year").reindex(codes)
    last = pd.DataFrame(
        {
            "A1": now["A"],
            "A2": before["A"],
            "B1": now["B"],
            "L1": now["L"],
            "NET1": now["S"] - now["C"],
            "R1": now["rate"] * now["L"],
        }
    )
    n = len(codes)
    # The council's rate, updated with each simulated year as if it had been published.
    rate = np.broadcast_to(now["rate"].to_numpy(float), (runs, n)).copy()
    rate_n = np.broadcast_to(now["rate_n"].to_numpy(float), (runs, n)).copy()
    rng = np.random.default_rng(seed)
    sims = {k: np.full((runs, n, years), np.nan) for k in ("A", "B", "L")}
    chosen = {t: _choose(last, t) for t in ("L", "A", "B")}
    state = {k: np.broadcast_to(last[k].to_numpy(float), (runs, n)).copy() for k in ("A1", "A2", "B1", "L1")}
    # Starts and ceases are not forecast: last year's net flow is held for the later years.
    net = np.broadcast_to(last["NET1"].to_numpy(float), (runs, n))
    groups = [
        (target, terms, np.flatnonzero([t == terms for t in chosen[target]]))
        for target in ("L", "A", "B")
        for terms in TERMS[target]
    ]
    for h in range(years):
        step = {**state, "NET1": net, "R1": rate * state["L1"]}
        for target, terms, cols in groups:
            if cols.size:
                eq = equations[(target, terms)]
                mean = step["L1"][:, cols].copy() if target == "L" else np.zeros((runs, cols.size))
                for c, t in zip(eq.coef, terms, strict=True):
                    mean += c * step[t][:, cols]
                mean = np.maximum(mean, 0.0)
                draws = rng.choice(eq.residuals.to_numpy(), size=(runs, cols.size))
                sims[target][:, cols, h] = np.maximum(mean + draws * np.sqrt(np.maximum(mean, 1.0)), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = sims["A"][:, :, h] / state["L1"]
        new = np.isfinite(ratio) & np.isfinite(rate)
        rate = np.where(new, (rate * rate_n + ratio) / (rate_n + 1), rate)
        rate_n = rate_n + new
        state = {
            "A2": state["A1"],
            "A1": sims["A"][:, :, h],
            "B1": sims["B"][:, :, h],
            "L1": sims["L"][:, :, h],
        }
    by_measure = {_SHORT[k]: v for k, v in sims.items()}
    by_measure.update(add_places(by_measure["care_leavers_17_18"], by_measure["care_leavers_19_21"]))
    table = _summarise(by_measure, codes, until)
    notes = _notes(data, chosen, last, until)
    log.info("published forecast: %d councils from %d, %d runs", n, until, runs)
    return PublishedForecast(table, until, tuple(equations.values()), tuple(notes), by_measure, tuple(codes))


def _summarise(draws: dict[str, np.ndarray], codes: list[str], until: int) -> pd.DataFrame:
    parts = []
    for measure, d in draws.items():
        ci, yi = np.nonzero(~np.isnan(d[0]))  # council, year: a forecast was made
        values = d[:, ci, yi]
        parts.append(
            pd.DataFrame(
                {
                    "la_code": np.asarray(codes, dtype=object)[ci],
                    "year": until + 1 + yi,
                    "measure": measure,
                    **interval(values),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table["order"] = table["measure"].map({m: i for i, m in enumerate(draws)})
    table = table.sort_values(["la_code", "order", "year"], ignore_index=True)
    return table[list(PUBLISHED_COLUMNS)]


# Where each input of an equation comes from: (measure, years before the origin).
_INPUTS: Final = {"A1": (("A", 0),), "A2": (("A", 1),), "B1": (("B", 0),), "L1": (("L", 0),),
                  "NET1": (("S", 0), ("C", 0))}  # fmt: skip


def _missing(data: DfeSeries, code: str, term: str, until: int) -> str:
    """Why an input is missing, in words: the figure and DfE's symbol."""
    if term == "R1":
        return (
            f"a year with both {LABELS['care_leavers_17_18']} and {LABELS['looked_after']} the year "
            "before (to give the council's own rate)"
        )
    return ", ".join(
        f"{LABELS[_SHORT[k]]} in {until - back} ({data.why_missing(code, until - back, _SHORT[k])})"
        for k, back in _INPUTS[term]
    )


def _notes(data: DfeSeries, chosen: dict[str, pd.Series], last: pd.DataFrame, until: int) -> list[str]:
    """Councils forecast with a reduced equation, or not at all, because DfE published no number."""
    notes = []
    for target, choice in chosen.items():
        measure = _SHORT[target]
        for code, terms in choice.items():
            name = f"{data.names.get(code, code)} ({code})"
            if terms is None:
                why = _missing(data, str(code), OWN[target], until)
                notes.append(f"{name}: no forecast of {LABELS[measure]}: {why}.")
            elif terms != TERMS[target][0]:
                gaps = [
                    t
                    for t in TERMS[target][0]
                    if not np.isfinite(last[t].to_numpy(float)[last.index == code]).all()
                ]
                notes.append(
                    f"{name}: {LABELS[measure]} forecast with a reduced equation, without "
                    f"{'; '.join(_missing(data, str(code), t, until) for t in gaps)}."
                )
    for code in last.index:
        if chosen["A"][code] is None or chosen["B"][code] is None:
            notes.append(
                f"{data.names.get(code, code)} ({code}): no forecast of places needed, which needs both "
                "age groups of care leavers."
            )
    if last.empty:
        notes.append("No council to forecast.")
    return notes
