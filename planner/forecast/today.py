"""Where the forecast starts: today's position (month 0), counted exactly as the map's today view,
and what it hands on to the months ahead.

Month 0 is the young people due within the horizon against today's suitable vacancies
(`shortfall.share_out`). The places they take are taken when the next month begins; those left
without one are still waiting, so they are carried into the next month's demand, and on, until
places coming free absorb them (`planner.forecast.demand`). People on the list due after the
horizon are not counted here: the flow of referrals stands for them, as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.data.contract import Dataset, due_within
from planner.forecast.shares import cell_of
from planner.forecast.shortfall import due_and_vacant, share_out
from planner.forecast.tables import AGE_BANDS, band_of, by_age, summarise


@dataclass(frozen=True, slots=True)
class Today:
    """Month 0 as rows of the forecast's table, quantiles and age bands, and what it hands on."""

    table: pd.DataFrame
    quantiles: pd.DataFrame
    by_age: pd.DataFrame
    taken: np.ndarray  # (cells,) places taken today by young people due, by district and level
    waiting: np.ndarray  # (cells,) young people due today left without a place, by district and need
    due: np.ndarray  # (people,) who is due within the horizon: month 0's demand


def today_position(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    today: pd.Timestamp,
    horizon_days: int,
    cells: list[tuple[str, str]],
) -> Today:
    """Today's position (one month, one run, no uncertainty): the same counts as the map's today
    view (`shortfall.shortfall_by_district`), by the forecast's cells."""
    names = list(dict.fromkeys(d for d, _ in cells))
    month = pd.PeriodIndex([today.to_period("M")])
    demand, supply = due_and_vacant(Dataset(people, schemes), pd.Index(names), on=today.date(),
                                    horizon_days=horizon_days)  # fmt: skip
    short, left = share_out(demand, supply)
    d, s, u = (a.reshape(1, 1, -1) for a in (demand, supply, short))  # one run, one month, cells
    table, quantiles = summarise(d, s, u, month, cells)
    due = due_within(people, on=today.date(), horizon_days=horizon_days)
    mine = people[due & people["home_district"].isin(names).to_numpy()]
    age = (today - mine["date_of_birth"]).dt.days.to_numpy() / 365.25
    bands = np.bincount(band_of(age), minlength=len(AGE_BANDS)).reshape(1, 1, -1)
    return Today(table, quantiles, by_age(bands, month), (supply - left).reshape(-1), short.reshape(-1), due)


def backlog(
    people: pd.DataFrame | None,
    referrals: pd.DataFrame,
    today: pd.Timestamp,
    sim: pd.PeriodIndex,
    index: dict[tuple[str, str], int],
    counted: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """People waiting whose place was needed before the first simulated month, as demand in that
    month (months, cells) and by age band (months, bands): the waiting list, or open referrals
    without one. `counted`: people month 0 counts already (due within the horizon), left out."""
    out = np.zeros((len(sim), len(index)), dtype=np.int64)
    bands = np.zeros((len(sim), len(AGE_BANDS)), dtype=np.int64)
    if people is not None:
        when = people["needed_from"]
    else:
        people = referrals[(referrals["outcome_accom"] == "") & (referrals["referral_date"] <= today)]
        when = people["referral_date"]
    cell = cell_of(people["home_district"], people["support_need"], index)
    due = (when.dt.to_period("M") < sim[0]).to_numpy() & (cell >= 0)
    if counted is not None:
        due &= ~counted
    np.add.at(out, (np.zeros(int(due.sum()), dtype=int), cell[due]), 1)
    age = (sim[0].to_timestamp() - people["date_of_birth"]).dt.days.to_numpy() / 365.25
    np.add.at(bands, (np.zeros(int(due.sum()), dtype=int), band_of(age[due])), 1)
    return out, bands
