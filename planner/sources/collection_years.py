"""SSDA903 collection years, and the dates in them, in one place.

A collection year runs from 1 April to 31 March and is named here by the year it starts in: 2024
is 2024-25 (1 April 2024 to 31 March 2025), the return councils send in the summer of 2025. Its
OC3 records are of care leavers whose birthday falls in it, so a birthday is dated in the year
too.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd


def year_label(year: int) -> str:
    """2024 -> '2024-25'."""
    return f"{year}-{(year + 1) % 100:02d}"


def years_label(first: int, last: int) -> str:
    return year_label(first) if first == last else f"{year_label(first)} to {year_label(last)}"


def year_start(year: int) -> pd.Timestamp:
    """The first day of a collection year: 1 April."""
    return pd.Timestamp(year, 4, 1)


def year_end(year: int) -> pd.Timestamp:
    """The last day of a collection year: 31 March of the year after it starts."""
    return pd.Timestamp(year + 1, 3, 31)


def year_ends(years: pd.Series) -> pd.Series:
    """`year_end` of each collection year in a column."""
    return pd.to_datetime((years + 1).astype(str) + "-03-31").astype("datetime64[ns]")


def year_of(dates: pd.Series) -> pd.Series:
    """The collection year each date falls in (January to March belong to the year before)."""
    return dates.dt.year - (dates.dt.month <= 3).astype(int)


def year_of_day(day: date) -> int:
    return day.year - (day.month <= 3)


def birthday_in(year: pd.Series, dob: pd.Series) -> pd.Series:
    """The birthday falling in each collection year (1 April to 31 March); 29 February is 28
    February in other years, as pandas' DateOffset has it."""
    month, day = dob.dt.month.to_numpy(dtype=int), dob.dt.day.to_numpy(dtype=int)
    calendar_year = year.to_numpy(dtype=int) + 1 - (month > 3)
    leap_year = (calendar_year % 4 == 0) & ((calendar_year % 100 != 0) | (calendar_year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap_year, 28, day)
    parts = pd.DataFrame({"year": calendar_year, "month": month, "day": day}, index=dob.index)
    return pd.to_datetime(parts).astype("datetime64[ns]")
