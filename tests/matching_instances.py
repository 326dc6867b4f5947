"""Seeded random instances for the eligibility, matching and options tests.

Typed exactly as `planner.contract.load_folder` returns them. Small schemes and many rule
flags, so that every hard rule binds somewhere and capacity is usually short.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from planner.districts import districts
from planner.vocab import RISKS, SUPPORT_LEVELS

GLOUCESTERSHIRE = ("E07000078", "E07000079", "E07000080", "E07000081", "E07000082", "E07000083")
ON = date(2026, 11, 23)


def _lists(rng: np.random.Generator, n: int, pool: tuple[str, ...], p: float, most: int) -> list[tuple]:
    out: list[tuple] = []
    for _ in range(n):
        if rng.random() < p:
            k = int(rng.integers(1, most + 1))
            out.append(tuple(sorted(set(rng.choice(pool, size=k).tolist()))))
        else:
            out.append(())
    return out


def people(n: int, seed: int, *, on: date = ON, pool: tuple[str, ...] = GLOUCESTERSHIRE) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age_days = rng.integers(16 * 365, 23 * 365, n)
    dob = pd.to_datetime([on - timedelta(days=int(d)) for d in age_days])
    needed = pd.to_datetime([on + timedelta(days=int(d)) for d in rng.integers(-20, 40, n)])
    current = rng.choice(["", "", "", "W2", "V2", "S2", "B1", "D1"], size=n)
    return pd.DataFrame(
        {
            "person_id": [f"YP-{seed}-{i:04d}" for i in range(n)],
            "date_of_birth": dob.astype("datetime64[ns]"),
            "gender": rng.choice(["F", "M", "X"], size=n, p=[0.45, 0.45, 0.1]),
            "home_district": rng.choice(pool, size=n),
            "connection_districts": _lists(rng, n, pool, 0.5, 2),
            "avoid_districts": _lists(rng, n, pool, 0.15, 1),
            "support_need": rng.choice(SUPPORT_LEVELS, size=n, p=[0.1, 0.3, 0.35, 0.2, 0.05]),
            "wheelchair": rng.random(n) < 0.08,
            "parent_with_child": rng.random(n) < 0.08,
            "high_risk": rng.random(n) < 0.15,
            "risks": _lists(rng, n, RISKS, 0.4, 2),
            "needed_from": needed.astype("datetime64[ns]"),
            "current_accom": current,
        }
    )


def schemes(
    m: int, seed: int, *, pool: tuple[str, ...] = GLOUCESTERSHIRE, wv_share: float = 0.12
) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 10_000)
    d = districts().loc[list(pool)]
    district = rng.choice(pool, size=m)
    lat = d.loc[district, "lat"].to_numpy() + rng.normal(0, 0.02, m)
    lon = d.loc[district, "lon"].to_numpy() + rng.normal(0, 0.02, m)
    kinds = rng.choice(list("DETUZBK"), size=m)
    kinds = np.where(rng.random(m) < wv_share, rng.choice(["W", "V"], size=m), kinds)
    capacity = rng.integers(1, 6, m)
    min_age = rng.choice([16, 16, 17, 18], size=m)
    max_age = np.maximum(min_age, rng.choice([18, 21, 25, 25], size=m))
    return pd.DataFrame(
        {
            "scheme_id": [f"S-{seed}-{j:03d}" for j in range(m)],
            "name": [f"Scheme {j}" for j in range(m)],
            "provider": "Provider",
            "accom_type": kinds,
            "district": district,
            "latitude": lat,
            "longitude": lon,
            "capacity": capacity.astype(np.int64),
            "vacancies": rng.integers(0, capacity + 1).astype(np.int64),
            "min_age": min_age.astype(np.int64),
            "max_age": max_age.astype(np.int64),
            "gender": rng.choice(["any", "any", "F", "M"], size=m),
            "support_level": rng.choice(SUPPORT_LEVELS, size=m, p=[0.1, 0.25, 0.3, 0.25, 0.1]),
            "wheelchair_accessible": rng.random(m) < 0.3,
            "parent_and_child": rng.random(m) < 0.2,
            "accepts_high_risk": rng.random(m) < 0.4,
            "excluded_risks": _lists(rng, m, RISKS, 0.4, 3),
            "ofsted_registered": rng.random(m) < 0.6,
            "weekly_cost": np.round(rng.uniform(250, 1800, m), 2),
        }
    )


def instance(n: int, m: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return people(n, seed), schemes(m, seed)
