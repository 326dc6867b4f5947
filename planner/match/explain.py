"""Reasons a placement officer can read, for every person in a batch result.

Placed: where (home or connection district, km from home), weekly cost, support fit, and how
the place ranks among their options. No suitable place: either no scheme fits (counted rule by
rule, in the order an officer would narrow the list) or every place they fit went to others
(counted by urgency relative to them). In an optimal result nobody less urgent holds a place
that an unplaced person fits: swapping them would be more urgent at the same size. Then what
happens meanwhile (v1.2, `unplaced_kinds`): B&B as a last resort, or they stay where they live, or
stay in B&B (not moved to another), or have no roof and are referred to the district housing
authority. Staying put is said as such, never ranked. Not due: when they are needed, and how many
suitable schemes fit them today. The sentences are `wording.Wording`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import due_by
from planner.data.formats import ages_on, plural, uk_date
from planner.data.funding import DEFAULT_FUNDING, FundingSettings, payers, scheme_split, shares
from planner.data.roof import in_emergency, no_roof
from planner.match.eligibility import BLOCK_CELLS, RULES, SUITABLE_MASK, failures, home_km
from planner.match.solution import Solution
from planner.match.staying_put import declined_places, staying_put_places
from planner.match.wording import Held, Money, Wording

_N: Final = len(RULES)
# Lookup tables over every uint16 failures value below 2**len(RULES).
_VALUES = np.arange(1 << _N)
LOWEST_RULE: Final = np.where(_VALUES == 0, _N, np.log2(np.maximum(_VALUES & -_VALUES, 1)).astype(int))
ONLY_RULE: Final = np.where(
    (_VALUES != 0) & ((_VALUES & (_VALUES - 1)) == 0), LOWEST_RULE, _N
)  # the rule when exactly one is broken, else _N


def rule_counts(fail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, rules) counts: schemes dropping out at each rule in funnel order, and schemes
    breaking that rule alone (they would fit but for it)."""
    rows = fail.shape[0]
    base = (np.arange(rows) * (_N + 1))[:, None]
    funnel = np.bincount((base + LOWEST_RULE[fail]).ravel(), minlength=rows * (_N + 1))
    alone = np.bincount((base + ONLY_RULE[fail]).ravel(), minlength=rows * (_N + 1))
    return funnel.reshape(rows, _N + 1)[:, :_N], alone.reshape(rows, _N + 1)[:, :_N]


def explain(
    people: pd.DataFrame, schemes: pd.DataFrame, sol: Solution, *, on: date, objective: str = "default",
    funding: FundingSettings = DEFAULT_FUNDING,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """matches (PRODUCT.md columns, then who pays: `PAID_COLUMNS`) and why_not: for everyone due
    without a suitable place, per rule (eligibility.RULES names, in funnel order) the schemes it
    excludes and those it alone excludes; rule "taken" counts the schemes they fit whose places all
    went to others."""
    chosen, cost, rank = sol.chosen, sol.cost, sol.rank
    n = len(people)
    person, scheme, suitable = sol.person, sol.scheme, sol.suitable
    got = chosen >= 0
    pick = np.where(got, chosen, 0)
    s_of = np.where(got, scheme[pick] if len(scheme) else 0, -1)
    placed = got & (suitable[pick] if len(suitable) else False)
    unsuitable = got & ~placed

    n_options = sol.options
    # Rank of the chosen place among the person's suitable options by level-3 cost.
    chosen_cost = np.where(placed, cost[pick] if len(cost) else 0, 0)
    cheaper = suitable & placed[person] & (cost < chosen_cost[person])
    option_rank = np.bincount(person[cheaper], minlength=n) + 1

    # Who holds the places an unsuitably placed or unplaced person fits, and the places in the
    # schemes a placed person would have preferred (cheaper by their own cost): reasons say only
    # what the answer itself shows, by the urgency order it was solved with (`sol.rank`).
    holder_rank = np.where(placed, rank, -1)
    no_place = ~placed & sol.due
    fits = suitable & no_place[person]
    more, same, less = _holders(person[fits], scheme[fits], rank, s_of, holder_rank, n)
    better = _Better(*_holders(person[cheaper], scheme[cheaper], rank, s_of, holder_rank, n),
                     _free_places(person[cheaper], scheme[cheaper], schemes, s_of[placed], n),
                     sol.status == "optimal")  # fmt: skip

    why_not, phrases = _why_not(people, schemes, np.flatnonzero(no_place & (n_options == 0)), on=on)
    taken = np.flatnonzero(no_place & (n_options > 0))  # they fit schemes whose places all went to others
    taken_rows = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(dtype=object)[taken],
            "rule": "taken",
            "schemes_excluded": n_options[taken],
            "only_this_rule": n_options[taken],
        }
    )
    why_not = pd.concat([why_not, taken_rows], ignore_index=True) if len(taken) else why_not

    paid = _paid(people, schemes, np.flatnonzero(got), s_of[got], on=on, funding=funding)
    money = Money(paid["council_weekly"].tolist(), paid["rent_not_met_weekly"].fillna(0.0).tolist(),
                  paid.pop("_why").tolist(), paid.pop("_under_18").tolist(),
                  funding.council_meets_rent_shortfall)  # fmt: skip
    text = Wording(people, schemes, objective, on, money)
    kinds = unplaced_kinds(people, sol, no_place & ~unsuitable, on=on)
    declined = declined_places(people, schemes)
    ahead = staying_put_places(people, schemes, on=on, due=~sol.due)  # not due yet: theirs when due
    km = np.full(n, np.nan)
    km[got] = home_km(people, schemes, np.flatnonzero(got), s_of[got])
    last = uk_date(due_by(on, sol.horizon_days))
    needed = {d: uk_date(d) for d in set(text.needed) if pd.notna(d)}  # each distinct date written once
    reasons: list[str] = []
    for i in range(n):
        if not sol.due[i]:
            k = int(n_options[i])
            then = f"; {text.staying_put_ahead(int(ahead[i]))}" if ahead[i] >= 0 else ""
            reasons.append(
                f"needed from {needed.get(text.needed[i], '')}, "
                f"after the {sol.horizon_days}-day horizon (due by "
                f"{last}): stays on the list with no place now; {plural(k, 'suitable scheme')} "
                f"{'fits' if k == 1 else 'fit'} them today{then}"
            )
            continue
        if sol.staying_put[i]:
            reasons.append(text.staying_put(i, int(s_of[i])))
            continue
        if placed[i]:
            held = better.of(i) if option_rank[i] > 1 else None
            reasons.append(text.placed(i, int(s_of[i]), float(km[i]), option_rank[i], n_options[i], held))
            continue
        if n_options[i] == 0:
            why = f"no suitable scheme fits: {phrases[i]}"
        else:
            why = _taken(n_options[i], more[i], same[i], less[i])
        if i in declined:
            why += f"; {text.declined(declined[i])}"
        reasons.append(
            f"{why}; {_meanwhile(text, kinds[i], i, int(s_of[i]), float(km[i]), bool(sol.now[i]))}"
        )

    def at_scheme(column: str, fill: str | float) -> np.ndarray:
        values = schemes[column].to_numpy()
        return np.where(got, values[np.maximum(s_of, 0)], fill) if len(values) else np.full(n, fill)

    accom = at_scheme("accom_type", "")
    matches = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(dtype=object),
            "scheme_id": at_scheme("scheme_id", "").astype(object),
            "outcome": np.select(
                [placed, unsuitable, ~sol.due], ["placed", "unsuitable", "not_due"], "unplaced"
            ).astype(object),
            "accom_code": [a + ("1" if p else "2") if a else "" for a, p in zip(accom, placed, strict=True)],
            "weekly_cost": at_scheme("weekly_cost", np.nan).astype(np.float64),
            "distance_km": np.round(km, 1),
            "reason": reasons,
            **{c: paid[c].to_numpy() for c in PAID_COLUMNS},
        }
    )
    return matches, why_not


# Who pays for each place given (NaN without one), after matches.csv's columns: the council's share,
# housing benefit (or universal credit's housing element), the rent not met (`planner.data.funding`),
# and whether the scheme's split of rent and support was assumed by its type.
PAID_COLUMNS: Final = ("council_weekly", "housing_benefit_weekly", "rent_not_met_weekly", "split_assumed")


def _paid(
    people: pd.DataFrame, schemes: pd.DataFrame, person: np.ndarray, scheme: np.ndarray, *, on: date,
    funding: FundingSettings,
) -> pd.DataFrame:  # fmt: skip
    """Per person, who pays for the place given (rows of the unplaced: NaN, False, "")."""
    n = len(people)
    who, split = payers(people, on=on, settings=funding), scheme_split(schemes)
    pay = shares(who, split, person, scheme, funding)
    out = pd.DataFrame({c: np.full(n, np.nan) for c in PAID_COLUMNS[:3]})
    for column, values in zip(PAID_COLUMNS[:3], (pay.council, pay.housing_benefit, pay.short), strict=True):
        out.loc[person, column] = np.round(values, 2)
    out["split_assumed"] = False
    out.loc[person, "split_assumed"] = split.assumed[scheme]
    out["_why"] = np.where(np.isin(np.arange(n), person), who.why, "").astype(object)
    out["_under_18"] = who.council_pays_rent
    return out


def unplaced_kinds(people: pd.DataFrame, sol: Solution, unplaced: np.ndarray, *, on: date) -> np.ndarray:
    """What happens meanwhile to each person of `unplaced` (due, no place at all; "" for the rest):
    `under_18` (the council must accommodate them; never B&B), `no_roof` (an adult due now with no
    roof: referred to the district housing authority), `in_emergency` (stays in B&B or emergency
    accommodation, not moved to another), `housed` (stays where they live until a place is found,
    or until they need one)."""
    kind = np.full(len(people), "", dtype=object)
    kind[unplaced] = "housed"
    kind[unplaced & in_emergency(people)] = "in_emergency"
    kind[unplaced & sol.now & no_roof(people, on=on)] = "no_roof"
    kind[unplaced & (ages_on(people["date_of_birth"], on) < 18)] = "under_18"
    return kind


def _meanwhile(text: Wording, kind: str, i: int, j: int, km: float, now: bool) -> str:
    """The end of a reason for someone due without a suitable place: where they are meanwhile."""
    if j >= 0:
        return text.last_resort(i, j, km)
    if kind == "under_18":
        return "B&B and emergency accommodation are never used under 18"
    if kind == "no_roof":
        return text.no_roof(i)
    if kind == "in_emergency":
        return text.in_emergency(i)
    if not now and text.roofless_then(i):  # needed later, with no roof by then
        return text.later(i)
    return text.housed(i)


def _holders(
    person: np.ndarray,
    scheme: np.ndarray,
    rank: np.ndarray,
    s_of: np.ndarray,
    holder_rank: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person: holders of places in the schemes they fit that are more, as, less urgent."""
    holders = np.flatnonzero(holder_rank >= 0)
    if len(person) == 0 or len(holders) == 0:
        z = np.zeros(n, dtype=np.int64)
        return z, z, z
    # Holders sorted by (scheme, rank); per pair two binary searches give the counts below and
    # at the person's rank within the scheme's run of holders.
    span = int(rank.max()) + 2
    keys = np.sort(s_of[holders] * span + holder_rank[holders])
    per_scheme = np.bincount(s_of[holders], minlength=int(max(scheme.max(), s_of.max())) + 1)
    start = np.concatenate(([0], np.cumsum(per_scheme)))
    base = scheme.astype(np.int64) * span
    r = rank[person]
    first = np.take(start, scheme)
    lo = np.searchsorted(keys, base + r, side="left") - first
    hi = np.searchsorted(keys, base + r, side="right") - first
    total = np.take(per_scheme, scheme)
    return (
        np.bincount(person, weights=lo, minlength=n).astype(np.int64),
        np.bincount(person, weights=hi - lo, minlength=n).astype(np.int64),
        np.bincount(person, weights=total - hi, minlength=n).astype(np.int64),
    )


@dataclass(frozen=True, slots=True)
class _Better:
    """Per placed person, the places in the schemes cheaper for them than theirs: held by people
    more urgent, as urgent, less urgent (by the batch's urgency order), and free (only when the
    solver stopped at its time limit)."""

    more: np.ndarray
    same: np.ndarray
    less: np.ndarray
    free: np.ndarray
    optimal: bool

    def of(self, i: int) -> Held:
        return Held(int(self.more[i]), int(self.same[i]), int(self.less[i]), int(self.free[i]), self.optimal)


def _free_places(
    person: np.ndarray, scheme: np.ndarray, schemes: pd.DataFrame, held_at: np.ndarray, n: int
) -> np.ndarray:
    """Per person, the places left free in the schemes of their arcs (`person`, `scheme`)."""
    m = len(schemes)
    free = schemes["vacancies"].to_numpy(dtype=np.int64) - np.bincount(held_at, minlength=m)[:m]
    return np.bincount(person, weights=np.maximum(free, 0)[scheme], minlength=n).astype(np.int64)


def _taken(options: int, more: int, same: int, less: int) -> str:
    groups = [
        (more, "more urgent referrals"),
        (same, "referrals as urgent (placing more people or at lower cost)"),
        (less, "less urgent referrals (not optimal: time limit)"),
    ]
    held = [(c, who) for c, who in groups if c]
    plural = "s" if options > 1 else ""
    head = f"fits {options} scheme{plural} but all {more + same + less} places there are taken"
    if len(held) == 1:
        return f"{head} by {held[0][1]}"
    return f"{head}: " + ", ".join(f"{c} by {who}" for c, who in held)


def _why_not(
    people: pd.DataFrame, schemes: pd.DataFrame, rows: np.ndarray, *, on: date
) -> tuple[pd.DataFrame, dict[int, str]]:
    """Rule counts for people no suitable scheme fits, in blocks to bound memory."""
    m = len(schemes)
    step = max(1, BLOCK_CELLS // max(m, 1))
    frames, phrases = [], {}
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        fail = failures(people.iloc[block], schemes, on=on) & SUITABLE_MASK
        funnel, alone = rule_counts(fail)
        for k, i in enumerate(block.tolist()):
            parts = [f"{c} {RULES[r].excludes}" for r, c in enumerate(funnel[k]) if c]
            phrases[i] = f"of {plural(m, 'scheme')}: " + ", ".join(parts) if parts else "there are no schemes"
        p, r = np.nonzero(funnel)
        frames.append(
            pd.DataFrame(
                {
                    "person_id": people["person_id"].to_numpy(dtype=object)[block[p]],
                    "rule": np.array([x.name for x in RULES], dtype=object)[r],
                    "schemes_excluded": funnel[p, r],
                    "only_this_rule": alone[p, r],
                }
            )
        )
    empty = pd.DataFrame({"person_id": [], "rule": [], "schemes_excluded": [], "only_this_rule": []})
    return (pd.concat(frames, ignore_index=True) if frames else empty), phrases
