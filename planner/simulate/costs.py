"""What a simulated week costs, and who pays it (`planner.data.funding`): the one place the
simulation and commissioning count cost."""

from __future__ import annotations

import numpy as np

from planner.data.funding import ASSUMED_RENT_GBP
from planner.data.vocab import ADULT_AGE
from planner.simulate.policies import ages
from planner.simulate.population import Population
from planner.simulate.world import World


def week_cost(
    world: World, pop: Population, week: int, capacity: np.ndarray, occupied: np.ndarray, at: np.ndarray,
    bnb: int, emergency: int,
) -> tuple[float, float]:  # fmt: skip
    """What the week costs, whole, and how much of it housing benefit meets: places in use (block
    places whether used or not), B&B and emergency accommodation. A waiting young person's current
    home is not the panel's to pay for. From 18 housing benefit meets the rent of the place held
    (`at`, -1 for none), or of a B&B or emergency room (only adults spend nights there); the council
    pays the rest, all of it under 18 and for an empty block place. The simulated young people have
    no activity, so no rent is left unmet by pay."""
    s = world.schemes
    cost = s.cost[:, week]
    paid = np.where(s.block, capacity, occupied)  # block places are paid for whether used or not
    total = float(paid @ cost) + bnb * world.bnb_weekly + emergency * world.emergency_weekly
    holders = np.flatnonzero(at >= 0)
    adults = at[holders[ages(pop, holders, week) >= ADULT_AGE]]
    benefit = float(np.minimum(s.rent, cost)[adults].sum())
    benefit += bnb * min(ASSUMED_RENT_GBP["W"], world.bnb_weekly)
    benefit += emergency * min(ASSUMED_RENT_GBP["V"], world.emergency_weekly)
    return total, benefit
