"""Planning for the coming weeks in a batch match (`planner match --anticipate`, the web's "plan for
the coming weeks"): places held back for people on the list due soon who would have no other.

The batch is solved as always. Then, soonest first, each person on the list due after the horizon
but within the lookahead is looked at on their own need date (their age then): if no suitable
place they could take would be left free by the batch, and the batch gave such a place to someone
else, one of those places is held for them, if and only if the batch solved again without it still
places everyone it placed (the others are moved to other places; nobody due now or later within
the horizon loses a place, an under-18 or someone with no roof least of all). So a hold only ever
changes who goes where, the hard rules and the lexicographic levels stay the batch's own, and the
held place says so in plain words ("held for a 17-year-old due on 3 Dec who has no other
registered place"). Holding is tried for under-18s at their need date and wheelchair users
first, then everyone else due within the lookahead.

This is the known not-yet-due list only; the simulation's `anticipatory` panel also values places
for the referrals the demand model expects (`planner.simulate.anticipate`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from planner.data.formats import ages_on
from planner.data.vocab import ADULT_AGE, UNSUITABLE_TYPES
from planner.match.eligibility import HARD_MASK, failures
from planner.match.solution import Solution

LOOKAHEAD_DAYS: Final = 56  # the coming eight weeks
HELD_PREFIX: Final = "a place is held for them"
HOLD_COLUMNS: Final = ("scheme_id", "scheme_name", "person_id", "needed_from", "reason")
MAX_TRIES: Final = 50  # people looked at in one batch: each is one more solve


def empty_holds() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HOLD_COLUMNS})


def _who(age: int, wheelchair: bool) -> tuple[str, str]:
    """How the held-for person is named, and what kind of place they have no other of."""
    if age < ADULT_AGE:
        return f"a {age}-year-old", "registered place"
    if wheelchair:
        return f"a {age}-year-old wheelchair user", "wheelchair-accessible place"
    return f"a {age}-year-old", "suitable place"


def hold_reason(age: int, wheelchair: bool, needed: date) -> str:
    """ "held for a 17-year-old due on 3 Dec who has no other registered place"."""
    who, kind = _who(age, wheelchair)
    return f"held for {who} due on {needed.day} {needed:%b} who has no other {kind}"


def plan_holds(
    people: pd.DataFrame, schemes: pd.DataFrame, sol: Solution, *, on: date, lookahead_days: int,
    resolve: Callable[[pd.DataFrame], Solution],
) -> tuple[pd.DataFrame, Solution, pd.DataFrame]:  # fmt: skip
    """The schemes with held places taken out of their vacancies, the batch solved on them, and
    the holds (HOLD_COLUMNS). `resolve` solves the batch on given schemes."""
    if lookahead_days <= 0:
        return schemes, sol, empty_holds()
    needed = pd.to_datetime(people["needed_from"])
    after = (needed > pd.Timestamp(on) + timedelta(days=sol.horizon_days)).to_numpy(bool)
    within = (needed <= pd.Timestamp(on) + timedelta(days=lookahead_days)).to_numpy(bool)
    soon = np.flatnonzero(~sol.due & after & within)
    if not len(soon):
        return schemes, sol, empty_holds()
    days = [needed.iloc[int(k)].date() for k in soon]
    age_then = np.array(
        [int(ages_on(people["date_of_birth"].iloc[[int(k)]], d)[0]) for k, d in zip(soon, days, strict=True)]
    )
    wheelchair = people["wheelchair"].to_numpy(bool)[soon]
    order = np.lexsort((needed.iloc[soon].to_numpy(), ~((age_then < ADULT_AGE) | wheelchair)))
    vacancies = schemes["vacancies"].to_numpy(np.int64).copy()
    suitable = ~schemes["accom_type"].isin(list(UNSUITABLE_TYPES)).to_numpy(bool)
    current, best = schemes, sol
    holds: list[dict[str, object]] = []
    for pos in (int(x) for x in order[:MAX_TRIES]):
        k, day = int(soon[pos]), days[pos]
        rules = failures(people.iloc[[k]], schemes.assign(vacancies=1), on=day)[0]
        fits = ((rules & HARD_MASK) == 0) & suitable
        used = _used(best, len(schemes))
        if not fits.any() or (fits & (vacancies - used > 0)).any():
            continue  # no place they could take, or one left free for them anyway
        for j in (int(x) for x in np.flatnonzero(fits & (used > 0))):
            trial_vacancies = vacancies.copy()
            trial_vacancies[j] -= 1
            trial = schemes.assign(vacancies=trial_vacancies)
            again = resolve(trial)
            if _same_people_placed(best, again):
                current, best, vacancies = trial, again, trial_vacancies
                holds.append(_hold(schemes, j, str(people["person_id"].iat[k]), day, int(age_then[pos]),
                                   bool(wheelchair[pos])))  # fmt: skip
                break
    return current, best, pd.DataFrame(holds, columns=list(HOLD_COLUMNS)) if holds else empty_holds()


def _hold(
    schemes: pd.DataFrame, j: int, person_id: str, day: date, age: int, wheelchair: bool
) -> dict[str, object]:
    return {"scheme_id": str(schemes["scheme_id"].iat[j]), "scheme_name": str(schemes["name"].iat[j]),
            "person_id": person_id, "needed_from": day,
            "reason": hold_reason(age, wheelchair, day)}  # fmt: skip


def _used(sol: Solution, n_schemes: int) -> np.ndarray:
    got = sol.chosen >= 0
    return np.bincount(sol.scheme[sol.chosen[got]], minlength=n_schemes).astype(np.int64)


def _placed(sol: Solution) -> np.ndarray:
    if not len(sol.suitable):
        return np.zeros(len(sol.chosen), dtype=bool)
    return np.asarray((sol.chosen >= 0) & sol.suitable[np.maximum(sol.chosen, 0)])


def _same_people_placed(before: Solution, after: Solution) -> bool:
    """Everyone placed suitably before still is, and nobody newly in B&B or emergency."""
    b, a = _placed(before), _placed(after)
    return bool((a | ~b).all() and (after.chosen >= 0).sum() >= (before.chosen >= 0).sum())


def held_note(holds: pd.DataFrame, person_id: str) -> str:
    """What a held-for person's reason adds: "a place is held for them at Oak House (S3): ..."."""
    rows = holds[holds["person_id"] == person_id]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    kind = str(r["reason"]).split(" who has no other ")[-1]
    return f"{HELD_PREFIX} at {r['scheme_name']} ({r['scheme_id']}): they would have no other {kind}"


def hold_lines(holds: pd.DataFrame | None) -> list[str]:
    """The holds as `planner match --anticipate` prints them."""
    if holds is None or holds.empty:
        return [
            "Planning for the coming weeks: no place needs holding (everyone due soon has a place left free)."
        ]
    out = [f"Planning for the coming weeks: {len(holds)} place{'s' if len(holds) != 1 else ''} held back:"]
    for r in holds.itertuples(index=False):
        out.append(f"  {r.scheme_name} ({r.scheme_id}): {r.reason} ({r.person_id})")
    return out
