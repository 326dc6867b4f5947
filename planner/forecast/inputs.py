"""What the forecast reads, checked before the models (statsmodels, scipy) are imported, so that
`planner forecast` reports a bad file at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.data.contract import PEOPLE, SCHEMES
from planner.data.problems import InvalidInput, Problem
from planner.data.table import read_file
from planner.forecast.history import COHORT, REFERRALS


@dataclass(frozen=True, slots=True)
class ForecastInputs:
    """What the forecast reads: referrals.csv, and when present cohort, schemes and young people."""

    referrals: pd.DataFrame
    cohort: pd.DataFrame | None = None
    schemes: pd.DataFrame | None = None
    people: pd.DataFrame | None = None


def load_inputs(folder: str | Path) -> ForecastInputs:
    """Read referrals.csv (required) and cohort.csv, schemes.csv, young_people.csv when present."""
    folder = Path(folder)
    found: list[Problem] = []
    frames: dict[str, pd.DataFrame | None] = {}
    for spec, required in ((REFERRALS, True), (COHORT, False), (SCHEMES, False), (PEOPLE, False)):
        if not required and not (folder / spec.file).is_file():
            frames[spec.file] = None
            continue
        try:
            frames[spec.file] = read_file(folder, spec)
        except InvalidInput as e:
            found += e.problems
    if found:
        raise InvalidInput(found[:20], len(found) > 20)
    referrals = frames[REFERRALS.file]
    assert referrals is not None
    return ForecastInputs(referrals, frames[COHORT.file], frames[SCHEMES.file], frames[PEOPLE.file])
