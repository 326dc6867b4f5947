"""Rebuild the reference files shipped in this folder from the full public tables.

Usage: python data/reference/refresh.py [SOURCE_DIR]   (default: $PLANNER_DATA_DIR, else the
first `shared/data` found beside a parent folder, e.g. ../shared/data from the repository)

Keeps only what the product reads at run time, so a fresh clone works offline: district
boundaries and centroids, ONS population aged 16-25 by district, and the DfE series for the
years ending 31 March 2021 to 2025 (local authority and England rows) that the demo county is
calibrated on and the published-data forecast (`planner forecast --published`) is fitted on.
Values are copied as published, byte for byte; rows and columns are only dropped.
"""

import os
import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
# Care leavers' activity: the headline totals and the reasons for not being in education,
# employment or training. The breakdown of those in education, employment or training (higher
# education, apprenticeships, ...) is left out to keep the file small; nothing here reads it.
ACTIVITY = (
    "Total",
    "Total in education, employment or training",
    "Total not in education, employment or training",
    "Total information not known",
    "Not in education, training or employment, owing to illness or disability",
    "Not in education, training or employment, owing to pregnancy or parenting",
    "Not in education, training or employment, owing to other reasons",
)


def _dfe(src: Path, out: Path, name: str, keep: tuple[str, tuple[str, ...]] | None = None) -> None:
    df = pd.read_csv(src / name, dtype=str, keep_default_na=False)
    df = df[df["geographic_level"].isin(["Local authority", "National"])]
    if keep is not None:
        column, values = keep
        df = df[df[column].isin(values)]
    df = df.drop(columns=[c for c in ("region_code", "region_name", "old_la_code") if c in df])
    df.to_csv(out / name, index=False)


def main(src: Path, out: Path = HERE) -> None:
    """Write every shipped reference file to `out` from the full tables in `src`."""
    for name in ("lad_centroids.csv", "lad_england.geojson", "towns_glos_sglos_esussex.csv"):
        shutil.copyfile(src / name, out / name)
    _dfe(src, out, "dfe_care_leavers_accommodation_suitability.csv")
    _dfe(src, out, "dfe_care_leavers_activity.csv", ("activity", ACTIVITY))
    _dfe(src, out, "dfe_cla_numbers_and_rates.csv")
    _dfe(src, out, "dfe_cla_placement_type_31_march.csv")
    mye = pd.read_csv(src / "ons_mye2022_age16_25_by_la.csv", dtype=str)
    mye = mye[mye["code"].str[:3].isin(["E06", "E07", "E08", "E09"])]
    mye.to_csv(out / "ons_mye2022_age16_25_by_lad.csv", index=False)


if __name__ == "__main__":
    # The full tables: the argument, else $PLANNER_DATA_DIR, else `shared/data` beside a parent folder.
    found = [p / "shared" / "data" for p in HERE.parents if (p / "shared" / "data" / "SOURCES.md").is_file()]
    default = os.environ.get("PLANNER_DATA_DIR") or str(
        found[0] if found else HERE.parents[2] / "shared" / "data"
    )
    main(Path(sys.argv[1] if len(sys.argv) > 1 else default))
