"""`python -m benchmarks` (`make bench`): the matcher at county, region and England scale.

For each size: the whole `planner match` command in a subprocess (wall time, peak memory),
its parts in process (load, eligibility, model build, solve, reasons), and baselines run on the
same eligible pairs in the same run: (a) greedy first come first served, (b) a general MIP
(scipy's HiGHS, time-capped, in a subprocess), (c) a bare OR-Tools min-cost flow on the
precomputed graph ("max flow, then min cost"). Prints a Markdown table for benchmarks/README.md.

    python -m benchmarks [--sizes county,region,england] [--mip-cap 60]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.generate import generate
from planner.data.contract import PEOPLE, SCHEMES, Dataset, load_folder
from planner.data.districts import districts
from planner.data.table import write_table
from planner.data.vocab import URGENT_ACCOM
from planner.match.batch import match, pair_cost
from planner.match.flow import greedy

ON = date(2026, 11, 23)
PLANNER = Path(sys.executable).with_name("planner")


@dataclass
class Size:
    name: str
    people: int
    schemes: int


SIZES = {
    "county": Size("county (Gloucestershire demo)", 700, 260),
    "region": Size("region (South West)", 5000, 600),
    "england": Size("England (296 districts)", 20000, 2000),
}


def _data(key: str, folder: Path) -> None:
    if key == "county":
        from planner.demo.county import write_demo

        write_demo(folder, county="Gloucestershire", seed=1, on=ON)
        return
    size = SIZES[key]
    codes = None
    if key == "region":
        d = districts()
        codes = list(d.index[d["region"] == "South West"])
    data = generate(size.people, size.schemes, codes=codes, seed=1, on=ON)
    write_table(data.people, PEOPLE, folder)
    write_table(data.schemes, SCHEMES, folder)


def _whole_command(folder: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of `planner match` run as a user runs it."""
    args = [
        str(PLANNER),
        "match",
        str(folder),
        "--date",
        ON.isoformat(),
        "--out",
        str(folder / "matches.csv"),
    ]
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "planner match failed")
    return wall, usage.ru_maxrss / 1024


def _bare_flow(person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, places: np.ndarray) -> dict:
    """The same graph as one OR-Tools min-cost flow, nothing else: max flow, then min cost."""
    from ortools.graph.python import min_cost_flow

    t0 = time.perf_counter()
    n, m = int(person.max()) + 1, len(places)
    f = min_cost_flow.SimpleMinCostFlow()
    add = f.add_arcs_with_capacity_and_unit_cost
    i32, ones = np.int32, np.ones
    add(np.zeros(n, i32), np.arange(1, n + 1, dtype=i32), ones(n, np.int64), np.zeros(n, np.int64))
    arcs = add((person + 1).astype(i32), (scheme + n + 1).astype(i32), ones(len(person), np.int64), cost)
    add(np.arange(n + 1, n + m + 1, dtype=i32), np.full(m, n + m + 1, i32), places, np.zeros(m, np.int64))
    f.set_nodes_supplies(np.array([0, n + m + 1], np.int32), np.array([n, -n], np.int64))
    t1 = time.perf_counter()
    status = f.solve_max_flow_with_min_cost()
    t2 = time.perf_counter()
    assert status == f.OPTIMAL
    used = np.asarray(f.flows(arcs)) > 0
    return {"build": t1 - t0, "solve": t2 - t1, "placed": int(used.sum()), "cost": int(cost[used].sum())}


def _mip(
    person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, places: np.ndarray, cap: float, out: mp.Queue
) -> None:
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import csr_array

    t = time.perf_counter()
    n, m, k = int(person.max()) + 1, len(places), len(person)
    rows = np.concatenate([person, n + scheme])
    a = csr_array((np.ones(2 * k), (rows, np.tile(np.arange(k), 2))), shape=(n + m, k))
    ub = np.concatenate([np.ones(n), places]).astype(float)
    # One place is worth more than any cost difference a person can make: most placed, then cheapest.
    gbp = cost / 100
    r = milp(gbp - (gbp.max() + 1) * n, constraints=[LinearConstraint(a, 0, ub)], integrality=np.ones(k),
             bounds=(0, 1), options={"time_limit": cap, "disp": False})  # fmt: skip
    placed = int(np.round(r.x).sum()) if r.x is not None else -1
    out.put(
        {"seconds": time.perf_counter() - t, "status": r.message, "placed": placed, "optimal": r.status == 0}
    )


def _mip_capped(
    person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, places: np.ndarray, cap: float
) -> dict:
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    t = time.perf_counter()
    p = ctx.Process(target=_mip, args=(person, scheme, cost, places, cap, q))
    p.start()
    p.join(cap + 30)  # HiGHS honours its limit in the search, not always in presolve: stop it anyway
    if p.is_alive():
        p.terminate()
        p.join()
        return {"seconds": time.perf_counter() - t, "status": "killed", "placed": -1, "optimal": False}
    if q.empty():
        return {"seconds": time.perf_counter() - t, "status": "crashed", "placed": -1, "optimal": False}
    return q.get()


def run(key: str, mip_cap: float) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{key}-") as tmp:
        folder = Path(tmp)
        _data(key, folder)
        wall, rss_mb = _whole_command(folder)
        t = time.perf_counter()
        data: Dataset = load_folder(folder)
        load_s = time.perf_counter() - t
    tracemalloc.start()
    result = match(data.people, data.schemes, on=ON)
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result = match(data.people, data.schemes, on=ON)  # timed without tracemalloc

    from planner.match.eligibility import eligible_pairs

    pairs = eligible_pairs(data.people, data.schemes, on=ON)
    pairs = pairs[pairs["suitable"].to_numpy()]
    person, scheme = pairs["person"].to_numpy(), pairs["scheme"].to_numpy()
    cost = pair_cost(pairs, "default")
    places = data.schemes["vacancies"].to_numpy(dtype=np.int64)
    bare = _bare_flow(person, scheme, cost, places)

    days = data.people["needed_from"].to_numpy().astype("datetime64[D]").astype(np.int64)
    fcfs = greedy(person, scheme, cost, days - days.min(), places)  # first come (needed first), first served
    got = fcfs[fcfs >= 0]
    # Already in B&B, emergency accommodation or of no fixed abode: level 2's first key.
    most_urgent = data.people["current_accom"].str[:1].isin(list(URGENT_ACCOM)).to_numpy()
    greedy_row = {
        "placed": len(got),
        "weekly": float(pairs["weekly_cost"].to_numpy()[got].sum()),
        "level3": float(cost[got].sum()) / 100,
        "urgent": int(most_urgent[person[got]].sum()),
    }
    mip = _mip_capped(person, scheme, cost, places, mip_cap)
    o, tm = result.objective, result.timings
    return {
        "key": key, "people": len(data.people), "schemes": len(data.schemes), "pairs": len(pairs),
        "wall": wall, "rss_mb": rss_mb, "traced_mb": traced_mb, "load": load_s, **tm,
        "placed": o["placed"], "weekly": o["weekly_cost_placed"], "level3": o["level3_cost"],
        "urgent_placed": int(most_urgent[(result.matches["outcome"] == "placed").to_numpy()].sum()),
        "bare": bare, "greedy": greedy_row, "mip": mip, "method": result.method, "status": result.status,
    }  # fmt: skip


def table(rows: list[dict]) -> str:
    out = [
        "| size | people x schemes | suitable pairs | whole command | load | eligibility | build | solve "
        "| reasons | peak RSS (command) | match() allocations |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {SIZES[r['key']].name} | {r['people']:,} x {r['schemes']:,} | {r['pairs']:,} "
            f"| {r['wall']:.2f} s | {r['load']:.2f} s | {r['eligibility']:.2f} s | {r['build']:.2f} s "
            f"| {r['solve']:.3f} s "
            f"| {r['explain']:.2f} s | {r['rss_mb']:,.0f} MB | {r['traced_mb']:,.0f} MB |"
        )
    out += [
        "",
        "| size | whole / (eligibility + bare flow) | our build+solve / bare flow "
        "| bare flow (build + solve) | MIP (HiGHS) time | MIP / our solve | greedy FCFS placed (ours) "
        "| greedy level-3 cost / ours "
        "| greedy weekly cost / ours | in B&B/emergency/NFA placed: greedy (ours) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b, g, m = r["bare"], r["greedy"], r["mip"]
        bare = b["build"] + b["solve"]
        if m["optimal"]:
            mip, vs = f"{m['seconds']:.1f} s", f"{m['seconds'] / max(r['solve'], 1e-9):,.0f}x"
        else:  # killed or stopped at its cap: the time is a lower bound
            mip, vs = (
                f"no optimum in {m['seconds']:.0f} s ({m['status'][:30]})",
                f"> {m['seconds'] / max(r['solve'], 1e-9):,.0f}x",
            )
        out.append(
            f"| {SIZES[r['key']].name} | {r['wall'] / (r['eligibility'] + bare):.2f} "
            f"| {(r['build'] + r['solve']) / bare:.2f} | {b['build']:.2f} + {b['solve']:.2f} s | {mip} "
            f"| {vs} | {g['placed']:,} ({r['placed']:,.0f}) "
            f"| {g['level3'] / max(r['level3'], 1e-9):.2f} | {g['weekly'] / max(r['weekly'], 1e-9):.2f} "
            f"| {g['urgent']:,} ({r['urgent_placed']:,}) |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="county,region,england")
    ap.add_argument("--mip-cap", type=float, default=60.0, help="seconds for the MIP baseline")
    args = ap.parse_args()
    rows = []
    for key in args.sizes.split(","):
        print(f"running {key} ...", file=sys.stderr, flush=True)
        rows.append(run(key, args.mip_cap))
        print(rows[-1], file=sys.stderr, flush=True)
    print(f"cores: {os.cpu_count()}, load average before the last size: {os.getloadavg()[0]:.1f}")
    print(table(rows))


if __name__ == "__main__":
    main()
