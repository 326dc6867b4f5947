"""Synthetic accommodation schemes for the demo county: types, sizes, costs, rules, places.

Supply is sized from demand: each district gets suitable vacancies for a share of the young
people from it, lower in the east of the council ("insufficient to meet demand, particularly
in the east of the county", PRODUCT.md s.1), so the shortfall map has something true to show.
A one-district council is short of high and intensive support instead. Vacancies are a minority
of places: most are occupied on the date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.data.vocab import RISKS, SUPPORT_LEVELS, SUPPORT_RANK
from planner.demo.calibration import COST_MAX_GBP, COST_MEAN_GBP, COST_MIN_GBP, Calibration
from planner.demo.places import places, points_near
from planner.match.eligibility import ages_on

# Suitable vacancies for this share of a district's demand: west to east (assumption).
SUPPLY_WEST, SUPPLY_EAST = 1.2, 0.3
SUPPLY_SINGLE = 0.8  # a one-district council, before the high-support shortage
HIGH_SUPPORT_SHORT = 0.35  # one-district council: vacancy chance of high/intensive places x this

# type: share of suitable vacancies, chance a place is free on the date, support levels offered
# (none, low, medium, high, intensive), places per scheme (low, high). Assumptions, after the
# sizes PRODUCT.md and the issue give: supported lodgings 1-2, semi-independent 4-20, foyers 20-60;
# own-tenancy move-on flats in small blocks. Staying put (Z) is not a pool of places: each is one
# young person's own former foster carers (`staying_put`).
TYPES = {
    "E": (0.08, 0.40, (0, 0.30, 0.50, 0.20, 0), (1, 2)),
    "D": (0.51, 0.35, (0, 0.05, 0.35, 0.42, 0.18), (4, 20)),
    "T": (0.13, 0.30, (0, 0.50, 0.50, 0, 0), (20, 60)),
    "U": (0.28, 0.35, (0.50, 0.50, 0, 0, 0), (3, 15)),
}
# B&B and emergency accommodation, for adults only: places as a share of the people waiting.
UNSUITABLE = {"W": (0.05, 0.50, (2, 8)), "V": (0.04, 0.40, (3, 10))}
# Support a young person gets there: in B&B only the leaving care team's visits (floating
# support, up to medium), in emergency hostels staff on site (up to high). Without it no one
# with a need could ever be matched to B&B, which in practice is exactly where they end up.
UNSUITABLE_SUPPORT = {"W": (0, 0.3, 0.7, 0, 0), "V": (0, 0, 0.4, 0.6, 0)}
AGE_RANGES = {  # (min, max): chance
    "E": {(16, 21): 0.6, (16, 25): 0.2, (18, 25): 0.2},
    "Z": {(18, 21): 0.85, (18, 25): 0.15},  # staying put starts at 18
    "D": {(16, 18): 0.25, (16, 21): 0.40, (16, 25): 0.15, (18, 25): 0.20},
    "T": {(16, 25): 0.6, (18, 25): 0.4},
    "U": {(18, 25): 1.0},
    "W": {(18, 25): 1.0},  # B&B and emergency accommodation are never for under-18s
    "V": {(18, 25): 1.0},
}
GENDER = {"E": (0.7, 0.2, 0.1), "Z": (0.6, 0.25, 0.15), "D": (0.85, 0.1, 0.05), "T": (0.95, 0.05, 0),
          "U": (1, 0, 0), "W": (0.9, 0, 0.1), "V": (1, 0, 0)}  # fmt: skip  # any, F, M
WHEELCHAIR = {"E": 0.03, "Z": 0.02, "D": 0.12, "T": 0.40, "U": 0.10, "W": 0.10, "V": 0.20}
PARENT_CHILD = {"E": 0.04, "Z": 0.0, "D": 0.06, "T": 0.08, "U": 0.12, "W": 0.0, "V": 0.05}
HIGH_RISK_OK = {"E": 0.05, "Z": 0.05, "D": 0.15, "T": 0.20, "U": 0.15, "W": 0.50, "V": 0.60}
EXCLUDES = {  # chance a scheme cannot manage a risk (hosts in their own homes exclude most)
    "E": {"sexual_harm_to_others": 0.8, "fire_setting": 0.7, "harm_to_others": 0.5,
          "harm_to_animals": 0.4, "exploiting_others": 0.5, "substance_use": 0.3},
    "Z": {"sexual_harm_to_others": 0.5, "fire_setting": 0.4, "harm_to_others": 0.3},
    "D": {"sexual_harm_to_others": 0.4, "fire_setting": 0.3, "exploiting_others": 0.2,
          "harm_to_others": 0.15},
    "T": {"sexual_harm_to_others": 0.5, "fire_setting": 0.4, "exploiting_others": 0.3,
          "harm_to_others": 0.2},
    "U": {"sexual_harm_to_others": 0.3, "fire_setting": 0.3},
    "W": {"sexual_harm_to_others": 0.3, "fire_setting": 0.5},
    "V": {"fire_setting": 0.3},
}  # fmt: skip
# Weekly cost per place by support level (none..intensive), before calibrating supported types
# to the FOI mean. Staying put is a carer's allowance, own tenancy rent plus floating support,
# B&B about £60 a night, emergency beds more (assumptions).
COST = {
    "E": (280, 280, 340, 450, 450), "Z": (200, 200, 250, 250, 250), "D": (450, 450, 520, 750, 3000),
    "T": (380, 380, 450, 450, 450), "U": (150, 220, 220, 220, 220), "W": (420,) * 5, "V": (560,) * 5,
}  # fmt: skip
TREES = ("Beech", "Elm", "Hawthorn", "Rowan", "Willow", "Ash", "Hazel", "Linden", "Maple", "Cedar", "Holly",
         "Alder", "Birch", "Oak", "Larch", "Juniper", "Poplar", "Yew", "Sycamore", "Chestnut")  # fmt: skip
BUILDINGS = ("House", "Lodge", "Court", "Place", "Villas", "Gardens")
GUEST_HOUSES = ("The Laurels", "Bay Tree", "Elmfield", "Brookside", "The Grange", "Ivy Lodge",
                "Rosemount", "Fairview", "Hillcrest", "Greenacre")  # fmt: skip
# Fictional providers (any likeness to a real organisation is unintended).
PROVIDERS = {
    "D": ("Amberley Youth Living Ltd", "Brightpath Supported Housing", "Fernleigh Care Services",
          "Kestrel Young Persons Housing", "Larkspur Living CIC", "Meadowbank Support Ltd",
          "Northgate Transitions", "Oakfield Youth Homes", "Riverstone Supported Living",
          "Willowbrook Housing Trust", "Harbour Lane Care", "Quayside Youth Support"),
    "E": ("{council} Supported Lodgings", "{council} Supported Lodgings", "Homebridge Lodgings CIC"),
    "Z": ("{council} Fostering Service", "{council} Fostering Service", "Brightstar Fostering"),
    "T": ("Threshold Foyer Trust", "Youthspace Foyers"),
    "U": ("{council} Housing Partnership", "Greenway Homes", "Millbrook Housing Association"),
    "V": ("{council} Housing Options", "Safe Night Trust"),
}  # fmt: skip


def supply_ratio(cal: Calibration) -> pd.Series:
    """Suitable vacancies per young person from each district: fewest in the east."""
    codes = list(cal.council.district_codes)
    if len(codes) == 1:
        return pd.Series(SUPPLY_SINGLE, index=codes)
    lon = districts().loc[codes, "lon"]
    x = (lon - lon.min()) / (lon.max() - lon.min())
    return SUPPLY_WEST - (SUPPLY_WEST - SUPPLY_EAST) * x**1.5


def _size(rng: np.random.Generator, kind: str, support: int, left: float) -> int:
    lo, hi = TYPES[kind][3] if kind in TYPES else UNSUITABLE[kind][2]
    if kind == "D" and support == 4:
        hi = 6  # 24-hour staffed semi-independent schemes are small (assumption): 4-6 places
    if kind in ("D", "U"):  # more small schemes than large ones
        size = int(round(rng.triangular(lo, lo + (hi - lo) * 0.25, hi)))
    else:
        size = int(rng.integers(lo, hi + 1))
    return max(lo, min(size, max(lo, int(np.ceil(left)))))


def make_schemes(cal: Calibration, demand: pd.Series, rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    """Schemes for the council, sized from `demand` (people per home district)."""
    ratio = supply_ratio(cal)
    n_people = int(demand.sum())
    plan: list[tuple[str, str, int, int]] = []  # (district, type, support rank, places) per scheme
    for code in cal.council.district_codes:
        vacancies = float(demand.get(code, 0)) * float(ratio[code])
        places_by_type = {t: vacancies * share / p_vac for t, (share, p_vac, _, _) in TYPES.items()}
        if places_by_type["T"] < 20:  # too few for a foyer: semi-independent instead
            places_by_type["D"] += places_by_type.pop("T") * TYPES["T"][1] / TYPES["D"][1]
        for kind, (share, _, (lo, _)) in UNSUITABLE.items():
            places_by_type[kind] = max(lo, n_people * share * cal.district_share[code])
        for kind, target in places_by_type.items():
            left = target
            smallest = (TYPES[kind][3] if kind in TYPES else UNSUITABLE[kind][2])[0]
            while left > max(0.5, smallest / 2):
                offered = TYPES[kind][2] if kind in TYPES else UNSUITABLE_SUPPORT[kind]
                support = int(rng.choice(len(SUPPORT_LEVELS), p=offered))
                size = _size(rng, kind, support, left)
                plan.append((code, kind, support, size))
                left -= size
    df = pd.DataFrame(plan, columns=["district", "accom_type", "support", "capacity"])
    df["capacity"] = df["capacity"].astype(np.int64)
    return _describe(df, cal, rng, prefix)


def _pick(rng: np.random.Generator, options: dict, kinds: pd.Series) -> list:  # type: ignore[type-arg]
    return [list(options[k])[rng.choice(len(options[k]), p=list(options[k].values()))] for k in kinds]


def _describe(df: pd.DataFrame, cal: Calibration, rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    n = len(df)
    kind = df["accom_type"]
    k = kind.to_numpy()
    support = df.pop("support").to_numpy()
    df["support_level"] = np.asarray(SUPPORT_LEVELS, dtype=object)[support]
    ages = _pick(rng, AGE_RANGES, kind)
    df["min_age"] = np.array([a[0] for a in ages], dtype=np.int64)
    df["max_age"] = np.array([a[1] for a in ages], dtype=np.int64)
    df["gender"] = [("any", "F", "M")[rng.choice(3, p=GENDER[t])] for t in k]
    df["wheelchair_accessible"] = rng.random(n) < np.array([WHEELCHAIR[t] for t in k])
    df["parent_and_child"] = rng.random(n) < np.array([PARENT_CHILD[t] for t in k])
    df.loc[df["parent_and_child"] & (df["gender"] == "M"), "gender"] = "F"  # mother-and-baby units
    p_high = np.array([HIGH_RISK_OK[t] for t in k]) + np.where((k == "D") & (support >= 3), 0.45, 0)
    df["accepts_high_risk"] = rng.random(n) < p_high
    excluded = []
    for t, ok in zip(k, df["accepts_high_risk"], strict=True):
        p = {r: v / (2 if ok else 1) for r, v in EXCLUDES[t].items()}
        excluded.append(tuple(r for r in RISKS if r in p and rng.random() < p[r]))
    df["excluded_risks"] = excluded
    # Since 28 Oct 2023 supported accommodation for 16-17 year olds in care must be registered
    # with Ofsted; most D/E/T taking 16-17s are (a few are awaiting registration). Staying put,
    # own tenancies, B&B and emergency beds are not.
    supported = np.isin(k, ["D", "E", "T"])
    takes_16 = df["min_age"].to_numpy() < 18
    df["ofsted_registered"] = supported & np.where(takes_16, rng.random(n) < 0.92, rng.random(n) < 0.25)
    df["weekly_cost"] = _costs(k, support, df["capacity"].to_numpy(), rng)

    p_vac = np.array([TYPES[t][1] if t in TYPES else UNSUITABLE[t][1] for t in k])
    if len(cal.council.district_codes) == 1:
        p_vac = np.where((support >= 3) & supported, p_vac * HIGH_SUPPORT_SHORT, p_vac)
    df["vacancies"] = rng.binomial(df["capacity"].to_numpy(), p_vac).astype(np.int64)
    _locate(df, cal, rng)
    df["scheme_id"] = [f"{prefix}-{i + 1:04d}" for i in range(n)]
    return df


# Of the 18-year-olds on the list leaving foster care (not now in B&B, emergency accommodation,
# custody or with no fixed abode), the share whose foster carers offer to let them stay put
# (assumption, of the order of DfE's figures for care leavers with former foster carers at 18).
STAYING_PUT_SHARE_AT_18 = 0.3
STAYING_PUT_COST = (250.0, 0.12)  # GBP a week (the carer's allowance), and its spread (assumption)


def staying_put(
    people: pd.DataFrame, cal: Calibration, rng: np.random.Generator, *, on: date, prefix: str, first: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """A staying-put place (Z) with their own former foster carers for some of the 18-year-olds on
    the list, reserved for them and free from the date they need it, to their 21st birthday.
    Returns the schemes (ids from `first`) and the positions in `people` of those they are for."""
    age = ages_on(people["date_of_birth"], on)
    settled = (people["current_accom"].str[1:] == "1").to_numpy()  # in suitable accommodation now
    soon = (people["needed_from"] <= pd.Timestamp(on) + pd.Timedelta(days=90)).to_numpy()
    pool = np.flatnonzero((age == 18) & settled & soon)
    chosen = np.sort(pool[rng.random(len(pool)) < STAYING_PUT_SHARE_AT_18])
    p = people.iloc[chosen]
    need = p["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int64)
    mean, spread = STAYING_PUT_COST
    df = pd.DataFrame({
        "district": p["home_district"].to_numpy(), "accom_type": "Z", "capacity": np.int64(1),
        "vacancies": np.int64(1), "min_age": np.int64(18), "max_age": np.int64(20), "gender": "any",
        "support_level": np.asarray(SUPPORT_LEVELS, dtype=object)[np.maximum(need, SUPPORT_RANK["low"])],
        "wheelchair_accessible": p["wheelchair"].to_numpy(),
        "parent_and_child": p["parent_with_child"].to_numpy(),
        "accepts_high_risk": True, "excluded_risks": [()] * len(p), "ofsted_registered": False,
        "weekly_cost": np.round(mean * np.exp(rng.normal(0, spread, len(p)))),
        "reserved_for": p["person_id"].to_numpy(),
    }).reset_index(drop=True)  # fmt: skip
    if len(df):
        _locate(df, cal, rng)
    df["scheme_id"] = [f"{prefix}-{first + i:04d}" for i in range(len(df))]
    return df, chosen


def _costs(k: np.ndarray, support: np.ndarray, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.array([COST[t][s] for t, s in zip(k, support, strict=True)], dtype=float)
    # 24-hour staffed (intensive) places vary most: from about £1,500 to the FOI's £6,700.
    spread = np.where(k == "D", np.where(support == 4, 0.45, 0.25), 0.12)
    cost = base * np.exp(rng.normal(0, spread) - spread**2 / 2)
    # Calibrate: scale semi-independent costs so that the place-weighted mean over supported
    # types (D, E, T) is the FOI average, within the FOI's range.
    d, et = k == "D", np.isin(k, ["E", "T"])
    cost[et | d] = np.maximum(cost[et | d], COST_MIN_GBP)
    for _ in range(3):  # the clip moves the mean a little; three rounds settle it
        target = COST_MEAN_GBP * capacity[d | et].sum() - (cost[et] * capacity[et]).sum()
        paid = (cost[d] * capacity[d]).sum()
        if d.any() and target > 0 and paid > 0:
            cost[d] = np.clip(cost[d] * target / paid, COST_MIN_GBP, COST_MAX_GBP)
    return np.round(cost)


def _locate(df: pd.DataFrame, cal: Calibration, rng: np.random.Generator) -> None:
    council = cal.council.name
    names, providers = [], []
    lat = np.zeros(len(df))
    lon = np.zeros(len(df))
    counter: dict[str, int] = {}
    for code, idx in df.groupby("district", sort=True).groups.items():
        options = places(str(code))
        w = np.array([p.weight for p in options])
        chosen = rng.choice(len(options), size=len(idx), p=w / w.sum())
        for j, place in enumerate(options):
            rows = np.asarray(idx)[chosen == j]
            if rows.size:
                pts = points_near(str(code), place.lat, place.lon, rows.size, rng)
                pos = df.index.get_indexer(rows)
                lat[pos], lon[pos] = pts[:, 0], pts[:, 1]
        for i, j in zip(idx, chosen, strict=True):
            t = str(df.at[i, "accom_type"])
            town = options[j].name
            counter[t] = counter.get(t, 0) + 1
            tree = TREES[rng.integers(len(TREES))]
            names.append((i, {
                "D": f"{tree} {BUILDINGS[rng.integers(len(BUILDINGS))]}, {town}",
                "E": f"Supported lodgings host {counter[t]:03d}, {town}",
                "Z": f"Staying put carer {counter[t]:03d}, {town}",
                "T": f"{town} Foyer",
                "U": f"{tree} Court move-on flats, {town}",
                "W": f"{GUEST_HOUSES[rng.integers(len(GUEST_HOUSES))]} Guest House, {town}",
                "V": f"{town} emergency beds",
            }[t]))  # fmt: skip
            pool = PROVIDERS.get(t)
            if pool is None:  # a B&B is its own business
                providers.append((i, names[-1][1].split(",")[0] + " Ltd"))
            else:
                providers.append((i, pool[rng.integers(len(pool))].format(council=council)))
    df["name"] = _unique(pd.Series(dict(names)).reindex(df.index))
    df["provider"] = pd.Series(dict(providers)).reindex(df.index)
    df["latitude"], df["longitude"] = lat, lon
    df["postcode"] = ""  # the demo's places are points near a town, not addresses


def _unique(names: pd.Series) -> pd.Series:
    """Second and later schemes of the same name get a number, as councils' lists do."""
    n = names.groupby(names).cumcount()
    return names.where(n == 0, names + " (" + (n + 1).astype(str) + ")")
