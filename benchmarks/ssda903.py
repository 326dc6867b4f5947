"""`python -m benchmarks.ssda903`: `planner import-903` on a large council's returns.

Three collection years (2022-23 to 2024-25, one folder each) of a council with about 2,000
children looked after a year (Leeds-sized), synthetic but shaped like a real return: 1 to 3
episodes a child, real Leeds postcodes, OC3 records for the care leavers, episodes open at a year
end repeated in the next return. Timed in process against baselines run in the same process on
the same files: (a) pandas.read_csv of every file (the floor: reading alone), (b) the postcode
lookup alone, with the directory's letter already loaded and from cold.

    python -m benchmarks.ssda903 [--children 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data import postcodes
from planner.sources import import_903
from planner.sources.ssda903_files import TABLES

PLACES = ["U1", "U3", "U4", "U6", "K2", "P1", "H5", "R1", "Z1"]
LEAVING = ["E17", "E5", "E6", "E4A", "E13", "E8"]
ACCOM = ["D1", "E1", "U1", "Z1", "B1", "T1", "W2"]


def write_returns(folder: Path, children: int, seed: int = 1) -> int:
    """Three years of returns under `folder`; the number of episode rows written."""
    rng = np.random.default_rng(seed)
    table = postcodes._letter("L")
    leeds = table.index[(table["district"] == "E08000035").to_numpy()].to_numpy()
    codes = [f"{p[:-3]} {p[-3:]}" for p in rng.choice(leeds, size=4000)]
    rows = 0
    ids = np.arange(100_000, 100_000 + children * 2)
    born = pd.Timestamp(2004, 4, 1) + pd.to_timedelta(rng.integers(0, 365 * 17, ids.size), unit="D")
    start = pd.Timestamp(2019, 4, 1) + pd.to_timedelta(rng.integers(0, 365 * 6, ids.size), unit="D")
    for year in (2022, 2023, 2024):
        first, last = pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)
        inside = rng.random(ids.size) < children / ids.size
        sub = folder / f"{year}-{(year + 1) % 100:02d}"
        sub.mkdir(parents=True)
        sex = np.where(rng.random(ids.size) < 0.55, "1", "2") if year < 2024 else \
            np.where(rng.random(ids.size) < 0.55, "M", "F")  # fmt: skip
        header = {"CHILD": ids[inside], "SEX": sex[inside], "DOB": born[inside].strftime("%d/%m/%Y")}
        extra = {"ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""}
        pd.DataFrame(header | extra).to_csv(sub / "header.csv", index=False)
        episodes, oc3 = [], []
        for child, begun, dob in zip(ids[inside], start[inside], born[inside], strict=True):
            when, home = begun, codes[int(child) % len(codes)]
            adult = dob + pd.DateOffset(years=18)
            for k in range(int(rng.integers(1, 4))):
                end = when + pd.Timedelta(days=int(rng.integers(60, 900)))
                reason = "X1"
                if end >= adult:  # leaves care at 18, as most care leavers do
                    end, reason = adult, str(rng.choice(LEAVING))
                closed = end <= last
                episodes.append([child, when.strftime("%d/%m/%Y"), "S" if k == 0 else "T", "C2", "N1",
                                 PLACES[int(rng.integers(len(PLACES)))], "PR1",
                                 end.strftime("%d/%m/%Y") if closed else "", reason if closed else "", "",
                                 home, codes[int(rng.integers(len(codes)))], ""])  # fmt: skip
                if not closed or reason != "X1":
                    break
                when = end
            age = (last - dob).days / 365.25
            if 17 <= age < 22 and adult <= last:
                oc3.append([child, dob.strftime("%d/%m/%Y"), "YES", "F2", str(rng.choice(ACCOM))])
        pd.DataFrame(oc3, columns=["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]).to_csv(
            sub / "oc3.csv", index=False
        )
        eps = pd.DataFrame(episodes, columns=list(TABLES["episodes"]))
        ended = pd.to_datetime(eps["DEC"], format="%d/%m/%Y", errors="coerce")
        eps = eps[ended.isna() | (ended >= first)]
        eps.to_csv(sub / "episodes.csv", index=False)
        rows += len(eps)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "returns"
        rows = write_returns(folder, args.children)
        postcodes._letter.cache_clear()
        t0 = time.perf_counter()
        postcodes._letter("L")
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.rglob("*.csv"))]
        read = time.perf_counter() - t0
        written = pd.unique(pd.concat([f["HOME_POST"] for f in frames if "HOME_POST" in f]))
        t0 = time.perf_counter()
        postcodes.locate(written)
        lookup = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = import_903(folder, salt="bench", today=date(2026, 11, 23))
        whole = time.perf_counter() - t0
    print(f"| {rows:,} episode rows over 3 years, {len(written):,} postcodes | import {whole:.2f} s "
          f"({len(result.cohort):,} in the cohort, {len(result.referrals):,} history rows) | read_csv alone "
          f"{read:.3f} s: x{whole / read:.0f} | postcode lookup {lookup:.3f} s, the letter's first load "
          f"{cold:.2f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
