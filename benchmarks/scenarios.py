"""`python -m benchmarks.scenarios`: simulation speed and the policy comparison on the demo county.

Writes the demo county (seed 1, 23 Nov 2026) to a temporary folder, then measures:
(a) speed: county-years simulated per second, one process and all cores, fcfs and optimised;
(b) quality: B&B and emergency nights over 24 months under fcfs, optimised and the clairvoyant
bound, means with 80% intervals over the same runs; (c) the add-places example vs baseline.
Prints Markdown for benchmarks/README.md.

    python -m benchmarks.scenarios [--runs 100] [--bound-runs 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from planner.demo.county import write_demo
from planner.forecast.history import load_referrals
from planner.simulate.scenario import load_scenario
from planner.simulate.simulation import SimulationResult, run_once, simulate
from planner.simulate.world import build_world

ON = date(2026, 11, 23)
EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "scenarios"


def _cell(summary: pd.DataFrame, scenario: str, policy: str, metric: str, fmt: str = ",.0f") -> str:
    r = summary[
        (summary["scenario"] == scenario) & (summary["policy"] == policy) & (summary["metric"] == metric)
    ]
    if r.empty or pd.isna(r["mean"].iloc[0]):
        return "–"
    return f"{r['mean'].iloc[0]:{fmt}} ({r['lo80'].iloc[0]:{fmt}} to {r['hi80'].iloc[0]:{fmt}})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--bound-runs", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        data = write_demo(folder, seed=1, on=ON)
        referrals = load_referrals(folder)
        base = load_scenario(EXAMPLES / "baseline.yaml", data_dir=folder)
        add = load_scenario(EXAMPLES / "add_places_forest_of_dean.yaml", data_dir=folder)
        world = build_world(base, data, referrals)
        print(f"Demo county: {len(data.people)} young people waiting, {len(data.schemes)} schemes, "
              f"{int(data.schemes['capacity'].sum())} places; {len(referrals)} referrals; "
              f"{world.arrivals_per_week.mean():.1f} arrivals a week expected.\n")  # fmt: skip

        print("| policy | one run of 24 months (s) | county-years/s, 1 process | "
              f"county-years/s, {args.workers} processes ({args.runs} runs) |")  # fmt: skip
        print("|---|---|---|---|")
        for policy in ("fcfs", "optimised", "clairvoyant"):
            t = time.perf_counter()
            n = 3 if policy == "clairvoyant" else 10
            for r in range(n):
                run_once(world, policy, base.seed, r)  # type: ignore[arg-type]
            one = (time.perf_counter() - t) / n
            many = "–"
            if policy != "clairvoyant":
                res = simulate(base, data, referrals, runs=args.runs, policies=[policy], workers=args.workers)  # type: ignore[list-item]
                many = f"{res.county_years_per_second:.0f} ({res.seconds:.1f} s)"
            print(f"| {policy} | {one:.3f} | {2 / one:.1f} | {many} |")

        t = time.perf_counter()
        both = simulate(add, data, referrals, runs=args.runs, workers=args.workers)
        took = time.perf_counter() - t
        print(f"\n`planner scenario add_places_forest_of_dean.yaml` equivalent: {args.runs} runs x 2 "
              f"policies x (scenario + baseline) in {took:.1f} s on {args.workers} processes.\n")  # fmt: skip

        policies = ["fcfs", "optimised", "clairvoyant"]
        bound = simulate(base, data, referrals, runs=args.bound_runs, policies=policies,  # type: ignore[arg-type]
                         workers=args.workers, baseline=False)  # fmt: skip
        _quality(bound, args.bound_runs)
        _scenario(both)


def _quality(res: SimulationResult, runs: int) -> None:
    print(f"Policies over 24 months, same {runs} runs each (mean, 80% interval):\n")
    print("| policy | B&B nights | emergency nights | B&B + emergency | average night | "
          "under-18 nights waiting | adult nights waiting, housed |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    s = res.summary
    runs_t = res.runs.assign(total=res.runs["unsuitable_nights"])
    for policy in ("fcfs", "optimised", "clairvoyant"):
        tot = runs_t[runs_t["policy"] == policy]["total"]
        print(f"| {policy} | {_cell(s, 'baseline', policy, 'bnb_nights')} | "
              f"{_cell(s, 'baseline', policy, 'emergency_nights')} | {tot.mean():,.0f} "
              f"({tot.quantile(0.1):,.0f} to {tot.quantile(0.9):,.0f}) | "
              f"{_cell(s, 'baseline', policy, 'unsuitable_per_night', '.1f')} | "
              f"{_cell(s, 'baseline', policy, 'under18_waiting_nights')} | "
              f"{_cell(s, 'baseline', policy, 'housed_waiting_nights')} |")  # fmt: skip
    piv = runs_t.pivot(index="run", columns="policy", values="total")
    bound_ok = int((piv["clairvoyant"] <= piv["optimised"]).sum())
    better = int((piv["optimised"] <= piv["fcfs"]).sum())
    print(f"\nClairvoyant <= optimised in {bound_ok} of {len(piv)} runs; optimised <= fcfs in {better}.\n")


def _scenario(res: SimulationResult) -> None:
    s = res.summary
    name = [n for n in s["scenario"].unique() if n != "baseline"][0]
    print(f"Add-places example vs baseline ({name}):\n")
    print("| scenario | policy | B&B nights | emergency nights | cost per week |\n|---|---|---|---|---|")
    for scenario in ("baseline", name):
        for policy in ("fcfs", "optimised"):
            print(f"| {scenario} | {policy} | {_cell(s, scenario, policy, 'bnb_nights')} | "
                  f"{_cell(s, scenario, policy, 'emergency_nights')} | "
                  f"£{_cell(s, scenario, policy, 'weekly_cost')} |")  # fmt: skip


if __name__ == "__main__":
    main()
