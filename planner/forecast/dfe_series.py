"""The DfE series a council's published-data forecast is made from: children looked after, starting
and ceasing, and care leavers aged 17-18 and 19-21, for the reporting years ending 31 March 2021 to
2025, by children's services authority (upper tier), from the tables in `data/reference/`.

A figure DfE did not publish as a number (`c` suppressed to protect confidentiality, `z` not
applicable, e.g. before a council existed, `x` not available) is missing here, never 0: `values`
holds NaN and `flags` the publisher's symbol, so the forecast can leave it out and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from planner.data.districts import REFERENCE_DIR, districts, haversine_km
from planner.data.problems import InvalidInput, Problem

MEASURES: Final = ("looked_after", "starting", "ceasing", "care_leavers_17_18", "care_leavers_19_21")
LABELS: Final = {
    "looked_after": "children looked after at 31 March",
    "starting": "children starting to be looked after in the year",
    "ceasing": "children ceasing to be looked after in the year",
    "care_leavers_17_18": "care leavers aged 17-18",
    "care_leavers_19_21": "care leavers aged 19-21",
}
SYMBOLS: Final = {
    "c": "suppressed by DfE to protect confidentiality",
    "z": "not applicable",
    "x": "not available",
}
# Councils reorganised within the series (1 April 2021 and 1 April 2023) and those that took over.
SUCCESSORS: Final = {
    "E10000021": ("North Northamptonshire", "West Northamptonshire"),
    "E10000006": ("Cumberland", "Westmorland and Furness"),
}
CLA_FILE: Final = "dfe_cla_numbers_and_rates.csv"
LEAVERS_FILE: Final = "dfe_care_leavers_accommodation_suitability.csv"
_CLA_MEASURES: Final = {
    "Children looked after on 31 March each year": "looked_after",
    "Children starting to be looked after each year": "starting",
    "Children ceasing to be looked after each year": "ceasing",
}
_AGE_GROUPS: Final = {"17 to 18 years": "care_leavers_17_18", "19 to 21 years": "care_leavers_19_21"}
_REQUIRED: Final = {
    CLA_FILE: ("time_period", "geographic_level", "la_code", "la_name", "measure", "children_count",
               "suppression_flag"),
    LEAVERS_FILE: ("time_period", "geographic_level", "la_code", "la_name", "age_group",
                   "accommodation_suitability", "count", "suppression_flag"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DfeSeries:
    """The published series: one row per council and year (la_code, year), one column per measure."""

    values: pd.DataFrame  # index (la_code, year), columns MEASURES; NaN where DfE published no number
    flags: pd.DataFrame  # same shape: "c", "z", "x" where there is no number, "" otherwise
    names: pd.Series  # la_code -> council name (its latest)
    england: pd.DataFrame  # index year, columns MEASURES: England's figures
    population: pd.Series  # (la_code, year) -> DfE's estimate of children aged 0-17 (for rates)

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.values.index.get_level_values("year")})

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def until(self, year: int) -> DfeSeries:
        """The series as it was published up to `year` (for backtests and --data-until)."""
        keep = self.values.index.get_level_values("year") <= year
        return replace(
            self,
            values=self.values[keep],
            flags=self.flags[keep],
            england=self.england[self.england.index <= year],
            population=self.population[self.population.index.get_level_values("year") <= year],
        )

    def council(self, code: str) -> pd.DataFrame:
        """One council's figures: index year, columns MEASURES (NaN where not published)."""
        return pd.DataFrame(self.values.xs(code, level="la_code"))

    def current_councils(self) -> list[str]:
        """Councils with a published figure in the last year (abolished ones have none)."""
        last = pd.DataFrame(self.values.xs(self.last_year, level="year"))
        published = [bool(v) for v in np.atleast_1d(last.notna().to_numpy().any(axis=1))]
        return sorted(str(c) for c, ok in zip(last.index, published, strict=True) if ok)

    def flag(self, code: str, year: int, measure: str) -> str:
        """DfE's symbol for a figure with no number ("c", "z", "x"); "" if it was published."""
        if measure not in self.flags.columns or (code, year) not in self.flags.index:
            return "x"
        return str(self.flags.at[(code, year), measure])

    def why_missing(self, code: str, year: int, measure: str) -> str:
        return SYMBOLS.get(self.flag(code, year, measure), "not in the DfE tables")


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise InvalidInput([Problem(name, None, None, f"the DfE table is missing from {folder}")])
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _REQUIRED[name] if c not in df.columns]
    if missing:
        raise InvalidInput([Problem(name, 1, c, "required column is missing") for c in missing])
    bad = df.index[~df["time_period"].str.fullmatch(r"\d{4}")]
    if len(bad):
        raise InvalidInput(
            [
                Problem(name, int(i) + 2, "time_period", f"{df.at[i, 'time_period']!r} is not a year")
                for i in bad
            ]
        )
    return df


def _long(df: pd.DataFrame, count: str, measure: pd.Series) -> pd.DataFrame:
    """la_code, year, measure, value, flag (value NaN where the count cell is not a number)."""
    value = pd.to_numeric(df[count], errors="coerce")
    flag = df["suppression_flag"].where(value.isna(), "")
    return pd.DataFrame(
        {
            "la_code": df["la_code"].to_numpy(),
            "name": df["la_name"].to_numpy(),
            "year": df["time_period"].astype(int).to_numpy(),
            "measure": measure.to_numpy(),
            "value": value.to_numpy(dtype=float),
            "flag": flag.to_numpy(),
            "level": df["geographic_level"].to_numpy(),
        }
    )


@cache
def _load(folder: Path, stamp: tuple[tuple[int, int], ...]) -> DfeSeries:
    """The series of `folder`; `stamp` (the files' times and sizes) keys the cache, so edits are re-read."""
    cla = _read(folder, CLA_FILE)
    cla = cla[cla["measure"].isin(list(_CLA_MEASURES))]
    leavers = _read(folder, LEAVERS_FILE)
    leavers = leavers[
        (leavers["accommodation_suitability"] == "Suitability total")
        & leavers["age_group"].isin(list(_AGE_GROUPS))
    ]
    rows = pd.concat(
        [
            _long(cla, "children_count", cla["measure"].map(_CLA_MEASURES)),
            _long(leavers, "count", leavers["age_group"].map(_AGE_GROUPS)),
        ],
        ignore_index=True,
    )
    councils = rows[rows["level"] == "Local authority"]  # a full DfE table has regions too
    index = pd.MultiIndex.from_product(
        [sorted(councils["la_code"].unique()), sorted(rows["year"].unique())], names=["la_code", "year"]
    )
    values = councils.pivot_table(
        index=["la_code", "year"], columns="measure", values="value", aggfunc="first"
    )
    values = values.reindex(index=index, columns=list(MEASURES))
    flags = councils.pivot_table(index=["la_code", "year"], columns="measure", values="flag", aggfunc="first")
    flags = flags.reindex(index=index, columns=list(MEASURES)).fillna("x")
    flags = flags.where(values.isna(), "")
    names = councils.sort_values("year").groupby("la_code")["name"].last()
    nat = rows[rows["level"] == "National"].pivot_table(
        index="year", columns="measure", values="value", aggfunc="first"
    )
    values.columns.name = flags.columns.name = None
    return DfeSeries(values, flags, names, nat.reindex(columns=list(MEASURES)), _population(cla, index))


def _population(cla: pd.DataFrame, index: pd.MultiIndex) -> pd.Series:
    """DfE's denominator for its rates per 10,000 children, by council and year (NaN where absent)."""
    pop = cla.assign(
        year=cla["time_period"].astype(int),
        population=pd.to_numeric(cla.get("population_0_17_estimate", pd.Series(dtype=str)), errors="coerce"),
    )
    pop = pop[pop["geographic_level"] == "Local authority"].dropna(subset=["population"])
    return pop.groupby(["la_code", "year"])["population"].first().reindex(index)


def load_dfe_series(folder: Path | None = None) -> DfeSeries:
    """The DfE series from `folder` (default: the shipped `data/reference/`); InvalidInput if unusable."""
    folder = (folder or REFERENCE_DIR).resolve()
    files = [folder / name for name in (CLA_FILE, LEAVERS_FILE)]
    stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else (0, 0) for f in files)
    return _load(folder, stamp)


@cache
def _council_shapes() -> pd.Series:
    """One (multi)polygon per upper-tier council, from the district boundaries."""
    import shapely

    from planner.data.districts import boundaries

    b = boundaries()
    return pd.Series({code: shapely.union_all(g.geometry.to_numpy()) for code, g in b.groupby("utla_code")})


def geographic_neighbours(code: str) -> list[str]:
    """The councils whose boundaries touch `code`'s (nearest first by centre), for comparisons.

    DfE's and CIPFA's statistical neighbours are not in the shipped tables; geography is the
    neighbourhood a council's analyst can check on a map. An island council (Isles of Scilly) gets
    the nearest council instead.
    """
    import shapely

    shapes = _council_shapes()
    if code not in shapes.index:
        return []
    own = shapes[code]
    # Boundaries are generalised to 500 m, so neighbours may not quite touch: allow about 1 km.
    near = [str(c) for c, s in shapes.items() if c != code and shapely.dwithin(own, s, 0.01)]
    centre = districts().groupby("utla_code")[["lat", "lon"]].mean()
    lat, lon = centre["lat"].to_numpy(float), centre["lon"].to_numpy(float)
    here = centre.index.get_loc(code)
    # Kilometres, not degrees: a degree of longitude is about 0.6 of one of latitude in England,
    # so raw degrees would rank a council to the north or south as nearer than it is.
    dist = pd.Series(haversine_km(lat[here], lon[here], lat, lon), index=centre.index).drop(code)
    if not near:
        return [str(dist.idxmin())]
    return [str(c) for c in dist.loc[near].sort_values().index]
