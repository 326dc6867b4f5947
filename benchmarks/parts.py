"""Where `planner match` spends its time at England scale (20,000 x 2,000), part by part, beside
the bare OR-Tools reference on the same pairs, in the same run.

Rounds alternate: the whole `planner match` command (a subprocess, as a user runs it), then the
bare reference as its own process on the same suitable arcs (`benchmarks.bare`: load the arcs,
build one `SimpleMinCostFlow`, solve), as it is and with numpy's 2 MB pages off as the command
runs (`planner.cli.main`), the command again in one thread, then, given
`--baseline TREE`, the same command run from another checkout (e.g. main) on the same folder.
In process, the parts of the match: read the CSVs, eligibility, model build, solve, reasons,
write matches.csv; and the bare flow's build and solve on the same arcs. Medians of the rounds,
with the load average beside each round.

    python -m benchmarks.parts [--rounds 3] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.bare import bare_flow, reference, save_arcs
from benchmarks.generate import generate
from planner.data.contract import PEOPLE, SCHEMES, load_folder
from planner.data.table import write_table
from planner.match.batch import match, write_matches

ON = date(2026, 11, 23)
HERE = str(Path(__file__).resolve().parents[1])

PARTS = ("read", "eligibility", "build", "solve", "reasons", "write")
# What `planner.cli.main` sets for the command (numpy's 2 MB pages off): the reference is also
# timed with it, so that the ratio is not the setting's alone.
SMALL_PAGES = {"NUMPY_MADVISE_HUGEPAGE": "0"}


def _command(folder: Path, tree: str, threads: str | None = None) -> float:
    """Wall seconds of `planner match` on `folder`, run from the checkout `tree` (with
    PLANNER_THREADS=`threads` when given)."""
    args = [sys.executable, "-m", "planner", "match", str(folder), "--date", ON.isoformat(),
            "--out", str(folder / "m.csv")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": tree, **({"PLANNER_THREADS": threads} if threads else {})}
    t = time.perf_counter()
    subprocess.run(args, env=env, cwd=tree, check=True, capture_output=True)
    return time.perf_counter() - t


def _in_process(folder: Path) -> tuple[dict[str, float], str]:
    t = time.perf_counter()
    data = load_folder(folder, on=ON)
    read = time.perf_counter() - t
    result = match(data.people, data.schemes, on=ON)
    t = time.perf_counter()
    write_matches(result.matches, folder / "m.csv")
    tm = result.timings
    return {"read": read, "eligibility": tm["eligibility"], "build": tm["build"], "solve": tm["solve"],
            "reasons": tm["explain"], "write": time.perf_counter() - t}, result.method  # fmt: skip


def measure(rounds: int, baseline: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-parts-") as tmp:
        folder = Path(tmp)
        data = generate(20000, 2000, seed=1, on=ON)
        write_table(data.people, PEOPLE, folder)
        write_table(data.schemes, SCHEMES, folder)
        arcs = save_arcs(load_folder(folder), ON, folder / "arcs")
        person, scheme, cost, places = (np.load(folder / "arcs" / f"{k}.npy")
                                        for k in ("person", "scheme", "cost", "places"))  # fmt: skip
        runs: list[dict] = []
        for _ in range(rounds):
            row = {"load_before": os.getloadavg()[0], "command": _command(folder, HERE)}
            row["reference"] = reference(folder / "arcs")["wall"]
            row["reference_small_pages"] = reference(folder / "arcs", SMALL_PAGES)["wall"]
            row["one_thread"] = _command(folder, HERE, threads="1")
            if baseline:
                row["baseline"] = _command(folder, baseline)
            parts, method = _in_process(folder)
            row.update(parts)
            bare = bare_flow(person, scheme, cost, places)
            row["bare_build"], row["bare_solve"] = bare["build"], bare["solve"]
            row["load_after"] = os.getloadavg()[0]
            runs.append(row)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return {"arcs": arcs, "runs": runs, "median": median, "method": method}


def table(out: dict) -> str:
    m = out["median"]
    lines = [
        f"England 20,000 x 2,000, {out['arcs']:,} suitable arcs of people due; median of "
        f"{len(out['runs'])} alternating rounds (load average "
        + ", ".join(f"{r['load_before']:.1f}-{r['load_after']:.1f}" for r in out["runs"])
        + ").",
        "",
        "| | seconds | / bare reference (process) |",
        "|---|---|---|",
        f"| `planner match` (whole command, subprocess) | {m['command']:.2f} | "
        f"{m['command'] / m['reference']:.2f} |",
    ]
    lines.append(f"| `planner match`, one thread (`PLANNER_THREADS=1`) | {m['one_thread']:.2f} | "
                 f"{m['one_thread'] / m['reference']:.2f} |")  # fmt: skip
    if "baseline" in m:
        lines.append(f"| `planner match` from the baseline checkout | {m['baseline']:.2f} | "
                     f"{m['baseline'] / m['reference']:.2f} |")  # fmt: skip
    lines.append(
        f"| bare reference (process: start, load arcs, build, solve) | {m['reference']:.2f} | 1.00 |"
    )
    small = m["reference_small_pages"]
    lines.append(f"| bare reference with numpy's 2 MB pages off, as the command runs | {small:.2f} | "
                 f"{small / m['reference']:.2f} |")  # fmt: skip
    lines += ["", f"Solved by: {out['method']}.", ""]
    lines += ["| part (in process) | `planner match` | bare flow on the same arcs |", "|---|---|---|"]
    bare = {"build": m["bare_build"], "solve": m["bare_solve"]}
    for part in PARTS:
        lines.append(f"| {part} | {m[part]:.2f} s | {f'{bare[part]:.2f} s' if part in bare else ''} |")
    total = sum(m[p] for p in PARTS)
    lines.append(f"| total | {total:.2f} s | {m['bare_build'] + m['bare_solve']:.2f} s |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.parts", description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="another checkout whose `planner match` runs alternately (e.g. main)")
    args = ap.parse_args()
    print(table(measure(args.rounds, args.baseline)))


if __name__ == "__main__":
    main()
