"""Public figures the demo county is calibrated on, read at run time from `data/reference/`.

Every figure carries its source, so the CLI can print what it used. Where DfE suppressed a
council's figure (`c`, `z`), the England figure is used instead and the source says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from planner.data.districts import REFERENCE_DIR, Council, district_name
from planner.demo.flows import LABELS, Flows, council_flows
from planner.forecast.suitability import SOURCE as DFE_SUITABILITY
from planner.forecast.suitability import suitability

log = logging.getLogger(__name__)

DFE_ACTIVITY = "DfE Children looked after in England 2025, care leavers' activity"
ONS_MYE = "ONS mid-2022 population estimates, ages 16-25 by district"
BANDS = ("17 to 18 years", "19 to 21 years")

# Not in the DfE tables shipped here; named where used.
# Gender: DfE, Children looked after in England 2025, characteristics: 56% of looked-after
# children are boys, more among 16-17 year olds (most unaccompanied asylum-seeking children are
# boys); care leavers are about 55-60% male. X (another gender or not recorded) is a small share.
GENDER_MIX = {"M": 0.57, "F": 0.41, "X": 0.02}
GENDER_SOURCE = "DfE Children looked after in England 2025, characteristics (national: ~56% boys)"
# Weekly cost of supported accommodation: one council's 2023 freedom-of-information answer
# (PRODUCT.md s.2): from about £260 to over £6,700 a week, averaging about £620.
COST_MEAN_GBP = 620.0
COST_MIN_GBP = 260.0
COST_MAX_GBP = 6700.0
COST_SOURCE = "one council's 2023 FOI answer on supported accommodation costs (PRODUCT.md s.2)"
# 22-25 year olds are not in the DfE tables (DfE stopped publishing them after 21). Estimate:
# as many per year of age as the council's 19-21 band, of whom a third still ask the council
# for help with accommodation (assumption, not a published figure; support to 25 is on request
# under the Children and Social Work Act 2017).
TAKE_UP_22_25 = 1 / 3
WHEELCHAIR_SHARE = 0.025  # assumption: 2-3% of young people need step-free, accessible housing
MIN_PEOPLE = 10  # so that the smallest council (Isles of Scilly) still gives a usable demo


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Band:
    """One DfE age band as the demo uses it (22-25 is estimated from 19-21)."""

    name: str
    count: float
    suitable: float  # shares of the band, summing to 1 with unsuitable and unknown
    unsuitable: float
    unknown: float
    neet: float  # not in education, employment or training
    parenting: float  # NEET owing to pregnancy or parenting


@dataclass(frozen=True, slots=True)
class Calibration:
    council: Council
    bands: tuple[Band, Band, Band]  # 17-18, 19-21, 22-25
    flows: Flows  # referrals for a place a year (`planner.demo.flows`)
    district_share: dict[str, float]  # population aged 16-25, by district
    parent_share: float  # women aged 19+ needing a parent-and-child place
    figures: tuple[Figure, ...]


@cache
def _dfe(name: str) -> pd.DataFrame:
    df = pd.read_csv(REFERENCE_DIR / name, dtype={"la_code": str}, keep_default_na=False)
    df = df[df["time_period"] == 2025]
    for col in ("count", "percent"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def _figures(name: str, column: str, code: str, band: str) -> tuple[dict[str, float], bool]:
    """Counts by category for a council and band; falls back to England when suppressed."""
    df = _dfe(name)
    rows = df[(df["la_code"] == code) & (df["age_group"] == band)]
    counts = dict(zip(rows[column], rows["count"], strict=True))
    total = "Suitability total" if column == "accommodation_suitability" else "Total"
    if not (counts.get(total, 0) > 0):  # suppressed or not applicable: national figures
        rows = df[(df["geographic_level"] == "National") & (df["age_group"] == band)]
        return dict(zip(rows[column], rows["count"], strict=True)), True
    return counts, False


def _share(counts: dict[str, float], key: str, total: str, fallback: float) -> float:
    v, t = counts.get(key, np.nan), counts.get(total, np.nan)
    return float(v / t) if np.isfinite(v) and np.isfinite(t) and t > 0 else fallback


@cache
def population_16_25() -> pd.DataFrame:
    """ONS mid-2022 population aged 16 to 25, by district and single year of age."""
    return pd.read_csv(REFERENCE_DIR / "ons_mye2022_age16_25_by_lad.csv", dtype={"code": str})


def _band(council: Council, band: str, pop: pd.Series) -> tuple[Band, list[Figure]]:
    s = suitability(council.code, band)
    act, national_a = _figures("dfe_care_leavers_activity.csv", "activity", council.code, band)
    nat_act, _ = _figures("dfe_care_leavers_activity.csv", "activity", "", band)
    count, where = s.count, council.name
    if not np.isfinite(count):
        # Council figure suppressed: England's count scaled by the council's share of the
        # population of the band's ages (ONS mid-2022).
        ages = (17, 18) if band == BANDS[0] else (19, 20, 21)
        everyone = population_16_25()
        england = float(everyone[everyone["age"].isin(ages)]["persons"].sum())
        count = suitability("", band).count * float(pop[pop.index.isin(ages)].sum()) / england
        where = f"England scaled by {council.name}'s population ({ONS_MYE})"
    suitable, unsuitable = s.suitable, s.unsuitable
    neet_key = "Total not in education, employment or training"
    park_key = "Not in education, training or employment, owing to pregnancy or parenting"
    neet = _share(act, neet_key, "Total", _share(nat_act, neet_key, "Total", 0.3))
    parenting = _share(act, park_key, "Total", _share(nat_act, park_key, "Total", 0.03))
    b = Band(band[:8].replace(" to ", "-"), float(count), suitable, unsuitable, 1 - suitable - unsuitable,
             neet, parenting)  # fmt: skip
    src_s = DFE_SUITABILITY + (f" ({s.estimated})" if s.estimated else "")
    src_a = DFE_ACTIVITY + (" (England: council figure suppressed)" if national_a else "")
    figs = [
        Figure(f"Care leavers aged {b.name}, {where}", f"{count:,.0f}", src_s),
        Figure(f"  suitable / unsuitable now, {b.name}", f"{suitable:.0%} / {unsuitable:.0%}", src_s),
        Figure(f"  not in education, employment or training, {b.name}", f"{neet:.0%}", src_a),
        Figure(f"  NEET owing to pregnancy or parenting, {b.name}", f"{parenting:.0%}", src_a),
    ]  # fmt: skip
    return b, figs


def calibrate(council: Council) -> Calibration:
    """The figures the demo for `council` is calibrated on, with their sources."""
    popdf = population_16_25()
    popdf = popdf[popdf["code"].isin(council.district_codes)]
    pop = popdf.groupby("age")["persons"].sum()
    b1, f1 = _band(council, BANDS[0], pop)
    b2, f2 = _band(council, BANDS[1], pop)
    b3 = Band("22-25", b2.count / 3 * 4 * TAKE_UP_22_25, b2.suitable, b2.unsuitable, b2.unknown, b2.neet,
              b2.parenting)  # fmt: skip
    bands = (b1, b2, b3)
    by_district = popdf.groupby("code")["persons"].sum().reindex(list(council.district_codes), fill_value=0)
    share = {str(k): float(v) / max(float(by_district.sum()), 1.0) for k, v in by_district.items()}
    # Parents needing a parent-and-child place: NEET owing to pregnancy or parenting is a share of
    # the whole 19-21 band and almost all are young mothers, so among women it is about
    # parenting / women's share; we assume a third of those need a supported parent-and-child
    # place (others live with a partner, family or in their own tenancy), kept within 5-8%.
    parent = float(np.clip(b2.parenting / GENDER_MIX["F"] / 3, 0.05, 0.08))
    flows = council_flows(b1.count, b2.count, b3.count)
    sources = flows.sources()
    figures = (
        *f1,
        *f2,
        Figure("Care leavers aged 22-25 still asking for help (estimate)", f"{b3.count:,.0f}",
               f"not published by DfE: 4 years x ({b2.count:,.0f} / 3 a year) x 1/3 take-up (assumption)"),
        *(Figure(f"Referrals for a place a year, {LABELS[k]}", f"{v:,.0f}", sources[k])
          for k, v in flows.per_year.items()),
        Figure(f"  {LABELS['staying_put']}", f"{flows.staying_put_per_year:,.0f}", sources["staying_put"]),
        Figure("Population aged 16-25, by district",
               ", ".join(f"{district_name(k)} {v:.0%}" for k, v in share.items()), ONS_MYE),
        Figure("Gender of care leavers (M / F / X)", " / ".join(f"{v:.0%}" for v in GENDER_MIX.values()),
               GENDER_SOURCE),
        Figure("Women aged 19+ needing a parent-and-child place", f"{parent:.1%}",
               f"{DFE_ACTIVITY} (pregnancy or parenting, 19-21) / women's share / 3 (assumption)"),
        Figure("Wheelchair users", f"{WHEELCHAIR_SHARE:.1%}", "assumption (no published figure)"),
        Figure("Supported accommodation weekly cost (D/E/T), mean", f"£{COST_MEAN_GBP:,.0f}"
               f" (£{COST_MIN_GBP:,.0f} to £{COST_MAX_GBP:,.0f})", COST_SOURCE),
    )  # fmt: skip
    log.info("calibrated demo for %s: %.0f referrals for a place a year", council.name, flows.places_per_year)
    return Calibration(council, bands, flows, share, parent, figures)
