"""The demo's split of each place's weekly cost into rent and support (contract v1.2's `weekly_rent`
and `weekly_support`), by who provides it (data/README.md, "Who pays").

- Semi-independent places from private providers (`D`), supported lodgings (`E`), staying put
  (`Z`), B&B (`W`) and emergency beds (`V`): the rent housing benefit meets for a care leaver, the
  one-bedroom Local Housing Allowance (`planner.data.funding.LHA_ONE_BEDROOM_GBP`); the council pays
  the rest. Hackney's leaving care offer puts it as housing benefit covering "the local housing
  allowance element of your rent, with the local authority covering the shortfall and any support
  costs"; Kent pays supported lodgings hosts that rate as rent from 18 (£83.38 under 18) and
  £178.69 or £297.81 a week for support, the size of the demo's support part of `E` places.
- Foyers (`T`) and semi-independent places of not-for-profit landlords (housing associations,
  trusts, community interest companies): supported exempt accommodation, where housing benefit
  meets the core rent, eligible service charges and intensive housing management, not limited by
  the Local Housing Allowance, but never support (Coventry City Council's exempt accommodation
  guidance). `EXEMPT_RENT_GBP` is an assumption: no published mean rent for young people's exempt
  accommodation is in the shared data.
- Own tenancies (`U`): a social rent (`planner.demo.nominations`).

Rents vary a little from place to place (`RENT_SPREAD`); in a supported place (`D`, `E`, `T`, `Z`)
at most half the weekly cost is rent (`MOST_RENT_SHARE`, an assumption: support is what the council
buys these places for), in B&B and emergency beds at most all of it.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from planner.data.funding import LHA_ONE_BEDROOM_GBP

EXEMPT_RENT_GBP: Final = 210.0  # assumption: the one-bedroom rate plus about £80 of eligible charges
RENT_SPREAD: Final = 0.10  # lognormal sigma of a place's rent about its type's (assumption)
MOST_RENT_SHARE: Final = 0.5  # of a supported place's weekly cost (assumption)
# Providers of the demo's semi-independent places that are not-for-profit landlords (by their
# names in `planner.demo.schemes.PROVIDERS`).
NOT_FOR_PROFIT: Final = ("Trust", "CIC", "Housing", "Foyer")


def exempt(provider: pd.Series, accom_type: pd.Series) -> np.ndarray:
    """Supported exempt accommodation: foyers, and semi-independent places of not-for-profit landlords."""
    named = provider.str.contains("|".join(NOT_FOR_PROFIT), regex=True).to_numpy(dtype=bool)
    return (accom_type == "T").to_numpy(dtype=bool) | ((accom_type == "D").to_numpy(dtype=bool) & named)


def split_rents(schemes: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`weekly_rent` and `weekly_support` of each scheme (B&B, emergency, supported and staying put
    places; an own tenancy's split is its nomination's), in pence-exact pairs adding up to `weekly_cost`."""
    cost = schemes["weekly_cost"].to_numpy(dtype=np.float64)
    typical = np.where(
        exempt(schemes["provider"], schemes["accom_type"]), EXEMPT_RENT_GBP, LHA_ONE_BEDROOM_GBP
    )
    rent = np.round(typical * np.exp(rng.normal(0, RENT_SPREAD, len(cost)) - RENT_SPREAD**2 / 2), 2)
    supported = schemes["accom_type"].isin(["D", "E", "T", "Z"]).to_numpy(dtype=bool)
    rent = np.minimum(rent, np.where(supported, np.round(MOST_RENT_SHARE * cost, 2), cost))
    return rent, np.round(cost - rent, 2)
