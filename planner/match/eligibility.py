"""Hard eligibility rules (PRODUCT.md s.3), vectorised over people x schemes.

Every rule is one bit of a `uint16` "failures" value per (person, scheme) pair; a pair is
eligible when no hard-rule bit is set. The bits are ordered as an officer would narrow a list
down (vacancy, age, gender, support, ...), so the lowest set bit says at which step a scheme
drops out and the counts per step explain why nobody fits.

Speed: people who share a profile (age on the date, gender, need, wheelchair, parent, high
risk, risks) break the same rules, so a block of people is reduced to its distinct profiles,
the rules are evaluated once per profile (profiles x schemes), and rows are gathered back.
`avoid_districts`, `reserved` and `staying_put_declined` are the per-person rules, set pair by
pair (the first from a district index, the others for the few reserved places only).
Contract v1.2: an own tenancy (U) only for a tenancy-ready adult; a staying-put place its young
person declined (`staying_put` false) stays reserved for them and so is for nobody; B&B and
emergency accommodation (W, V) are unsuitable whatever support they offer, so support level is no
rule for them (who may be offered them at all is `planner.data.roof.may_take_emergency`).
Blocks keep memory at about `BLOCK_CELLS` x 2 bytes whatever the size of the problem.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeVar

import numpy as np
import pandas as pd

from planner.data.contract import complete_people
from planner.data.districts import districts, km_to_districts
from planner.data.formats import ages_on
from planner.data.vocab import (
    ADULT_AGE,
    OWN_TENANCY,
    RISKS,
    STAYING_PUT,
    STAYING_PUT_UNTIL_AGE,
    SUPPORT_RANK,
    UNSUITABLE_TYPES,
)
from planner.match.threads import in_order

T = TypeVar("T")

BLOCK_CELLS: Final = 4_000_000  # people x schemes evaluated at once (8 MB of uint16)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    excludes: str  # after a count, for one or many: "of 9 schemes: 3 with no vacancy"
    breaks: str  # for one scheme: "has no vacancy"


# Funnel order; the position is the bit. The last one is not a hard rule: W/V places are
# allowed for adults but are unsuitable, so it explains why someone got no *suitable* place.
RULES: Final = (
    Rule("vacancy", "with no vacancy", "has no vacancy"),
    Rule("reserved", "reserved for someone else", "is reserved for someone else"),
    Rule(
        "staying_put_declined",
        "staying put, which they declined",
        "is their staying put, which they declined",
    ),
    Rule("age", "taking other ages", "takes other ages"),
    Rule("staying_put_age", "staying put, which ends at 21", "is staying put, which ends at 21"),
    Rule(
        "own_tenancy",
        "offering own tenancies (tenancy-ready adults only)",
        "is an own tenancy, for a tenancy-ready adult",
    ),
    Rule("gender", "for another gender", "is for another gender"),
    Rule("support", "giving less support than needed", "gives less support than needed"),
    Rule("wheelchair", "not wheelchair-accessible", "is not wheelchair-accessible"),
    Rule("parent_and_child", "with no parent-and-child unit", "has no parent-and-child unit"),
    Rule("high_risk", "not accepting high-risk referrals", "does not accept high-risk referrals"),
    Rule("risks", "unable to manage their risks", "cannot manage their risks"),
    Rule("ofsted", "not Ofsted-registered (needed under 18)", "is not Ofsted-registered"),
    Rule("no_bnb_under_18", "B&B or emergency (never under 18)", "is B&B or emergency"),
    Rule("avoid_districts", "in districts they must avoid", "is in a district they must avoid"),
    Rule("unsuitable_type", "B&B or emergency (unsuitable)", "is B&B or emergency (unsuitable)"),
)
BIT: Final = {r.name: np.uint16(1 << i) for i, r in enumerate(RULES)}
UNSUITABLE_BIT: Final = BIT["unsuitable_type"]
HARD_MASK: Final = np.uint16(sum(int(b) for n, b in BIT.items() if n != "unsuitable_type"))
SUITABLE_MASK: Final = np.uint16(HARD_MASK | UNSUITABLE_BIT)
RISK_BIT: Final = {r: 1 << i for i, r in enumerate(RISKS)}
_RISK_MASK: Final = (1 << len(RISKS)) - 1
_TENANCY_READY_BIT: Final = 12 + len(RISKS)  # in a profile key, after the risks
_GENDER_CODE: Final = {"F": 0, "M": 1, "X": 2}


def _flatten(lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Every item of a column of tuples, with the row it came from (rows in order): C-level
    iteration (map, chain), no Python code run per row."""
    values = lists.to_numpy(dtype=object)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    items = np.fromiter(itertools.chain.from_iterable(values), dtype=object, count=int(lengths.sum()))
    return np.repeat(np.arange(len(values)), lengths), items


def _mask(lists: pd.Series, bits: dict[str, int]) -> np.ndarray:
    """Per row, the bits of the tokens in its tuple OR-ed together (tokens outside `bits`: none)."""
    row, items = _flatten(lists)
    code = pd.Index(list(bits)).get_indexer(pd.Index(items))
    known = code >= 0
    out = np.zeros(len(lists), dtype=np.int64)
    np.bitwise_or.at(out, row[known], np.array(list(bits.values()), dtype=np.int64)[code[known]])
    return out


@dataclass(frozen=True, slots=True)
class _People:
    age: np.ndarray
    profile: np.ndarray  # int64 key of everything but avoid_districts and reserved places
    avoid_person: np.ndarray  # rows of (person, district to avoid), people in order
    avoid_code: np.ndarray  # str
    ids: pd.Index  # person_id
    declined: np.ndarray  # bool: declined staying put (their Z place is for nobody)


@dataclass(frozen=True, slots=True)
class _Schemes:
    vacancy: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    gender: np.ndarray  # 0 F, 1 M, 3 any
    level: np.ndarray
    provides: np.ndarray  # bits the scheme satisfies (wheelchair, parent, high risk, ofsted, not W/V)
    excluded_risks: np.ndarray
    district: np.ndarray  # codes
    staying_put: np.ndarray  # bool: type Z, which ends at the 21st birthday
    own_tenancy: np.ndarray  # bool: type U, a nomination for a tenancy-ready adult
    wv: np.ndarray  # bool: B&B or emergency (W, V): support level is no rule there
    reserved: np.ndarray  # positions of the schemes with reserved_for
    reserved_for: np.ndarray  # their person_id


def _people(people: pd.DataFrame, on: date | pd.DatetimeIndex) -> _People:
    people = complete_people(people)
    age = np.clip(ages_on(people["date_of_birth"], on), 15, 26)  # outside 16..25 fits no scheme
    key = (age - 15).astype(np.int64)  # 4 bits
    key |= people["gender"].map(_GENDER_CODE).to_numpy(dtype=np.int64) << 4
    key |= people["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int64) << 6
    key |= people["wheelchair"].to_numpy(dtype=np.int64) << 9
    key |= people["parent_with_child"].to_numpy(dtype=np.int64) << 10
    key |= people["high_risk"].to_numpy(dtype=np.int64) << 11
    key |= _mask(people["risks"], RISK_BIT) << 12
    key |= people["tenancy_ready"].to_numpy(dtype=np.int64) << _TENANCY_READY_BIT
    avoid_person, avoid_code = _flatten(people["avoid_districts"])
    return _People(
        age=age,
        profile=key,
        avoid_person=avoid_person,
        avoid_code=avoid_code.astype(str),
        ids=pd.Index(people["person_id"]),
        declined=people["staying_put"].eq(False).fillna(False).to_numpy(dtype=bool),
    )


def _schemes(schemes: pd.DataFrame) -> _Schemes:
    wv = schemes["accom_type"].isin(list(UNSUITABLE_TYPES)).to_numpy()
    provides = (
        schemes["wheelchair_accessible"].to_numpy(dtype=np.int64) * int(BIT["wheelchair"])
        | schemes["parent_and_child"].to_numpy(dtype=np.int64) * int(BIT["parent_and_child"])
        | schemes["accepts_high_risk"].to_numpy(dtype=np.int64) * int(BIT["high_risk"])
        | schemes["ofsted_registered"].to_numpy(dtype=np.int64) * int(BIT["ofsted"])
        | (~wv).astype(np.int64) * int(BIT["no_bnb_under_18"] | UNSUITABLE_BIT)
        | (schemes["vacancies"].to_numpy() > 0).astype(np.int64) * int(BIT["vacancy"])
    )
    reserved_for = schemes["reserved_for"].to_numpy(dtype=object)
    reserved = np.flatnonzero(reserved_for != "")
    return _Schemes(
        vacancy=schemes["vacancies"].to_numpy(dtype=np.int64),
        min_age=schemes["min_age"].to_numpy(dtype=np.int64),
        max_age=schemes["max_age"].to_numpy(dtype=np.int64),
        gender=schemes["gender"].map({"F": 0, "M": 1, "any": 3}).to_numpy(dtype=np.int64),
        level=schemes["support_level"].map(SUPPORT_RANK).to_numpy(dtype=np.int64),
        provides=provides.astype(np.uint16),
        excluded_risks=_mask(schemes["excluded_risks"], RISK_BIT),
        district=schemes["district"].to_numpy(dtype=str),
        staying_put=(schemes["accom_type"] == STAYING_PUT).to_numpy(),
        own_tenancy=(schemes["accom_type"] == OWN_TENANCY).to_numpy(),
        wv=wv,
        reserved=reserved,
        reserved_for=reserved_for[reserved],
    )


def _profile_failures(keys: np.ndarray, s: _Schemes) -> np.ndarray:
    """Failure bits (profiles x schemes) of every rule except avoid_districts."""
    age = (keys & 15)[:, None] + 15
    gender = ((keys >> 4) & 3)[:, None]
    need = ((keys >> 6) & 7)[:, None]
    risks = ((keys >> 12) & _RISK_MASK)[:, None]
    tenancy_ready = ((keys >> _TENANCY_READY_BIT) & 1)[:, None] == 1
    under_18 = age < ADULT_AGE
    wants = np.full(age.shape, BIT["vacancy"] | UNSUITABLE_BIT, dtype=np.uint16)
    for flag, bit in ((9, "wheelchair"), (10, "parent_and_child"), (11, "high_risk")):
        wants |= (((keys >> flag) & 1)[:, None] * int(BIT[bit])).astype(np.uint16)
    wants |= (under_18 * int(BIT["ofsted"] | BIT["no_bnb_under_18"])).astype(np.uint16)
    fail = wants & ~s.provides[None, :]
    fail |= ((age < s.min_age) | (age > s.max_age)).astype(np.uint16) * BIT["age"]
    fail |= (s.staying_put & (age >= STAYING_PUT_UNTIL_AGE)).astype(np.uint16) * BIT["staying_put_age"]
    fail |= (s.own_tenancy & (under_18 | ~tenancy_ready)).astype(np.uint16) * BIT["own_tenancy"]
    fail |= ((s.gender != 3) & (s.gender != gender)).astype(np.uint16) * BIT["gender"]
    fail |= ((s.level < need) & ~s.wv).astype(np.uint16) * BIT["support"]
    fail |= ((risks & s.excluded_risks) != 0).astype(np.uint16) * BIT["risks"]
    return fail


def _set_avoid(fail: np.ndarray, p: _People, start: int, stop: int, s: _Schemes) -> None:
    """Mark the schemes in districts each person of rows start..stop must avoid."""
    lo, hi = np.searchsorted(p.avoid_person, [start, stop])
    if lo == hi:
        return
    person, codes = p.avoid_person[lo:hi] - start, p.avoid_code[lo:hi]
    order = np.argsort(s.district, kind="stable")
    sorted_codes = s.district[order]
    first = np.searchsorted(sorted_codes, codes, side="left")
    count = np.searchsorted(sorted_codes, codes, side="right") - first
    if count.sum() == 0:
        return
    # Expand each (person, district) into (person, scheme in that district), no Python loop.
    rows = np.repeat(person, count)
    at = np.repeat(first - np.cumsum(count) + count, count)
    scheme = order[at + np.arange(int(count.sum()))]
    fail[rows, scheme] |= BIT["avoid_districts"]


def _set_reserved(fail: np.ndarray, ids: pd.Index, declined: np.ndarray, s: _Schemes) -> None:
    """A reserved place fails for everyone in `ids` but the young person it names; a staying-put
    place fails for them too if they declined it (it stays theirs: nobody else gets it)."""
    if len(s.reserved) == 0:
        return
    fail[:, s.reserved] |= BIT["reserved"]
    named = ids.get_indexer(pd.Index(s.reserved_for))
    here = named >= 0
    fail[named[here], s.reserved[here]] &= ~BIT["reserved"]
    refused = here & s.staying_put[s.reserved] & declined[np.maximum(named, 0)]
    fail[named[refused], s.reserved[refused]] |= BIT["staying_put_declined"]


def failures(people: pd.DataFrame, schemes: pd.DataFrame, *, on: date | pd.DatetimeIndex) -> np.ndarray:
    """Failure bits for every (person, scheme): shape (people, schemes), dtype uint16; `on` may
    be one date per person (ages on the day each would start).

    For explanations of a few hundred people; `eligible_pairs` does the same in blocks.
    """
    p, s = _people(people, on), _schemes(schemes)
    return _block(p, s, 0, len(people))


def _block(p: _People, s: _Schemes, start: int, stop: int) -> np.ndarray:
    uniq, inverse = np.unique(p.profile[start:stop], return_inverse=True)
    fail = _profile_failures(uniq, s)[inverse]
    _set_avoid(fail, p, start, stop, s)
    _set_reserved(fail, p.ids[start:stop], p.declined[start:stop], s)
    return fail


def scan(people: pd.DataFrame, schemes: pd.DataFrame, *, on: date) -> Iterator[Cells]:
    """The blocks of `scan_map`, one after another in this thread."""
    return scan_map(people, schemes, on=on, each=lambda c: c, workers=1)


def scan_map(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    on: date,
    each: Callable[[Cells], T],
    workers: int | None = None,
) -> Iterator[T]:
    """`each` of the people's blocks, in order, worked on in `planner.match.threads` threads (array
    work that releases the GIL). A block: which cells are eligible, and tables of km from a scheme
    to each person's home district and the nearest of home and connections, read only for the
    cells wanted (most cells of a batch are ruled out or belong to people not due)."""
    p, s = _people(people, on), _schemes(schemes)
    n, m = len(people), len(schemes)
    # Home, then connections (home again where fewer): rows of km to the districts named only.
    columns = _districts_of(people)
    named, inverse = np.unique(columns, return_inverse=True)
    where: np.ndarray = inverse.reshape(columns.shape)
    to_district = np.ascontiguousarray(_scheme_to_district_km(schemes, named).T)
    step = max(1, BLOCK_CELLS // max(m, 1))

    def block(start: int) -> T:
        stop = min(n, start + step)
        ok = (_block(p, s, start, stop) & HARD_MASK) == 0
        return each(Cells(start, ok, where[start:stop], to_district))

    return in_order(block, range(0, n, step), workers)


@dataclass(frozen=True, slots=True)
class Cells:
    start: int  # first person of the block
    ok: np.ndarray  # (block, schemes) bool: no hard rule broken
    where: np.ndarray  # (block, 1 + most connections): rows of to_district, home first
    to_district: np.ndarray  # (districts named, schemes) float32 km

    def home_km(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """km from scheme j[k] to the home district of the block's person i[k] (float32)."""
        return self.to_district[self.where[i, 0], j]

    def near_km(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """km from scheme j[k] to the nearest of person i[k]'s home and connection districts."""
        near = self.home_km(i, j)
        for k in range(1, self.where.shape[1]):  # a handful of columns, each gathered for the cells
            np.minimum(near, self.to_district[self.where[i, k], j], out=near)
        return near


def eligible_pairs(people: pd.DataFrame, schemes: pd.DataFrame, *, on: date) -> pd.DataFrame:
    """Every (person, scheme) pair allowed by the hard rules, with what the solver needs.

    Columns: person, scheme (positional indexes, int32), suitable (not W/V), weekly_cost,
    home_km (scheme to the centroid of the home district), near_km (to the nearest of the home
    and connection districts), extra_support (levels above the person's need). For one person's
    options and for tests; a whole batch goes through `arcs.batch_pairs`, which keeps no floats per pair.
    """
    parts: dict[str, list[np.ndarray]] = {"person": [], "scheme": [], "home_km": [], "near_km": []}
    for c in scan(people, schemes, on=on):
        i, j = np.nonzero(c.ok)
        parts["person"].append((i + c.start).astype(np.int32))
        parts["scheme"].append(j.astype(np.int32))
        parts["home_km"].append(c.home_km(i, j))
        parts["near_km"].append(c.near_km(i, j))
    col = {k: np.concatenate(v) if v else np.zeros(0, np.float32) for k, v in parts.items()}
    person, scheme = col["person"].astype(np.int32), col["scheme"].astype(np.int32)
    need = need_levels(people)
    wv = schemes["accom_type"].isin(list(UNSUITABLE_TYPES)).to_numpy()
    # Millions of pairs: 1-D np.take gathers, and no consolidation copy in the frame (copy=False).
    return pd.DataFrame(
        {
            "person": person,
            "scheme": scheme,
            "suitable": np.take(~wv, scheme),
            "weekly_cost": np.take(schemes["weekly_cost"].to_numpy(dtype=np.float64), scheme),
            "home_km": col["home_km"],
            "near_km": col["near_km"],
            "extra_support": np.take(scheme_levels(schemes), scheme) - np.take(need, person),
        },
        copy=False,
    )


def need_levels(people: pd.DataFrame) -> np.ndarray:
    return people["support_need"].map(SUPPORT_RANK).to_numpy(dtype=np.int8)


def scheme_levels(schemes: pd.DataFrame) -> np.ndarray:
    return schemes["support_level"].map(SUPPORT_RANK).to_numpy(dtype=np.int8)


def home_km(
    people: pd.DataFrame, schemes: pd.DataFrame, person: np.ndarray, scheme: np.ndarray
) -> np.ndarray:
    """km from scheme to the centroid of the person's home district, for given pairs (the same
    float32 figures as `eligible_pairs`' home_km)."""
    if len(person) == 0:
        return np.zeros(0, dtype=np.float32)
    named, home = np.unique(_district_index(people["home_district"]), return_inverse=True)
    return _scheme_to_district_km(schemes, named)[scheme, home[person]]


def _district_index(codes: pd.Series) -> np.ndarray:
    return districts().index.get_indexer(pd.Index(codes)).astype(np.int32)


def _scheme_to_district_km(schemes: pd.DataFrame, named: np.ndarray) -> np.ndarray:
    """km from every scheme to the centroids of the districts at positions `named` of the
    registry (schemes x named, float32)."""
    return km_to_districts(schemes["latitude"].to_numpy(), schemes["longitude"].to_numpy())[:, named]


def _districts_of(people: pd.DataFrame) -> np.ndarray:
    """(people, 1 + most connections) district indexes: home, then connection districts (home
    again where someone has fewer)."""
    home = _district_index(people["home_district"])
    row, items = _flatten(people["connection_districts"])
    position = np.arange(len(row)) - np.searchsorted(row, row)  # within the person's own tuple
    width = int(position.max()) + 1 if len(row) else 0
    out = np.repeat(home[:, None], 1 + width, axis=1)
    out[row, 1 + position] = _district_index(pd.Series(items, dtype=object))
    return out


def broken_rules(bits: int) -> list[str]:
    """Names of the rules set in one failures value, in funnel order."""
    return [r.name for i, r in enumerate(RULES) if bits >> i & 1]
