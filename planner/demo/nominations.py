"""Own tenancies in the demo county (contract v1.2): not a provider's places but nominations from
each district's housing authority under its joint housing protocol with the council, for young
people assessed ready for their own tenancy, from 18. One row a district, provided by the district
council (the council itself in a single-tier area), with as many nominations free as the council's
own flows send into own tenancies in the horizon's weeks (`nominations_per_year`: its DfE-calibrated
referrals a year that end in an own tenancy). No count of social lettings to care leavers is
published; `planner.demo.targets` sets the nominations beside the districts' share of England's
new social lettings (MHCLG, CORE), where they come to two to four in a hundred.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS
from planner.data.districts import districts
from planner.demo.calibration import Calibration
from planner.demo.cohort import council_figures
from planner.demo.occupancy import SCHEME_OF_OUTCOME
from planner.demo.places import places, points_near
from planner.demo.referrals import outcome_table

# Nominations to own tenancies: the rent of a new social letting, England 2023/24 (MHCLG, Social
# housing lettings in England, tenancies: median weekly rent £103, London £135; CORE), and the
# leaving care team's floating support on top (assumption).
SOCIAL_RENT = {"London": 135.0, "": 103.0}
FLOATING_SUPPORT_GBP = 115.0


def nominations_per_year(cal: Calibration) -> dict[str, float]:
    """Nominations to own tenancies a year by district: the council's referrals for a place a year
    that end in an own tenancy (U in the referral history's outcomes), shared out by population
    aged 16-25."""
    ratio = council_figures(cal.council.code)["unsuitable_ratio"]
    total = sum(
        per_year
        * sum(p for code, p in outcome_table(flow, ratio).items() if SCHEME_OF_OUTCOME.get(code[0]) == "U")
        for flow, per_year in cal.flows.per_year.items()
    )
    return {code: total * cal.district_share[code] for code in cal.council.district_codes}


def nominations(
    cal: Calibration, in_use: float, rng: np.random.Generator, *, prefix: str, first: int
) -> pd.DataFrame:
    """One row a district: nominations to social tenancies from its housing authority, for
    tenancy-ready adults, free as many as the horizon's weeks bring (Poisson), held as many as the
    council's own tenancies in use (`in_use`, Little's law as for the other types)."""
    codes = list(cal.council.district_codes)
    d = districts().loc[codes]
    two_tier = d["county_code"].fillna("").astype(str).str.len().to_numpy() > 0
    per_year = nominations_per_year(cal)
    free = rng.poisson([per_year[c] * HORIZON_DAYS / 365 for c in codes]).astype(np.int64)
    held = np.array([round(in_use * cal.district_share[c]) for c in codes], dtype=np.int64)
    rent = np.array([SOCIAL_RENT.get(str(r), SOCIAL_RENT[""]) for r in d["region"]])
    towns = [max(places(c), key=lambda t: t.weight) for c in codes]
    points = np.array([points_near(c, t.lat, t.lon, 1, rng)[0] for c, t in zip(codes, towns, strict=True)])
    names = d["name"].astype(str).to_numpy()
    council = [f"{n} {'district council' if t else 'council'}" for n, t in zip(names, two_tier, strict=True)]
    return pd.DataFrame({
        "scheme_id": [f"{prefix}-{first + i:04d}" for i in range(len(codes))],
        "name": [f"Housing nominations for care leavers, {n}" for n in names],
        "provider": council,
        "accom_type": "U", "district": codes, "latitude": points[:, 0], "longitude": points[:, 1],
        "postcode": "", "capacity": held + free, "vacancies": free, "min_age": np.int64(18),
        "max_age": np.int64(25), "gender": "any", "support_level": "low", "wheelchair_accessible": False,
        "parent_and_child": True, "accepts_high_risk": False, "ofsted_registered": False,
        "excluded_risks": [("sexual_harm_to_others", "fire_setting")] * len(codes),
        "weekly_cost": rent + FLOATING_SUPPORT_GBP, "weekly_rent": rent,
        "weekly_support": np.full(len(codes), FLOATING_SUPPORT_GBP),
    })  # fmt: skip
