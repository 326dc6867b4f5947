"""Care leavers' accommodation by council, as DfE publishes it: how many care leavers aged 17-18 and
19-21, and the shares in accommodation considered suitable and unsuitable (DfE, Children looked
after in England, table `dfe_care_leavers_accommodation_suitability.csv` in data/reference/).

DfE suppresses small counts (`c`). Where a council's unsuitable count is suppressed, it is what
is left after the suitable and "no information" counts when those are published, else England's
share; where the council's total is suppressed, its count is missing (NaN) and the shares are
England's. `estimated` says which, so a report can say so. The demo county is calibrated on these
figures and the scenario simulation is set beside them, so both read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import pandas as pd

from planner.data.districts import REFERENCE_DIR

FILE: Final = "dfe_care_leavers_accommodation_suitability.csv"
SOURCE: Final = "DfE Children looked after in England 2025, care leavers' accommodation suitability"
BANDS: Final = ("17 to 18 years", "19 to 21 years")
YEAR: Final = 2025
TOTAL, SUITABLE, UNSUITABLE, NO_INFO = (
    "Suitability total",
    "Accommodation considered suitable",
    "Accommodation considered unsuitable",
    "No information",
)


@dataclass(frozen=True, slots=True)
class Suitability:
    """One council's (or England's, la_code "") care leavers of one DfE age band."""

    la_code: str
    band: str
    count: float  # care leavers in the band; NaN where DfE suppressed the council's total
    suitable: float  # shares of the band; with unsuitable and unknown they sum to 1
    unsuitable: float
    estimated: str  # "" where DfE published the council's figures, else how they were estimated

    @property
    def unknown(self) -> float:
        return 1.0 - self.suitable - self.unsuitable

    @property
    def unsuitable_count(self) -> float:
        return self.count * self.unsuitable


@cache
def _table() -> pd.DataFrame:
    df = pd.read_csv(REFERENCE_DIR / FILE, dtype={"la_code": str}, keep_default_na=False)
    df = df[df["time_period"] == YEAR]
    df = df.assign(count=pd.to_numeric(df["count"], errors="coerce"))
    return df.assign(la_code=df["la_code"].where(df["geographic_level"] != "National", ""))


def _counts(code: str, band: str) -> dict[str, float]:
    df = _table()
    rows = df[(df["la_code"] == code) & (df["age_group"] == band)]
    return {str(k): float(v) for k, v in zip(rows["accommodation_suitability"], rows["count"], strict=True)}


def _share(counts: dict[str, float], key: str) -> float:
    v, t = counts.get(key, np.nan), counts.get(TOTAL, np.nan)
    return float(v / t) if np.isfinite(v) and np.isfinite(t) and t > 0 else float("nan")


def suitability(code: str, band: str) -> Suitability:
    """A council's figures for a band of `BANDS` (code "" for England's), suppressed figures
    estimated as the module says."""
    england = _counts("", band)
    counts = _counts(code, band)
    if not counts.get(TOTAL, 0) > 0:  # suppressed, or no such council: England's shares
        return Suitability(code, band, float("nan"), _share(england, SUITABLE), _share(england, UNSUITABLE),
                           "council's total suppressed by DfE: England's shares")  # fmt: skip
    suitable = _share(counts, SUITABLE)
    estimated = ""
    if not np.isfinite(suitable):
        suitable, estimated = _share(england, SUITABLE), "suitable share suppressed: England's"
    unsuitable = _share(counts, UNSUITABLE)
    if not np.isfinite(unsuitable):
        rest = 1 - suitable - _share(counts, NO_INFO)
        if np.isfinite(rest):
            unsuitable, estimated = (
                rest,
                "unsuitable count suppressed by DfE: total less suitable and no information",
            )
        else:
            unsuitable, estimated = (
                _share(england, UNSUITABLE),
                "unsuitable count suppressed by DfE: England's share",
            )
    return Suitability(
        code, band, counts[TOTAL], suitable, float(np.clip(unsuitable, 0, 1 - suitable)), estimated
    )


@dataclass(frozen=True, slots=True)
class CareLeavers17To21:
    """Care leavers aged 17-21 of one or more councils (a simulated county's): how many, how many
    in unsuitable accommodation, and what was estimated."""

    la_codes: tuple[str, ...]
    count: float
    unsuitable: float
    notes: tuple[str, ...]

    @property
    def unsuitable_share(self) -> float:
        return self.unsuitable / self.count if self.count else float("nan")


def care_leavers_17_21(la_codes: tuple[str, ...]) -> CareLeavers17To21 | None:
    """DfE's care leavers aged 17-21 of these councils together; None when DfE publishes no count
    for one of them (its total suppressed)."""
    count = unsuitable = 0.0
    notes: list[str] = []
    for code in la_codes:
        for band in BANDS:
            s = suitability(code, band)
            if not np.isfinite(s.count):
                return None
            count += s.count
            unsuitable += s.unsuitable_count
            if s.estimated:
                notes.append(f"{code} {band}: {s.estimated}")
    return CareLeavers17To21(tuple(la_codes), count, unsuitable, tuple(notes))
