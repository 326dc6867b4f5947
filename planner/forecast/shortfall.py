"""One definition of shortfall, for today's map, the forecast, `planner forecast` and scenario reports.

Demand: young people needing a place, by home district and support need. Today, those due within
the horizon (data contract v1.1: `needed_from` on or before the date plus 28 days); in a forecast
month, those needing a place that month.
Supply: suitable vacancies (any type but B&B `W` and emergency `V`, PRODUCT.md s.2) by district
and support level.

A place meets a need at its own level or below, so levels are never netted against each other:
a district's places are shared out as well as they can be (highest needs first, each from the
lowest level that meets it: this serves the most people) and the shortfall is the people left
with no place at their level or above. Nor are districts netted: one district's spare places do
not count against another's shortfall, and a council's shortfall is the sum of its districts'.
For one support level, demand is the people needing exactly that level, supply the vacancies at
that level or above (all that could serve them), and the shortfall those of them left after the
sharing; the levels' shortfalls add up to the district's. Other hard rules (age, gender, risks,
Ofsted registration ...) are not counted here: the matching applies them person by person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from planner.data.contract import HORIZON_DAYS, Dataset, due_within, needed_now
from planner.data.districts import districts
from planner.data.vocab import SUPPORT_LEVELS, SUPPORT_RANK, UNSUITABLE_TYPES

log = logging.getLogger(__name__)

COLUMNS: Final = (
    "district",  # ONS LAD code
    "name",  # district name
    "waiting",  # young people on the list whose home district this is (at the level, if one)
    "due",  # of them, those due within the horizon: the demand
    "needed_now",  # of them, those whose place is needed on or before the date
    "suitable_vacancies",  # free places in suitable schemes in the district (at the level or above)
    "shortfall",  # young people due who cannot have a suitable place in the district at their level
    "spare",  # suitable vacancies left after every young person due who could have one has one
    "in_bnb_or_emergency",  # of the waiting, those now in B&B (W) or emergency accommodation (V)
    "schemes",  # suitable schemes in the district (at the level or above)
)
DESCRIPTION: Final = (
    "Demand is the young people due within the horizon whose home is in the district; supply is the "
    "suitable vacancies there (not B&B or emergency accommodation). A place meets a need at its own "
    "support level or below: places are shared out so that the most young people are served, and the "
    "shortfall is those left with no place at their level or above. Districts are not netted against "
    "each other; other rules (age, gender, risks) are applied by the matching, not here."
)


def share_out(demand: np.ndarray, supply: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unserved demand and places left, sharing places out among needs: arrays (..., levels)
    of counts, levels in SUPPORT_LEVELS order; a place at level k serves any need at level <= k.

    Highest needs first, each from the lowest level that meets it: every place that is left
    after a need is served meets every lower need, so this serves as many as possible."""
    levels = len(SUPPORT_LEVELS)
    left = supply.astype(np.int64, copy=True)
    unserved = np.zeros(np.broadcast_shapes(demand.shape, supply.shape), dtype=np.int64)
    for need in range(levels - 1, -1, -1):
        wanting = demand[..., need].astype(np.int64, copy=True)
        for level in range(need, levels):
            took = np.minimum(wanting, left[..., level])
            left[..., level] -= took
            wanting -= took
        unserved[..., need] = wanting
    return unserved, left


def at_or_above(counts: np.ndarray) -> np.ndarray:
    """Per level, the count at that level or above: (..., levels) suffix sums."""
    return np.flip(np.cumsum(np.flip(counts, axis=-1), axis=-1), axis=-1)


def council_districts(codes: pd.Series) -> pd.Index:
    """Every district of the councils (upper-tier authorities) that `codes` fall in."""
    reg = districts()
    known = pd.Index(codes.dropna().unique()).intersection(reg.index)
    councils = reg.loc[known, "utla_code"].unique()
    return pd.Index(reg.index[reg["utla_code"].isin(councils)], name="district")


def _by_level(
    codes: pd.Series, levels: pd.Series, area: pd.Index, weights: pd.Series | None = None
) -> np.ndarray:
    """(districts, levels) counts, or sums of `weights`, of rows by district and support level."""
    out = np.zeros((len(area), len(SUPPORT_LEVELS)), dtype=np.int64)
    row = area.get_indexer(pd.Index(codes))
    col = levels.map(SUPPORT_RANK).to_numpy(dtype=np.int64)
    ok = row >= 0
    w = np.ones(len(codes), dtype=np.int64) if weights is None else weights.to_numpy(dtype=np.int64)
    np.add.at(out, (row[ok], col[ok]), w[ok])
    return out


def due_and_vacant(
    data: Dataset, area: pd.Index, *, on: date, horizon_days: int = HORIZON_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Today's demand and supply as (districts of `area`, levels) counts: young people due within
    the horizon by home district and need, suitable vacancies by district and level."""
    people, schemes = data.people, data.schemes
    due = due_within(people, on=on, horizon_days=horizon_days)
    demand = _by_level(people["home_district"][due], people["support_need"][due], area)
    supply_rows = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))]
    supply = _by_level(supply_rows["district"], supply_rows["support_level"], area, supply_rows["vacancies"])
    return demand, supply


@dataclass(frozen=True, slots=True)
class _Counts:
    """Today's counts as (districts of `area`, levels) arrays, each level's column on its own."""

    area: pd.Index
    waiting: np.ndarray  # young people on the list by home district and support need
    needed_now: np.ndarray  # of them, those whose place is needed on or before the date
    in_bnb: np.ndarray  # of them, those now in B&B (W) or emergency accommodation (V)
    due: np.ndarray  # of them, those due within the horizon: the demand
    vacancies: np.ndarray  # suitable vacancies by district and level
    unserved: np.ndarray  # demand left after the sharing
    left: np.ndarray  # vacancies left after the sharing
    schemes: np.ndarray  # suitable schemes by district and level


def _counts(data: Dataset, *, on: date, horizon_days: int) -> _Counts:
    people, schemes = data.people, data.schemes
    area = council_districts(pd.concat([people["home_district"], schemes["district"]], ignore_index=True))
    demand, supply = due_and_vacant(data, area, on=on, horizon_days=horizon_days)
    unserved, left = share_out(demand, supply)
    supply_rows = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))]
    home, need = people["home_district"], people["support_need"]
    in_bnb = people["current_accom"].str[:1].isin(list(UNSUITABLE_TYPES)).to_numpy()
    now = needed_now(people, on=on)
    return _Counts(
        area=area,
        waiting=_by_level(home, need, area),
        needed_now=_by_level(home[now], need[now], area),
        in_bnb=_by_level(home[in_bnb], need[in_bnb], area),
        due=demand,
        vacancies=supply,
        unserved=unserved,
        left=left,
        schemes=_by_level(supply_rows["district"], supply_rows["support_level"], area),
    )


def _column(counts: np.ndarray, k: int | None, *, places: bool = False) -> np.ndarray:
    """A level's column of (districts, levels) counts, or all levels' sum (k None). For places, the
    level's column holds those at the level or above: all that could serve a need at it."""
    if k is None:
        return counts.sum(axis=1)
    return (at_or_above(counts) if places else counts)[:, k]


def _table(c: _Counts, support_level: str | None) -> pd.DataFrame:
    """`COLUMNS` for one support level (None: all of them) from the counts."""
    k = None if support_level is None else SUPPORT_RANK[support_level]
    table = pd.DataFrame(
        {
            "district": c.area,
            "name": districts().loc[c.area, "name"].to_numpy(),
            "waiting": _column(c.waiting, k),
            "due": _column(c.due, k),
            "needed_now": _column(c.needed_now, k),
            "suitable_vacancies": _column(c.vacancies, k, places=True),
            "shortfall": _column(c.unserved, k),
            "spare": _column(c.left, k, places=True),
            "in_bnb_or_emergency": _column(c.in_bnb, k),
            "schemes": _column(c.schemes, k, places=True),
        }
    )
    return table[list(COLUMNS)].sort_values("name", kind="stable").reset_index(drop=True)


def _check_level(support_level: str | None) -> None:
    if support_level is not None and support_level not in SUPPORT_RANK:
        raise ValueError(
            f"{support_level!r} is not a support level (expected one of {', '.join(SUPPORT_LEVELS)})"
        )


def shortfall_by_district(
    data: Dataset, *, on: date, support_level: str | None = None, horizon_days: int = HORIZON_DAYS
) -> pd.DataFrame:
    """One row per district of the council(s) in `data`, sorted by name, columns `COLUMNS`.

    `data.people` is the waiting list; `data.schemes` holds vacancies as on `on`. With
    `support_level`, the row counts the young people needing that level, the vacancies at that
    level or above, and the shortfall of that level after the sharing (see the module's notes).
    """
    _check_level(support_level)
    table = _table(_counts(data, on=on, horizon_days=horizon_days), support_level)
    _log(table, support_level or "all")
    return table


def shortfall_by_level(data: Dataset, *, on: date, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """`shortfall_by_district` for all levels together (`support_level` "all"), then for each
    level in `SUPPORT_LEVELS` order, counted once: `COLUMNS` with `support_level` third."""
    c = _counts(data, on=on, horizon_days=horizon_days)
    frames = [_table(c, level).assign(support_level=level or "all") for level in (None, *SUPPORT_LEVELS)]
    table = pd.concat(frames, ignore_index=True)
    _log(table[table["support_level"] == "all"], "all and each")
    return table[[*COLUMNS[:2], "support_level", *COLUMNS[2:]]]


def _log(table: pd.DataFrame, levels: str) -> None:
    log.info(
        "shortfall for %d districts (support level %s): %d due, %d suitable vacancies, %d short",
        len(table),
        levels,
        int(table["due"].sum()),
        int(table["suitable_vacancies"].sum()),
        int(table["shortfall"].sum()),
    )
