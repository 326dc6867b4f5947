"""Referral history and the looked-after cohort as the forecast reads them: `History`, the loaders
of `referrals.csv` and `cohort.csv`, and what the forecast makes of their codes.

The two files are declared in `planner.data.history_formats` (re-exported here); the demo's
synthetic history is written by `planner.demo.history`; see `data/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from planner.data.history_formats import COHORT, PLACEMENT_TYPES, REFERRALS, UNKNOWN_DISTRICT
from planner.data.table import read_file
from planner.data.vocab import NOT_PLACE_DEMAND

FOSTER_PLACES: Final = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})  # may lead to staying put
# Referrals whose outcome is family, staying put, custody or not known are not demand for places
# (`planner.data.vocab.NOT_PLACE_DEMAND`); own tenancies (U) count: councils allocate them like
# scheme places.


@dataclass(frozen=True, slots=True)
class History:
    """Past referrals of care leavers and the children looked after now aged 13 to 17."""

    referrals: pd.DataFrame
    cohort: pd.DataFrame


def load_referrals(folder: str | Path) -> pd.DataFrame:
    """Read and validate `referrals.csv` (raises InvalidInput naming file, row and column)."""
    return read_file(Path(folder), REFERRALS)


def load_cohort(folder: str | Path) -> pd.DataFrame:
    """Read and validate `cohort.csv` (raises InvalidInput naming file, row and column)."""
    return read_file(Path(folder), COHORT)


__all__ = [
    "COHORT",
    "FOSTER_PLACES",
    "NOT_PLACE_DEMAND",
    "PLACEMENT_TYPES",
    "REFERRALS",
    "UNKNOWN_DISTRICT",
    "History",
    "load_cohort",
    "load_referrals",
]
