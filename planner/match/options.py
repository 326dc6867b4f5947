"""One young person's options: ranked places, what each would cost the rest of the waiting list,
and why a given scheme is ruled out.

Impact of an option ("displaces"): how many fewer *others* due get a suitable place if this
person takes it, compared with the batch match; the same number as re-solving the batch with the
pair forced, computed without a solver per option. Forcing one pair changes a maximum matching's
size by at most one, so the answer is 0 or 1: a free place costs nobody (0); otherwise free this
person's own batch place if they have one, take one occupant out of the option and ask (Berge)
whether the matching left can still be augmented, by a breadth-first search back from free places
over people who could move (vectorised level by level). A person the batch left unplaced fits
only full schemes, and nobody can move (else the batch was not maximal): 1. People not due yet
(planning ahead) get the same answer for taking the place today. `tests/test_options.py` checks
this against a MILP re-solve.

The batch itself is solved once: its answer (`BatchAnswer`) is kept by the web with the latest
matching run and by the command line beside the data folder, and reused while the data, the date,
the horizon and the objective are the same (`batch=`), so a person's options take no solver at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS, complete_people, due_by, due_within
from planner.data.districts import district_name
from planner.data.formats import ages_on, uk_date
from planner.data.funding import DEFAULT_FUNDING, FundingSettings, payers, scheme_split, shares
from planner.data.roof import in_emergency, may_take_emergency, roof
from planner.data.vocab import ACCOM_LABELS
from planner.match.cost import DEFAULT_WEIGHTS, CostWeights, Objective, pair_cost
from planner.match.eligibility import (
    BIT,
    HARD_MASK,
    RULES,
    SUITABLE_MASK,
    UNSUITABLE_BIT,
    broken_rules,
    eligible_pairs,
    failures,
)
from planner.match.options_text import table_lines
from planner.match.solution import BatchAnswer, answer_of
from planner.match.staying_put import staying_put_places


class UnknownId(LookupError):
    """A person or scheme id that is not in the data."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Options:
    person: dict[str, Any]
    ranked: pd.DataFrame  # scheme_id, name, district, district_name, accom_code, weekly_cost,
    # council_weekly, housing_benefit_weekly, rent_not_met_weekly, split_assumed, distance_km,
    # near_km, support_fit, score, others_displaced (NA when impact is off)
    excluded: pd.DataFrame  # scheme_id, name, district, rules (readable, "; "-separated)
    eligible: int  # schemes this person may take (suitable or not)
    batch_outcome: str = ""  # the batch match's outcome for them ("" when impact is off)
    batch_scheme_id: str = ""
    due: bool = True  # due within the horizon; False: planning ahead, the batch gives them no place now
    horizon_days: int = HORIZON_DAYS
    due_by: date | None = None  # the match date plus the horizon
    staying_put: str = ""  # scheme_id of their own former foster carers' place, given before the batch
    roof: str = ""  # `planner.data.roof.Roof` on the match date
    objective: str = "default"
    rent_short_why: str = ""  # why housing benefit may not meet their rent (`funding.Payers.why`)
    council_pays_rent: bool = False  # under 18 (or eligible or relevant): the council pays it all
    council_meets: bool = False  # the council meets rent that is not met
    # How many of the excluded schemes each hard rule rules out, in the funnel's order (a scheme
    # may break several): ("with no vacancy", 1500), ("giving less support than needed", 212), ...
    ruled_out_by: tuple[tuple[str, int], ...] = ()


def _position(ids: pd.Series, wanted: str, what: str) -> int:
    hit = np.flatnonzero(ids.to_numpy(dtype=object) == wanted)
    if len(hit) == 0:
        raise UnknownId(f"{what} {wanted!r} is not in the data")
    return int(hit[0])


def options(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    person_id: str,
    *,
    on: date,
    top: int = 5,
    impact: bool = True,
    objective: Objective = "default",
    weights: CostWeights = DEFAULT_WEIGHTS,
    horizon_days: int = HORIZON_DAYS,
    start: int = 0,
    batch: BatchAnswer | None = None,
    funding: FundingSettings = DEFAULT_FUNDING,
) -> Options:
    """The best `top` places for one person (suitable first, then B&B/emergency for adults whose
    need is now), also for someone not due yet (planning ahead); `start` skips the first places of
    the ranking, to page through all `eligible` of them.

    `batch`: the batch match's answer for the same people, schemes, date, horizon and objective
    (`batch_answer`); without it, and with `impact`, the batch is solved here. With it, `people`
    may be just this person's row."""
    i = _position(people["person_id"], person_id, "person_id")
    row = complete_people(people.iloc[[i]])
    due = bool(due_within(row, on=on, horizon_days=horizon_days)[0])
    # Staying put: their carers' place alone, as from the day it starts, not ranked; also ahead of
    # the horizon (the place is theirs when it comes).
    kept = int(staying_put_places(row, schemes, on=on, due=np.array([True]))[0])
    if kept >= 0:
        begins = max(pd.Timestamp(row["needed_from"].iloc[0]).date(), on)
        pairs = eligible_pairs(row, schemes.iloc[[kept]], on=begins).assign(scheme=kept)
    else:
        pairs = eligible_pairs(row, schemes, on=on)
    if not may_take_emergency(row, on=on)[0]:  # B&B and emergency: a roof for an adult with none, now
        pairs = pairs[pairs["suitable"].to_numpy()].reset_index(drop=True)
    j = pairs["scheme"].to_numpy()
    who, split = payers(row, on=on, settings=funding), scheme_split(schemes)
    pay = shares(who, split, np.zeros(len(j), dtype=np.int64), j, funding)
    pairs["council_weekly"] = pay.council
    score = pair_cost(pairs, objective, weights) / 100
    ranked = pd.DataFrame(
        {
            "scheme_id": schemes["scheme_id"].to_numpy(dtype=object)[j],
            "name": schemes["name"].to_numpy(dtype=object)[j],
            "district": schemes["district"].to_numpy(dtype=object)[j],
            "district_name": [district_name(c) for c in schemes["district"].to_numpy(dtype=object)[j]],
            "accom_code": [
                a + ("1" if ok else "2")
                for a, ok in zip(
                    schemes["accom_type"].to_numpy(dtype=object)[j], pairs["suitable"], strict=True
                )
            ],
            "weekly_cost": pairs["weekly_cost"].to_numpy(),
            "council_weekly": np.round(pay.council, 2),
            "housing_benefit_weekly": np.round(pay.housing_benefit, 2),
            "rent_not_met_weekly": np.round(pay.short, 2),
            "split_assumed": split.assumed[j],
            "distance_km": np.round(pairs["home_km"].to_numpy(dtype=np.float64), 1),
            "near_km": np.round(pairs["near_km"].to_numpy(dtype=np.float64), 1),
            "support_fit": [_fit(int(e)) for e in pairs["extra_support"]],
            "score": score,
            "suitable": pairs["suitable"].to_numpy(),
            "_scheme": j,
        }
    )
    ranked = ranked.sort_values(["suitable", "score"], ascending=[False, True], kind="stable")
    ranked = ranked.iloc[max(start, 0) : max(start, 0) + top]
    displaced = pd.array([pd.NA] * len(ranked), dtype="Int64")
    batch_outcome, batch_scheme = "", ""
    if impact:
        if batch is None:
            batch = batch_answer(people, schemes, on=on, objective=objective, weights=weights,
                                 horizon_days=horizon_days, funding=funding)  # fmt: skip
        at = _position(pd.Series(batch.person_ids), person_id, "person_id (in the batch match)")
        if len(ranked):
            mine = pd.Index(batch.scheme_ids).get_indexer(ranked["scheme_id"].to_numpy(dtype=str))
            if (mine < 0).any():
                raise ValueError("the batch answer is not for these schemes: some options are not in it")
            hit = _displaced(batch, at, mine)
            displaced = pd.array(np.where(ranked["suitable"], hit, 0), dtype="Int64")
        batch_outcome = batch.outcome(at)
        if batch.scheme_of[at] >= 0:
            batch_scheme = str(batch.scheme_ids[batch.scheme_of[at]])
    ranked = (
        ranked.assign(others_displaced=displaced).drop(columns=["_scheme", "suitable"]).reset_index(drop=True)
    )

    fail = failures(row, schemes, on=on)[0]
    out = np.flatnonzero(fail & HARD_MASK)
    age = int(ages_on(row["date_of_birth"], on)[0])
    me = row.iloc[0].to_dict()
    # One conversion of the columns the reasons quote, not a row look-up per scheme.
    out_rows = schemes[list(_QUOTED)].iloc[out].to_dict("records")
    excluded = pd.DataFrame(
        {
            "scheme_id": schemes["scheme_id"].to_numpy(dtype=object)[out],
            "name": schemes["name"].to_numpy(dtype=object)[out],
            "district": schemes["district"].to_numpy(dtype=object)[out],
            "rules": [
                "; ".join(_describe(int(fail[k]), me, s, age)) for k, s in zip(out, out_rows, strict=True)
            ],
        }
    )
    person = {str(k): (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in me.items()}
    person["age"] = age
    return Options(
        person=person,
        ranked=ranked,
        excluded=excluded,
        eligible=len(pairs),
        batch_outcome=batch_outcome,
        batch_scheme_id=batch_scheme,
        due=due,
        horizon_days=horizon_days,
        due_by=due_by(on, horizon_days),
        staying_put=str(schemes["scheme_id"].iloc[kept]) if kept >= 0 else "",
        roof=str(roof(row, on=on)[0]),
        objective=objective,
        rent_short_why=str(who.why[0]),
        council_pays_rent=bool(who.council_pays_rent[0]),
        council_meets=funding.council_meets_rent_shortfall,
        ruled_out_by=_ruled_out_by(fail[out]),
    )


def _ruled_out_by(bits: np.ndarray) -> tuple[tuple[str, int], ...]:
    """Per hard rule (funnel order), how many of these schemes' failure bits include it."""
    hard = [r for r in RULES if BIT[r.name] & HARD_MASK]
    counts = ((r.excludes, int(np.count_nonzero(bits & BIT[r.name]))) for r in hard)
    return tuple(c for c in counts if c[1])


def why_not(
    people: pd.DataFrame, schemes: pd.DataFrame, person_id: str, scheme_id: str, *, on: date
) -> list[str]:
    """The rules scheme `scheme_id` breaks for this person, in plain words ([] when it fits
    and is suitable; a B&B/emergency scheme an adult may take gives its unsuitability)."""
    i = _position(people["person_id"], person_id, "person_id")
    k = _position(schemes["scheme_id"], scheme_id, "scheme_id")
    row = complete_people(people.iloc[[i]])
    fail = int(failures(row, schemes.iloc[[k]], on=on)[0, 0] & SUITABLE_MASK)
    age = int(ages_on(row["date_of_birth"], on)[0])
    out = _describe(fail, row.iloc[0], schemes.iloc[k], age)
    if fail == int(UNSUITABLE_BIT) and not may_take_emergency(row, on=on)[0]:  # W/V, not for them
        out.append(_NOT_FOR_THEM["in_emergency" if in_emergency(row)[0] else str(roof(row, on=on)[0])])
    return out


# Why B&B or emergency accommodation an adult would otherwise fit is not offered to them (v1.2).
_NOT_FOR_THEM = {
    "housed": "is not offered to someone with a roof: they stay where they live until a place is found",
    "in_emergency": (
        "is not offered to someone already in B&B or emergency accommodation: never a move to another"
    ),
    "no_roof": "is only offered when the need is now (needed_from on or before the match date)",
}


_QUOTED = ("accom_type", "district", "capacity", "reserved_for", "min_age", "max_age", "gender",
           "support_level", "excluded_risks")  # fmt: skip


def _fit(extra: int) -> str:
    if extra < 0:  # B&B or emergency accommodation: support is not a rule there, it is unsuitable anyway
        return f"{-extra} level{'s' if extra < -1 else ''} below the need"
    return "exact" if extra == 0 else f"+{extra} level{'s' if extra > 1 else ''}"


def _describe(bits: int, p: Any, s: Any, age: int) -> list[str]:
    """`p`, `s`: a person's and a scheme's row (a Series or a dict)."""
    label = ACCOM_LABELS[str(s["accom_type"])]
    where = f"{district_name(str(s['district']))} ({s['district']})"
    text = {
        "vacancy": f"has no vacancy (0 of {s['capacity']} places free)",
        "reserved": f"is reserved for another young person ({s['reserved_for']})",
        "staying_put_declined": "is their place with former foster carers, and they declined staying put",
        "age": f"takes ages {s['min_age']} to {s['max_age']} (they are {age})",
        "staying_put_age": f"is staying put, which ends at the 21st birthday (they are {age})",
        "own_tenancy": (
            f"is an own tenancy, a nomination for someone 18 or over assessed ready for it (they are {age}, "
            f"{'' if p['tenancy_ready'] else 'not '}tenancy-ready)"
        ),
        "gender": f"takes gender {s['gender']} only (theirs is recorded as {p['gender']})",
        "support": f"gives {s['support_level']} support, below their need ({p['support_need']})",
        "wheelchair": "is not wheelchair-accessible",
        "parent_and_child": "has no parent-and-child unit",
        "high_risk": "does not accept high-risk referrals",
        "risks": "cannot manage " + ", ".join(r for r in p["risks"] if r in s["excluded_risks"]),
        "ofsted": f"is not Ofsted-registered (they are {age}, under 18)",
        "no_bnb_under_18": f"is {label.lower()}, never used for anyone under 18",
        "avoid_districts": f"is in {where}, a district they must avoid",
        "unsuitable_type": f"is {label.lower()}: unsuitable, only for adults nobody can place suitably",
    }
    names = broken_rules(bits)
    if "no_bnb_under_18" in names:
        names.remove("unsuitable_type")
    return [text[n] for n in names]


def batch_answer(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    on: date,
    objective: Objective = "default",
    weights: CostWeights = DEFAULT_WEIGHTS,
    horizon_days: int = HORIZON_DAYS,
    funding: FundingSettings = DEFAULT_FUNDING,
) -> BatchAnswer:
    """Solve the batch for the whole waiting list and keep what options need (no reasons written)."""
    from planner.match.batch import solve  # OR-Tools, only when the batch is solved here

    sol = solve(people, schemes, on=on, objective=objective, weights=weights, horizon_days=horizon_days,
                funding=funding)  # fmt: skip
    return answer_of(sol, people, schemes)


def _displaced(batch: BatchAnswer, i: int, options: np.ndarray) -> np.ndarray:
    """Per suitable option (batch scheme positions) of person i: how many fewer others due are
    placed suitably if i takes it."""
    placed = batch.suitable_place & (batch.scheme_of >= 0)
    partner = np.where(placed, batch.scheme_of, -1).astype(np.int64)
    partner[i] = -1  # i leaves their batch place (if any), which becomes free
    places = batch.places
    load = np.bincount(partner[partner >= 0], minlength=len(places))
    out = np.zeros(len(options), dtype=np.int64)
    for k, s in enumerate(options.tolist()):
        if load[s] < places[s]:
            continue  # a free place: nobody moves
        # Take one occupant out of s and give s one place fewer; the others lose nothing iff
        # the matching left can still be augmented (Berge): some unplaced person reaches a
        # free place through people who can move to another of their places.
        evicted = int(np.flatnonzero(partner == s)[0])
        p2 = partner.copy()
        p2[evicted] = -1
        cap = places.copy()
        cap[s] -= 1
        out[k] = 0 if _augmentable(batch, p2, cap, skip=i) else 1
    return out


def _augmentable(batch: BatchAnswer, partner: np.ndarray, places: np.ndarray, *, skip: int) -> bool:
    """Whether someone unplaced (but `skip`) can reach a free place by moving placed people along
    their arcs: a breadth-first search back from the free places over the arcs grouped by scheme,
    level by level, stopping at the first unplaced person it meets."""
    ptr, person = batch.arc_ptr, batch.arc_person
    load = np.bincount(partner[partner >= 0], minlength=len(places))
    reach = places - load > 0  # schemes from which a free place can be reached
    frontier = np.flatnonzero(reach)
    while len(frontier):
        lo, hi = ptr[frontier], ptr[frontier + 1]
        size = hi - lo
        total = int(size.sum())
        if total == 0:
            break
        who = person[np.repeat(lo - np.cumsum(size) + size, size) + np.arange(total)]  # could move in
        moved_from = partner[who]
        if ((moved_from < 0) & (who != skip)).any():
            return True
        moved_from = np.unique(moved_from[moved_from >= 0])
        frontier = moved_from[~reach[moved_from]]
        reach[frontier] = True
    return False


def format_options(opts: Options, *, why: tuple[str, list[str]] | None = None) -> str:
    """Plain text for the command line."""
    p = opts.person
    lines = [
        f"{p['person_id']}: age {p['age']}, {p['gender']}, home {district_name(p['home_district'])} "
        f"({p['home_district']}), support need {p['support_need']}, needed from {uk_date(p['needed_from'])}"
        + (f", now {p['current_accom']}" if p["current_accom"] else ""),
        f"{opts.eligible} eligible schemes; {len(opts.excluded)} ruled out.",
    ]
    if opts.staying_put:
        lines.append(
            f"Staying put with own former foster carers ({opts.staying_put}), from the day it starts: "
            "their place alone, not ranked against other places. If they decline it (staying_put false), "
            "they are matched like anyone else and the place stays reserved for them."
        )
    if not opts.due:
        lines.append(
            f"Not due: needed from {uk_date(p['needed_from'])}, after the {opts.horizon_days}-day horizon "
            f"(due by {uk_date(opts.due_by)}). The batch match gives them no place now"
            + ("." if opts.staying_put else "; these are today's places, for planning ahead.")
        )
    elif opts.batch_outcome:
        at = f" at {opts.batch_scheme_id}" if opts.batch_scheme_id else ""
        lines.append(f"The batch match for the whole waiting list: {opts.batch_outcome}{at}.")
    if len(opts.ranked):
        lines += table_lines(opts.ranked, staying_put=bool(opts.staying_put), objective=opts.objective,
                             short_why=opts.rent_short_why, council_meets=opts.council_meets)  # fmt: skip
    else:
        lines.append("No scheme fits this person today.")
    if why is not None:
        scheme_id, reasons = why
        if reasons:
            lines.append(f"{scheme_id} is ruled out: " + "; ".join(reasons) + ".")
        else:
            lines.append(
                f"{scheme_id} breaks no rule for this person: one of their {opts.eligible} eligible schemes."
            )
    return "\n".join(lines)
