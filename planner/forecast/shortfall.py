"""Shortfall of suitable places by district: the numbers behind the commissioners' map.

A district's shortfall is the young people waiting whose home is there minus the suitable
vacancies located there (suitable: any accommodation type but B&B `W` and emergency `V`,
PRODUCT.md s.2). A negative shortfall is a surplus of places. For one support level the
demand is the people who need exactly that level and the supply every suitable vacancy at that
level or above (a scheme meets a need when its level is at least the need).
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd

from planner.data.contract import Dataset
from planner.data.districts import districts
from planner.data.vocab import SUPPORT_LEVELS, SUPPORT_RANK, UNSUITABLE_TYPES

log = logging.getLogger(__name__)

COLUMNS = (
    "district",  # ONS LAD code
    "name",  # district name
    "waiting",  # young people waiting whose home district this is
    "needed_now",  # of them, those whose place is needed on or before the date
    "suitable_vacancies",  # free places in suitable schemes in the district
    "shortfall",  # waiting - suitable_vacancies (negative: spare places)
    "in_bnb_or_emergency",  # of the waiting, those now in B&B (W) or emergency accommodation (V)
    "schemes",  # suitable schemes in the district
)


def council_districts(codes: pd.Series) -> pd.Index:
    """Every district of the councils (upper-tier authorities) that `codes` fall in."""
    reg = districts()
    known = pd.Index(codes.dropna().unique()).intersection(reg.index)
    councils = reg.loc[known, "utla_code"].unique()
    return pd.Index(reg.index[reg["utla_code"].isin(councils)], name="district")


def shortfall_by_district(data: Dataset, *, on: date, support_level: str | None = None) -> pd.DataFrame:
    """One row per district of the council(s) present in `data`, sorted by district name.

    `data.people` is the waiting list (everyone in it still needs a place); `data.schemes`
    holds vacancies as on `on`. With `support_level`, only people needing that level count as
    demand, and only schemes providing at least that level as supply.
    """
    if support_level is not None and support_level not in SUPPORT_RANK:
        raise ValueError(
            f"{support_level!r} is not a support level (expected one of {', '.join(SUPPORT_LEVELS)})"
        )
    people, schemes = data.people, data.schemes
    area = council_districts(pd.concat([people["home_district"], schemes["district"]], ignore_index=True))

    suitable = ~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))
    if support_level is not None:
        people = people[people["support_need"] == support_level]
        rank = schemes["support_level"].map(SUPPORT_RANK)
        suitable &= rank >= SUPPORT_RANK[support_level]
    supply = schemes[suitable]

    accom = people["current_accom"].fillna("").astype(str)
    in_bnb = accom.str[:1].isin(list(UNSUITABLE_TYPES))
    needed_now = people["needed_from"] <= pd.Timestamp(on)
    home = people["home_district"]

    def count(mask: pd.Series | None, by: pd.Series) -> pd.Series:
        keys = by if mask is None else by[mask]
        return keys.value_counts().reindex(area, fill_value=0)

    table = pd.DataFrame(
        {
            "district": area,
            "name": districts().loc[area, "name"].to_numpy(),
            "waiting": count(None, home).to_numpy(),
            "needed_now": count(needed_now, home).to_numpy(),
            "suitable_vacancies": supply.groupby("district")["vacancies"]
            .sum()
            .reindex(area, fill_value=0)
            .to_numpy(),
            "in_bnb_or_emergency": count(in_bnb, home).to_numpy(),
            "schemes": count(None, supply["district"]).to_numpy(),
        }
    )
    table["shortfall"] = table["waiting"] - table["suitable_vacancies"]
    for col in COLUMNS[2:]:
        table[col] = table[col].astype(np.int64)
    table = table[list(COLUMNS)].sort_values("name", kind="stable").reset_index(drop=True)
    log.info(
        "shortfall for %d districts (support level %s): %d waiting, %d suitable vacancies",
        len(table),
        support_level or "all",
        int(table["waiting"].sum()),
        int(table["suitable_vacancies"].sum()),
    )
    return table
