"""The solver's raw answer for a waiting list, before reasons (`Solution`: what `batch.match`,
`explain` and `options` share), the batch's result with its reasons (`MatchResult`), and the part
of the answer one person's options need (`BatchAnswer`), small enough to keep: the web stores it
with its matching run and the command line beside the data folder, so that a person's options
reuse the batch instead of solving it again.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS

OUTCOMES: Final = ("placed", "unsuitable", "unplaced", "not_due")  # of matches.csv
ANSWER_FORMAT: Final = 2  # bump when BatchAnswer's arrays or the rules change: older answers are ignored


@dataclass(frozen=True, slots=True)
class Solution:
    """The arcs of the model and the chosen one per person. Arcs are the suitable pairs of people
    due, then the staying-put places given before the batch (one each), then the B&B/emergency
    pairs of adults due now with no roof that stage 1 left unplaced; pairs of people not due are
    not kept (only how many suitable schemes fit them, `options`)."""

    person: np.ndarray  # int32 per arc
    scheme: np.ndarray  # int32 per arc
    cost: np.ndarray  # int64 per arc: level-3 cost, pence
    suitable: np.ndarray  # bool per arc: not W/V
    chosen: np.ndarray  # per person: index of their arc, -1 when not placed
    rank: np.ndarray  # urgency class per person
    due: np.ndarray  # per person: due within the horizon (the others are not_due)
    now: np.ndarray  # per person: needed on or before the match date
    options: np.ndarray  # per person: suitable schemes that fit them, due or not
    eligible: int  # eligible pairs, suitable or not, of everyone
    horizon_days: int
    status: str
    method: str
    timings: dict[str, float]
    staying_put: np.ndarray  # per person: given their staying-put place before the batch (one arc)


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: pd.DataFrame  # MATCH_COLUMNS, one row per person in input order
    why_not: pd.DataFrame  # person_id, rule, schemes_excluded, only_this_rule: see explain.explain
    status: str  # "optimal" or "time_limit" (best answer found in time, see planner.match.flow)
    objective: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)  # eligibility, build, solve, explain
    method: str = ""  # how the suitable stage was solved
    horizon_days: int = HORIZON_DAYS
    solution: Solution | None = field(default=None, repr=False, compare=False)  # for `answer_of`
    # places held for people due soon who would have no other (`planner.match.anticipate`)
    holds: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return float(sum(self.timings.values()))


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """What one person's options need from a batch match: who was placed where, and the suitable
    arcs of the people due grouped by scheme, for the augmenting-path check (`options._displaced`)."""

    person_ids: np.ndarray  # str, the batch's people in its order
    scheme_ids: np.ndarray  # str, the batch's schemes in its order
    places: np.ndarray  # int64 per scheme: vacancies on the match date
    scheme_of: np.ndarray  # int32 per person: the scheme of their batch place, -1 if none
    suitable_place: np.ndarray  # bool per person: that place is suitable (not W/V)
    due: np.ndarray  # bool per person
    arc_ptr: np.ndarray  # int64, schemes + 1: scheme k's arcs are arc_person[arc_ptr[k]:arc_ptr[k + 1]]
    arc_person: np.ndarray  # int32: the person of each suitable arc of someone due

    def outcome(self, i: int) -> str:
        if self.scheme_of[i] >= 0:
            return "placed" if self.suitable_place[i] else "unsuitable"
        return "unplaced" if self.due[i] else "not_due"

    def to_bytes(self) -> bytes:
        """An .npz file's bytes: plain arrays, no pickle, so a stored answer can be read safely."""
        buf = io.BytesIO()
        np.savez(buf, format=np.int64(ANSWER_FORMAT), **{k: getattr(self, k) for k in self.__slots__})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BatchAnswer | None:
        """The answer `to_bytes` wrote, or None if it is of another format or unreadable."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                if int(z["format"]) != ANSWER_FORMAT:
                    return None
                return cls(**{k: z[k] for k in cls.__slots__})
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # damaged: solve again
            return None


def answer_of(sol: Solution, people: pd.DataFrame, schemes: pd.DataFrame) -> BatchAnswer:
    """The part of `sol` that one person's options need, arcs grouped by scheme."""
    n, m = len(people), len(schemes)
    got = sol.chosen >= 0
    pick = np.where(got, sol.chosen, 0)
    scheme_of = np.where(got, sol.scheme[pick] if len(sol.scheme) else -1, -1).astype(np.int32)
    # The suitable arcs come first and are all of people due (`Solution`): views, not copies,
    # of megabytes at England scale.
    k = int(np.count_nonzero(sol.suitable))
    if not sol.suitable[:k].all():
        raise ValueError("a Solution's suitable arcs come first")
    person, scheme = sol.person[:k], sol.scheme[:k]
    # A stable sort keeps each scheme's people in order; 16-bit keys sort in linear time (radix).
    key = scheme.astype(np.uint16) if m <= np.iinfo(np.uint16).max else scheme
    order = np.argsort(key, kind="stable")
    return BatchAnswer(
        person_ids=people["person_id"].to_numpy(dtype=str),
        scheme_ids=schemes["scheme_id"].to_numpy(dtype=str),
        places=schemes["vacancies"].to_numpy(dtype=np.int64),
        scheme_of=scheme_of,
        suitable_place=got & (sol.suitable[pick] if len(sol.suitable) else False),
        due=np.asarray(sol.due, dtype=bool).copy() if n else np.zeros(0, dtype=bool),
        arc_ptr=np.concatenate(([0], np.cumsum(np.bincount(scheme, minlength=m)))).astype(np.int64),
        arc_person=person[order].astype(np.int32),
    )
