"""The stay model (planner.forecast.stays): censored stays fitted by a library, recovering known
distributions; split by support need only where the needs differ; what is left of a stay under way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.stays import fit_stays, known_stays, leave_rates

END = pd.Timestamp("2026-11-23")
HISTORY_DAYS = 3 * 365


def _history(
    weeks: np.ndarray, letter: str = "D", needs: np.ndarray | None = None, seed: int = 0
) -> pd.DataFrame:
    """Referrals placed uniformly over three years with the given stays (weeks), censored at END:
    stays still going then have no left_date, as referrals.csv has them."""
    rng = np.random.default_rng(seed)
    n = len(weeks)
    placed = END - pd.to_timedelta(rng.integers(1, HISTORY_DAYS, n), unit="D")
    left = placed + pd.to_timedelta(np.maximum(np.round(weeks * 7), 1), unit="D")
    return pd.DataFrame({
        "referral_date": placed - pd.Timedelta(days=14), "placed_date": placed,
        "left_date": left.where(left <= END), "outcome_accom": f"{letter}1",
        "support_need": np.asarray(SUPPORT_LEVELS, dtype=object)[np.full(n, 2) if needs is None else needs],
    })  # fmt: skip


def _quantiles(model, letter: str, need: int, qs: tuple[float, ...]) -> np.ndarray:  # type: ignore[no-untyped-def]
    row = model.index(np.array([letter]))
    return np.array([model.weeks(row, np.array([need]), np.array([q]))[0] for q in qs], dtype=float)


@pytest.mark.parametrize(
    ("dist", "family"),
    [(stats.weibull_min(1.4, scale=70), "weibull"), (stats.lognorm(0.8, scale=50), "lognormal")],
)
def test_a_known_distribution_is_recovered_from_censored_stays(dist, family):
    # Two thousand stays placed over three years, a third or more still going at the end: the fit
    # takes the censoring into account, where the mean of ended stays would be far too short.
    weeks = dist.rvs(2000, random_state=np.random.default_rng(1))
    history = _history(weeks)
    ended = history["left_date"].notna()
    assert 0.25 < 1 - ended.mean() < 0.7
    model = fit_stays(history, end=END, types=("D",))
    qs = (0.25, 0.5, 0.75, 0.9)
    got, truth = _quantiles(model, "D", 2, qs), dist.ppf(qs)
    np.testing.assert_allclose(got, truth, rtol=0.1)
    fit = next(f for f in model.fits if f.accom_type == "D")
    assert fit.family == family and fit.stays == 2000 and fit.ended == ended.sum()
    naive = (history["left_date"] - history["placed_date"]).dt.days[ended].median() / 7
    assert naive < 0.85 * dist.median()  # what ignoring the censoring would have said


def test_stays_split_by_support_need_only_when_the_needs_stay_differently():
    rng = np.random.default_rng(2)
    needs = rng.integers(1, 4, 1500)
    same = _history(stats.weibull_min(1.3, scale=60).rvs(1500, random_state=rng), needs=needs)
    assert {f.need for f in fit_stays(same, end=END, types=("D",)).fits if f.accom_type == "D"} == {None}
    scale = np.array([0, 30, 60, 120])[needs]  # low stay a month or so, high two years
    apart = _history(stats.weibull_min(1.3).rvs(1500, random_state=rng) * scale, needs=needs, seed=3)
    model = fit_stays(apart, end=END, types=("D",))
    assert {f.need for f in model.fits if f.accom_type == "D"} >= {1, 2, 3}
    medians = [_quantiles(model, "D", k, (0.5,))[0] for k in (1, 2, 3)]
    truth = stats.weibull_min(1.3).median() * np.array([30, 60, 120])
    np.testing.assert_allclose(medians, truth, rtol=0.15)


def test_a_type_with_too_few_stays_takes_the_fit_of_all_places_and_b_and_b_is_left_out_of_it():
    rng = np.random.default_rng(4)
    history = pd.concat([
        _history(stats.weibull_min(1.2, scale=60).rvs(400, random_state=rng), "D"),
        _history(np.full(300, 3.0), "W", seed=5),  # B&B for three weeks: no place
        _history(stats.weibull_min(1.2, scale=60).rvs(5, random_state=rng), "E", seed=6),
    ], ignore_index=True)  # fmt: skip
    model = fit_stays(history, end=END, types=("D", "E", "T"))
    assert {f.accom_type for f in model.fits} == {"*", "D"}
    e, t, d = (_quantiles(model, x, 2, (0.5,))[0] for x in ("E", "T", "D"))
    assert e == t == pytest.approx(d, rel=0.15)  # all places: the D stays, not B&B's three weeks


def test_what_is_left_of_a_stay_under_way_is_its_forward_recurrence_time():
    # Exponential stays are memoryless: a resident's remaining stay has the same mean as a stay.
    # Less variable stays (a Weibull of shape 3) leave residents less than a whole stay to go.
    model = known_stays({"D": 52.0}, 0.0001)
    row, need = model.index(np.array(["D"])), np.array([2])
    q = (np.arange(2000) + 0.5) / 2000
    left = model.residual_weeks(np.repeat(row, 2000), np.repeat(need, 2000), q)
    assert left.mean() == pytest.approx(26, rel=0.05)  # a fixed year: half of it left on average
    lognormal = known_stays({"D": 52.0}, 1.0)
    full = lognormal.weeks(np.repeat(row, 2000), np.repeat(need, 2000), q).mean()
    rest = lognormal.residual_weeks(np.repeat(row, 2000), np.repeat(need, 2000), q).mean()
    sigma2 = 1.0
    assert rest == pytest.approx(full * (1 + (np.exp(sigma2) - 1)) / 2, rel=0.1)  # E[S^2] / 2E[S]


def test_the_forecast_leaves_places_at_one_over_the_fitted_mean_stay():
    dist = stats.weibull_min(1.4, scale=70)
    history = _history(dist.rvs(2000, random_state=np.random.default_rng(7)))
    monthly = leave_rates(history, END)["D"]
    assert monthly == pytest.approx(1 - np.exp(-(30.44 / 7) / dist.mean()), rel=0.1)
