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
(c) the backlog: people on today's waiting list (young_people.csv, or open referrals without it)
    needed before the first forecast month (those needed later are part of the flow (b)).
Supply is the places free each month in schemes of commissioned supported types: today's vacancies,
then places freed as residents leave (a monthly rate per SSDA903 accommodation type: one over the
mean stay of the history's censored stay model, `planner.forecast.stays`). Demand not met in its
month is not carried over: it is the shortfall, counted as everywhere in the planner
(`planner.forecast.shortfall`: a place meets a need at its own support level or below, shared out
within a district, nothing netted); a level's row gives the places free at that level or above and
the young people needing that level left without one, the `all` rows add the levels up. The first
month, when the forecast starts right after the history, is today's position. Demand is also split
by age band (17-18, 19-21, 22-25) for the council as a whole.
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

from planner.data.contract import HORIZON_DAYS, PEOPLE, SCHEMES, Dataset, due_within
from planner.data.districts import districts, main_council
from planner.data.formats import uk_date
from planner.data.problems import InvalidInput, Problem
from planner.data.table import read_file
from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.history import COHORT, FOSTER_PLACES, NOT_PLACE_DEMAND, REFERRALS, UNKNOWN_DISTRICT
from planner.forecast.model import CountModel, fit_counts, monthly_counts
from planner.forecast.shares import share_unknown
from planner.forecast.shortfall import due_and_vacant, share_out
from planner.forecast.stays import leave_rates
from planner.forecast.tables import AGE_BANDS, by_age, summarise
from planner.forecast.tables import FORECAST_COLUMNS as FORECAST_COLUMNS  # re-exported for callers

log = logging.getLogger(__name__)

# Places another young person could take: not B&B or emergency (W, V), family (B), staying put
# with one's own former foster carers (Z) or custody (X).
SUPPLY_TYPES: Final = frozenset("CDEKTUY")
AT_18_BEFORE_AGE: Final = 18.25  # a referral before this age is the move from care at 18
DEFAULT_LEAVE_RATE: Final = 1 / 12  # a month's chance of moving on when the history has no stays


@dataclass(frozen=True, slots=True)
class ForecastInputs:
    """What the forecast reads: referrals.csv, and when present cohort, schemes and young people."""

    referrals: pd.DataFrame
    cohort: pd.DataFrame | None = None
    schemes: pd.DataFrame | None = None
    people: pd.DataFrame | None = None


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


def load_inputs(folder: str | Path) -> ForecastInputs:
    """Read referrals.csv (required) and cohort.csv, schemes.csv, young_people.csv when present."""
    folder = Path(folder)
    found: list[Problem] = []
    frames: dict[str, pd.DataFrame | None] = {}
    for spec, required in ((REFERRALS, True), (COHORT, False), (SCHEMES, False), (PEOPLE, False)):
        if not required and not (folder / spec.file).is_file():
            frames[spec.file] = None
            continue
        try:
            frames[spec.file] = read_file(folder, spec)
        except InvalidInput as e:
            found += e.problems
    if found:
        raise InvalidInput(found[:20], len(found) > 20)
    referrals = frames[REFERRALS.file]
    assert referrals is not None
    return ForecastInputs(referrals, frames[COHORT.file], frames[SCHEMES.file], frames[PEOPLE.file])


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


def _council_districts(inputs: ForecastInputs) -> list[str]:
    seen: list[str] = list(inputs.referrals["home_district"])
    if inputs.cohort is not None:
        seen += [d for d in inputs.cohort["district"] if d != UNKNOWN_DISTRICT]
    if inputs.schemes is not None:
        seen += list(inputs.schemes["district"])
    if inputs.people is not None:
        seen += list(inputs.people["home_district"])
    utla = main_council(seen)
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
) -> Forecast:
    """Forecast demand, supply and shortfall by month, district and support level.

    `on` is the date the history runs to (default: the last referral date); the forecast starts
    the month after it unless `start` (YYYY-MM) says later. Deterministic for a seed. When the
    forecast starts the month after `on` and the waiting list and schemes are given, the table
    begins with `on`'s own month as today's position, exactly as the map's today view counts it
    (`shortfall.share_out` on the people due within `horizon_days` and today's vacancies).
    `progress(done, total)` is told of each step done (the count model, the draws of demand, then
    each month of supply), for a page that shows how far it has got.
    """
    inputs = source if isinstance(source, ForecastInputs) else load_inputs(source)
    if not 1 <= months <= 36:
        raise ValueError(f"months must be 1 to 36, not {months}")
    ref = classify(inputs.referrals)
    if ref.empty:
        raise InvalidInput([Problem(REFERRALS.file, None, None, "has no referrals to forecast from")])
    today = pd.Timestamp(on) if on is not None else ref["referral_date"].max()
    last_full = today.to_period("M") - (0 if today.is_month_end else 1)
    first_sim = last_full + 1
    begin = pd.Period(start, "M") if start is not None else today.to_period("M") + 1
    if begin < first_sim:
        raise ValueError(f"start {begin} is inside the referral history, which runs to {uk_date(today)}")
    sim = pd.period_range(first_sim, begin + months - 1, freq="M")
    steps = 3 + len(sim)  # the count model, the draws of demand, the backlog, then a step a month
    step: Callable[[int], None] = (lambda k: progress(k, steps)) if progress is not None else (lambda k: None)
    rng = np.random.default_rng([seed, 903])
    cells = [(d, s) for d in _council_districts(inputs) for s in SUPPORT_LEVELS]
    index = {c: i for i, c in enumerate(cells)}
    notes: list[str] = []
    later = ref[ref["needs_place"] & ~ref["at_18"]]
    counts = monthly_counts(later["referral_date"], ref["referral_date"].min().to_period("M"), last_full)
    model = fit_counts(counts)
    step(1)
    totals = model.simulate(sim, runs, rng)
    demand = _allocate(totals, later, index, rng)
    age = (later["referral_date"] - later["date_of_birth"]).dt.days.to_numpy() / 365.25
    bands = _allocate(totals, later, {b: i for i, b in enumerate(AGE_BANDS)}, rng, keys=_band(age))
    step(2)
    cohort_part, p = _cohort_demand(inputs, ref, today, sim, index, runs, rng, notes)
    demand += cohort_part
    bands[:, :, 0] += cohort_part.sum(axis=2)  # the move from care at 18
    backlog, backlog_bands = _waiting(inputs, ref, today, sim, index)
    demand += backlog
    bands += backlog_bands

    rates = leave_rates(inputs.referrals, today)
    step(3)
    supply, unserved = _supply(inputs, demand, rates, index, rng, notes, lambda m: step(4 + m))
    keep = slice(len(sim) - months, len(sim))
    table, quantiles = summarise(demand[:, keep], supply[:, keep], unserved[:, keep], sim[keep], cells)
    ages = by_age(bands[:, keep], sim[keep])
    if inputs.people is not None and inputs.schemes is not None and today.to_period("M") < sim[keep][0]:
        now = _now(inputs, today, horizon_days, cells)
        table, quantiles, ages = (
            pd.concat(pair, ignore_index=True) for pair in zip(now, (table, quantiles, ages), strict=True)
        )
    params = ForecastParameters(p[0], p[1], p[2], int(p[3]), model, rates)
    log.info("forecast: %d months from %s, %d runs, %d cells", months, begin, runs, len(cells))
    return Forecast(table, quantiles, ages, params, begin, months, runs, notes)


def _now(
    inputs: ForecastInputs, today: pd.Timestamp, horizon_days: int, cells: list[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Today's position as rows of the table, quantiles and age bands (month 0, no uncertainty):
    the same counts as the map's today view."""
    assert inputs.people is not None and inputs.schemes is not None
    names = list(dict.fromkeys(d for d, _ in cells))
    data = Dataset(inputs.people, inputs.schemes)
    month = pd.PeriodIndex([today.to_period("M")])
    demand, supply = due_and_vacant(data, pd.Index(names), on=today.date(), horizon_days=horizon_days)
    short, _ = share_out(demand, supply)
    d, s, u = (a.reshape(1, 1, -1) for a in (demand, supply, short))  # one run, one month, cells
    table, quantiles = summarise(d, s, u, month, cells)
    people = inputs.people[due_within(inputs.people, on=today.date(), horizon_days=horizon_days)]
    people = people[people["home_district"].isin(names)]
    age = (today - people["date_of_birth"]).dt.days.to_numpy() / 365.25
    bands = np.bincount(_band(age), minlength=len(AGE_BANDS)).reshape(1, 1, -1)
    return table, quantiles, by_age(bands, month)


def _band(age_years: np.ndarray) -> np.ndarray:
    """Age band index (AGE_BANDS) of ages in years."""
    return np.where(age_years < 19, 0, np.where(age_years < 22, 1, 2)).astype(int)


def _cell_of(district: pd.Series, support: pd.Series, index: object) -> np.ndarray:
    lookup: dict[tuple[str, str], int] = index  # type: ignore[assignment]
    keys = zip(district.astype(str), support.astype(str), strict=True)
    return np.array([lookup.get(k, -1) for k in keys], dtype=int)


def _allocate(
    totals: np.ndarray,
    later: pd.DataFrame,
    index: dict[tuple[str, str], int] | dict[str, int],
    rng: np.random.Generator,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """Share simulated county totals (runs, months) out to cells (or `keys`), with uncertain shares."""
    k = len(index)
    cell = keys if keys is not None else _cell_of(later["home_district"], later["support_need"], index)
    seen = np.bincount(cell[cell >= 0], minlength=k).astype(float)
    shares = rng.dirichlet(seen + 0.1, size=totals.shape[0])  # a small prior: unseen cells stay rare
    return np.asarray(rng.multinomial(totals, shares[:, None, :]), dtype=np.int64)


def _cohort_demand(
    inputs: ForecastInputs,
    ref: pd.DataFrame,
    today: pd.Timestamp,
    sim: pd.PeriodIndex,
    index: dict[tuple[str, str], int],
    runs: int,
    rng: np.random.Generator,
    notes: list[str],
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    out = np.zeros((runs, len(sim), len(index)), dtype=np.int64)
    at18 = ref[ref["at_18"]]
    outcomes = at18[at18["outcome_accom"] != ""]["letter"]
    n_stay, n_other = int((outcomes == "Z").sum()), int(outcomes.isin(["B", "U", "X"]).sum())
    n_place = len(outcomes) - n_stay - n_other
    cohort = inputs.cohort
    if cohort is None or cohort.empty:
        notes.append(
            "no cohort.csv: demand from children in care turning 18 comes only from the referral model"
        )
        return out, (float("nan"), float("nan"), n_other / max(len(outcomes), 1), 0)
    eighteen = cohort["date_of_birth"] + pd.DateOffset(years=18)
    next_year = int(((eighteen > today) & (eighteen <= today + pd.DateOffset(years=1))).sum())
    recent = int((at18["referral_date"] > today - pd.DateOffset(years=1)).sum())
    month = np.array([(p - sim[0]).n for p in eighteen.dt.to_period("M")])
    inside = (month >= 0) & (month < len(sim))
    fostered = cohort["placement_type"].isin(list(FOSTER_PLACES)).to_numpy()
    f = float(fostered[inside].mean()) if inside.any() else float(fostered.mean() if len(fostered) else 0)
    # Uncertainty in each probability: Beta and Dirichlet posteriors with flat priors.
    p_ref = rng.beta(min(recent, next_year) + 1, max(next_year - recent, 0) + 1, size=runs)
    shares = rng.dirichlet([n_place + 1, n_stay + 1, n_other + 1], size=runs)
    p_stay_f = np.clip(shares[:, 1] / max(f, 1e-9), 0, 0.95)
    p_f = p_ref * np.clip(1 - shares[:, 2] - p_stay_f, 0, 1)
    p_nf = p_ref * (1 - shares[:, 2])
    cell = _cell_of(cohort["district"], cohort["support_need"], index)
    unknown = (cohort["district"] == UNKNOWN_DISTRICT).to_numpy()
    use = np.flatnonzero(inside & ((cell >= 0) | unknown))
    if use.size:
        prob = np.where(fostered[use][None, :], p_f[:, None], p_nf[:, None])  # (runs, children)
        hits = (rng.random(prob.shape) < prob).astype(float)
        known = cell[use] >= 0
        flat = month[use][known] * len(index) + cell[use][known]
        onehot = np.zeros((int(known.sum()), len(sim) * len(index)))
        onehot[np.arange(flat.size), flat] = 1.0
        out += np.rint(hits[:, known] @ onehot).astype(np.int64).reshape(runs, len(sim), len(index))
        if (~known).any():  # in proportion to the cohort's known districts, else the referrals'
            where = cohort["district"][cell >= 0] if (cell >= 0).any() else ref["home_district"]
            need = cohort["support_need"].to_numpy(dtype=object)[use[~known]]
            out += share_unknown(need, hits[:, ~known], month[use][~known], where, index, len(sim), rng)
            notes.append(
                f"{int((~known).sum())} children in cohort.csv turning 18 in the horizon have no known "
                "district: shared out over the districts in proportion to those whose is known"
            )
    mean_stay = float(np.mean(p_stay_f)) if f > 0 else 0.0
    return out, (float(p_ref.mean()), mean_stay, float(shares[:, 2].mean()), int(use.size))


def _waiting(
    inputs: ForecastInputs,
    ref: pd.DataFrame,
    today: pd.Timestamp,
    sim: pd.PeriodIndex,
    index: dict[tuple[str, str], int],
) -> tuple[np.ndarray, np.ndarray]:
    """The backlog: people waiting whose place was needed before the first simulated month, by cell
    and by age band."""
    out = np.zeros((len(sim), len(index)), dtype=np.int64)
    bands = np.zeros((len(sim), len(AGE_BANDS)), dtype=np.int64)
    if inputs.people is not None:
        people, when = inputs.people, inputs.people["needed_from"]
    else:
        people = ref[(ref["outcome_accom"] == "") & (ref["referral_date"] <= today)]
        when = people["referral_date"]
    cell = _cell_of(people["home_district"], people["support_need"], index)
    due = (when.dt.to_period("M") < sim[0]).to_numpy() & (cell >= 0)
    np.add.at(out, (np.zeros(int(due.sum()), dtype=int), cell[due]), 1)
    age = (sim[0].to_timestamp() - people["date_of_birth"]).dt.days.to_numpy() / 365.25
    np.add.at(bands, (np.zeros(int(due.sum()), dtype=int), _band(age[due])), 1)
    return out, bands


def _supply(
    inputs: ForecastInputs,
    demand: np.ndarray,
    rates: dict[str, float],
    index: dict[tuple[str, str], int],
    rng: np.random.Generator,
    notes: list[str],
    month_done: Callable[[int], None] = lambda m: None,
) -> tuple[np.ndarray, np.ndarray]:
    """Places free in each cell and month before that month's demand, and the demand left
    unserved by cell: places are shared out among support levels within each district as
    `shortfall.share_out` does (a place meets a need at its level or below)."""
    runs, n_months, k = demand.shape
    levels = len(SUPPORT_LEVELS)
    supply = np.zeros_like(demand)
    unserved = demand.copy()
    schemes = inputs.schemes
    if schemes is None:
        notes.append("no schemes.csv: supply is 0, so the shortfall equals demand")
        return supply, unserved
    s = schemes[schemes["accom_type"].isin(list(SUPPLY_TYPES))]
    cell = _cell_of(s["district"], s["support_level"], index)
    ok = cell >= 0
    capacity = np.bincount(cell[ok], weights=s["capacity"].to_numpy()[ok], minlength=k)
    vacant = np.bincount(cell[ok], weights=s["vacancies"].to_numpy()[ok], minlength=k)
    rate = s["accom_type"].map(lambda t: rates.get(t, DEFAULT_LEAVE_RATE)).to_numpy(dtype=float)
    weighted = np.bincount(cell[ok], weights=(rate * s["capacity"].to_numpy())[ok], minlength=k)
    hazard = np.divide(weighted, capacity, out=np.full(k, DEFAULT_LEAVE_RATE), where=capacity > 0)
    free = np.tile(vacant.astype(np.int64), (runs, 1))
    occupied = np.tile((capacity - vacant).astype(np.int64), (runs, 1))
    for m in range(n_months):
        moved_on = rng.binomial(occupied, hazard)
        occupied -= moved_on
        free += moved_on
        supply[:, m] = free
        short, left = share_out(demand[:, m].reshape(runs, -1, levels), free.reshape(runs, -1, levels))
        unserved[:, m] = short.reshape(runs, k)
        left = left.reshape(runs, k)
        occupied += free - left
        free = left
        month_done(m)
    return supply, unserved
