"""`python -m benchmarks` (`make bench`): the matcher, one person's options, start-up and the web
pages at county, region and England scale, each beside its reference in the same run.

For each size: the whole `planner match` command in a subprocess (wall time, peak memory) beside
the bare OR-Tools reference on the same arcs in its own process (`benchmarks.bare`); `planner
options` for one person after that match (it reuses the answer the match kept) and without a kept
answer; the match's parts in process (load, eligibility, model build, solve, reasons) and
baselines on the same eligible pairs: (a) greedy first come first served, (b) a general MIP
(scipy's HiGHS, time-capped, in a subprocess), (c) the bare flow in process. The `large` size
(50,000 x 5,000) runs only the commands and the memory reference. Then `benchmarks.startup` and
`benchmarks.pages`. Prints Markdown tables for benchmarks/README.md.

    python -m benchmarks [--sizes county,region,england,large] [--mip-cap 60] [--no-pages]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks import pages, startup
from benchmarks.bare import bare_flow, peak, reference, save_arcs
from benchmarks.generate import generate
from planner.data.contract import PEOPLE, SCHEMES, Dataset, due_within, load_folder
from planner.data.districts import districts
from planner.data.table import write_table
from planner.data.vocab import URGENT_ACCOM
from planner.match.batch import match
from planner.match.cost import pair_cost
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
    "large": Size("50,000 x 5,000 (296 districts)", 50000, 5000),
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
    """Wall seconds and peak resident MB of `planner match` run as a user runs it (it keeps the
    batch answer beside the folder for `planner options`)."""
    args = [
        str(PLANNER),
        "match",
        str(folder),
        "--date",
        ON.isoformat(),
        "--out",
        str(folder / "matches.csv"),
    ]
    wall, rss_mb, _ = peak(args)
    return wall, rss_mb


def _options(folder: Path, person_id: str, *, repeat: int) -> float:
    """Best wall seconds of `planner options` for one person, as a user runs it."""
    args = [str(PLANNER), "options", str(folder), person_id, "--date", ON.isoformat()]
    return min(peak(args)[0] for _ in range(repeat))


def _commands(key: str, folder: Path, data: Dataset) -> dict:
    """The whole match, one person's options after it and without a kept answer, and the bare
    reference's peak memory on the same arcs."""
    wall, rss_mb = _whole_command(folder)
    due = data.people["person_id"].to_numpy()[due_within(data.people, on=ON)]
    person = str(due[len(due) // 2])
    kept = _options(folder, person, repeat=3)
    shutil.rmtree(folder / ".planner-cache")
    solved = _options(folder, person, repeat=1)  # solves the batch, and keeps it
    n_arcs = save_arcs(data, ON, folder / "arcs")
    ref = reference(folder / "arcs")
    shutil.rmtree(folder / "arcs")
    return {"wall": wall, "rss_mb": rss_mb, "options": kept, "options_solved": solved, "arcs": n_arcs,
            "ref": ref}  # fmt: skip


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
        t = time.perf_counter()
        data: Dataset = load_folder(folder)
        load_s = time.perf_counter() - t
        commands = _commands(key, folder, data)
    row = {"key": key, "people": len(data.people), "schemes": len(data.schemes), "load": load_s, **commands}
    if key == "large":  # the commands and the memory reference only
        return row
    tracemalloc.start()
    result = match(data.people, data.schemes, on=ON)
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result = match(data.people, data.schemes, on=ON)  # timed without tracemalloc

    from planner.match.eligibility import eligible_pairs

    # The baselines get the arcs our flow gets: suitable places for the people due within the horizon.
    pairs = eligible_pairs(data.people, data.schemes, on=ON)
    due = due_within(data.people, on=ON)
    pairs = pairs[pairs["suitable"].to_numpy() & due[pairs["person"].to_numpy()]]
    person, scheme = pairs["person"].to_numpy(), pairs["scheme"].to_numpy()
    cost = pair_cost(pairs, "default")
    places = data.schemes["vacancies"].to_numpy(dtype=np.int64)
    bare = bare_flow(person, scheme, cost, places)

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
        **row, "pairs": len(pairs), "traced_mb": traced_mb, **tm,
        "placed": o["placed"], "weekly": o["weekly_cost_placed"], "level3": o["level3_cost"],
        "urgent_placed": int(most_urgent[(result.matches["outcome"] == "placed").to_numpy()].sum()),
        "bare": bare, "greedy": greedy_row, "mip": mip, "method": result.method, "status": result.status,
    }  # fmt: skip


def commands_table(rows: list[dict]) -> str:
    """The batch match beside the bare reference as its own process (time and peak memory), and
    one person's options beside the batch match."""
    out = [
        "| size | people x schemes | arcs (suitable, due) | `planner match` | bare reference (process) "
        "| match / reference | `planner options` after it "
        "| options / match | options, no kept answer | peak RSS: match | peak RSS: bare reference "
        "| match / reference |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ref = r["ref"]
        out.append(
            f"| {SIZES[r['key']].name} | {r['people']:,} x {r['schemes']:,} | {r['arcs']:,} "
            f"| {r['wall']:.2f} s | {ref['wall']:.2f} s | {r['wall'] / ref['wall']:.2f} "
            f"| {r['options']:.2f} s | {r['options'] / r['wall']:.2f} | {r['options_solved']:.2f} s "
            f"| {r['rss_mb']:,.0f} MB | {ref['rss_mb']:,.0f} MB | {r['rss_mb'] / ref['rss_mb']:.2f} |"
        )
    return "\n".join(out)


def table(rows: list[dict]) -> str:
    rows = [r for r in rows if "pairs" in r]
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
    ap.add_argument("--sizes", default="county,region,england,large")
    ap.add_argument("--mip-cap", type=float, default=60.0, help="seconds for the MIP baseline")
    ap.add_argument("--no-pages", action="store_true", help="leave out the web pages")
    args = ap.parse_args()
    rows = []
    for key in args.sizes.split(","):
        print(f"running {key} ...", file=sys.stderr, flush=True)
        rows.append(run(key, args.mip_cap))
        print(rows[-1], file=sys.stderr, flush=True)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(table(rows))
    print()
    print(commands_table(rows))
    print()
    print(startup.table(startup.measure()))
    if not args.no_pages:
        sizes = [k for k in args.sizes.split(",") if k in pages.SIZES]
        print()
        print(pages.table([pages.measure(k) for k in sizes]))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
