"""The DfE series shipped in data/reference: what they hold, how they join to the district
registry, and that refresh.py rebuilds every shipped file from the full public tables."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest

from planner.data.districts import REFERENCE_DIR, districts

DFE = (
    "dfe_care_leavers_accommodation_suitability.csv",
    "dfe_care_leavers_activity.csv",
    "dfe_cla_numbers_and_rates.csv",
    "dfe_cla_placement_type_31_march.csv",
)
YEARS = [2021, 2022, 2023, 2024, 2025]


def _source_dir() -> Path | None:
    """The full public tables: $PLANNER_DATA_DIR, else a `shared/data` beside a parent folder."""
    candidates = [os.environ.get("PLANNER_DATA_DIR", "")] + [
        str(p / "shared" / "data") for p in REFERENCE_DIR.parents
    ]
    return next((Path(c) for c in candidates if c and (Path(c) / "SOURCES.md").is_file()), None)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name, dtype={"la_code": str}, keep_default_na=False)


@pytest.mark.parametrize("name", DFE)
def test_every_dfe_table_holds_the_years_2021_to_2025_for_councils_and_england(name: str) -> None:
    df = _read(name)
    assert sorted(df["time_period"].unique()) == YEARS
    assert set(df["geographic_level"]) == {"Local authority", "National"}
    for year in YEARS:
        councils = df[(df["time_period"] == year) & (df["geographic_level"] == "Local authority")]
        assert councils["la_code"].nunique() >= 153


def test_every_council_with_2025_figures_is_an_upper_tier_authority_of_the_district_registry() -> None:
    cla = _read("dfe_cla_numbers_and_rates.csv")
    current = cla[(cla["time_period"] == 2025) & (cla["geographic_level"] == "Local authority")]
    published = current[current["suppression_flag"] != "z"]["la_code"].unique()
    utla = set(districts()["utla_code"])
    assert len(utla) == 153
    assert set(published) <= utla
    assert len(set(published)) >= 151  # Isles of Scilly's looked-after figures are `z`; City of London's `c`


def test_gloucestershire_2025_figures_are_the_published_ones() -> None:
    cla = _read("dfe_cla_numbers_and_rates.csv")
    glos = cla[(cla["la_code"] == "E10000013") & (cla["time_period"] == 2025)].set_index("measure")
    assert glos.loc["Children looked after on 31 March each year", "children_count"] == "758"
    suit = _read("dfe_care_leavers_accommodation_suitability.csv")
    total = suit[
        (suit["la_code"] == "E10000013")
        & (suit["time_period"] == 2025)
        & (suit["accommodation_suitability"] == "Suitability total")
    ].set_index("age_group")["count"]
    assert total.to_dict() == {"17 to 18 years": "156", "19 to 21 years": "378"}


def test_suppressed_counts_are_blank_with_the_publishers_symbol_never_zero() -> None:
    for name in DFE:
        df = _read(name)
        count = "children_count" if "children_count" in df else "count"
        blank = df[df[count] == ""]
        assert set(blank["suppression_flag"]) <= {"c", "z", "x"}
        assert not blank.empty


def test_refresh_rebuilds_every_shipped_reference_file_byte_for_byte(tmp_path: Path) -> None:
    source = _source_dir()
    if source is None:
        pytest.skip("the full public tables are not on this machine (set PLANNER_DATA_DIR)")
    spec = importlib.util.spec_from_file_location("refresh", REFERENCE_DIR / "refresh.py")
    assert spec is not None and spec.loader is not None
    refresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(refresh)
    refresh.main(source, tmp_path)
    shipped = sorted(p.name for p in REFERENCE_DIR.iterdir() if p.suffix in {".csv", ".geojson"})
    assert sorted(p.name for p in tmp_path.iterdir()) == shipped
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (REFERENCE_DIR / name).read_bytes(), name
