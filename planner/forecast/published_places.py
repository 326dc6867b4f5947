"""The places a year that forecast care leavers imply, by support level: documented shares on the
published-data forecast's draws (`planner.forecast.published`).

A place needed is a referral for a place the council arranges (semi-independent or supported
accommodation, supported lodgings, a foyer, a community home, or an own tenancy it helps with) in
the reporting year. DfE publishes the number of care leavers, not their moves, so the rates below
turn counts into moves with national shares and stated assumptions:

- **Aged 17-18: 0.45 places a year per care leaver.** Most of the group turn 18 that year and
  leave care. Of 18-year-old care leavers in England, 30% lived in semi-independent, transitional
  accommodation, 7% in supported lodgings and 4% in a community home (DfE, Children looked after in
  England, National - Accommodation of care leavers, year to 31 March 2020: 3,400, 840 and 440 of
  11,220), and about 3% in foyers (330 of 10,420 in 2018); we assume each moves into that place in
  the year (about 0.45).
- **Aged 19-21: 0.33 places a year per care leaver.** 23% lived in semi-independent accommodation,
  supported lodgings or a community home (same table, 2020: 4,790, 1,380 and 1,160 of 31,260);
  with stays of about a year (the demo's median stays of 10-12 months, an assumption) that is
  about 0.23 new places a year, plus moves into an own tenancy: about a third of 19-21 year-olds
  live independently (DfE 2020/21, as summarised by CYP Now's leaving care report), and with
  tenancies lasting about three years (assumption) about 0.10 a year.
- **Support levels**: each age group's mix of those places by accommodation type, with the
  support each type usually gives (`SUPPORT_BY_TYPE`, the same assumption as the demo county's):
  a community home mostly high or intensive, semi-independent accommodation mostly low to
  medium, an own tenancy none or low.

The 22-25 group is not in DfE's tables and is left out; staying put (with former foster carers),
family and custody need no place. The intervals carry the uncertainty of the counts only, not of
these shares.

**When the places are taken** (`places_by_flow`, for the demo county's referral flows): an
18-year-old living in semi-independent accommodation mostly moved in while still looked after, at
16 or 17 (supported accommodation is the placement of 9% of children looked after in England,
7,520 at 31 March 2025, all of them aged 16 or 17: DfE placement types, `data/reference`), so the
17-18 group's semi-independent places are the flow of 16-17 year-olds leaving foster care or a
children's home for supported accommodation; its supported lodgings, community homes and foyers
are moves at 18, on leaving foster care (those not staying put) or a children's home. The 19-21
group's places are move-ons and breakdowns. The flows add up to `places_needed`.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from planner.data.vocab import SUPPORT_LEVELS

# Places of each accommodation type (SSDA903 letter) per care leaver a year, from the shares above:
# D semi-independent, E supported lodgings, C community home, T foyer, U own tenancy.
PLACE_TYPES: Final = {
    "care_leavers_17_18": {"D": 0.30, "E": 0.075, "C": 0.04, "T": 0.035},
    "care_leavers_19_21": {"D": 0.15, "E": 0.044, "C": 0.037, "U": 0.099},
}
PLACES_PER_CARE_LEAVER: Final = {group: round(sum(mix.values()), 3) for group, mix in PLACE_TYPES.items()}
# Shares of support levels none, low, medium, high, intensive by the type of place (assumption).
SUPPORT_BY_TYPE: Final = {
    "C": (0.0, 0.05, 0.2, 0.45, 0.3),
    "D": (0.05, 0.3, 0.4, 0.2, 0.05),
    "E": (0.1, 0.35, 0.35, 0.15, 0.05),
    "T": (0.1, 0.35, 0.35, 0.15, 0.05),
    "U": (0.4, 0.45, 0.15, 0.0, 0.0),
}
# The flows of places a year: (DfE group, the types of place of `PLACE_TYPES` taken in that flow).
FLOWS: Final = {
    "leaving_care_16_17": ("care_leavers_17_18", ("D",)),
    "leaving_care_at_18": ("care_leavers_17_18", ("E", "C", "T")),
    "move_on_19_21": ("care_leavers_19_21", ("D", "E", "C", "U")),
}
PLACE_MEASURES: Final = ("places_needed", *(f"places_needed_{level}" for level in SUPPORT_LEVELS))


def support_shares(group: str) -> np.ndarray:
    """Shares of the group's places by support level (none to intensive), summing to 1."""
    mix = PLACE_TYPES[group]
    total = sum(mix.values())
    return np.sum([np.asarray(SUPPORT_BY_TYPE[t]) * w / total for t, w in mix.items()], axis=0)


def add_places(leavers_17_18: np.ndarray, leavers_19_21: np.ndarray) -> dict[str, np.ndarray]:
    """Places needed a year, in all and by support level, for draws of the two age groups (same shape).

    NaN where either group has no forecast: the places need both.
    """
    rate_a = PLACES_PER_CARE_LEAVER["care_leavers_17_18"]
    rate_b = PLACES_PER_CARE_LEAVER["care_leavers_19_21"]
    share_a, share_b = support_shares("care_leavers_17_18"), support_shares("care_leavers_19_21")
    out = {"places_needed": rate_a * leavers_17_18 + rate_b * leavers_19_21}
    for i, level in enumerate(SUPPORT_LEVELS):
        out[f"places_needed_{level}"] = (
            rate_a * share_a[i] * leavers_17_18 + rate_b * share_b[i] * leavers_19_21
        )
    return out


def places_by_flow(leavers_17_18: float, leavers_19_21: float) -> dict[str, float]:
    """Places a year in each of `FLOWS` for a council's care leavers aged 17-18 and 19-21; they add
    up to `add_places`'s `places_needed` for the same counts."""
    counts = {"care_leavers_17_18": leavers_17_18, "care_leavers_19_21": leavers_19_21}
    return {
        flow: counts[group] * sum(PLACE_TYPES[group].get(t, 0.0) for t in types)
        for flow, (group, types) in FLOWS.items()
    }


def support_share_table() -> list[tuple[str, str, float]]:
    """(age group, support level, share) for documentation and the notebook."""
    return [
        (group, level, float(share))
        for group in PLACE_TYPES
        for level, share in zip(SUPPORT_LEVELS, support_shares(group), strict=True)
    ]
