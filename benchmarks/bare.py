"""The bare OR-Tools reference: the same arcs as the batch match's suitable stage in one
`SimpleMinCostFlow` ("max flow, then min cost"), nothing else (no urgency, no reasons, no pandas).

In process (`bare_flow`) it is the speed reference; run as its own process on arcs saved to a
folder (`save_arcs`, then `python -m benchmarks.bare FOLDER`, which prints JSON) it is the memory
reference: what holding and solving that graph takes, which the whole `planner match` command is
measured against (peak resident memory of each process, `os.wait4`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from planner.data.contract import Dataset, due_within


def bare_flow(person: np.ndarray, scheme: np.ndarray, cost: np.ndarray, places: np.ndarray) -> dict:
    """The arcs as one OR-Tools min-cost flow, nothing else: max flow, then min cost."""
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


def save_arcs(data: Dataset, on: date, folder: Path) -> int:
    """The suitable arcs of the people due, with their level-3 costs (what the match's flow solves),
    and the vacancies, as .npy files in `folder`; returns the number of arcs."""
    from planner.match.arcs import batch_pairs

    due = due_within(data.people, on=on)
    arcs = batch_pairs(data.people, data.schemes, on=on, first=due, second=np.zeros_like(due)).suitable
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in (("person", arcs.person), ("scheme", arcs.scheme), ("cost", arcs.cost),
                         ("places", data.schemes["vacancies"].to_numpy(dtype=np.int64))):  # fmt: skip
        np.save(folder / f"{name}.npy", values)
    return len(arcs)


def peak(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and standard output of a command run as its own process
    (with `env` added to this one's environment)."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **env} if env else None)  # fmt: skip
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else f"{args[0]} failed")
    return wall, usage.ru_maxrss / 1024, out.decode()


def reference(folder: Path, env: dict[str, str] | None = None) -> dict:
    """The bare flow on saved arcs as its own process: its wall time, peak memory and answer."""
    wall, rss_mb, out = peak([sys.executable, "-m", "benchmarks.bare", str(folder)], env)
    return {"wall": wall, "rss_mb": rss_mb, **json.loads(out)}


def main() -> None:
    folder = Path(sys.argv[1])
    person, scheme, cost, places = (
        np.load(folder / f"{k}.npy") for k in ("person", "scheme", "cost", "places")
    )
    print(json.dumps(bare_flow(person, scheme, cost, places)))


if __name__ == "__main__":
    main()
