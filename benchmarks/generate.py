"""Synthetic waiting lists and schemes spread over many districts (a region, all of England).

The demo generator (`planner.demo.county`) builds one council in detail; here the same tables of
types, ages, support, risks and costs (`planner.demo.people`, `planner.demo.schemes`) are
sampled in bulk over any set of districts, people weighted by the ONS mid-2022 population aged
16-25 of each district, with a given number of schemes. Scheme points are jittered around the
district centroid and kept inside England (as the contract requires).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from planner.data.contract import Dataset
from planner.data.districts import REFERENCE_DIR, districts, km_outside_district
from planner.data.formats import ages_on
from planner.data.vocab import RISKS, SUPPORT_LEVELS
from planner.demo.calibration import GENDER_MIX, WHEELCHAIR_SHARE
from planner.demo.people import RISK_P, SUPPORT_BY_AGE
from planner.demo.schemes import (
    AGE_RANGES,
    COST,
    EXCLUDES,
    GENDER,
    HIGH_RISK_OK,
    PARENT_CHILD,
    TYPES,
    WHEELCHAIR,
)

# Share of schemes by type (the demo's shares of suitable vacancies, plus B&B and emergency); the
# rest are staying-put places (Z), each reserved for one young person on the list (contract v1.1).
TYPE_SHARE = {"D": 0.40, "E": 0.14, "T": 0.06, "U": 0.24, "W": 0.05, "V": 0.03}
STAYING_PUT_SHARE = 0.08
STAYING_PUT_COST = 250.0  # GBP a week, the carer's allowance (as the demo)
UASC_SHARE = 0.06  # unaccompanied asylum-seeking children or former UASC among care leavers (assumption)
CAPACITY = {"D": (4, 20), "E": (1, 2), "T": (20, 60), "U": (3, 15), "W": (2, 8), "V": (3, 10)}
# Chance a place is free in a scheme that is not full: the demo's, doubled, so that suitable
# vacancies are about 40% of the people waiting (a hard week, not a hopeless one).
# Own tenancies (U) as blocks of nominations here (the demo has one row of them a district).
VACANCY_P = {**{k: min(0.9, 2 * v[1]) for k, v in TYPES.items()}, "U": 0.7, "W": 0.8, "V": 0.7}
TENANCY_READY = 0.6  # of the adults needing at most low support (contract v1.2; assumption)
FULL_SHARE = 0.4


def _weights(codes: list[str]) -> np.ndarray:
    pop = pd.read_csv(REFERENCE_DIR / "ons_mye2022_age16_25_by_lad.csv", usecols=["code", "persons"])
    by = pop.groupby("code")["persons"].sum().reindex(codes).fillna(1).to_numpy(dtype=float)
    return by / by.sum()


def _choice(rng: np.random.Generator, table: dict, keys: np.ndarray) -> np.ndarray:
    """For each key, one draw from table[key] (a tuple of probabilities over its positions)."""
    out = np.zeros(len(keys), dtype=np.int64)
    for k, p in table.items():
        hit = keys == k
        out[hit] = rng.choice(len(p), size=int(hit.sum()), p=np.asarray(p) / np.sum(p))
    return out


def generate(n_people: int, n_schemes: int, *, codes: list[str] | None = None, seed: int = 1,
             on: date = date(2026, 11, 23)) -> Dataset:  # fmt: skip
    rng = np.random.default_rng(seed)
    d = districts()
    codes = list(d.index) if codes is None else codes
    w = _weights(codes)
    people = _people(rng, n_people, codes, w, on)
    z = _staying_put(rng, people, int(round(STAYING_PUT_SHARE * n_schemes)), on)
    schemes = pd.concat([_schemes(rng, n_schemes - len(z), codes, w), z], ignore_index=True)
    schemes["scheme_id"] = [f"SC-{j:05d}" for j in range(len(schemes))]
    return Dataset(people=people, schemes=schemes)


def _people(rng: np.random.Generator, n: int, codes: list[str], w: np.ndarray, on: date) -> pd.DataFrame:
    age = rng.choice(np.arange(16, 26), size=n, p=np.array([4, 6, 9, 9, 8, 7, 5, 4, 3, 2]) / 57)
    band = np.where(age < 18, "under18", np.where(age <= 21, "18-21", "22-25"))
    days = np.asarray(age) * 365 + rng.integers(0, 365, n)
    home = rng.choice(codes, size=n, p=w)
    centre = districts().loc[codes, ["lat", "lon"]].to_numpy()
    # Connections and districts to avoid: among the 6 nearest districts of the same set.
    gap = np.hypot(*(centre[:, None, :] - centre[None, :, :]).transpose(2, 0, 1))
    nearest = np.argsort(gap, axis=1)[:, 1:7]
    idx = pd.Index(codes).get_indexer(home)
    pick = rng.integers(0, nearest.shape[1], (n, 3))
    near = np.asarray(codes)[nearest[idx[:, None], pick]]
    n_conn = rng.choice([0, 1, 2], size=n, p=[0.4, 0.4, 0.2])
    avoid = rng.random(n) < 0.08
    risks = rng.random((n, len(RISKS))) < np.array([RISK_P[r] for r in RISKS])
    accom = np.where(rng.random(n) < 0.06, rng.choice(["W2", "V2", "S2"], size=n), "")
    accom = np.where((age < 18) & (accom != ""), "S2", accom)
    need = np.asarray(SUPPORT_LEVELS)[_choice(rng, SUPPORT_BY_AGE, band)]
    return pd.DataFrame(
        {
            "person_id": [f"YP-{i:06d}" for i in range(n)],
            "date_of_birth": pd.to_datetime([on - timedelta(days=int(x)) for x in days]).astype(
                "datetime64[ns]"
            ),
            "gender": rng.choice(list(GENDER_MIX), size=n, p=list(GENDER_MIX.values())),
            "home_district": home,
            "connection_districts": [tuple(dict.fromkeys(near[i, :k])) for i, k in enumerate(n_conn)],
            "avoid_districts": [(near[i, 2],) if a else () for i, a in enumerate(avoid)],
            "support_need": need,
            "wheelchair": rng.random(n) < WHEELCHAIR_SHARE,
            "parent_with_child": (rng.random(n) < 0.05) & (age >= 17),
            "high_risk": rng.random(n) < 0.10,
            "risks": [tuple(np.asarray(RISKS)[r]) for r in risks],
            "needed_from": pd.to_datetime(
                [on + timedelta(days=int(x)) for x in rng.integers(-30, 90, n)]
            ).astype("datetime64[ns]"),
            "current_accom": accom,
            "uasc": rng.random(n) < UASC_SHARE,
            "tenancy_ready": (age >= 18) & (np.isin(need, ["none", "low"])) & (rng.random(n) < TENANCY_READY),
        }
    )


def _staying_put(rng: np.random.Generator, people: pd.DataFrame, k: int, on: date) -> pd.DataFrame:
    """k staying-put places with former foster carers, each reserved for an 18-20 year-old on the
    list (not now in B&B, emergency accommodation or of no fixed abode), in their home district."""
    age = ages_on(people["date_of_birth"], on)
    pool = np.flatnonzero(((age >= 18) & (age <= 20) & (people["current_accom"] == "")).to_numpy())
    p = people.iloc[np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))]
    centre = districts().loc[p["home_district"], ["lat", "lon"]].to_numpy()
    need = p["support_need"].map({v: i for i, v in enumerate(SUPPORT_LEVELS)}).to_numpy()
    return pd.DataFrame(
        {
            "name": [f"Staying put {i}" for i in range(len(p))],
            "provider": "Former foster carers",
            "accom_type": "Z",
            "district": p["home_district"].to_numpy(),
            "latitude": centre[:, 0],
            "longitude": centre[:, 1],
            "capacity": np.int64(1),
            "vacancies": np.int64(1),
            "min_age": np.int64(18),
            "max_age": np.int64(20),
            "gender": "any",
            "support_level": np.asarray(SUPPORT_LEVELS)[np.maximum(need, 1)],
            "wheelchair_accessible": p["wheelchair"].to_numpy(),
            "parent_and_child": p["parent_with_child"].to_numpy(),
            "accepts_high_risk": True,
            "excluded_risks": [()] * len(p),
            "ofsted_registered": False,
            "weekly_cost": STAYING_PUT_COST,
            "reserved_for": p["person_id"].to_numpy(),
        }
    )


def _schemes(rng: np.random.Generator, m: int, codes: list[str], w: np.ndarray) -> pd.DataFrame:
    share = np.array(list(TYPE_SHARE.values()))
    kind = rng.choice(list(TYPE_SHARE), size=m, p=share / share.sum())
    district = rng.choice(codes, size=m, p=w)
    centre = districts().loc[district, ["lat", "lon"]].to_numpy()
    lat = centre[:, 0] + rng.normal(0, 0.02, m)
    lon = centre[:, 1] + rng.normal(0, 0.03, m)
    outside = km_outside_district(lat, lon, np.asarray(district, dtype=object)) > 0  # as the contract checks
    lat[outside], lon[outside] = centre[outside, 0], centre[outside, 1]
    offered = {**{k: v[2] for k, v in TYPES.items()}, "U": (0.5, 0.5, 0, 0, 0), "W": (0, 0.3, 0.7, 0, 0),
               "V": (0, 0, 0.4, 0.6, 0)}  # fmt: skip
    support = _choice(rng, offered, kind)
    lo = np.array([CAPACITY[k][0] for k in kind])
    hi = np.array([CAPACITY[k][1] for k in kind])
    capacity = rng.integers(lo, hi + 1)
    # Most places are occupied on the date and many schemes are full (FULL_SHARE, assumption).
    vacancies = np.where(rng.random(m) < FULL_SHARE, 0, rng.binomial(capacity, [VACANCY_P[k] for k in kind]))
    ranges = {k: tuple(v.values()) for k, v in AGE_RANGES.items()}
    age_pick = _choice(rng, ranges, kind)
    ages = np.array([list(AGE_RANGES[k])[a] for k, a in zip(kind, age_pick, strict=True)])
    gender = np.asarray(["any", "F", "M"])[_choice(rng, GENDER, kind)]
    excluded = [
        tuple(r for r, p in EXCLUDES.get(k, {}).items() if rng.random() < p) for k in kind
    ]  # fmt: skip
    cost = np.array([COST[k][s] for k, s in zip(kind, support, strict=True)], dtype=float)
    cost *= rng.lognormal(0, 0.2, m)
    return pd.DataFrame(
        {
            "name": [f"Scheme {j}" for j in range(m)],
            "provider": "Benchmark provider",
            "accom_type": kind,
            "district": district,
            "latitude": lat,
            "longitude": lon,
            "capacity": capacity.astype(np.int64),
            "vacancies": vacancies.astype(np.int64),
            "min_age": ages[:, 0].astype(np.int64),
            "max_age": ages[:, 1].astype(np.int64),
            "gender": gender,
            "support_level": np.asarray(SUPPORT_LEVELS)[support],
            "wheelchair_accessible": rng.random(m) < np.array([WHEELCHAIR[k] for k in kind]),
            "parent_and_child": rng.random(m) < np.array([PARENT_CHILD[k] for k in kind]),
            "accepts_high_risk": rng.random(m) < np.array([HIGH_RISK_OK[k] for k in kind]),
            "excluded_risks": excluded,
            "ofsted_registered": (rng.random(m) < 0.8) & np.isin(kind, ["D", "E", "T"]),
            "weekly_cost": np.round(cost, 2),
            "reserved_for": "",
        }
    )
