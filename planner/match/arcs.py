"""The arcs of a batch match, straight from eligibility: at England scale the eligible pairs are
tens of millions, so only what the flow uses is kept: positions as int32 and the level-3 cost
written block by block into int64 (`cost.cost_pence`), no float column per pair; for people not
due only how many suitable schemes fit them. Arcs are gathered into arrays that double when full
(`_ArcBuffer`), so the blocks' freed temporaries do not stay on the heap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner.data.formats import ages_on
from planner.data.funding import DEFAULT_FUNDING, FundingSettings
from planner.data.vocab import STAYING_PUT, STAYING_PUT_UNTIL_AGE, UNSUITABLE_TYPES
from planner.match.cost import DEFAULT_WEIGHTS, CostWeights, Objective, cost_pence, paying
from planner.match.eligibility import Cells, need_levels, scan, scan_map, scheme_levels


@dataclass(frozen=True, slots=True)
class Arcs:
    """Eligible (person, scheme) pairs as the flow takes them: positions and level-3 cost in pence."""

    person: np.ndarray  # int32
    scheme: np.ndarray  # int32
    cost: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.person)

    def take(self, keep: np.ndarray) -> Arcs:
        return Arcs(self.person[keep], self.scheme[keep], self.cost[keep])


@dataclass(frozen=True, slots=True)
class BatchPairs:
    """What a batch match needs from eligibility, and nothing more: at England scale the pairs
    are tens of millions, so no per-pair column is kept that the flow does not use."""

    suitable: Arcs  # suitable schemes (not W/V) for the people in `first`
    fallback: Arcs  # B&B and emergency schemes (W/V) for the people in `second`
    options: np.ndarray  # per person: suitable schemes that fit them (whoever they are)
    eligible: int  # every eligible pair, suitable or not


def chosen_arcs(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    person: np.ndarray,
    scheme: np.ndarray,
    *,
    on: date,
    objective: Objective = "default",
    weights: CostWeights = DEFAULT_WEIGHTS,
    funding: FundingSettings = DEFAULT_FUNDING,
) -> Arcs:
    """The arcs (person[k], scheme[k]) with their level-3 cost, whatever the hard rules say of
    them on `on`: places given before the batch is solved (staying put)."""
    n = len(person)
    if n == 0:
        return Arcs(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))
    near = np.zeros(n, dtype=np.float32)
    for c in scan(people.iloc[person], schemes.iloc[scheme], on=on):  # the diagonal: each with theirs
        rows = np.arange(c.start, c.start + len(c.ok))
        near[rows] = c.near_km(rows - c.start, rows)
    extra = np.take(scheme_levels(schemes), scheme) - np.take(need_levels(people), person)
    weekly = paying(people, schemes, on=on, objective=objective, funding=funding).weekly(person, scheme)
    cost = cost_pence(weekly, near, extra, objective, weights)
    return Arcs(person.astype(np.int32), scheme.astype(np.int32), cost)


def batch_pairs(
    people: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    on: date,
    first: np.ndarray,
    second: np.ndarray,
    objective: Objective = "default",
    weights: CostWeights = DEFAULT_WEIGHTS,
    funding: FundingSettings = DEFAULT_FUNDING,
) -> BatchPairs:
    """The arcs of a batch match, their costs written straight into int64 block by block: suitable
    arcs of people where `first` (due), B&B/emergency arcs of people where `second` (needed now)."""
    wv = schemes["accom_type"].isin(list(UNSUITABLE_TYPES)).to_numpy()
    weekly = paying(people, schemes, on=on, objective=objective, funding=funding)
    level, need = scheme_levels(schemes), need_levels(people)
    options = np.zeros(len(people), dtype=np.int64)
    eligible = 0
    out = (_ArcBuffer(), _ArcBuffer())
    z = (schemes["accom_type"] == STAYING_PUT).to_numpy()
    ended = _staying_put_ended(people, on) if z.any() else np.zeros(len(people), dtype=bool)

    def arcs_of(c: Cells) -> tuple[int, int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """A block's end, eligible count and arcs (first, second); its people's options are set."""
        rows = slice(c.start, c.start + len(c.ok))
        if ended[rows].any():
            c.ok[np.ix_(ended[rows], z)] = False
        fits = np.count_nonzero(c.ok, axis=1)
        options[rows] = fits - np.count_nonzero(c.ok[:, wv], axis=1)  # W/V: few columns
        found = []
        for kind, who in ((~wv, first), (wv, second)):
            # Only the rows of the people taking part (those due): most of a block is not.
            sub = np.flatnonzero(who[rows])
            i, j = np.nonzero(c.ok[sub] & kind)
            i = sub[i]
            person = (i + c.start).astype(np.int32)
            extra = np.take(level, j) - np.take(need, person)
            cost = cost_pence(weekly.weekly(person, j), c.near_km(i, j), extra, objective, weights)
            found.append((person, j.astype(np.int32), cost))
        return rows.stop, int(fits.sum()), found

    for stop, count, found in scan_map(people, schemes, on=on, each=arcs_of):
        eligible += count
        for buffer, (person, j, cost) in zip(out, found, strict=True):
            buffer.add(person, j, cost, done=stop / len(people))
    return BatchPairs(out[0].arcs(), out[1].arcs(), options, eligible)


def _staying_put_ended(people: pd.DataFrame, on: date) -> np.ndarray:
    """Who will be 21 on the day their place would start (the later of `on` and `needed_from`):
    staying put has ended for them, though they may be 20 on the match date."""
    starts = np.maximum(people["needed_from"].to_numpy(), np.datetime64(on, "ns"))
    return ages_on(people["date_of_birth"], pd.DatetimeIndex(starts)) >= STAYING_PUT_UNTIL_AGE


class _ArcBuffer:
    """Arcs gathered block by block into arrays sized from the blocks seen so far. Joining a list
    of block arrays at the end would leave them interleaved with the blocks' freed temporaries
    on the heap, which the process then keeps (hundreds of MB at England scale); doubling and a
    last exact copy moved every arc three times. Sized by the share of people scanned, the arrays
    are about right after the first block and handed over as they are."""

    def __init__(self) -> None:
        self.n = 0
        self.cols: list[np.ndarray] = [np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int64)]

    def add(self, person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, *, done: float = 1.0) -> None:
        """Append a block's arcs; `done`: the share of all rows scanned once this block is in."""
        end = self.n + len(person)
        if end > len(self.cols[0]):
            # The arcs so far, scaled to all rows with a little room; at least a quarter more once
            # the estimate has proved short, so a skewed order cannot grow it block by block.
            size = max(int(end / max(done, 1e-9) * 1.05), 1 << 16, end)
            if len(self.cols[0]):
                size = max(size, len(self.cols[0]) * 5 // 4)
            grown = [np.empty(size, c.dtype) for c in self.cols]
            for old, new in zip(self.cols, grown, strict=True):
                new[: self.n] = old[: self.n]
            self.cols = grown
        for col, values in zip(self.cols, (person, scheme, cost), strict=True):
            col[self.n : end] = values
        self.n = end

    def arcs(self) -> Arcs:
        """The arcs; the arrays themselves when nearly full, else exactly sized copies."""
        cols = self.cols
        self.cols = [np.empty(0, c.dtype) for c in cols]
        if self.n * 10 >= len(cols[0]) * 9:
            return Arcs(*(c[: self.n] for c in cols))
        return Arcs(*(c[: self.n].copy() for c in cols))
