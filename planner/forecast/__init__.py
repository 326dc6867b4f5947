"""Forecasting demand and capacity: the analysts' part.

`history` declares the referral history and looked-after cohort files (referrals.csv,
cohort.csv); `model` is the referral count model; `demand.forecast()` projects places needed
against supply by month, district and support level; `tables` summarises its draws; `backtest`
scores the model against baselines; `shortfall` counts today's shortfall of suitable places
by district (the numbers behind the commissioners' map).

May import: `planner.data`.
"""

from planner.forecast.backtest import Backtest, backtest
from planner.forecast.demand import FORECAST_COLUMNS, Forecast, ForecastInputs, forecast, load_inputs
from planner.forecast.history import COHORT, REFERRALS, History, load_cohort, load_referrals
from planner.forecast.shortfall import shortfall_by_district

__all__ = [
    "COHORT",
    "FORECAST_COLUMNS",
    "REFERRALS",
    "Backtest",
    "Forecast",
    "ForecastInputs",
    "History",
    "backtest",
    "forecast",
    "load_cohort",
    "load_inputs",
    "load_referrals",
    "shortfall_by_district",
]
