"""Places in use on the demo's date, by Little's law per type of place and support level.

The places of each type and level in use are the referrals for a place a week that end there
times their mean stay there, both as the scenario simulation reads them from the demo's own
referral history (`planner.simulate.world.referral_rate`, `planner.forecast.stays`), so that a
simulated county neither fills up nor empties at today's rate of referrals; `planner.demo.schemes`
adds the spare places a level needs (`SPARE_BETA`) and the vacancies of the date. A referral
needing more support than its type of place gives (a foyer, an own tenancy), or one that ended in
B&B, emergency accommodation or no fixed abode, counts as a semi-independent place at its level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner.data.vocab import NEVER_SUITABLE, SUPPORT_LEVELS, SUPPORT_RANK
from planner.forecast.history import NOT_PLACE_DEMAND
from planner.forecast.stays import StayModel, fit_stays, history_end, known_stays
from planner.simulate.world import place_referrals, referral_rate

# Places a type and support level has beyond those in use: beta x the square root of those in use,
# the square-root staffing rule of many-server queues (Halfin and Whitt 1981), with beta = 1.5: a
# panel that places most young people within weeks of their need date through a year of the
# demand trend and the summer's peak, neither idle places nor a queue that grows (assumption: no
# published occupancy figure for supported accommodation).
SPARE_BETA = 1.5
# The scheme type a referral's outcome (SSDA903 ACCOM letter) takes a place in: the demo has no
# community homes (C: its high-support semi-independent places stand for them), ordinary lodgings
# count as supported lodgings (they are no own tenancy), "other" as semi-independent. B&B,
# emergency and no fixed abode hold no place; those referrals count as semi-independent places.
SCHEME_OF_OUTCOME = {"D": "D", "E": "E", "T": "T", "U": "U", "C": "D", "K": "E", "Y": "D"}
# The most support each type gives (the support levels of `TYPES`; an own tenancy's floating support).
MOST_SUPPORT = {"D": SUPPORT_RANK["intensive"], "E": SUPPORT_RANK["high"], "T": SUPPORT_RANK["medium"],
                "U": SUPPORT_RANK["low"]}  # fmt: skip


def demo_stays(referrals: pd.DataFrame, on: date, types: tuple[str, ...]) -> StayModel:
    """The stay model the simulation will fit to the demo's history; where the history has too few
    ended stays to fit, the log-normal stays it was drawn from."""
    from planner.demo.referrals import STAY_MONTHS, STAY_SIGMA

    try:
        return fit_stays(referrals, end=history_end(referrals, on), types=types)
    except ValueError:
        return known_stays({k: v * 30.44 / 7 for k, v in STAY_MONTHS.items() if k in types}, STAY_SIGMA)


@dataclass(frozen=True, slots=True)
class InUse:
    """Places in use on the date by (type, support level), and the share of them held by
    high-risk young people (who need a scheme that accepts high-risk referrals)."""

    places: dict[tuple[str, int], float]
    high_risk: dict[tuple[str, int], float]

    def of(self, kind: str) -> float:
        return sum(v for (t, _), v in self.places.items() if t == kind)


def in_use(stays: StayModel, referrals: pd.DataFrame, on: date) -> InUse:
    """Places of each suitable type and support level in use on the date, county-wide: Little's
    law per type and level, referrals for a place a week x mean stay from placement to leaving, both
    as the scenario simulation reads them from the demo's own history (`planner.simulate.world`:
    the count model's rate over the coming year, the stay model of `planner.forecast.stays`), so
    that a simulated county neither fills up nor empties at today's rate of referrals. Referrals
    are shared out by type and need as in the history (`referrals` that ended: where they went and
    the support they needed); a need of none takes a low place."""
    rate = float(referral_rate(place_referrals(referrals), on, 52).mean())
    r = referrals[
        (referrals["outcome_accom"] != "") & ~referrals["outcome_accom"].str[:1].isin(list(NOT_PLACE_DEMAND))
    ]
    letter = r["outcome_accom"].str[:1]
    suitable = (r["outcome_accom"].str[1:] == "1") & ~letter.isin(list(NEVER_SUITABLE))
    kind = np.where(suitable, letter.map(SCHEME_OF_OUTCOME).fillna("D"), "D")
    need = r["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int64)
    most = np.array([MOST_SUPPORT[k] for k in kind])
    kind = np.where(need <= most, kind, "D")  # more support than the type gives: semi-independent
    per_week = rate / max(len(r), 1)
    places: dict[tuple[str, int], float] = {
        (t, k): 0.0 for t in MOST_SUPPORT for k in range(1, len(SUPPORT_LEVELS))
    }
    risky: dict[tuple[str, int], float] = dict.fromkeys(places, 0.0)
    rows = stays.index(kind)
    weeks = np.array([stays.mean_weeks(int(i), int(k)) for i, k in zip(rows, need, strict=True)])
    high = r["high_risk"].to_numpy(dtype=bool)
    for t, k, w, h in zip(kind, np.maximum(need, 1), weeks, high, strict=True):
        places[str(t), int(k)] += per_week * w
        risky[str(t), int(k)] += per_week * w * h
    return InUse(places, {c: risky[c] / v if v else 0.0 for c, v in places.items()})


HIGH_RISK_MARGIN = 1.5  # places accepting high-risk referrals, against the high-risk places in use


def accept_high_risk(df: pd.DataFrame, using: InUse, rng: np.random.Generator) -> None:
    """Enough places of each type and support level accept high-risk referrals for the high-risk
    young people placed there (with a margin: the others may take those places too)."""
    level = df["support_level"].map(SUPPORT_RANK).to_numpy()
    kind = df["accom_type"].to_numpy()
    cap = df["capacity"].to_numpy()
    ok = df["accepts_high_risk"].to_numpy(dtype=bool).copy()
    for (t, k), share in using.high_risk.items():
        rows = np.flatnonzero((kind == t) & (level == k))
        want = min(1.0, HIGH_RISK_MARGIN * share) * cap[rows].sum()
        for j in rng.permutation(rows[~ok[rows]]):
            if cap[rows][ok[rows]].sum() >= want:
                break
            ok[j] = True
    df["accepts_high_risk"] = ok
