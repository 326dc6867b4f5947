"""How long young people stay in a place, from the referral history: `fit_stays()`.

A stay runs from `placed_date` to `left_date`; one still going at the end of the history is
right-censored there (it lasted at least that long). Each accommodation type's stays are fitted by
maximum likelihood, censoring included, to a Weibull and to a log-normal distribution
(`scipy.stats`, `CensoredData`), keeping the better fit; a type's stays are split by support need
when the split lowers the AIC (each need with at least `MIN_STAYS` ended stays gets its own fit).
A type with too few ended stays takes the fit of all stays in places together (every type but
family, staying put, custody, B&B, emergency accommodation, no fixed abode and "not known"). The
Kaplan-Meier
median (`scipy.stats.ecdf`) is reported beside each fit, where the history reaches it.

lifelines is the usual library for this, but its releases require pandas < 3; scipy, which the
planner already uses, fits the same censored models.

The forecast's monthly chance of moving on is one over the fitted mean stay (the rate at which
occupied places come free in a steady state); the simulation draws stays as quantiles (one
uniform number a young person keeps whatever place they get, so that every policy faces the same
people): `weeks()` turns a quantile into a stay in
a type of place, and `residual_weeks()` into what is left of the stay of someone already in a place
on the start date (the forward recurrence time of the fitted stay: the stays of today's residents
are length-biased and partly over). Staying put (Z) also ends at the 21st birthday; the
simulation applies that where it places.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd
from scipy import stats

from planner.data.vocab import NEVER_SUITABLE, SUPPORT_LEVELS, SUPPORT_RANK

log = logging.getLogger(__name__)

DAYS_PER_WEEK: Final = 7.0
MIN_STAYS: Final = 20  # ended stays a type (or a type and need) needs for a fit of its own
GRID: Final = 2000  # quantiles kept per fit: a draw is a table lookup
LONGEST_WEEKS: Final = 52 * 30  # no stay in a care leaver's place is longer (a cap on the tail)
ALL: Final = "*"  # the fit of all stays in places together
NOT_PLACES: Final = frozenset("BZXR") | NEVER_SUITABLE  # left out of ALL (as `history.NOT_PLACE_DEMAND`)
Family = Literal["weibull", "lognormal"]
FAMILIES: Final = {"weibull": stats.weibull_min, "lognormal": stats.lognorm}


@dataclass(frozen=True, slots=True)
class Fit:
    """One fitted stay distribution (weeks) and the stays it was fitted to."""

    accom_type: str
    need: int | None  # support rank, None for every need together
    family: Family
    shape: float
    scale: float
    stays: int
    ended: int
    log_likelihood: float
    km_median_weeks: float  # Kaplan-Meier median; NaN where fewer than half the stays ended

    def dist(self) -> stats.rv_continuous:
        return FAMILIES[self.family](self.shape, loc=0, scale=self.scale)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class StayModel:
    """Fitted stays by accommodation type (SSDA903 letter) and support need, as quantile tables."""

    types: tuple[str, ...]  # letters; the index of a type in the tables
    quantiles: np.ndarray  # (types, needs, GRID) stay in weeks at quantile (k + 0.5) / GRID
    residual: np.ndarray  # (types, needs, GRID) the same for what is left of a stay under way
    fits: tuple[Fit, ...]  # what was fitted (for reports); a need of None serves every need

    def index(self, letters: np.ndarray) -> np.ndarray:
        """Row in the tables of each accommodation type (types without a fit of their own take
        the fit of all suitable stays)."""
        where = {t: i for i, t in enumerate(self.types)}
        fallback = where[ALL]
        return np.array([where.get(str(x), fallback) for x in letters], dtype=np.int64)

    def weeks(self, type_index: np.ndarray, need: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Whole weeks of stay (at least 1) at quantile `q` in places of these types."""
        return _lookup(self.quantiles, type_index, need, q)

    def residual_weeks(self, type_index: np.ndarray, need: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Whole weeks left (at least 1) of a stay under way on the start date, at quantile `q`."""
        return _lookup(self.residual, type_index, need, q)

    def mean_weeks(self, type_index: int, need: int) -> float:
        return float(self.quantiles[type_index, need].mean())

    def table(self) -> pd.DataFrame:
        """The fits, one row each: accom_type, support_need ("all" for every need), family, stays,
        ended, median_weeks, mean_weeks, km_median_weeks."""
        rows = []
        for f in self.fits:
            d = f.dist()
            rows.append({
                "accom_type": "all places" if f.accom_type == ALL else f.accom_type,
                "support_need": "all" if f.need is None else SUPPORT_LEVELS[f.need],
                "family": f.family, "stays": f.stays, "ended": f.ended,
                "median_weeks": float(d.median()), "mean_weeks": float(min(d.mean(), LONGEST_WEEKS)),
                "km_median_weeks": f.km_median_weeks,
            })  # fmt: skip
        return pd.DataFrame(rows)


def _lookup(table: np.ndarray, type_index: np.ndarray, need: np.ndarray, q: np.ndarray) -> np.ndarray:
    k = np.minimum((np.asarray(q) * GRID).astype(np.int64), GRID - 1)
    weeks = table[np.asarray(type_index, dtype=np.int64), np.asarray(need, dtype=np.int64), k]
    return np.maximum(np.rint(weeks), 1).astype(np.int64)


def history_end(referrals: pd.DataFrame, on: date | pd.Timestamp) -> pd.Timestamp:
    """The last day a referral history knows about, at most `on`: stays still going then are
    censored there."""
    end = max(referrals["referral_date"].max(), referrals["left_date"].max(), referrals["placed_date"].max())
    return min(end, pd.Timestamp(on))


def observed_stays(referrals: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Stays in the history up to `end`: accom_type (the outcome's letter), need (support rank),
    weeks, ended (False: still going at `end`, censored)."""
    r = referrals[referrals["placed_date"].notna() & (referrals["placed_date"] < end)]
    left = r["left_date"].where(r["left_date"] <= end)
    days = (left.fillna(end) - r["placed_date"]).dt.days.to_numpy(dtype=float)
    return pd.DataFrame({
        "accom_type": r["outcome_accom"].str[:1].to_numpy(dtype=str),
        "need": r["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int64),
        "weeks": np.maximum(days, 1.0) / DAYS_PER_WEEK,
        "ended": left.notna().to_numpy(dtype=bool),
    })  # fmt: skip


def _censored(weeks: np.ndarray, ended: np.ndarray) -> stats.CensoredData:
    return stats.CensoredData(uncensored=weeks[ended], right=weeks[~ended])


def _fit(family: Family, weeks: np.ndarray, ended: np.ndarray) -> tuple[float, float, float]:
    """Shape, scale and log-likelihood of the censored maximum-likelihood fit."""
    dist = FAMILIES[family]
    guess = float(np.median(weeks[ended])) if ended.any() else float(np.median(weeks))
    shape, _, scale = dist.fit(_censored(weeks, ended), 1.0, floc=0, scale=guess)
    ll = dist.logpdf(weeks[ended], shape, 0, scale).sum() + dist.logsf(weeks[~ended], shape, 0, scale).sum()
    return float(shape), float(scale), float(ll)


def _km_median(weeks: np.ndarray, ended: np.ndarray) -> float:
    sf = stats.ecdf(_censored(weeks, ended)).sf
    below = np.flatnonzero(sf.probabilities <= 0.5)
    return float(sf.quantiles[below[0]]) if len(below) else float("nan")


def _one(letter: str, need: int | None, family: Family | None, s: pd.DataFrame) -> Fit:
    weeks, ended = s["weeks"].to_numpy(dtype=float), s["ended"].to_numpy(dtype=bool)
    tried = [family] if family else list(FAMILIES)
    best = max(((f, *_fit(f, weeks, ended)) for f in tried), key=lambda x: x[3])  # type: ignore[arg-type]
    return Fit(letter, need, best[0], best[1], best[2], len(s), int(ended.sum()), best[3],  # type: ignore[arg-type]
               _km_median(weeks, ended))  # fmt: skip


def _fits_of(letter: str, s: pd.DataFrame) -> list[Fit]:
    """The type's pooled fit, or fits by need (the rest pooled) when that lowers the AIC."""
    pooled = _one(letter, None, None, s)
    ended_by_need = s.groupby("need")["ended"].sum()
    own = [int(str(k)) for k, n in ended_by_need.items() if n >= MIN_STAYS]
    rest = s[~s["need"].isin(own)]
    # Split only into groups that can each be fitted: the needs with enough ended stays, and the
    # rest together (none left, or enough of them).
    if not own or (len(own) == 1 and rest.empty) or (len(rest) and rest["ended"].sum() < MIN_STAYS):
        return [pooled]
    parts = [_one(letter, k, pooled.family, s[s["need"] == k]) for k in own]
    if len(rest):
        parts.append(_one(letter, None, pooled.family, rest))
    aic_split = sum(4 - 2 * f.log_likelihood for f in parts)  # 2 parameters a fit
    if aic_split >= 4 - 2 * pooled.log_likelihood:
        return [pooled]
    return parts if len(rest) else [*parts, pooled]  # needs never seen take the type's fit


def _fit_all(stays: pd.DataFrame, letters: tuple[str, ...]) -> tuple[Fit, ...]:
    fits: list[Fit] = []
    if stays["ended"].sum() < 1:
        raise ValueError("the referral history has no ended stays to estimate lengths of stay from")
    places = stays[~stays["accom_type"].isin(list(NOT_PLACES))]
    fits.append(_one(ALL, None, None, places if places["ended"].any() else stays))
    for letter in letters:
        s = stays[stays["accom_type"] == letter]
        if s["ended"].sum() >= MIN_STAYS:
            fits += _fits_of(letter, s)
    return tuple(fits)


def _tables(fits: tuple[Fit, ...]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    types = tuple(dict.fromkeys(f.accom_type for f in fits))
    needs = len(SUPPORT_LEVELS)
    p = (np.arange(GRID) + 0.5) / GRID
    q = np.zeros((len(types), needs, GRID))
    res = np.zeros_like(q)
    weeks = np.arange(LONGEST_WEEKS + 1, dtype=float)
    for t, letter in enumerate(types):
        mine = [f for f in fits if f.accom_type == letter]
        for need in range(needs):
            fit = next((f for f in mine if f.need == need), next(f for f in mine if f.need is None))
            d = fit.dist()
            q[t, need] = np.minimum(d.ppf(p), LONGEST_WEEKS)
            # Forward recurrence time: P(left > r) = integral from r of the survival / mean.
            sf = d.sf(weeks)
            cum = np.concatenate([[0.0], np.cumsum((sf[:-1] + sf[1:]) / 2)])
            res[t, need] = np.interp(p * cum[-1], cum, weeks)
    return types, q, res


def known_stays(medians_weeks: dict[str, float], sigma: float) -> StayModel:
    """A stay model of given log-normal stays (median weeks by type, one spread): for a history too
    short to fit, where the stays are known otherwise (the demo's assumptions)."""
    common = float(np.median(list(medians_weeks.values())))
    fits = tuple(Fit(t, None, "lognormal", sigma, m, 0, 0, 0.0, float("nan"))
                 for t, m in {ALL: common, **medians_weeks}.items())  # fmt: skip
    return StayModel(*_tables(fits), fits=fits)


_CACHE: dict[str, StayModel] = {}


def fit_stays(referrals: pd.DataFrame, *, end: pd.Timestamp, types: tuple[str, ...]) -> StayModel:
    """The stay model of a referral history up to `end`, for the accommodation types `types`
    (the letters of the county's suitable schemes). Kept per history, as a scenario and its
    baseline, and commissioning's many worlds, fit the same one."""
    stays = observed_stays(referrals, end)
    letters = tuple(sorted(set(types)))
    digest = hashlib.sha1(pd.util.hash_pandas_object(stays, index=False).to_numpy().tobytes())
    digest.update(repr((letters, str(end))).encode())
    key = digest.hexdigest()
    if key not in _CACHE:
        fits = _fit_all(stays, letters)
        _CACHE[key] = StayModel(*_tables(fits), fits=fits)
        log.info("fitted stays of %d placements: %d fits", len(stays), len(fits))
    return _CACHE[key]


def leave_rates(referrals: pd.DataFrame, on: pd.Timestamp) -> dict[str, float]:
    """Monthly chance of moving on by ACCOM letter: one over the mean stay of the censored stay
    model (`planner.forecast.stays`), the rate occupied places come free at in a steady state."""
    placed = referrals[referrals["placed_date"].notna() & (referrals["placed_date"] < on)]
    letters = tuple(sorted(set(placed["outcome_accom"].str[:1])))
    if not letters or not placed["left_date"].notna().any():
        return {}
    model = fit_stays(referrals, end=on, types=letters)
    own = {f.accom_type for f in model.fits}
    weeks_per_month = 30.44 / 7
    out = {}
    need = placed["support_need"].map(SUPPORT_RANK)
    for letter in letters:
        if letter in own:
            i = int(model.index(np.array([letter]))[0])
            share = np.bincount(
                need[placed["outcome_accom"].str[:1] == letter], minlength=len(SUPPORT_LEVELS)
            )
            mean_weeks = float(
                model.quantiles[i].mean(axis=1) @ (share / share.sum())
            )  # as the history's needs
            out[letter] = float(1 - np.exp(-weeks_per_month / mean_weeks))
    return out
