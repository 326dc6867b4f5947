"""What a person reads about a published-data forecast: one council's figures beside its published
history, a summary for all councils, and the sense check beside a forecast from a council's own
history (what `planner forecast` prints; the notebook and the web map show the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from planner.data.vocab import SUPPORT_LEVELS
from planner.forecast.dfe_series import LABELS, DfeSeries
from planner.forecast.published import FORECAST_MEASURES, PublishedForecast
from planner.forecast.published_places import PLACE_MEASURES, PLACES_PER_CARE_LEAVER

if TYPE_CHECKING:
    from planner.forecast.demand import Forecast

SOURCE: Final = (
    "DfE, Children looked after in England including adoptions (years ending 31 March); "
    "Open Government Licence v3.0"
)
ROW_LABELS: Final = {
    **{m: LABELS[m][0].upper() + LABELS[m][1:] for m in FORECAST_MEASURES},
    "places_needed": "Places needed in the year, all support levels",
    **{f"places_needed_{level}": f"  {level} support" for level in SUPPORT_LEVELS},
}


def interval_text(mean: float, lo: float, hi: float) -> str:
    return f"{mean:,.0f} ({lo:,.0f} to {hi:,.0f})"


def council_frame(
    fc: PublishedForecast, series: DfeSeries, code: str, history_years: int = 2
) -> pd.DataFrame:
    """One row per measure: the last published years, then each forecast year as 'mean (lo80 to hi80)'."""
    own = fc.council(code)
    years = sorted(own["year"].unique())
    past = [y for y in series.years if y <= fc.data_until][-history_years:]
    published = series.council(code) if code in series.values.index.get_level_values("la_code") else None
    rows = []
    for measure in (*FORECAST_MEASURES, *PLACE_MEASURES):
        got = own[own["measure"] == measure].set_index("year")
        row: dict[str, str] = {"": ROW_LABELS[measure]}
        for y in past:
            value = (
                np.nan if published is None or measure not in published else published[measure].get(y, np.nan)
            )
            if measure.startswith("places"):
                row[f"{y} DfE"] = "-"
            else:
                row[f"{y} DfE"] = (
                    f"{value:,.0f}" if np.isfinite(value) else f"({series.flag(code, y, measure)})"
                )
        for y in years:
            row[f"{y} forecast"] = (
                interval_text(*got.loc[[y], ["mean", "lo80", "hi80"]].to_numpy(float)[0])
                if y in got.index
                else "none"
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("").rename_axis(None)


def council_lines(fc: PublishedForecast, series: DfeSeries, code: str) -> list[str]:
    """What `planner forecast --published --council NAME` prints for one council."""
    name = series.names.get(code, code)
    frame = council_frame(fc, series, code)
    rates = PLACES_PER_CARE_LEAVER
    lines = [
        f"{name} ({code}): forecast from DfE's published figures to {fc.data_until} "
        "(years end on 31 March; mean and 80% interval; DfE's symbols: c suppressed, z not applicable, x not "
        "available)",
        frame.to_string(),
        f"Places needed: {rates['care_leavers_17_18']:.2f} a year per care leaver aged 17-18 and "
        f"{rates['care_leavers_19_21']:.2f} per care leaver aged 19-21, by support level in documented "
        "shares (data/README.md); 22-25 year-olds are not in DfE's tables.",
    ]
    lines += [f"Note: {n}" for n in fc.notes if f"({code})" in n]
    return lines


def england_lines(fc: PublishedForecast, series: DfeSeries) -> list[str]:
    """Summary for `--council all`: the councils' means added up, beside England's published figure."""
    t = fc.table
    lines = [f"Forecast for {t['la_code'].nunique()} councils from DfE's published figures to "
             f"{fc.data_until} (the councils' means added up; England's last published figure):"]  # fmt: skip
    last = series.england.loc[fc.data_until] if fc.data_until in series.england.index else None
    for measure in (*FORECAST_MEASURES, "places_needed"):
        by_year = t[t["measure"] == measure].groupby("year")["mean"].sum()
        england = (
            ""
            if last is None or measure not in last
            else f"  (England {fc.data_until}: {last[measure]:,.0f})"
        )
        years = ", ".join(f"{y}: {v:,.0f}" for y, v in by_year.items())
        lines.append(f"  {ROW_LABELS[measure]}: {years}{england}")
    lines += [f"Note: {n}" for n in fc.notes]
    return lines


def _mean(pub: pd.DataFrame, measure: str) -> float:
    return float(pub.loc[[measure], "mean"].to_numpy(float)[0]) if measure in pub.index else float("nan")


def ratio_line(own_17_21: float, published_17_21: float) -> str:
    """This forecast's places for 17-21 year-olds as a multiple of the published-data forecast's,
    with how near that is."""
    if not (np.isfinite(published_17_21) and published_17_21 > 0 and np.isfinite(own_17_21)):
        return "No ratio to the published-data forecast: it has no places for 17-21 year-olds here."
    ratio = own_17_21 / published_17_21
    near = (
        "the same size (0.8 to 1.25 times)"
        if 0.8 <= ratio <= 1.25
        else "a gap within a half either way"
        if 2 / 3 <= ratio <= 3 / 2
        else "a large gap"
    )
    times = f"{ratio:.2f} times the published-data forecast's"
    return f"This forecast's places for 17-21 year-olds are {times}: {near}."


@dataclass(frozen=True)
class Comparison:
    """A council's own forecast over its first 12 months beside the published-data forecast of the
    DfE year (to 31 March) those months centre on (the nearest one it covers, `note` says)."""

    months: int
    first: pd.Period
    year: int
    note: str
    pub: pd.DataFrame  # the published-data forecast's measures of that year (index: measure)
    ages: pd.Series  # this forecast's places by age band over the months
    levels: pd.Series  # ... and by support level
    window: list[str] = field(default_factory=list)

    @property
    def scale(self) -> float:
        return self.months / 12

    def places_17_21(self) -> tuple[float, float]:
        """Places for 17-21 year-olds: this forecast's, the published-data forecast's (scaled)."""
        own = float(self.ages.get("17-18", 0.0) + self.ages.get("19-21", 0.0))
        return own, _mean(self.pub, "places_needed") * self.scale


def compare(own: Forecast, fc: PublishedForecast, code: str) -> Comparison | None:
    """The two forecasts side by side; None when there is no published-data forecast for the council."""
    months = min(12, own.months)
    first = own.start
    window = [str(first + i) for i in range(months)]
    middle = first + months // 2
    year = middle.year + (1 if middle.month > 3 else 0)  # the DfE year (to 31 March) the window centres on
    pub = fc.council(code)
    if pub.empty:
        return None
    note = ""
    if year not in set(pub["year"]):
        year = int(min(pub["year"].max(), max(pub["year"].min(), year)))
        note = " (the nearest year the published-data forecast covers)"
    ages = own.by_age[own.by_age["month"].isin(window)].groupby("age_band")["demand_mean"].sum()
    by_level = own.table[(own.table["support_level"] != "all") & own.table["month"].isin(window)]
    new = by_level["demand_mean"] - by_level["carried_mean"]  # each young person once, not each month waited
    levels = new.groupby(by_level["support_level"]).sum()
    pub = pub[pub["year"] == year].set_index("measure")
    return Comparison(months, first, year, note, pub, ages, levels, window)


def sense_check_lines(own: Forecast, fc: PublishedForecast, series: DfeSeries, code: str) -> list[str]:
    """The forecast from the council's own history beside the published-data forecast for the same
    council: places needed in 12 months, by age band and by support level."""
    name = series.names.get(code, code)
    c = compare(own, fc, code)
    if c is None:
        return [f"Sense check: no published-data forecast for {name} ({code}); see the notes of --published."]
    pub, ages, levels, scale = c.pub, c.ages, c.levels, c.scale

    def published(measure: str, rate: float = 1.0) -> str:
        if measure not in pub.index:
            return "no forecast"
        mean, lo, hi = rate * scale * pub.loc[[measure], ["mean", "lo80", "hi80"]].to_numpy(float)[0]
        return interval_text(mean, lo, hi)

    rows: list[tuple[str, float, str]] = [
        ("care leavers aged 17-18", ages.get("17-18", np.nan),
         published("care_leavers_17_18", PLACES_PER_CARE_LEAVER["care_leavers_17_18"])),
        ("care leavers aged 19-21", ages.get("19-21", np.nan),
         published("care_leavers_19_21", PLACES_PER_CARE_LEAVER["care_leavers_19_21"])),
        ("all aged 17-21", ages.get("17-18", 0.0) + ages.get("19-21", 0.0), published("places_needed")),
        ("aged 22-25", ages.get("22-25", np.nan), "not in DfE's tables"),
        *((f"{level} support (DfE: 17-21)", levels.get(level, np.nan), published(f"places_needed_{level}"))
          for level in SUPPORT_LEVELS),
    ]  # fmt: skip
    part = f" x {scale:.2f}" if scale != 1 else ""
    span = f"{c.first:%b %Y} to {c.first + c.months - 1:%b %Y}"
    table = pd.DataFrame(
        [(f"{v:,.0f}" if np.isfinite(v) else "-", p) for _, v, p in rows],
        index=[label for label, _, _ in rows],
        columns=[f"this forecast, {span}", f"published-data forecast, year to 31 March {c.year}{part}"],
    )
    lines = [
        f"Sense check: places needed by care leavers, this forecast beside the one from DfE's published "
        f"figures for {name} ({code}) to {fc.data_until}{c.note}:",
        table.to_string(),
    ]
    lines.append(ratio_line(*c.places_17_21()))
    return lines + [
        "The two should be of the same size: a large gap means the referral history, or the documented "
        "shares of the published-data forecast (data/README.md), do not describe this council.",
    ]
