"""Scenarios for commissioners: what changes if places are added, closed or demand grows.

`scenario` reads and checks scenario files (YAML); `world` builds the simulated county, and
`population` (with `roofs`: where people live while they wait) the people of a run; `policies`
are the weekly placement panel's ways of deciding (fcfs, the optimiser, a clairvoyant bound),
`anticipate` the panel that plans for the coming weeks, `hindsight` the no-move bound, `gaps`
each policy's distance from it;
`simulation.simulate()` runs them week by week with Monte Carlo intervals; `calibration` sets the
baseline beside the council's DfE figures; `commissioning` chooses where to buy places within a
budget; `report` writes the CSV files and the HTML report.
The names below are imported on first use (`planner.data.lazy`), so that importing one module
does not load every library its siblings use.

May import: `planner.data`, `planner.match` (the weekly panel is the batch optimiser's flow)
and `planner.forecast` (arrivals follow the forecast's count model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.data.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.simulate.commissioning import Plan, commission
    from planner.simulate.report import run_scenario
    from planner.simulate.scenario import Scenario, load_scenario, parse_scenario
    from planner.simulate.simulation import SimulationResult, simulate

__all__ = [
    "Plan",
    "Scenario",
    "SimulationResult",
    "commission",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "simulate",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "commissioning": ("Plan", "commission"),
        "report": ("run_scenario",),
        "scenario": ("Scenario", "load_scenario", "parse_scenario"),
        "simulation": ("SimulationResult", "simulate"),
    },
)
