"""Forecasting demand and capacity: the analysts' part.

`history` loads the referral history and looked-after cohort files (referrals.csv,
cohort.csv, declared in `planner.data.history_formats`); `model` is the referral count model;
`demand.forecast()` projects places needed against supply by month, district and support level
(`shares` spreads the cohort's children of unknown district over the known districts); `tables`
summarises its draws; `backtest` scores the model against baselines; `shortfall` counts today's
shortfall of suitable places by district (the numbers behind the commissioners' map).

The published-data forecast needs no history of the council's own: `dfe_series` reads DfE's
published series (data/reference), `published` is the cohort-flow model pooled across councils,
`published_places` the places a year it implies by support level, `published_backtest` scores it
on what DfE then published and `published_report` words it for the CLI.
The names below are imported on first use (`planner.data.lazy`), so that importing one module
does not load every library its siblings use.

May import: `planner.data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.data.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.forecast.backtest import Backtest, backtest
    from planner.forecast.demand import FORECAST_COLUMNS, Forecast, forecast
    from planner.forecast.dfe_series import DfeSeries, geographic_neighbours, load_dfe_series
    from planner.forecast.history import COHORT, REFERRALS, History, load_cohort, load_referrals
    from planner.forecast.inputs import ForecastInputs, load_inputs
    from planner.forecast.published import PUBLISHED_COLUMNS, PublishedForecast, forecast_published
    from planner.forecast.published_backtest import PublishedBacktest, backtest_published
    from planner.forecast.shortfall import shortfall_by_district

__all__ = [
    "Backtest",
    "COHORT",
    "DfeSeries",
    "FORECAST_COLUMNS",
    "Forecast",
    "ForecastInputs",
    "History",
    "PUBLISHED_COLUMNS",
    "PublishedBacktest",
    "PublishedForecast",
    "REFERRALS",
    "backtest",
    "backtest_published",
    "forecast",
    "forecast_published",
    "geographic_neighbours",
    "load_cohort",
    "load_dfe_series",
    "load_inputs",
    "load_referrals",
    "shortfall_by_district",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "backtest": ("Backtest", "backtest"),
        "demand": ("FORECAST_COLUMNS", "Forecast", "forecast"),
        "inputs": ("ForecastInputs", "load_inputs"),
        "dfe_series": ("DfeSeries", "geographic_neighbours", "load_dfe_series"),
        "history": ("COHORT", "REFERRALS", "History", "load_cohort", "load_referrals"),
        "published": ("PUBLISHED_COLUMNS", "PublishedForecast", "forecast_published"),
        "published_backtest": ("PublishedBacktest", "backtest_published"),
        "shortfall": ("shortfall_by_district",),
    },
)
