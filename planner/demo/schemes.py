"""Synthetic accommodation schemes for the demo county: types, sizes, costs, rules, places.

Places follow the flows (`planner.demo.flows`) by Little's law, per type of place and support
level: the places of each type and level in use on the date are the referrals for a place a week
that end there times their mean stay there, from the stay model fitted to the demo's own referral
history (`planner.forecast.stays`, as the scenario simulation reads it), shared out by the
district's population aged 16-25. A referral needing more support than its type of place gives
(a foyer, an own tenancy), or one that ended in B&B, emergency accommodation or no fixed abode,
counts as a semi-independent place at its level. So the simulated county neither fills up nor
empties at today's rate of referrals. Vacancies on the date are sized to the flow of the coming
weeks: each district gets suitable vacancies for a share of the young people from it due within
the horizon, lower in the east of the council ("insufficient to meet demand, particularly in the
east of the county", PRODUCT.md s.1; a one-district council gets one ratio), and high and
intensive support is scarce everywhere (its places are the last to come free). Most places are
occupied on the date.

Own tenancies (`U`) are not a provider's places but nominations from each district's housing
authority (`planner.demo.nominations`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.data.districts import districts
from planner.data.vocab import RISKS, SUPPORT_LEVELS, SUPPORT_RANK
from planner.demo.calibration import COST_MAX_GBP, COST_MEAN_GBP, COST_MIN_GBP, Calibration
from planner.demo.occupancy import SPARE_BETA, InUse, accept_high_risk
from planner.demo.places import places, points_near

# Suitable vacancies for this share of the young people due within the horizon: west to east
# (assumption).
SUPPLY_WEST, SUPPLY_EAST = 1.2, 0.3
SUPPLY_SINGLE = 1.0  # a one-district council
HIGH_SUPPORT_SHORT = 0.4  # a high or intensive place is this much less likely to be the one free
FOYER_PLACES = (20, 60)
STAFFED_MIN_GBP = 1000.0
# type: share of suitable vacancies, chance a place is free (used by the benchmarks' bulk
# generator; the demo sizes vacancies from the people due), support levels offered
# (none, low, medium, high, intensive), places per scheme (low, high). Assumptions, after the
# sizes PRODUCT.md and the issue give: supported lodgings 1-2, semi-independent 4-20, foyers 20-60.
# Staying put (Z) is not a pool of places: each is one young person's own former foster carers
# (`staying_put`); own tenancies (U) are the housing authorities' nominations (`nominations`).
# The shares leave out the 28% that own tenancies once had: their free places are the nominations.
TYPES = {
    "E": (0.08, 0.40, (0, 0.30, 0.50, 0.20, 0), (1, 2)),
    "D": (0.51, 0.35, (0, 0.05, 0.35, 0.42, 0.18), (4, 20)),
    "T": (0.13, 0.30, (0, 0.50, 0.50, 0, 0), (20, 60)),
}
# B&B and emergency accommodation, for adults only: (share, chance a place is free, sizes); a
# district has twice that share of the young people due in the coming weeks, and at least the
# smallest size.
UNSUITABLE = {"W": (0.05, 0.50, (2, 8)), "V": (0.04, 0.40, (3, 10))}
# Support a young person gets there: in B&B only the leaving care team's visits (floating
# support, up to medium), in emergency hostels staff on site (up to high). Without it no one
# with a need could ever be matched to B&B, which in practice is exactly where they end up.
UNSUITABLE_SUPPORT = {"W": (0, 0.3, 0.7, 0, 0), "V": (0, 0, 0.4, 0.6, 0)}
AGE_RANGES = {  # (min, max): chance
    "E": {(16, 21): 0.6, (16, 25): 0.2, (18, 25): 0.2},
    "Z": {(18, 21): 0.85, (18, 25): 0.15},  # staying put starts at 18
    "D": {(16, 18): 0.10, (16, 21): 0.45, (16, 25): 0.25, (18, 25): 0.20},
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


def make_schemes(
    cal: Calibration, due: pd.DataFrame, rng: np.random.Generator, prefix: str, using: InUse
) -> pd.DataFrame:
    """Schemes for the council: places in use by type and support level (`in_use`), vacancies from
    `due` (the young people due within the horizon, not staying put: their districts and needs)."""
    need = due["support_need"].map(SUPPORT_RANK).value_counts(normalize=True)
    need_share = need.reindex(range(len(SUPPORT_LEVELS)), fill_value=0.0).to_numpy(dtype=float)
    due_by_district = due["home_district"].value_counts()
    ratio = supply_ratio(cal)
    n_due = float(len(due))
    targets: dict[tuple[str, str], float] = {}  # (district, type): suitable vacancies on the date
    places: dict[tuple[str, str, int], float] = {}  # (district, type, support level): places
    spare = {code: cal.district_share[code] * float(ratio.loc[code]) for code in cal.council.district_codes}
    for code in cal.council.district_codes:
        vacancies = float(due_by_district.get(code, 0)) * float(ratio.loc[code])
        for t, (share, *_) in TYPES.items():
            targets[code, t] = vacancies * share
            for (kind, k), v in using.places.items():
                if kind == t:  # in use, and the spare places a level needs, fewest in the east
                    room = SPARE_BETA * np.sqrt(v) * spare[code] / sum(spare.values())
                    places[code, t, k] = v * cal.district_share[code] + room
    _foyers(cal, places, targets)
    plan: list[tuple[str, str, int, int]] = []  # (district, type, support rank, places) per scheme
    for code in cal.council.district_codes:
        foyer = {k: v for (c, t, k), v in places.items() if c == code and t == "T" and v > 0}
        if foyer:  # one foyer a district (two when too big for one), at the most support it gives
            target = sum(foyer.values())
            sizes = np.array_split(np.arange(int(round(target))), int(np.ceil(target / FOYER_PLACES[1])))
            plan += [(code, "T", max(foyer), max(FOYER_PLACES[0], len(part))) for part in sizes]
    for (code, kind, level), target in places.items():
        if kind != "T":
            _build(plan, rng, code, kind, target, level)
    for code in cal.council.district_codes:
        for kind, (share, _, (lo, _)) in UNSUITABLE.items():
            _build(plan, rng, code, kind, max(lo, n_due * share * 2 * cal.district_share[code]), None)
    df = pd.DataFrame(plan, columns=["district", "accom_type", "support", "capacity"])
    df["capacity"] = df["capacity"].astype(np.int64)
    df = _describe(df, cal, rng, prefix)
    accept_high_risk(df, using, rng)
    df["vacancies"] = _vacancies(df, targets, need_share, rng)
    return df


def _foyers(
    cal: Calibration, places: dict[tuple[str, str, int], float], targets: dict[tuple[str, str], float]
) -> None:
    """Foyers are big: the council's foyer places go to the districts with most young people, in
    foyers of 20-60 places, by population; with too few for one foyer they are semi-independent.
    Elsewhere the foyers' share of the vacancies is semi-independent."""
    codes = sorted(cal.council.district_codes, key=lambda c: -cal.district_share[c])
    levels = sorted({k for (_, t, k) in places if t == "T"})
    county = {k: sum(v for (_, t, j), v in places.items() if t == "T" and j == k) for k in levels}
    total = sum(county.values())
    keep = set(codes[: int(min(len(codes), total // FOYER_PLACES[0], max(1, round(total / 40))))])
    share = sum(cal.district_share[x] for x in keep)
    for c in codes:
        for k in levels:
            mine = places.pop((c, "T", k))
            if c in keep:
                places[c, "T", k] = county[k] * cal.district_share[c] / share
            elif not keep:
                places[c, "D", k] = places.get((c, "D", k), 0.0) + mine
        if c not in keep:
            targets[c, "D"] += targets.pop((c, "T"))


def _build(plan: list[tuple[str, str, int, int]], rng: np.random.Generator, code: str, kind: str,
           target: float, level: int | None) -> None:  # fmt: skip
    """Schemes of a type (at a support level, or levels drawn from the type's offer) in a district
    until they hold `target` places."""
    left = target
    lo = (TYPES[kind][3] if kind in TYPES else UNSUITABLE[kind][2])[0]
    while left > max(0.5, lo / 2):
        offered = TYPES[kind][2] if kind in TYPES else UNSUITABLE_SUPPORT[kind]
        support = level if level is not None else int(rng.choice(len(SUPPORT_LEVELS), p=offered))
        size = _size(rng, kind, support, left)
        plan.append((code, kind, support, size))
        left -= size


def _vacancies(df: pd.DataFrame, targets: dict[tuple[str, str], float], need: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """Free places on the date: each district's suitable vacancies (its targets) placed at random
    among its suitable places, each support level in proportion to the needs of those due
    (`need`: shares by level) but high and intensive support scarce; B&B and emergency at random."""
    out = np.zeros(len(df), dtype=np.int64)
    kind = df["accom_type"].to_numpy()
    level = df["support_level"].map(SUPPORT_RANK).to_numpy()
    want_level = need * np.array([1, 1, 1, HIGH_SUPPORT_SHORT, HIGH_SUPPORT_SHORT]) + 0.01
    for code in dict.fromkeys(c for c, _ in targets):
        rows = np.flatnonzero((df["district"].to_numpy() == code) & np.isin(kind, list(TYPES)))
        slots = np.repeat(rows, df["capacity"].to_numpy()[rows])
        want = min(int(round(sum(v for (c, _), v in targets.items() if c == code))), len(slots))
        if want:
            per_level = np.bincount(level[slots], minlength=len(SUPPORT_LEVELS))
            w = want_level[level[slots]] / per_level[level[slots]]
            taken = rng.choice(len(slots), size=want, replace=False, p=w / w.sum())
            np.add.at(out, slots[taken], 1)
    fallback = np.isin(kind, list(UNSUITABLE))
    p = np.array([UNSUITABLE[t][1] if t in UNSUITABLE else 0.0 for t in kind])
    out[fallback] = rng.binomial(df["capacity"].to_numpy()[fallback], p[fallback])
    # A guest house nearly always has a room: B&B is bought on the spot, which is why it is used.
    out[kind == "W"] = np.maximum(out[kind == "W"], 1)
    return out


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

    _locate(df, cal, rng)
    df["scheme_id"] = [f"{prefix}-{i + 1:04d}" for i in range(n)]
    return df


STAYING_PUT_COST = (250.0, 0.12)  # GBP a week (the carer's allowance), and its spread (assumption)


def staying_put(
    people: pd.DataFrame, cal: Calibration, rng: np.random.Generator, *, on: date, prefix: str, first: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """A staying-put place (Z) with their own former foster carers for each young person on the list
    staying put (the list's `staying_put` flow: `planner.demo.flows` calibrates how many, 57% of
    those leaving foster care at 18), reserved for them and free from their 18th birthday, the day
    they need it, to their 21st. Returns the schemes (ids from `first`) and the positions in
    `people` of those they are for."""
    chosen = np.flatnonzero((people["flow"] == "staying_put").to_numpy())
    p = people.iloc[chosen]
    need = p["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int64)
    mean, spread = STAYING_PUT_COST
    df = pd.DataFrame({
        "district": _carers_district(p, cal), "accom_type": "Z", "capacity": np.int64(1),
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


def _carers_district(people: pd.DataFrame, cal: Calibration) -> list[str]:
    """Where the foster carers live: the young person's home district, unless they must keep away
    from it (then a connection, else another district of the council, they may live in)."""
    out = []
    for home, ties, avoid in zip(people["home_district"], people["connection_districts"],
                                 people["avoid_districts"], strict=True):  # fmt: skip
        options = [home, *ties, *cal.council.district_codes]
        out.append(next((c for c in options if c not in avoid), home))
    return out


def _costs(k: np.ndarray, support: np.ndarray, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.array([COST[t][s] for t, s in zip(k, support, strict=True)], dtype=float)
    # 24-hour staffed (intensive) places vary most: from about £1,500 to the FOI's £6,700.
    spread = np.where(k == "D", np.where(support == 4, 0.45, 0.25), 0.12)
    cost = base * np.exp(rng.normal(0, spread) - spread**2 / 2)
    # Calibrate: scale semi-independent costs so that the place-weighted mean over supported
    # types (D, E, T) is the FOI average, within the FOI's range.
    d, et = k == "D", np.isin(k, ["E", "T"])
    cost[et | d] = np.maximum(cost[et | d], COST_MIN_GBP)
    staffed = d & (support == 4)
    for _ in range(5):  # the clips move the mean a little; a few rounds settle it
        target = COST_MEAN_GBP * capacity[d | et].sum() - (cost[et] * capacity[et]).sum()
        paid = (cost[d] * capacity[d]).sum()
        if d.any() and target > 0 and paid > 0:
            cost[d] = np.clip(cost[d] * target / paid, COST_MIN_GBP, COST_MAX_GBP)
        # A 24-hour staffed place costs at least about £1,000 a week (assumption, the lower end of
        # the residential and staffed supported accommodation in the FOI answer).
        cost[staffed] = np.maximum(cost[staffed], STAFFED_MIN_GBP)
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
