"""Rebuild the reference files shipped in this folder from the full public tables.

Usage: python data/reference/refresh.py [SOURCE_DIR]   (default: $PLANNER_DATA_DIR or ../shared/data)

Keeps only what the product reads at run time, so a fresh clone works offline:
district boundaries and centroids, ONS population aged 16-25 by district, and the DfE
figures the demo county and forecasts are calibrated on (local authority and England rows).
"""

import os
import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
LATEST = ["2025"]


def _dfe(src: Path, name: str, years: list[str] | None) -> None:
    df = pd.read_csv(src / name, dtype=str, keep_default_na=False)
    if years:
        df = df[df["time_period"].isin(years)]
    df = df[df["geographic_level"].isin(["Local authority", "National"])]
    df = df.drop(columns=[c for c in ("region_code", "region_name", "old_la_code") if c in df])
    df.to_csv(HERE / name, index=False)


def main(src: Path) -> None:
    for name in ("lad_centroids.csv", "lad_england.geojson", "towns_glos_sglos_esussex.csv"):
        shutil.copyfile(src / name, HERE / name)
    _dfe(src, "dfe_care_leavers_accommodation_suitability.csv", LATEST)
    _dfe(src, "dfe_care_leavers_activity.csv", LATEST)
    _dfe(src, "dfe_cla_numbers_and_rates.csv", None)  # all years: forecasts use the trend
    _dfe(src, "dfe_cla_placement_type_31_march.csv", LATEST)
    mye = pd.read_csv(src / "ons_mye2022_age16_25_by_la.csv", dtype=str)
    mye = mye[mye["code"].str[:3].isin(["E06", "E07", "E08", "E09"])]
    mye.to_csv(HERE / "ons_mye2022_age16_25_by_lad.csv", index=False)


if __name__ == "__main__":
    default = os.environ.get("PLANNER_DATA_DIR", str(HERE.parents[2] / "shared" / "data"))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else default))
