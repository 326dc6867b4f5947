"""The looked-after cohort of the demo county (cohort.csv) and the council's figures it and the
referral history are calibrated on. Sources are in `planner.demo.history`'s docstring and
data/README.md ("How the demo history is calibrated").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, Final

import numpy as np
import pandas as pd

from planner.data.districts import REFERENCE_DIR, Council
from planner.data.vocab import SUPPORT_LEVELS

SHARE_13_15, SHARE_16_17 = 0.21, 0.26  # DfE CLA 2025, national age breakdown
UASC_PER_CHILD: Final = 0.001 * 0.7  # NTS 0.1% ceiling, 70% of it held (assumption)
UASC_AGED_16_17: Final = 0.85  # of the council's UASC (assumption, as DfE's national age profile)
# Support need by the kind of place a young person went to (none, low, medium, high, intensive).
SUPPORT_BY_TYPE: Final = {
    "C": [0.0, 0.05, 0.2, 0.45, 0.3], "D": [0.05, 0.3, 0.4, 0.2, 0.05], "U": [0.4, 0.45, 0.15, 0, 0],
    "B": [0.3, 0.4, 0.25, 0.05, 0], "Z": [0.2, 0.5, 0.25, 0.05, 0], "*": [0.1, 0.35, 0.35, 0.15, 0.05],
}  # fmt: skip


def _dfe(name: str) -> pd.DataFrame:
    """The latest year of a DfE table (the files hold 2021-2025; the demo is calibrated on the latest)."""
    df = pd.read_csv(REFERENCE_DIR / name, dtype={"la_code": str}, keep_default_na=False)
    return df[df["time_period"] == df["time_period"].max()]


@cache
def council_figures(code: str) -> dict[str, float]:
    """The council's children looked after, child population and unsuitably housed care leavers
    against England's (DfE); England's rates where suppressed. Care leaver counts are in
    `planner.demo.calibration`."""
    cla = _dfe("dfe_cla_numbers_and_rates.csv")
    cla = cla[(cla["time_period"] == cla["time_period"].max()) & (cla["measure"].str.contains("on 31 March"))]
    nat = cla[cla["geographic_level"] == "National"].iloc[0]
    own = cla[cla["la_code"] == code]
    pop = float(own["population_0_17_estimate"].iloc[0]) if len(own) else float("nan")
    count = pd.to_numeric(own["children_count"], errors="coerce")
    looked_after = float(count.iloc[0]) if len(own) and count.notna().iloc[0] else float("nan")
    if not np.isfinite(looked_after):
        looked_after = pop * float(nat["children_count"]) / float(nat["population_0_17_estimate"])
    suit = _dfe("dfe_care_leavers_accommodation_suitability.csv")
    unsuit = suit[
        (suit["age_group"] == "19 to 21 years") & suit["accommodation_suitability"].str.contains("unsuitable")
    ]
    pct = pd.to_numeric(
        unsuit.set_index(unsuit["la_code"].where(unsuit["la_code"] != "", "England"))["percent"],
        errors="coerce",
    )
    england = float(pct.get("England", 5.0))
    own_pct = float(pct.get(code, np.nan)) if code in pct.index else np.nan
    return {
        "looked_after": looked_after,
        "population_0_17": pop if np.isfinite(pop) else looked_after / 0.0067,
        "unsuitable_ratio": (own_pct / england) if np.isfinite(own_pct) and england > 0 else 1.0,
    }


def district_weights(codes: tuple[str, ...]) -> pd.Series:
    mye = pd.read_csv(REFERENCE_DIR / "ons_mye2022_age16_25_by_lad.csv", dtype={"code": str})
    w = mye[mye["code"].isin(codes)].groupby("code")["persons"].sum()
    w = w.reindex(list(codes)).fillna(w.mean() if len(w) else 1.0)
    return w / w.sum()


@cache
def placement_mix(code: str) -> dict[str, float]:
    """Placements of 13-17 year-olds from the council's mix for all ages (England's where suppressed)."""
    df = _dfe("dfe_cla_placement_type_31_march.csv")
    own = df[df["la_code"] == code]
    counts = pd.to_numeric(own["count"], errors="coerce")
    stated = counts[own["placement_type"] == "Total"]
    if own.empty or counts.isna().mean() > 0.3 or not (stated > 0).any():
        own = df[df["geographic_level"] == "National"]
    n = pd.to_numeric(own.set_index("placement_type")["count"], errors="coerce").fillna(0)

    def get(key: str) -> float:
        return float(n[n.index.str.startswith(key)].sum())

    # Teenagers are over-represented in children's homes and are the only ones in supported
    # accommodation; adoption is for young children (assumptions on how the all-age mix shifts).
    share = SHARE_13_15 + SHARE_16_17
    mix = {
        "H5": get("Independent"),
        "K2": 0.8 * get("Secure homes") * 0.95,
        "K1": 0.8 * get("Secure homes") * 0.05,
        "R1": 0.8 * get("Other residential"),
        "S1": 0.8 * get("Residential schools"),
        "P1": share * get("Placed with parents"),
        "Z1": share * get("Other placements"),
    }
    foster = max(share * get("Total") - sum(mix.values()), 0.2 * share * get("Total"))
    for place, w in {"U1": 0.08, "U3": 0.12, "U4": 0.35, "U6": 0.45}.items():  # assumption
        mix[place] = foster * w
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()}


def _uasc(fig: dict[str, float]) -> tuple[int, int]:
    """UASC among the council's children looked after aged 13-17, and of them those aged 16-17."""
    n_old = int(round(fig["looked_after"] * SHARE_16_17))
    n = n_old + int(round(fig["looked_after"] * SHARE_13_15))
    n_uasc = min(int(round(fig["population_0_17"] * UASC_PER_CHILD)), n // 3)
    return n_uasc, min(int(round(UASC_AGED_16_17 * n_uasc)), n_old)


def uasc_share_16_17(code: str) -> float:
    """The share of UASC among the council's children looked after aged 16-17, as in its cohort."""
    fig = council_figures(code)
    n_old = int(round(fig["looked_after"] * SHARE_16_17))
    return _uasc(fig)[1] / n_old if n_old else 0.0


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


def choose(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def support_needs(rng: np.random.Generator, letters: np.ndarray) -> np.ndarray:
    out = np.empty(len(letters), dtype=object)
    for i, letter in enumerate(letters):
        p = SUPPORT_BY_TYPE.get(str(letter), SUPPORT_BY_TYPE["*"])
        out[i] = SUPPORT_LEVELS[rng.choice(5, p=np.asarray(p) / sum(p))]
    return out


def _dob(on: date, age_years: np.ndarray) -> pd.Series:
    return pd.Series(pd.Timestamp(on) - pd.to_timedelta(np.round(age_years * 365.25), unit="D"))


def generate_cohort(council: Council, *, rng: np.random.Generator, on: date) -> pd.DataFrame:
    """Children looked after on `on` aged 13 to 17 (cohort.csv)."""
    fig = council_figures(council.code)
    n_old = int(round(fig["looked_after"] * SHARE_16_17))
    n_young = int(round(fig["looked_after"] * SHARE_13_15))
    age = np.concatenate([rng.uniform(16, 18, n_old), rng.uniform(13, 16, n_young)])
    n = len(age)
    mix = placement_mix(council.code)
    place = choose(rng, mix, n)
    # Semi-independent living (H5) is for 16 and 17 year-olds: move younger ones to foster care.
    place[(place == "H5") & (age < 16)] = "U6"
    uasc = np.zeros(n, dtype=bool)
    n_uasc, k_old = _uasc(fig)
    old, young = np.flatnonzero(age >= 16), np.flatnonzero(age < 16)
    uasc[rng.choice(old, k_old, replace=False)] = True
    uasc[rng.choice(young, min(n_uasc - k_old, len(young)), replace=False)] = True
    gender = choose(rng, {"M": 0.56, "F": 0.43, "X": 0.01}, n)  # DfE CLA: 56% boys
    gender[uasc] = np.where(rng.random(int(uasc.sum())) < 0.95, "M", "F")
    letters = np.where(np.isin(place, ["K1", "K2", "R1", "S1"]), "C", np.where(place == "H5", "D", "Z"))
    weights = district_weights(council.district_codes)
    df = pd.DataFrame(
        {
            "child_id": [f"C-{i:05d}" for i in range(1, n + 1)],
            "date_of_birth": _dob(on, age).astype("datetime64[ns]"),
            "gender": gender.astype(str),
            "district": choose(rng, {str(k): float(v) for k, v in weights.items()}, n).astype(str),
            "placement_type": place.astype(str),
            "support_need": support_needs(rng, letters).astype(str),
            "uasc": uasc,
        }
    )
    df = df.sort_values("date_of_birth", kind="stable").reset_index(drop=True)
    df["child_id"] = [f"C-{i:05d}" for i in range(1, n + 1)]
    return df
