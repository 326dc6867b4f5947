"""The synthetic demo county and its history, calibrated on public figures.

`county.write_demo()` writes young_people.csv and schemes.csv (people from `people`, schemes from
`schemes`, placed at real towns by `places`, sized by `calibration`) and the referral history and
looked-after cohort from `history`.

May import any other part of `planner` except `cli`; only the CLI, the web app's demo seeding,
tests and notebooks import it.
"""

from planner.demo.calibration import Calibration
from planner.demo.county import calibration, describe, generate, write_demo
from planner.demo.history import generate_history, write_history

__all__ = [
    "Calibration",
    "calibration",
    "describe",
    "generate",
    "generate_history",
    "write_demo",
    "write_history",
]
