"""Synthetic young people on the demo county's waiting list: who is waiting, when and where they
live now comes from `planner.demo.waiting`; here their gender, district, needs, risks and ties.

Shares that have a public figure (gender, district) are allotted exactly (largest remainder, then
shuffled), so the demo reproduces them to within one person; the rest are drawn with the
probabilities named below.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.data.formats import ages_on
from planner.data.vocab import OWN_TENANCY, RISKS, SUPPORT_LEVELS, SUPPORT_RANK, URGENT_ACCOM
from planner.demo.calibration import GENDER_MIX, WHEELCHAIR_SHARE, Calibration
from planner.demo.cohort import allot
from planner.demo.places import neighbours
from planner.demo.waiting import waiting_list

UASC_GENDER = {"M": 0.95, "F": 0.05}  # DfE: almost all unaccompanied asylum-seeking children are boys
SUPPORT_BY_AGE = {  # assumption: need falls with age
    "under18": (0.0, 0.0, 0.45, 0.40, 0.15),
    "18-21": (0.05, 0.30, 0.40, 0.20, 0.05),
    "22-25": (0.25, 0.45, 0.25, 0.05, 0.0),
}
# Needs of those waiting in unsuitable accommodation now (assumption): at the levels the demo
# county is shortest of (`planner.demo.schemes`: high and intensive places are the last to come free).
WAITED_NEEDS = (0.0, 0.0, 0.0, 0.75, 0.25)
# Chance of each risk (SocialCareData placements standard v2 vocabulary), assumption: of the
# order reported in looked-after children's case files; exploitation higher under 18.
RISK_P = {
    "self_harm": 0.12, "sexual_exploitation": 0.05, "criminal_exploitation": 0.07,
    "substance_use": 0.15, "eating_disorder": 0.02, "going_missing": 0.08, "harm_to_others": 0.06,
    "sexual_harm_to_others": 0.01, "fire_setting": 0.01, "harm_to_animals": 0.005,
    "exploiting_others": 0.02,
}  # fmt: skip
RISKS_TO_OTHERS = ("harm_to_others", "sexual_harm_to_others", "fire_setting", "exploiting_others")
# Main activity of those in education, employment or training, England (DfE, Children looked after
# in England 2025, national care leavers' activity: higher education, other education,
# apprenticeship, other training or employment), by age; 22-25 as 19-21. The council's own tables
# give only in / not in education, employment or training, which `neet` follows.
EET_MIX = {
    "17-18": {"1": 420, "2": 7150, "4": 280, "5": 1590},
    "19-21": {"1": 2390, "2": 8030, "4": 740, "5": 9600},
}
FULL_TIME = 0.8  # assumption: most study or work full time (F), the rest part time (P)
# NEET owing to illness or disability, of the NEET not parenting (DfE 2025, England, 19-21)
NEET_ILLNESS = 3390 / (3390 + 10290)
# Assessed ready for their own tenancy (contract v1.2): the adults of a flow whose referrals end in an
# own tenancy in the referral history (U: `planner.demo.referrals.OUTCOMES`), among those
# needing at most low support (the support an own tenancy's floating support gives), so that as
# many are ready as the flow's referrals end there; none under 18.
TENANCY_MOST = 0.9


def make_people(cal: Calibration, n: int, rng: np.random.Generator, on: date, prefix: str) -> pd.DataFrame:
    """n young people on the waiting list on `on` (`planner.demo.waiting`), as contract v1.1 columns
    plus `flow` and `component` (which flow and part of the list each comes from)."""
    df = waiting_list(cal, n, rng, on)
    n = len(df)
    age = ages_on(df["date_of_birth"], on)
    under18 = age < 18
    group = np.where(under18, "under18", np.where(age <= 21, "18-21", "22-25"))
    bands = {b.name: b for b in cal.bands}
    neet_share = df["band"].map({k: b.neet for k, b in bands.items()}).to_numpy(dtype=float)
    neet = rng.random(n) < neet_share

    uasc = df["uasc"].to_numpy(dtype=bool)
    gender = np.empty(n, dtype=object)
    # Most UASC are boys; the rest are drawn so that everyone together keeps GENDER_MIX (the DfE
    # figure counts UASC too).
    gender[uasc] = allot(rng, int(uasc.sum()), UASC_GENDER)
    u = uasc.mean() if n else 0.0
    rest = {g: max(share - u * UASC_GENDER.get(g, 0.0), 0.0) for g, share in GENDER_MIX.items()}
    gender[~uasc] = allot(rng, int((~uasc).sum()), rest)
    home = allot(rng, n, cal.district_share)

    risks = _risks(rng, n, under18, gender)
    n_risks = np.array([len(r) for r in risks])
    to_others = np.array([any(x in RISKS_TO_OTHERS for x in r) for r in risks])
    high_risk = (to_others & (rng.random(n) < 0.6)) | (n_risks >= 3) | (rng.random(n) < 0.02)

    need = np.array([rng.choice(len(SUPPORT_LEVELS), p=SUPPORT_BY_AGE[g]) for g in group])
    need = np.where(high_risk, np.maximum(need, SUPPORT_RANK["high"]), need)
    need = np.where(n_risks >= 2, np.maximum(need, SUPPORT_RANK["medium"]), need)
    # Those in B&B, emergency accommodation or of no fixed abode have waited up to 12 weeks
    # (`planner.demo.waiting`): those the places that came free meanwhile could not take, whose
    # needs are where places are fewest.
    waited = (
        (df["component"] == "unsuitable") & df["current_accom"].str[:1].isin(list(URGENT_ACCOM))
    ).to_numpy(dtype=bool)
    hardest = rng.choice(len(SUPPORT_LEVELS), size=n, p=WAITED_NEEDS)
    need = np.where(waited, np.maximum(need, hardest), need)

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
        k = rng.choice(3, p=(0.6, 0.4, 0.0) if neet[i] else (0.1, 0.5, 0.4))
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

    return pd.DataFrame({
        "person_id": [f"{prefix}-{i + 1:04d}" for i in range(n)],
        "date_of_birth": df["date_of_birth"].astype("datetime64[ns]"),
        "gender": gender.astype(str),
        "home_district": home.astype(str),
        "connection_districts": connections,
        "avoid_districts": avoid,
        "support_need": np.asarray(SUPPORT_LEVELS, dtype=object)[need],
        "wheelchair": wheelchair,
        "parent_with_child": parent,
        "high_risk": high_risk,
        "risks": risks,
        "needed_from": df["needed_from"].astype("datetime64[ns]"),
        "current_accom": df["current_accom"].astype(str),
        "uasc": uasc,
        "legal_status": _legal_status(age, df["current_accom"].to_numpy(dtype=str)),
        "current_until": df["current_until"].astype("datetime64[ns]"),
        "tenancy_ready": _tenancy_ready(rng, df["flow"].to_numpy(dtype=str), age, need),
        "activity": _activity(rng, group, neet, parent),
        "flow": df["flow"].astype(str),
        "component": df["component"].astype(str),
    })  # fmt: skip


def _legal_status(age: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Under 18: eligible while still looked after (in foster care, no code yet, or a children's
    home), relevant once they have left care; from 18 former relevant (none are drawn qualifying:
    no published share of them)."""
    looked_after = (current == "") | (current == "C1")
    under_18 = np.where(looked_after, "eligible", "relevant")
    return np.where(age >= 18, "former_relevant", under_18).astype(object)


def _tenancy_ready(
    rng: np.random.Generator, flow: np.ndarray, age: np.ndarray, need: np.ndarray
) -> np.ndarray:
    from planner.demo.referrals import outcome_table  # the referral history's outcomes by flow

    share = {f: sum(v for k, v in outcome_table(f, 1.0).items() if k[0] == OWN_TENANCY) for f in set(flow)}
    low = need <= SUPPORT_RANK["low"]
    adult = age >= 18
    p = np.zeros(len(flow))
    for f, u in share.items():
        rows = flow == f
        eligible = (adult & rows).sum()
        fit = (adult & rows & low).sum()
        p[rows] = min(TENANCY_MOST, u * eligible / fit) if fit else 0.0
    return adult & low & (rng.random(len(flow)) < p)


def _activity(
    rng: np.random.Generator, group: np.ndarray, neet: np.ndarray, parent: np.ndarray
) -> np.ndarray:
    """SSDA903 OC3 ACTIV codes: NEET as the council's share (`neet`), owing to parenting for
    parents, else illness or disability at the national rate; the others by `EET_MIX`."""
    n = len(group)
    out = np.where(parent, "G6", np.where(rng.random(n) < NEET_ILLNESS, "G4", "G5")).astype(object)
    mode = np.where(rng.random(n) < FULL_TIME, "F", "P")
    for band in ("17-18", "19-21"):
        rows = ~neet & ((group == "under18") if band == "17-18" else (group != "under18"))
        mix = EET_MIX[band]
        weights = np.array(list(mix.values()), dtype=float)
        kind = rng.choice(list(mix), size=int(rows.sum()), p=weights / weights.sum())
        out[rows] = np.char.add(mode[rows].astype(str), kind.astype(str))
    return out


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
