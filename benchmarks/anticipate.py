"""`python -m benchmarks.anticipate`: the panel that plans for the coming weeks against the
optimised panel and the two bounds, on the calibrated baselines of councils of different kinds.

For each council: writes its demo (23 Nov 2026, seed 1), simulates the 24-month baseline under
fcfs, optimised, anticipatory, hindsight and clairvoyant (the same runs for all) and prints, as
Markdown for benchmarks/README.md, B&B and emergency nights and under-18 nights waiting (means and
80% ranges), the ratio of anticipatory to optimised, and each policy's gap to hindsight; then, on
the first council, the time per weekly decision (anticipatory and optimised, in one process) and
what lookahead is worth: the gap to hindsight closed with 0, 2, 4 and 8 weeks of lookahead.

    python -m benchmarks.anticipate [--runs 30] [--months 24] [--workers 2] [--sweep-runs 10]
                                    [--councils NAME ...]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.demo.county import write_demo
from planner.forecast.history import load_referrals
from planner.simulate import anticipate, simulation
from planner.simulate.scenario import Scenario
from planner.simulate.simulation import run_once, simulate
from planner.simulate.world import World, build_world

ON = date(2026, 11, 23)
COUNCILS = (
    ("Gloucestershire", "two-tier county"),
    ("Manchester", "metropolitan borough"),
    ("Lambeth", "London borough"),
    ("South Gloucestershire", "one-district unitary"),
)
POLICIES = ("fcfs", "optimised", "anticipatory", "hindsight", "clairvoyant")


def _cell(s: pd.DataFrame, policy: str, metric: str, fmt: str = ",.0f") -> str:
    r = s[(s["policy"] == policy) & (s["metric"] == metric)]
    if r.empty or pd.isna(r["mean"].iloc[0]):
        return "–"
    return f"{r['mean'].iloc[0]:{fmt}} ({r['lo80'].iloc[0]:{fmt}} to {r['hi80'].iloc[0]:{fmt}})"


def _council(name: str, kind: str, folder: Path, runs: int, months: int, workers: int) -> World:
    data = write_demo(folder, county=name, seed=1, on=ON)
    referrals = load_referrals(folder)
    s = Scenario(
        "baseline", "x.yaml", folder, ON, months=months, runs=max(runs, 1), seed=1, policies=POLICIES
    )
    if runs == 0:  # --runs 0: only the decision time and the lookahead
        return build_world(s, data, referrals)
    r = simulate(s, data, referrals, workers=workers, baseline=False)
    summary, per_run = r.summary, r.runs
    places = int(data.schemes["capacity"].sum())
    print(f"\n{name} ({kind}): {len(data.people)} waiting, {len(data.schemes)} schemes, {places} places; "
          f"{runs} runs of {months} months in {r.seconds:.0f} s\n")  # fmt: skip
    print("| policy | B&B + emergency nights | under-18 nights waiting | adult nights waiting, housed | "
          "x hindsight | nights above hindsight per 100 referred |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for p in POLICIES:
        cells = [_cell(summary, p, m) for m in ("unsuitable_nights", "under18_waiting_nights",
                                                 "housed_waiting_nights")]  # fmt: skip
        cells += [_cell(summary, p, "ratio_to_hindsight", ".2f"), _cell(summary, p, "gap_per_100_referred")]
        print(f"| {p} | {' | '.join(cells)} |")
    night = per_run.pivot_table(index="run", columns="policy", values="unsuitable_nights")
    minors = per_run.pivot_table(index="run", columns="policy", values="under18_waiting_nights")
    ratio = night["anticipatory"].sum() / max(night["optimised"].sum(), 1e-9)
    panels = ("fcfs", "optimised", "anticipatory")
    order = bool((night["clairvoyant"] <= night["hindsight"] + 1e-6).all()
                 and all((night["hindsight"] <= night[p] + 1e-6).all() for p in panels))  # fmt: skip
    print(f"\nanticipatory / optimised, B&B and emergency nights: {ratio:.3f}; within 10% of hindsight: "
          f"{night['anticipatory'].mean() <= 1.1 * night['hindsight'].mean()}; under-18 nights waiting "
          f"{minors['anticipatory'].mean():,.0f} against {minors['optimised'].mean():,.0f}; clairvoyant <= "
          f"hindsight <= every policy in every run: {order}")  # fmt: skip
    return build_world(s, data, referrals)


def _decision_time(world: World, runs: int) -> None:
    seconds = {}
    for p in ("optimised", "anticipatory"):
        t0 = time.perf_counter()
        for run in range(runs):
            run_once(world, p, 1, run)  # type: ignore[arg-type]
        seconds[p] = (time.perf_counter() - t0) / (runs * world.weeks)
    print(f"\nTime per weekly decision (one process, {runs} runs of {world.weeks} weeks, the week's whole "
          f"simulation step included): optimised {1000 * seconds['optimised']:.1f} ms, anticipatory "
          f"{1000 * seconds['anticipatory']:.1f} ms "
          f"({seconds['anticipatory'] / seconds['optimised']:.0f}x).")  # fmt: skip


def _lookahead(world: World, runs: int) -> None:
    def nights(policy: str) -> np.ndarray:
        out = [run_once(world, policy, 1, r).totals["unsuitable_nights"] for r in range(runs)]  # type: ignore[arg-type]
        return np.array(out)

    optimised, bound = nights("optimised"), nights("hindsight")
    print(f"\nLookahead on the first council ({runs} runs): the gap to hindsight closed\n")
    print("| weeks of lookahead | B&B + emergency nights | gap to hindsight closed |")
    print("|---|---|---|")
    for weeks in (0, 2, 4, 8):
        simulation.DECIDE["anticipatory"] = functools.partial(anticipate.anticipatory, lookahead=weeks)
        mine = nights("anticipatory")
        closed = (optimised.mean() - mine.mean()) / max(optimised.mean() - bound.mean(), 1e-9)
        print(f"| {weeks} | {mine.mean():,.0f} | {100 * closed:.1f}% |")
    simulation.DECIDE["anticipatory"] = anticipate.anticipatory


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sweep-runs", type=int, default=10)
    ap.add_argument("--councils", nargs="+", default=[c for c, _ in COUNCILS])
    args = ap.parse_args()
    kinds = dict(COUNCILS)
    worlds = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.councils:
            folder = Path(tmp) / name.replace(" ", "_").replace(",", "")
            worlds.append(_council(name, kinds.get(name, ""), folder, args.runs, args.months, args.workers))
        if args.sweep_runs:
            _decision_time(worlds[0], min(args.sweep_runs, 3))
            _lookahead(worlds[0], args.sweep_runs)


if __name__ == "__main__":
    main()
