"""Capacity forecast: monthly demand for supported accommodation places by district and support
level, set against supply from current schemes, with predictive intervals by simulation.

Demand has three parts, simulated together `runs` times:
(a) the looked-after cohort ageing to 18 (cohort.csv): each child turning 18 needs a place with
    a probability from the referral history (referrals at 18 in the last 12 months over children
    turning 18 in the next 12, times the chance the referral ends in a place rather than staying
    put (foster care only), family or custody);
(b) referrals of care leavers after 18, a negative-binomial count model with trend and
    month-of-year seasonality (`planner.forecast.model`), shared out to districts and support
    levels in the proportions of the history;
(c) today's waiting list (young_people.csv): with the schemes, month 0 is today's position exactly
    as the map's today view counts it (`planner.forecast.today`: those due within the horizon
    against today's vacancies); without them, the people (or open referrals) needed before the
    first forecast month are that month's backlog. Those needed later are part of the flow (b).
Supply is the places free each month in schemes of commissioned supported types: today's
vacancies less those month 0 fills, then places freed as residents leave (a monthly rate per
SSDA903 accommodation type: one over the mean stay of the history's censored stay model,
`planner.forecast.stays`). The shortfall is counted as
everywhere in the planner (`planner.forecast.shortfall`: a place meets a need at its own support
level or below, shared out within a district, nothing netted); a level's row gives the places free
at that level or above and the young people needing that level left without one, the `all` rows
add the levels up. The young people today's position leaves without a place are still waiting:
they are carried into the next month's demand (`carried_mean`), served first as places come free
(they have waited longest), and on until the places coming free absorb them. A later month's own
shortfall is not carried on: it stands for the young people that month places out of area, in
emergency accommodation or B&B, as the referral history's flows already were; carrying it would
add up a county's every month of unmet need within districts, as if nobody were ever placed
outside their home district.
Demand is also split by age band (17-18, 19-21, 22-25) for the council as a whole (new demand
only: a young person carried over is counted in the month they first needed a place).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS
from planner.data.districts import districts, main_council
from planner.data.formats import uk_date
from planner.data.problems import InvalidInput, Problem
from planner.data.vocab import PROVIDED_TYPES, SUPPORT_LEVELS
from planner.forecast.cohort_part import cohort_demand
from planner.forecast.history import NOT_PLACE_DEMAND, REFERRALS, UNKNOWN_DISTRICT
from planner.forecast.inputs import ForecastInputs as ForecastInputs  # re-exported for callers
from planner.forecast.inputs import load_inputs as load_inputs
from planner.forecast.model import CountModel, fit_counts, monthly_counts
from planner.forecast.shares import allocate, cell_of
from planner.forecast.shortfall import share_out
from planner.forecast.stays import leave_rates
from planner.forecast.tables import AGE_BANDS, by_age, summarise
from planner.forecast.tables import FORECAST_COLUMNS as FORECAST_COLUMNS  # re-exported for callers
from planner.forecast.tables import band_of as _band
from planner.forecast.today import Today, backlog, today_position

log = logging.getLogger(__name__)

SUPPLY_TYPES: Final = PROVIDED_TYPES  # places another young person could take
AT_18_BEFORE_AGE: Final = 18.25  # a referral before this age is the move from care at 18
DEFAULT_LEAVE_RATE: Final = 1 / 12  # a month's chance of moving on when the history has no stays


@dataclass(frozen=True, slots=True)
class ForecastParameters:
    """What the forecast estimated from the history, for the reader to check."""

    p_referral_at_18: float
    p_staying_put_if_fostered: float
    p_no_place_needed: float  # family, own tenancy or custody after a referral
    turning_18: int  # children in the cohort turning 18 within the horizon
    later_model: CountModel
    leave_rate_by_type: dict[str, float]  # monthly chance a resident moves on, by ACCOM letter


@dataclass(frozen=True, slots=True)
class Forecast:
    table: pd.DataFrame  # FORECAST_COLUMNS, one row per month, district and support level (and "all")
    quantiles: pd.DataFrame  # month, district ("all" = council), demand quantiles and supply, for fan charts
    by_age: (
        pd.DataFrame
    )  # month, age_band (17-18, 19-21, 22-25), demand_mean, demand_lo80, demand_hi80 (council)
    parameters: ForecastParameters
    start: pd.Period
    months: int
    runs: int
    notes: list[str] = field(default_factory=list)


def classify(referrals: pd.DataFrame) -> pd.DataFrame:
    """Referrals with `at_18` (the move from care) and `needs_place` (not family, staying put,
    own tenancy or custody; open referrals count) flags and `letter` (ACCOM type)."""
    age = (referrals["referral_date"] - referrals["date_of_birth"]).dt.days / 365.25
    letter = referrals["outcome_accom"].astype(str).str[:1]
    return referrals.assign(
        letter=letter,
        at_18=(age < AT_18_BEFORE_AGE).to_numpy(),
        needs_place=~letter.isin(list(NOT_PLACE_DEMAND)),
    )


def council_districts(inputs: ForecastInputs, council: str | None = None) -> list[str]:
    """The districts forecast: the council's (given, else the one most districts seen belong to)
    and any other district seen."""
    seen: list[str] = [d for d in inputs.referrals["home_district"] if d != UNKNOWN_DISTRICT]
    if inputs.cohort is not None:
        seen += [d for d in inputs.cohort["district"] if d != UNKNOWN_DISTRICT]
    if inputs.schemes is not None:
        seen += list(inputs.schemes["district"])
    if inputs.people is not None:
        seen += list(inputs.people["home_district"])
    utla = council or main_council(seen)
    if utla is None and not seen:
        raise InvalidInput([Problem(REFERRALS.file, None, "home_district", (
            "every district is 'unknown' (the SSDA903 return's postcodes are missing or not in England): "
            "say whose history this is with --council NAME|CODE"))])  # fmt: skip
    if utla is None:
        return sorted(set(seen))
    d = districts()
    return sorted(set(seen) | set(d.index[d["utla_code"] == utla]))


def forecast(
    source: str | Path | ForecastInputs,
    *,
    months: int = 24,
    start: str | pd.Period | None = None,
    runs: int = 1000,
    seed: int = 0,
    on: date | None = None,
    horizon_days: int = HORIZON_DAYS,
    progress: Callable[[int, int], None] | None = None,
    council: str | None = None,
) -> Forecast:
    """Forecast demand, supply and shortfall by month, district and support level.

    `on` is the date the history runs to (default: the last referral date); the forecast starts
    the month after it unless `start` (YYYY-MM) says later. Deterministic for a seed. When the
    waiting list and schemes are given, the table begins with `on`'s own month as today's position,
    exactly as the map's today view counts it (`shortfall.share_out` on the people due within
    `horizon_days` and today's vacancies), and the months after start from it: the places taken
    today are taken, and the young people left without one are carried into the next month.
    `progress(done, total)` is told of each step done (the count model, the draws of demand, then
    each month of supply), for a page that shows how far it has got. `council` (an upper-tier
    code) says whose history it is when its districts do not (every one `unknown`).
    """
    inputs = source if isinstance(source, ForecastInputs) else load_inputs(source)
    if not 1 <= months <= 36:
        raise ValueError(f"months must be 1 to 36, not {months}")
    ref = classify(inputs.referrals)
    if ref.empty:
        raise InvalidInput([Problem(REFERRALS.file, None, None, "has no referrals to forecast from")])
    today = pd.Timestamp(on) if on is not None else ref["referral_date"].max()
    known_today = inputs.people is not None and inputs.schemes is not None
    last_full = today.to_period("M") - (0 if today.is_month_end else 1)
    # With the waiting list and the schemes, the rest of this month is today's position (month 0),
    # not a simulated month: the simulation starts with the next.
    first_sim = today.to_period("M") + 1 if known_today else last_full + 1
    begin = pd.Period(start, "M") if start is not None else today.to_period("M") + 1
    if known_today and begin == today.to_period("M"):
        begin += 1  # today's month is month 0, today's position
    if begin < first_sim:
        raise ValueError(f"start {begin} is inside the referral history, which runs to {uk_date(today)}")
    sim = pd.period_range(first_sim, begin + months - 1, freq="M")
    steps = 3 + len(sim)  # the count model, the draws of demand, the backlog, then a step a month
    step: Callable[[int], None] = (lambda k: progress(k, steps)) if progress is not None else (lambda k: None)
    rng = np.random.default_rng([seed, 903])
    cells = [(d, s) for d in council_districts(inputs, council) for s in SUPPORT_LEVELS]
    index = {c: i for i, c in enumerate(cells)}
    notes: list[str] = []
    later = ref[ref["needs_place"] & ~ref["at_18"]]
    counts = monthly_counts(later["referral_date"], ref["referral_date"].min().to_period("M"), last_full)
    model = fit_counts(counts)
    step(1)
    totals = model.simulate(sim, runs, rng)
    demand = allocate(totals, later, index, rng, notes)
    age = (later["referral_date"] - later["date_of_birth"]).dt.days.to_numpy() / 365.25
    bands = allocate(totals, later, {b: i for i, b in enumerate(AGE_BANDS)}, rng, keys=_band(age))
    step(2)
    cohort_part, p = cohort_demand(inputs.cohort, ref, today, sim, index, runs, rng, notes)
    demand += cohort_part
    bands[:, :, 0] += cohort_part.sum(axis=2)  # the move from care at 18
    now: Today | None = None
    if inputs.people is not None and inputs.schemes is not None:
        now = today_position(inputs.people, inputs.schemes, today, horizon_days, cells)
    waiting, waiting_bands = backlog(inputs.people, ref, today, sim, index, None if now is None else now.due)
    demand += waiting
    bands += waiting_bands

    rates = leave_rates(inputs.referrals, today)
    step(3)
    supply, unserved, carried = _supply(inputs, demand, rates, index, rng, notes, lambda m: step(4 + m), now)
    keep = slice(len(sim) - months, len(sim))
    table, quantiles = summarise(demand[:, keep] + carried[:, keep], supply[:, keep], unserved[:, keep],
                                 sim[keep], cells, carried[:, keep])  # fmt: skip
    ages = by_age(bands[:, keep], sim[keep])
    if now is not None:
        table, quantiles, ages = (
            pd.concat(pair, ignore_index=True)
            for pair in zip((now.table, now.quantiles, now.by_age), (table, quantiles, ages), strict=True)
        )
    params = ForecastParameters(p[0], p[1], p[2], int(p[3]), model, rates)
    log.info("forecast: %d months from %s, %d runs, %d cells", months, begin, runs, len(cells))
    return Forecast(table, quantiles, ages, params, begin, months, runs, notes)


def _supply(
    inputs: ForecastInputs,
    demand: np.ndarray,
    rates: dict[str, float],
    index: dict[tuple[str, str], int],
    rng: np.random.Generator,
    notes: list[str],
    month_done: Callable[[int], None] = lambda m: None,
    now: Today | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Places free in each cell and month before that month's demand, the demand left unserved
    by cell, and the young people carried into each month: today's left without a place (`now`),
    still waiting, served first, until places coming free absorb them. Places are shared out among
    support levels within each district as `shortfall.share_out` does (a place meets a need at its
    level or below)."""
    runs, n_months, k = demand.shape
    levels = len(SUPPORT_LEVELS)
    supply = np.zeros_like(demand)
    unserved = demand.copy()
    carried = np.zeros_like(demand)
    schemes = inputs.schemes
    if schemes is None:
        notes.append("no schemes.csv: supply is 0, so the shortfall equals demand")
        return supply, unserved, carried
    s = schemes[schemes["accom_type"].isin(list(SUPPLY_TYPES))]
    cell = cell_of(s["district"], s["support_level"], index)
    ok = cell >= 0
    capacity = np.bincount(cell[ok], weights=s["capacity"].to_numpy()[ok], minlength=k)
    vacant = np.bincount(cell[ok], weights=s["vacancies"].to_numpy()[ok], minlength=k)
    rate = s["accom_type"].map(lambda t: rates.get(t, DEFAULT_LEAVE_RATE)).to_numpy(dtype=float)
    weighted = np.bincount(cell[ok], weights=(rate * s["capacity"].to_numpy())[ok], minlength=k)
    hazard = np.divide(weighted, capacity, out=np.full(k, DEFAULT_LEAVE_RATE), where=capacity > 0)
    # Today's places taken by those due now (month 0) are taken from the start: B, X and Z places
    # the map counts but the simulation does not may have served some, hence the floor at 0.
    start = vacant - (now.taken if now is not None else 0)
    free = np.tile(np.maximum(start, 0).astype(np.int64), (runs, 1))
    occupied = np.tile(capacity.astype(np.int64), (runs, 1)) - free
    waiting = np.tile(now.waiting.astype(np.int64), (runs, 1)) if now is not None else np.zeros_like(free)
    for m in range(n_months):
        moved_on = rng.binomial(occupied, hazard)
        occupied -= moved_on
        free += moved_on
        supply[:, m], carried[:, m] = free, waiting
        need = demand[:, m] + waiting
        short, left = share_out(need.reshape(runs, -1, levels), free.reshape(runs, -1, levels))
        unserved[:, m] = short = short.reshape(runs, k)
        waiting = np.maximum(short - demand[:, m], 0)  # served first, having waited longest
        left = left.reshape(runs, k)
        occupied += free - left
        free = left
        month_done(m)
    return supply, unserved, carried
