"""Synthetic lives of a council's children through care and out of it, for SSDA903 returns made by
`tests.ssda903_returns`: a stock-and-flow sized on the council's own DfE figures.

Every child has a date of birth, a home postcode and a sequence of episodes (placements) from the
day they came into care to the day they left; a care leaver then has a month-by-month path through
accommodation (staying put, semi-independent, lodgings, an own tenancy, back to family, custody,
B&B, ...) to their 21st birthday, from which the returns take the OC3 snapshots at each birthday.

Sizing (DfE, Children looked after in England, `data/reference`): care leavers per year of age
from the council's care leavers aged 17-18 (DfE counts those whose 17th or 18th birthday fell in
the year: nearly all leave care by 18, a few at 16 already have their 17th birthday's record), so
that the returns' OC3 records aged 17-18 and 19-21 come out near the council's published counts;
children who leave care before 16 (home, adoption, special guardianship) are added until the
stock looked after at 31 March is near the council's. Shares and lengths of stay are national
(sources beside each table) or stated assumptions: this is test data, not a model of any council.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from planner.demo.cohort import uasc_share_16_17
from planner.forecast.dfe_series import load_dfe_series

FIRST_YEAR, LAST_YEAR = 2022, 2025  # collection years written (2022-23 to 2025-26) by default
DAY = pd.Timedelta(days=1)

# Accommodation after leaving care, by where the young person was placed last (shares; letters as
# OC3 ACCOM). Assumptions after DfE's national accommodation of care leavers aged 18 (2020: 30%
# semi-independent, 7% supported lodgings, 4% community home, 3% foyers; 18% with former foster
# carers, 1,970 of 11,220 in 2019: 57% of those leaving foster care at 18).
AFTER_CARE: dict[str, dict[str, float]] = {
    "foster": {"Z": 0.50, "D": 0.15, "E": 0.10, "B": 0.10, "U": 0.05, "T": 0.03, "K": 0.02, "Y": 0.02,
               "R": 0.03},
    "supported": {"D": 0.62, "U": 0.10, "B": 0.08, "E": 0.04, "T": 0.05, "V": 0.02, "S": 0.02, "W": 0.01,
                  "X": 0.01, "K": 0.02, "R": 0.03},
    "residential": {"D": 0.38, "C": 0.14, "E": 0.08, "B": 0.14, "T": 0.07, "U": 0.03, "V": 0.03, "W": 0.02,
                    "S": 0.02, "X": 0.04, "R": 0.05},
    "parents": {"B": 0.75, "D": 0.10, "U": 0.05, "E": 0.03, "S": 0.02, "R": 0.05},
    "early": {"B": 0.40, "D": 0.30, "U": 0.08, "E": 0.05, "K": 0.04, "X": 0.04, "S": 0.03, "R": 0.06},
}  # fmt: skip
# How an episode ending in care leaving is coded for the accommodation it led to (SSDA903 REC).
REC_FOR: dict[str, tuple[str, ...]] = {
    "Z": ("E17",), "B": ("E13", "E4A", "E4B"), "D": ("E5",), "E": ("E5",), "T": ("E5",), "C": ("E7",),
    "U": ("E6",), "K": ("E6",), "X": ("E9",), "Y": ("E8",), "V": ("E8",), "W": ("E8",), "S": ("E8",),
    "R": ("E8",),
}  # fmt: skip
# A care leaver's moves: mean months in each kind of accommodation, and where they go next. Tuned
# so that 19-21 year-olds sit near DfE's national mix (2020/21: about a third in an own tenancy,
# 15% semi-independent, 11% with family, 9% with former foster carers, 4% each in supported
# lodgings and community homes, 3% in custody, a few per cent in B&B, emergency accommodation or
# no fixed abode, 6-7% not known); staying put ends by the 21st birthday.
STAY_MONTHS = {"Z": 30, "D": 13, "E": 12, "T": 12, "C": 18, "U": 34, "B": 22, "K": 9, "Y": 9, "W": 1.5,
               "V": 2, "S": 3, "X": 10}  # fmt: skip
NEXT: dict[str, dict[str, float]] = {
    "Z": {"U": 0.40, "D": 0.20, "B": 0.20, "E": 0.10, "K": 0.10},
    "D": {"U": 0.36, "D": 0.20, "B": 0.12, "E": 0.08, "T": 0.05, "C": 0.03, "K": 0.04, "S": 0.03, "V": 0.03,
          "W": 0.02, "X": 0.04},
    "E": {"U": 0.40, "D": 0.25, "B": 0.15, "K": 0.08, "T": 0.05, "S": 0.03, "V": 0.02, "X": 0.02},
    "T": {"U": 0.50, "D": 0.25, "B": 0.10, "K": 0.08, "S": 0.04, "W": 0.03},
    "C": {"D": 0.40, "C": 0.20, "U": 0.15, "B": 0.10, "Y": 0.10, "E": 0.05},
    "U": {"U": 0.40, "B": 0.20, "D": 0.10, "K": 0.10, "S": 0.07, "V": 0.04, "W": 0.03, "X": 0.06},
    "B": {"U": 0.26, "D": 0.25, "B": 0.10, "K": 0.08, "E": 0.08, "C": 0.03, "S": 0.08, "V": 0.04, "W": 0.03,
          "X": 0.05},
    "K": {"U": 0.40, "D": 0.20, "B": 0.20, "K": 0.10, "S": 0.05, "W": 0.05},
    "Y": {"U": 0.30, "D": 0.30, "B": 0.20, "K": 0.10, "S": 0.05, "V": 0.05},
    "W": {"D": 0.40, "T": 0.15, "E": 0.10, "U": 0.10, "V": 0.10, "S": 0.10, "B": 0.05},
    "V": {"D": 0.45, "T": 0.15, "E": 0.10, "U": 0.10, "W": 0.10, "B": 0.10},
    "S": {"W": 0.30, "V": 0.20, "D": 0.25, "B": 0.15, "U": 0.10},
    "X": {"D": 0.35, "B": 0.20, "V": 0.10, "W": 0.10, "U": 0.10, "S": 0.10, "T": 0.05},
}  # fmt: skip
LOSE_TOUCH, REGAIN_TOUCH = 0.005, 0.05  # a month (assumption: about 7% not known at 19-21)
UNKNOWN_START = {"D": 0.4, "B": 0.3, "U": 0.3}  # where those not in touch on leaving live
CIN = {"N1": 0.62, "N4": 0.15, "N5": 0.08, "N2": 0.04, "N3": 0.04, "N6": 0.04, "N7": 0.01, "N8": 0.02}
RNE = {"P": 0.45, "T": 0.5, "B": 0.05}
# Placements in care by age group when one starts (assumption after DfE placement types at 31 March:
# about seven in ten in foster care, teenagers more often in children's homes, supported
# accommodation only at 16-17).
PLACES = {
    "young": {"U4": 0.30, "U6": 0.40, "U1": 0.08, "U3": 0.10, "U5": 0.02, "P1": 0.06, "K2": 0.04},
    "teen": {"U4": 0.22, "U6": 0.32, "U1": 0.05, "U3": 0.08, "K2": 0.22, "P1": 0.05, "S1": 0.02, "R1": 0.02,
             "K1": 0.01, "Z1": 0.01},
    "older": {"SA": 0.40, "U6": 0.22, "U4": 0.10, "K2": 0.20, "P1": 0.04, "P2": 0.02, "R1": 0.01, "Z1": 0.01},
    "uasc": {"SA": 0.60, "U6": 0.30, "K2": 0.10},
}  # fmt: skip
PLACE_MONTHS = {"U1": 40, "U4": 36, "U3": 18, "U6": 14, "U5": 24, "P1": 8, "K2": 12, "S1": 18, "R1": 10,
                "K1": 4, "Z1": 6, "SA": 12, "P2": 8, "R5": 5}  # fmt: skip


@dataclass
class Lives:
    """What happened, in dates: one row per child, per episode, per missing spell, per care leaver's
    month; the returns are views of these."""

    code: str  # the council (upper tier)
    children: pd.DataFrame  # child, dob, sex, uasc, home (district or ""), care_leaver, ethnic
    episodes: pd.DataFrame  # child, decom, dec, place, ls, rne, rec, reason, provider
    missing: pd.DataFrame  # child, start, end, kind
    months: pd.DataFrame  # child, month (first day), accom (letter), in_touch (bool)
    leaving: pd.DataFrame = field(default_factory=pd.DataFrame)  # child, dec, accom


@cache
def dfe_figures(code: str) -> pd.DataFrame:
    """The council's DfE series by year ending 31 March (looked_after, care_leavers_17_18, ...)."""
    series = load_dfe_series()
    return series.council(code).astype(float)


_TABLES: dict[int, tuple[list[str], np.ndarray]] = {}


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    """One key, with the probabilities given (the tables are constants: kept by identity)."""
    table = _TABLES.get(id(shares))
    if table is None:
        p = np.cumsum(np.asarray(list(shares.values()), dtype=float))
        table = _TABLES[id(shares)] = (list(shares), p / p[-1])
    keys, cum = table
    return keys[int(np.searchsorted(cum, rng.random(), side="right"))]


def _months(rng: np.random.Generator, mean: float) -> pd.Timedelta:
    return pd.Timedelta(days=max(7, int(rng.exponential(mean * 30.44))))


def leavers_per_year(code: str, first: int, last: int) -> dict[int, float]:
    """Care leavers whose 18th birthday falls in each collection year, from DfE's care leavers aged
    17-18 of the year ending the following 31 March (the latest figure for later years; the
    earliest for earlier years, as the published series starts in 2021)."""
    fig = dfe_figures(code)["care_leavers_17_18"].dropna()
    out = {}
    for year in range(first, last + 1):
        ending = min(max(year + 1, int(fig.index.min())), int(fig.index.max()))
        out[year] = float(fig.loc[ending]) / 1.08  # a few 17-year-olds left care at 16
    return out


@dataclass
class _Builder:
    rng: np.random.Generator
    uasc_share: float
    children: list[dict[str, object]] = field(default_factory=list)
    episodes: list[dict[str, object]] = field(default_factory=list)
    missing: list[dict[str, object]] = field(default_factory=list)
    months: list[tuple[int, int, str, bool]] = field(default_factory=list)
    leaving: list[tuple[int, pd.Timestamp, str]] = field(default_factory=list)

    def child(self, dob: pd.Timestamp, *, uasc: bool, care_leaver: bool) -> int:
        cid = 100_000 + len(self.children)
        sex = "M" if self.rng.random() < (0.93 if uasc else 0.54) else "F"
        self.children.append({"child": cid, "dob": dob, "sex": sex, "uasc": uasc, "care_leaver": care_leaver})
        return cid

    def placements(self, cid: int, dob: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp, *,
                   uasc: bool, rec: str) -> str:  # fmt: skip
        """Episodes from `start` to `end` (the last one ends `rec`, or stays open when `end` is NaT);
        returns the last placement's code."""
        rng, when, k = self.rng, start, 0
        ls = "V2" if uasc or rng.random() < 0.3 else ("C1" if rng.random() < 0.5 else "C2")
        place = ""
        stop = end if pd.notna(end) else pd.Timestamp(2026, 6, 30)
        while True:
            age = (when - dob).days / 365.25
            group = "uasc" if uasc else "young" if age < 13 else "teen" if age < 16 else "older"
            if k and age >= 16 and place[:1] in "UK" and rng.random() < 0.35:
                group = "older"  # the planned move on at 16 or 17
            place = _pick(rng, PLACES[group])
            if place == "SA" or (place == "P2" and age < 16):
                place = "SA" if age >= 16 else "U6"
            if age >= 14 and not uasc and rng.random() < 0.015:
                place = "R5"  # remanded or sentenced: a young offender institution
            until = when + _months(rng, PLACE_MONTHS[place])
            last = until >= stop
            if last:
                until = stop
            kinds = {"K2": 1.6, "SA": 1.0, "R1": 1.0, "S1": 0.8, "K1": 0.5}
            for _ in range(int(rng.poisson(kinds.get(place, 0.15) * (until - when).days / 365.25 *
                                           (1.0 if age >= 12 else 0.1)))):  # fmt: skip
                gone = when + pd.Timedelta(days=int(rng.integers(0, max((until - when).days, 1))))
                self.missing.append({"child": cid, "start": gone, "end": gone + pd.Timedelta(
                    days=int(rng.integers(0, 4))), "kind": "M" if rng.random() < 0.8 else "A"})  # fmt: skip
            legal = "J1" if place == "R5" else ls
            self.episodes.append({
                "child": cid, "decom": when, "dec": until if (not last or pd.notna(end)) else pd.NaT,
                "place": place, "ls": legal, "rne": "S" if k == 0 else _pick(rng, RNE),
                "rec": rec if last else "X1", "cin": "N8" if uasc else _pick(rng, CIN),
            })  # fmt: skip
            if ls == "C1" and rng.random() < 0.7:
                ls = "C2"
            if last:
                return place
            when, k = until, k + 1

    def care_leaver_path(self, cid: int, dob: pd.Timestamp, left: pd.Timestamp, accom: str) -> None:
        """Month by month from leaving care to the 21st birthday (or the end of 2025-26)."""
        rng = self.rng
        month = left.year * 12 + left.month - 1
        twenty_one = (dob.year + 21) * 12 + dob.month - 1
        end = min(twenty_one + 1, 2026 * 12 + 3)
        touch = accom != "R"
        state = accom if touch else _pick(rng, UNKNOWN_START)
        until = month + rng.exponential(STAY_MONTHS[state])
        while month <= end:
            self.months.append((cid, month, state, touch))
            month += 1
            if touch and rng.random() < LOSE_TOUCH:
                touch = False
            elif not touch and rng.random() < REGAIN_TOUCH:
                touch = True
            if month >= until or (state == "Z" and month >= twenty_one):
                state = _pick(rng, NEXT[state])
                state = "U" if state == "Z" else state
                until = month + rng.exponential(STAY_MONTHS[state])

    def group_of(self, place: str) -> str:
        if place[:1] == "U":
            return "foster"
        if place in ("SA", "P2", "Z1"):
            return "supported"
        if place == "P1":
            return "parents"
        return "residential"


def _entry_age(rng: np.random.Generator, uasc: bool, young: float) -> float:
    """Age coming into care of a future care leaver: `young` of them before 10, 30% at 10-13, the
    rest from 14; unaccompanied children arrive at 15 to 17."""
    if uasc:
        return float(rng.uniform(15.0, 17.4))
    band = rng.random()
    return float(rng.uniform(0, 10) if band < young else rng.uniform(10, 14) if band < young + 0.3
                 else rng.uniform(14, 17.4))  # fmt: skip


def entry_mix(leavers: float, looked_after: float, uasc: float) -> float:
    """The share of future care leavers who came into care before 10 that puts about 60% of the
    council's children looked after among future care leavers (the rest leave care before 16).
    Years in care before leaving: about 12 from before 10, 5.5 from 10-13, 2.3 from 14, 1.5 for
    unaccompanied children (assumptions)."""
    years = (0.6 * looked_after / max(leavers, 1.0) - 1.5 * uasc) / (1 - uasc)
    return float(np.clip((years - 0.3 * 5.5 - 0.7 * 2.3) / (12 - 2.3), 0.03, 0.45))


def _years(dob: pd.Timestamp, years: float) -> pd.Timestamp:
    return dob + pd.Timedelta(days=int(round(years * 365.25)))


def _care_leavers(b: _Builder, per_year: dict[int, float], window_end: pd.Timestamp, young: float) -> None:
    rng = b.rng
    for year, n in per_year.items():
        for _ in range(int(rng.poisson(n))):
            dob = pd.Timestamp(year - 18, 4, 1) + pd.Timedelta(days=int(rng.integers(0, 365)))
            uasc = bool(rng.random() < b.uasc_share)
            entry = _years(dob, _entry_age(rng, uasc, young))
            adult = dob + pd.DateOffset(years=18)
            early = rng.random() < (0.05 if uasc else 0.16)
            left = _years(dob, float(rng.uniform(16.0, 17.9))) if early else adult
            if left < entry + pd.Timedelta(weeks=13):
                left, early = adult, False
            if entry > window_end:
                continue
            cid = b.child(dob, uasc=uasc, care_leaver=True)
            end = left if left <= window_end else pd.NaT
            place = b.placements(cid, dob, entry, end, uasc=uasc, rec="")
            if pd.isna(end):
                continue
            accom = _pick(rng, AFTER_CARE["early" if early else b.group_of(place)])
            if accom == "Z" and (early or place[:1] != "U"):
                accom = "D"
            b.episodes[-1]["rec"] = str(rng.choice(REC_FOR[accom]))
            b.leaving.append((cid, left, accom))
            b.care_leaver_path(cid, dob, left, accom)


def _not_care_leavers(b: _Builder, per_year: float, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Children who leave care before 16 (home, adoption, special guardianship, another council),
    unaccompanied children found to be adults (E15) and teenagers moved to another council (E3)."""
    rng = b.rng
    first = start - pd.DateOffset(years=8)
    days = (end - first).days
    for _ in range(int(rng.poisson(per_year * days / 365.25))):
        entry = first + pd.Timedelta(days=int(rng.integers(0, days)))
        uasc = bool(rng.random() < 0.04 * b.uasc_share)
        age = float(rng.uniform(15.5, 17.0)) if uasc else float(rng.uniform(0, 15.5) ** 1.0)
        dob = _years(entry, -age)
        stay = _months(rng, 2 if uasc else 22)
        left = min(entry + stay, _years(dob, 15.95)) if not uasc else entry + stay
        if left < start:
            continue
        if uasc:
            rec = "E15"
        elif age + (left - entry).days / 365.25 < 5:
            rec = _pick(rng, {"E11": 0.30, "E12": 0.10, "E4A": 0.25, "E45": 0.06, "E46": 0.06, "E47": 0.04,
                              "E48": 0.05, "E41": 0.06, "E13": 0.04, "E3": 0.02, "E8": 0.02})  # fmt: skip
        else:
            rec = _pick(rng, {"E4A": 0.35, "E4B": 0.10, "E45": 0.06, "E46": 0.06, "E47": 0.04, "E48": 0.05,
                              "E41": 0.05, "E13": 0.12, "E3": 0.06, "E8": 0.10, "E14": 0.01})  # fmt: skip
        cid = b.child(dob, uasc=uasc, care_leaver=False)
        b.placements(cid, dob, entry, left if left <= end else pd.NaT, uasc=uasc, rec=rec)


def _monthly(rows: list[tuple[int, int, str, bool]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["child", "month", "accom", "in_touch"])
    months = df["month"].to_numpy()
    df["month"] = pd.to_datetime({"year": months // 12, "month": months % 12 + 1, "day": 1})
    return df


def _stock(episodes: pd.DataFrame, on: pd.Timestamp) -> int:
    open_ = (episodes["decom"] <= on) & (episodes["dec"].isna() | (episodes["dec"] > on))
    return int(episodes.loc[open_, "child"].nunique())


def simulate(code: str, *, seed: int = 1, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> Lives:
    """The lives behind a council's returns for collection years `first` to `last`."""
    rng = np.random.default_rng([seed, int(code[1:])])
    window_end = pd.Timestamp(last + 1, 3, 31)
    stock_year = min(last + 1, int(dfe_figures(code)["looked_after"].dropna().index.max()))
    looked_after = float(dfe_figures(code).loc[stock_year, "looked_after"])
    per_year = leavers_per_year(code, first - 5, last + 19)
    uasc = float(np.clip(0.7 * uasc_share_16_17(code), 0.1, 0.4))
    b = _Builder(rng, uasc)
    _care_leavers(b, per_year, window_end, entry_mix(per_year[stock_year - 1], looked_after, uasc))
    episodes = pd.DataFrame(b.episodes)
    others = max(looked_after - _stock(episodes, pd.Timestamp(stock_year, 3, 31)), 0.0)
    _not_care_leavers(b, others / 1.9, pd.Timestamp(first, 4, 1), window_end)
    episodes = _codes_of_their_year(pd.DataFrame(b.episodes))
    return Lives(
        code,
        pd.DataFrame(b.children),
        episodes,
        pd.DataFrame(b.missing, columns=["child", "start", "end", "kind"]),
        _monthly(b.months),
        pd.DataFrame(b.leaving, columns=["child", "dec", "accom"]),
    )


# SSDA903 placement codes that came or went: supported accommodation is H5 until 2023-24 and K3
# from 2024-25 (an H5 placement open on 1 April 2025 is recorded again as K3); Z1 and P2 end with
# 2024-25 (Z1 split into Z11 to Z14).
CHANGES = {"H5": ("K3", 2025), "Z1": ("Z11", 2025), "P2": ("Z14", 2025)}


def _codes_of_their_year(eps: pd.DataFrame) -> pd.DataFrame:
    eps = eps.copy()
    sa = eps["place"] == "SA"
    eps.loc[sa, "place"] = np.where(eps.loc[sa, "decom"] < pd.Timestamp(2024, 4, 1), "H5", "K3")
    rows = []
    for old, (new, year) in CHANGES.items():
        cut = pd.Timestamp(year, 3, 31)  # the old code's episode ends, the new one starts, that day
        across = (eps["place"] == old) & (eps["decom"] < cut) & (eps["dec"].isna() | (eps["dec"] > cut))
        after = eps[across].assign(decom=cut, place=new, rne="B")
        eps.loc[across, "dec"] = cut
        eps.loc[across, "rec"] = "X1"
        rows.append(after)
        late = (eps["place"] == old) & (eps["decom"] > cut)
        eps.loc[late, "place"] = new
    return pd.concat([eps, *rows], ignore_index=True).sort_values(["child", "decom"], kind="stable")
