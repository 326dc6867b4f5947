"""A synthetic referral history and looked-after cohort for one council, calibrated to public figures.

Sources (files in `data/reference/`, see ATTRIBUTION.md there), and assumptions where no
public figure exists; `data/README.md` repeats them for users:

- Children looked after at 31 March 2025 and the child population: DfE `dfe_cla_numbers_and_rates.csv`.
- Placement types of children looked after: DfE `dfe_cla_placement_type_31_march.csv`.
- Care leavers aged 17-18 and 19-21 and the share unsuitably housed:
  DfE `dfe_care_leavers_accommodation_suitability.csv`.
- Where young people live: ONS mid-2022 population aged 16-25 by district (`ons_mye2022_age16_25_by_lad.csv`).
- Age mix of children looked after (13-15: 21%, 16-17: 26%): DfE *Children looked after in
  England*, 2025, national age breakdown, quoted from the publication (not in the shipped files).
- Unaccompanied asylum-seeking children: the National Transfer Scheme's 0.1% of the child
  population (Home Office, 2022) as the ceiling; we assume councils hold 70% of it, 85% aged
  16-17 and 95% boys (assumption, in line with DfE's national UASC age and sex profile).
- Lengths of stay: staying put can last to 21 (Children and Families Act 2014, s.98); B&B
  at most 6 weeks (the limit the Homelessness (Suitability of Accommodation) (England)
  Order 2003 sets for families, used here as a cap); foyers typically up to 2 years (Foyer
  Federation). Medians for the other types are assumptions.
- Referral volume: the flows of `planner.demo.flows` (16-17 year-olds into supported
  accommodation, 18-year-olds leaving foster care or a children's home, move-ons at 19-21 and
  22-25, from the council's DfE counts and `planner.forecast.published_places`), the same flows
  the demo's waiting list is a snapshot of (`planner.demo.waiting`), so that the history's rate of
  referrals for places and the list describe the same demand (the scenario simulation draws
  arrivals from the one and starts from the other). Referrals that end with family, staying put
  or custody (`planner.forecast.history.NOT_PLACE_DEMAND`) come on top. Demand trend (+5% a
  year, the direction of the rising national care leaver numbers) and seasonality (more
  referrals July-September, when school and college years end): assumptions.

The cohort is made in `planner.demo.cohort`, the referrals in `planner.demo.referrals`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from planner.data.districts import find_council
from planner.data.history_formats import COHORT, REFERRALS
from planner.data.table import write_table
from planner.demo.calibration import Calibration, calibrate
from planner.demo.cohort import council_figures, generate_cohort
from planner.demo.referrals import generate_referrals
from planner.forecast.history import History

__all__ = ["council_figures", "generate_history", "write_history"]


def generate_history(county: str | Calibration, *, seed: int, on: date) -> History:
    """36 months of referrals up to `on` and today's looked-after cohort aged 13 to 17, for a
    council by name or ONS code, or by the calibration a demo has made of it already.

    Deterministic for a seed. Calibrated to the council's DfE figures (see above): a draw of the
    same flows the demo's waiting list is a snapshot of.
    """
    cal = county if isinstance(county, Calibration) else calibrate(find_council(county))
    rng = np.random.default_rng([seed, 18])  # a stream of its own, apart from the demo's people
    cohort = generate_cohort(cal.council, rng=rng, on=on)
    referrals = generate_referrals(cal, rng=rng, on=on)
    return History(referrals=referrals, cohort=cohort)


def write_history(out_dir: str | Path, county: str | Calibration, *, seed: int, on: date) -> History:
    """Generate the history and write `referrals.csv` and `cohort.csv` into `out_dir`."""
    history = generate_history(county, seed=seed, on=on)
    write_tables(out_dir, history)
    return history


def write_tables(out_dir: str | Path, history: History) -> None:
    """Write a history's `referrals.csv` and `cohort.csv` into `out_dir`."""
    write_table(history.referrals, REFERRALS, out_dir)
    write_table(history.cohort, COHORT, out_dir)
