"""Synthetic young people for the demo county, calibrated in `planner.demo.calibration`.

Shares that have a public figure (age bands, suitability of current accommodation, NEET, gender,
district) are allotted exactly (largest remainder, then shuffled), so the demo reproduces them
to within one person; the rest are drawn with the probabilities named below.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from planner.data.vocab import RISKS, SUPPORT_LEVELS, SUPPORT_RANK
from planner.demo.calibration import GENDER_MIX, WHEELCHAIR_SHARE, Calibration
from planner.demo.places import neighbours

# Ages within each band. DfE's "17 to 18" are care leavers who turned 17 or 18 in the year; we
# add some 16 year olds (relevant children who left care at 16) and keep half the band under 18.
AGES = {
    "17-18": ((16, 17, 18), (0.15, 0.35, 0.50)),
    "19-21": ((19, 20, 21), (1 / 3, 1 / 3, 1 / 3)),
    "22-25": ((22, 23, 24, 25), (0.35, 0.27, 0.22, 0.16)),  # fewer ask for help as they get older
}
# Current accommodation (SSDA903 OC3 ACCOM) of those in suitable places, by age (assumption,
# after the mix of types in DfE's care leaver tables). Under-18s come from children's homes (C),
# semi-independent (D), supported lodgings (E), family (B); staying put (Z) starts at 18.
SUITABLE_NOW = {
    "under18": {"C1": 0.35, "D1": 0.35, "E1": 0.15, "B1": 0.10, "K1": 0.05},
    "18-21": {"Z1": 0.20, "D1": 0.30, "E1": 0.10, "T1": 0.08, "U1": 0.15, "B1": 0.12, "K1": 0.05},
    "22-25": {"U1": 0.50, "D1": 0.15, "B1": 0.20, "K1": 0.10, "T1": 0.05},
}
# Unsuitable now: adults in B&B, emergency accommodation or with no fixed abode; an under-18 is
# never in B&B or emergency accommodation, only (rarely) sofa-surfing with no fixed abode.
UNSUITABLE_NOW = {"adult": {"W2": 0.40, "V2": 0.35, "S2": 0.25}, "under18": {"S2": 1.0}}
SUPPORT_BY_AGE = {  # assumption: need falls with age
    "under18": (0.0, 0.0, 0.45, 0.40, 0.15),
    "18-21": (0.05, 0.30, 0.40, 0.20, 0.05),
    "22-25": (0.25, 0.45, 0.25, 0.05, 0.0),
}
# Chance of each risk (SocialCareData placements standard v2 vocabulary), assumption: of the
# order reported in looked-after children's case files; exploitation higher under 18.
RISK_P = {
    "self_harm": 0.12, "sexual_exploitation": 0.05, "criminal_exploitation": 0.07,
    "substance_use": 0.15, "eating_disorder": 0.02, "going_missing": 0.08, "harm_to_others": 0.06,
    "sexual_harm_to_others": 0.01, "fire_setting": 0.01, "harm_to_animals": 0.005,
    "exploiting_others": 0.02,
}  # fmt: skip
RISKS_TO_OTHERS = ("harm_to_others", "sexual_harm_to_others", "fire_setting", "exploiting_others")


def allot(rng: np.random.Generator, n: int, shares: Mapping[Any, float]) -> np.ndarray:
    """n labels in the given shares exactly (largest remainder), in random order."""
    keys = list(shares.keys())
    p = np.asarray([shares[k] for k in keys], dtype=float)
    p = p / p.sum() if p.sum() > 0 else np.full(len(p), 1 / len(p))
    raw = p * n
    counts = np.floor(raw).astype(int)
    short = n - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    out = np.repeat(np.asarray(keys, dtype=object), counts)
    rng.shuffle(out)
    return out


def band_counts(cal: Calibration, n: int) -> dict[str, int]:
    shares = {b.name: b.count for b in cal.bands}
    labels = allot(np.random.default_rng(0), n, shares)  # counts only: order does not matter
    return {k: int((labels == k).sum()) for k in shares}


def make_people(cal: Calibration, n: int, rng: np.random.Generator, on: date, prefix: str) -> pd.DataFrame:
    """n young people needing a place in the 12 months from `on`, as contract v1.1 columns."""
    parts = []
    for band, count in zip(cal.bands, band_counts(cal, n).values(), strict=True):
        ages, p = AGES[band.name]
        age = allot(rng, count, dict(zip(ages, p, strict=True))).astype(int)
        status = allot(rng, count, {"suitable": band.suitable, "unsuitable": band.unsuitable,
                                    "unknown": band.unknown})  # fmt: skip
        neet = allot(rng, count, {True: band.neet, False: 1 - band.neet}).astype(bool)
        parts.append(pd.DataFrame({"age": age, "status": status, "neet": neet}))
    df = pd.concat(parts, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    n = len(df)
    age = df["age"].to_numpy()
    under18 = age < 18
    group = np.where(under18, "under18", np.where(age <= 21, "18-21", "22-25"))

    gender = allot(rng, n, GENDER_MIX)
    home = allot(rng, n, cal.district_share)
    since_birthday = rng.integers(0, 365, n)
    dob = [
        _years_before(on, int(a)) - timedelta(days=int(d)) for a, d in zip(age, since_birthday, strict=True)
    ]

    current = np.full(n, "", dtype=object)
    for g in ("under18", "18-21", "22-25"):
        m = (df["status"].to_numpy() == "suitable") & (group == g)
        current[m] = allot(rng, int(m.sum()), SUITABLE_NOW[g])
    for g, codes in UNSUITABLE_NOW.items():
        m = (df["status"].to_numpy() == "unsuitable") & ((group == "under18") == (g == "under18"))
        current[m] = allot(rng, int(m.sum()), codes)

    risks = _risks(rng, n, under18, gender)
    n_risks = np.array([len(r) for r in risks])
    to_others = np.array([any(x in RISKS_TO_OTHERS for x in r) for r in risks])
    high_risk = (to_others & (rng.random(n) < 0.6)) | (n_risks >= 3) | (rng.random(n) < 0.02)

    need = np.array([rng.choice(len(SUPPORT_LEVELS), p=SUPPORT_BY_AGE[g]) for g in group])
    need = np.where(high_risk, np.maximum(need, SUPPORT_RANK["high"]), need)
    need = np.where(n_risks >= 2, np.maximum(need, SUPPORT_RANK["medium"]), need)

    wheelchair = allot(rng, n, {True: WHEELCHAIR_SHARE, False: 1 - WHEELCHAIR_SHARE}).astype(bool)
    p_parent = np.where(age >= 19, cal.parent_share, np.where(age >= 17, cal.parent_share / 2, 0.0))
    parent = (gender == "F") & (rng.random(n) < p_parent)

    many = len(cal.council.district_codes) >= 3
    connections: list[tuple[str, ...]] = []
    avoid: list[tuple[str, ...]] = []
    near_cache = {c: neighbours(c) for c in set(home)}
    for i in range(n):
        near = near_cache[home[i]]
        # NEET (DfE activity): no college or job, so fewer ties beyond home (family).
        k = rng.choice(3, p=(0.6, 0.4, 0.0) if df["neet"].iat[i] else (0.1, 0.5, 0.4))
        w = np.exp(-near.to_numpy() / 12.0)
        extra = rng.choice(near.index.to_numpy(), size=min(k, len(near)), replace=False, p=w / w.sum())
        connections.append((home[i], *sorted(extra)))
        exploited = {"sexual_exploitation", "criminal_exploitation"} & set(risks[i])
        if (exploited and rng.random() < 0.7) or rng.random() < 0.02:
            # Keep away from where they were exploited: home itself in a county of several
            # districts (a unitary has nowhere else to place them), else the nearest district.
            away = home[i] if (many and exploited and rng.random() < 0.5) else near.index[0]
            avoid.append((away,))
            connections[-1] = tuple(c for c in connections[-1] if c != away)
        else:
            avoid.append(())

    status = df["status"].to_numpy()
    urgent = status == "unsuitable"
    # Needed from: those unsuitably housed now have waited up to 3 months; the rest fall across
    # the 12-month window, more of them soon (a waiting list is front-loaded).
    offset = np.where(urgent, -rng.integers(1, 90, n), np.floor(365 * rng.random(n) ** 1.6).astype(int))
    needed = [on + timedelta(days=int(d)) for d in offset]
    return pd.DataFrame({
        "person_id": [f"{prefix}-{i + 1:04d}" for i in range(n)],
        "date_of_birth": pd.to_datetime(dob),
        "gender": gender.astype(str),
        "home_district": home.astype(str),
        "connection_districts": connections,
        "avoid_districts": avoid,
        "support_need": np.asarray(SUPPORT_LEVELS, dtype=object)[need],
        "wheelchair": wheelchair,
        "parent_with_child": parent,
        "high_risk": high_risk,
        "risks": risks,
        "needed_from": pd.to_datetime(needed),
        "current_accom": current.astype(str),
    })  # fmt: skip


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def _risks(
    rng: np.random.Generator, n: int, under18: np.ndarray, gender: np.ndarray
) -> list[tuple[str, ...]]:
    p = np.tile(np.array([RISK_P[r] for r in RISKS]), (n, 1))
    idx = {r: i for i, r in enumerate(RISKS)}
    for r in ("sexual_exploitation", "criminal_exploitation", "going_missing"):
        p[under18, idx[r]] *= 1.8  # exploitation and going missing peak before 18
    p[gender == "F", idx["sexual_exploitation"]] *= 2.0
    p[gender == "M", idx["criminal_exploitation"]] *= 1.6
    hit = rng.random((n, len(RISKS))) < p
    return [tuple(r for r, h in zip(RISKS, row, strict=True) if h) for row in hit]
