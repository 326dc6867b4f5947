"""A small county for scenario, simulation and commissioning tests: two Gloucestershire districts,
a handful of schemes and a synthetic referral history, read through the real contract loaders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data.contract import PEOPLE, SCHEMES, Dataset
from planner.data.table import read_table
from planner.forecast.history import REFERRALS
from planner.simulate.scenario import AddPlaces, Demand, Scenario

START = date(2026, 11, 23)
FOREST = "E07000080"  # Forest of Dean: short of high-support places
GLOUCESTER = "E07000081"

SCHEME_HEADER = ("scheme_id,name,provider,accom_type,district,latitude,longitude,capacity,vacancies,min_age,"
                 "max_age,gender,support_level,wheelchair_accessible,parent_and_child,accepts_high_risk,"
                 "excluded_risks,ofsted_registered,weekly_cost")  # fmt: skip
SCHEMES_CSV = f"""{SCHEME_HEADER}
S1,Gloucester Flats,P1,D,{GLOUCESTER},51.8643,-2.2503,10,2,16,25,any,high,false,false,true,,true,800
S2,Gloucester Foyer,P2,T,{GLOUCESTER},51.8600,-2.2400,40,8,16,25,any,medium,false,false,false,,true,450
S3,Cinderford Lodgings,P3,E,{FOREST},51.8230,-2.4990,25,5,18,25,any,low,false,false,false,,false,300
S4,Coleford B&B,P4,W,{FOREST},51.7950,-2.6160,10,10,18,25,any,none,false,false,false,,false,490
"""


def schemes_csv(extra_high_forest: int = 0) -> str:
    text = SCHEMES_CSV
    if extra_high_forest:
        text += f"S5,Forest Flats,P5,D,{FOREST},51.80,-2.55,{extra_high_forest},{extra_high_forest},16,25,any,high,false,false,true,,true,900\n"  # noqa: E501
    return text


def people_csv(n: int = 6) -> str:
    rows = ["person_id,date_of_birth,gender,home_district,support_need,high_risk,needed_from"]
    for i in range(n):
        home = FOREST if i % 2 else GLOUCESTER
        need = "high" if i % 3 == 0 else "medium"
        rows.append(
            f"YP-{i:03d},{2005 + i % 4}-03-0{1 + i % 8},{'FM'[i % 2]},{home},{need},false,2026-11-2{3 + i % 5}"  # noqa: E501
        )
    return "\n".join(rows) + "\n"


def referrals_frame(n: int = 240, seed: int = 3) -> pd.DataFrame:
    """Three years of referrals: half from the Forest of Dean, a third needing high support."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(START) - pd.Timedelta(days=1)
    ref = end - pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    age = rng.integers(int(16.5 * 365), int(21 * 365), n)
    stay = rng.integers(20 * 7, 70 * 7, n)
    left = ref + pd.to_timedelta(stay, unit="D")
    lines = ["referral_id,person_id,referral_date,date_of_birth,gender,home_district,support_need,"
             "high_risk,outcome_accom,placed_date,left_date"]  # fmt: skip
    for i in range(n):
        need = "high" if i % 3 == 0 else ("medium" if i % 3 == 1 else "low")
        lines.append(
            f"R{i:04d},C{i:04d},{ref[i]:%Y-%m-%d},{ref[i] - pd.Timedelta(days=int(age[i])):%Y-%m-%d},"
            f"{'FM'[i % 2]},{FOREST if i % 2 else GLOUCESTER},{need},false,D1,"
            f"{ref[i] + pd.Timedelta(days=7):%Y-%m-%d},{left[i]:%Y-%m-%d}" if left[i] < end else
            f"R{i:04d},C{i:04d},{ref[i]:%Y-%m-%d},{ref[i] - pd.Timedelta(days=int(age[i])):%Y-%m-%d},"
            f"{'FM'[i % 2]},{FOREST if i % 2 else GLOUCESTER},{need},false,D1,{ref[i] + pd.Timedelta(days=7):%Y-%m-%d},"  # noqa: E501
        )  # fmt: skip
    return read_table(("\n".join(lines) + "\n").encode(), REFERRALS)


def dataset(extra_high_forest: int = 0, people: int = 6) -> Dataset:
    return Dataset(
        people=read_table(people_csv(people).encode(), PEOPLE),
        schemes=read_table(schemes_csv(extra_high_forest).encode(), SCHEMES),
    )


def scenario(name: str = "baseline", *, months: int = 12, runs: int = 4, changes: tuple = (),
             demand: Demand | None = None, policies: tuple = ("fcfs", "optimised")) -> Scenario:  # fmt: skip
    return Scenario(name, "test.yaml", Path("."), START, months, runs, 7, policies,  # type: ignore[arg-type]
                    demand or Demand(), changes)  # fmt: skip


def forest_places(places: int = 6, contract: str = "block") -> AddPlaces:
    return AddPlaces(FOREST, "D", "high", places, 900.0, date(2026, 11, 30), contract,  # type: ignore[arg-type]
                     accepts_high_risk=True)  # fmt: skip
