"""The synthetic demo county and its history, calibrated on public figures.

`county.write_county()` (`write_demo()` for a council by name or code) writes young_people.csv and
schemes.csv and the referral history and looked-after cohort (`history`: `referrals`, `cohort`),
calibrated once. The council's published figures
(`calibration`) give yearly referrals for a place by flow (`flows`); the waiting list is a snapshot
of those flows (`waiting`, with people's needs and ties from `people`); schemes (`schemes`, at real
towns from `places`) are sized to them, with the housing authorities' nominations to own tenancies
(`nominations`); `targets` sets each figure beside its published value.

May import any other part of `planner` except `cli`; only the CLI, the web app's demo seeding,
tests and notebooks import it.
"""

from planner.demo.calibration import Calibration
from planner.demo.county import DemoCounty, calibration, describe, generate, write_county, write_demo
from planner.demo.history import generate_history, write_history

__all__ = [
    "Calibration",
    "DemoCounty",
    "calibration",
    "describe",
    "generate",
    "generate_history",
    "write_county",
    "write_demo",
    "write_history",
]
