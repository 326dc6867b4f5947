"""Seeded random instances for the eligibility, matching and options tests.

Typed exactly as `planner.data.contract.load_folder` returns them. Small schemes and many rule
flags, so that every hard rule binds somewhere and capacity is usually short.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.data.vocab import RISKS, SUPPORT_LEVELS

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
    current = rng.choice(["", "", "", "W2", "V2", "S2", "X2", "B1", "D1", "U1", "Z1"], size=n)
    # v1.2: some accommodation ends (notice, a placement ending) before or after the date.
    until = pd.to_datetime([on + timedelta(days=int(d)) for d in rng.integers(-10, 30, n)])
    until = until.where(rng.random(n) < 0.25)
    staying_put = pd.array(rng.choice([None, None, True, False], size=n), dtype="boolean")
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
            "uasc": rng.random(n) < 0.1,
            "legal_status": "",
            "current_until": until.astype("datetime64[ns]"),
            "staying_put": staying_put,
            "tenancy_ready": rng.random(n) < 0.4,
            "activity": rng.choice(["", "F1", "F2", "F4", "P4", "F5", "P5", "G5"], size=n),
        }
    ).assign(legal_status=_statuses(n, seed))


def _statuses(n: int, seed: int) -> np.ndarray:
    """Mostly from age (empty); some `qualifying` (any age): their own generator, so the rest of an
    instance is as it was before legal statuses were drawn."""
    rng = np.random.default_rng(seed + 30_000)
    return np.where(rng.random(n) < 0.15, "qualifying", "").astype(object)


def schemes(
    m: int,
    seed: int,
    *,
    pool: tuple[str, ...] = GLOUCESTERSHIRE,
    wv_share: float = 0.12,
    people_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Schemes; staying-put (Z) places and a few others are reserved for one of `people_ids`
    (or, for a full place, for someone not on the list)."""
    rng = np.random.default_rng(seed + 10_000)
    d = districts().loc[list(pool)]
    district = rng.choice(pool, size=m)
    lat = d.loc[district, "lat"].to_numpy() + rng.normal(0, 0.02, m)
    lon = d.loc[district, "lon"].to_numpy() + rng.normal(0, 0.02, m)
    kinds = rng.choice(list("DETUZBK"), size=m)
    kinds = np.where(rng.random(m) < wv_share, rng.choice(["W", "V"], size=m), kinds)
    capacity = rng.integers(1, 6, m)
    vacancies = rng.integers(0, capacity + 1)
    min_age = rng.choice([16, 16, 17, 18], size=m)
    max_age = np.maximum(min_age, rng.choice([18, 21, 25, 25], size=m))
    ids = people_ids or []
    reserve = (kinds == "Z") | (rng.random(m) < 0.05)
    named = [str(rng.choice(ids)) if ids and v > 0 else "YP-living-there" for v in vacancies]
    reserved_for = np.where(reserve, named, "")
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
            "vacancies": np.where(reserve & (np.array(named) == "YP-living-there"), 0, vacancies).astype(
                np.int64
            ),
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
            "reserved_for": reserved_for.astype(object),
        }
    ).pipe(_rents, seed)


def _rents(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """About half the schemes give their rent and support (contract v1.2), the rest leave them to
    the split assumed by type: their own generator, so the rest of an instance is as it was."""
    rng = np.random.default_rng(seed + 20_000)
    cost = df["weekly_cost"].to_numpy()
    rent = np.minimum(np.round(rng.uniform(0, 400, len(df)), 2), cost)
    given = rng.random(len(df)) < 0.5
    return df.assign(
        weekly_rent=np.where(given, rent, np.nan), weekly_support=np.where(given, cost - rent, np.nan)
    )


def instance(n: int, m: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ppl = people(n, seed)
    return ppl, schemes(m, seed, people_ids=ppl["person_id"].tolist())


# ---- an independent, row-by-row statement of PRODUCT.md's hard rules (no planner code) ----

HORIZON = timedelta(days=28)


def due(p: dict, on: date = ON) -> bool:
    """Within the horizon: `needed_from` on or before the match date plus 28 days."""
    return p["needed_from"] <= pd.Timestamp(on) + HORIZON


def now(p: dict, on: date = ON) -> bool:
    """Needed on or before the match date: only then may an adult be given B&B or emergency."""
    return p["needed_from"] <= pd.Timestamp(on)


LEVELS = ("none", "low", "medium", "high", "intensive")


def age_on(dob: pd.Timestamp, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def declined(p: dict) -> bool:
    """`staying_put` false: empty (NA) means agreed."""
    v = p.get("staying_put", None)
    return v is not None and v is not pd.NA and not bool(v)


def broken(p: dict, s: dict, on: date) -> set[str]:
    """The hard rules scheme `s` breaks for person `p`, written out one by one."""
    age = age_on(p["date_of_birth"], on)
    out = set()
    if s["vacancies"] <= 0:
        out.add("vacancy")
    if s.get("reserved_for", "") not in ("", p["person_id"]):
        out.add("reserved")
    if s["accom_type"] == "Z" and s.get("reserved_for", "") == p["person_id"] and declined(p):
        out.add("staying_put_declined")
    if not s["min_age"] <= age <= s["max_age"]:
        out.add("age")
    if s["accom_type"] == "Z" and age >= 21:
        out.add("staying_put_age")
    if s["accom_type"] == "U" and (age < 18 or not p.get("tenancy_ready", False)):
        out.add("own_tenancy")
    if s["gender"] != "any" and s["gender"] != p["gender"]:
        out.add("gender")
    if s["accom_type"] not in ("W", "V") and LEVELS.index(s["support_level"]) < LEVELS.index(
        p["support_need"]
    ):
        out.add("support")  # B&B and emergency: unsuitable whatever their support
    if p["wheelchair"] and not s["wheelchair_accessible"]:
        out.add("wheelchair")
    if p["parent_with_child"] and not s["parent_and_child"]:
        out.add("parent_and_child")
    if p["high_risk"] and not s["accepts_high_risk"]:
        out.add("high_risk")
    if set(p["risks"]) & set(s["excluded_risks"]):
        out.add("risks")
    if age < 18 and not s["ofsted_registered"]:
        out.add("ofsted")
    if age < 18 and s["accom_type"] in ("W", "V"):
        out.add("no_bnb_under_18")
    if s["district"] in p["avoid_districts"]:
        out.add("avoid_districts")
    return out


def no_roof(p: dict, on: date = ON) -> bool:
    """current_accom empty, S or X, or current_until on or before the date."""
    ended = not pd.isna(p.get("current_until", pd.NaT)) and p["current_until"] <= pd.Timestamp(on)
    return p["current_accom"][:1] in ("", "S", "X") or ended


def in_wv(p: dict) -> bool:
    return p["current_accom"][:1] in ("W", "V")


def may_take_wv(p: dict, on: date = ON) -> bool:
    """PRODUCT.md v1.2: B&B or emergency only for an adult due now with no roof, not in W/V already."""
    return age_on(p["date_of_birth"], on) >= 18 and now(p, on) and no_roof(p, on) and not in_wv(p)


def records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")


NEUTRAL_PERSON = dict(
    gender="F", home_district="E07000081", connection_districts=(), avoid_districts=(), support_need="low",
    wheelchair=False, parent_with_child=False, high_risk=False, risks=(), current_accom="",
    date_of_birth=pd.Timestamp("2006-01-01"), needed_from=pd.Timestamp(ON), uasc=False,
    legal_status="", current_until=pd.NaT, staying_put=pd.NA, tenancy_ready=False, activity="",
)  # fmt: skip
NEUTRAL_SCHEME = dict(
    name="Scheme", provider="Provider", accom_type="D", district="E07000081", latitude=51.8643,
    longitude=-2.2503, capacity=2, vacancies=1, min_age=16, max_age=25, gender="any", support_level="high",
    wheelchair_accessible=False, parent_and_child=False, accepts_high_risk=False, excluded_risks=(),
    ofsted_registered=True, weekly_cost=500.0, reserved_for="", weekly_rent=np.nan, weekly_support=np.nan,
)  # fmt: skip


def frames(ppl: list[dict], sch: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Small hand-made frames: neutral rows (everyone fits everything) with overrides."""
    p = pd.DataFrame([{"person_id": f"P{i}", **NEUTRAL_PERSON, **o} for i, o in enumerate(ppl)])
    s = pd.DataFrame([{"scheme_id": f"S{j}", **NEUTRAL_SCHEME, **o} for j, o in enumerate(sch)])
    for df in (p, s):
        for c in df.columns:
            if df[c].map(lambda v: isinstance(v, pd.Timestamp) or v is pd.NaT).all():
                df[c] = df[c].astype("datetime64[ns]")
    p["staying_put"] = p["staying_put"].astype("boolean")
    s["capacity"] = s[["capacity", "vacancies"]].max(axis=1).astype("int64")
    for c in ("vacancies", "min_age", "max_age"):
        s[c] = s[c].astype("int64")
    return p, s


def born(age: int, on: date = ON) -> pd.Timestamp:
    """A date of birth giving `age` on `on` (half a year past the birthday)."""
    return pd.Timestamp(on.replace(year=on.year - age)) - pd.Timedelta(days=180)
