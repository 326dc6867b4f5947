"""Start-up, each beside `python -c "import pandas"` in the same run (best of several fresh
interpreters): `planner --help` and the slowest `planner COMMAND --help`, and the imports the
forecast and scenario commands make before they read their files (which is what a user waits
for before any work starts).

    python -m benchmarks.startup [--repeat 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

PLANNER = Path(sys.executable).with_name("planner")
PYTHON = sys.executable
REFERENCE = "python -c 'import pandas'"
# What `planner forecast` imports before it reads referrals.csv (planner.cli.forecast and the
# readers its function imports; the models load after the files are checked), and `planner
# scenario` before its YAML (the scenario reader alone: the CSVs and the simulation come after).
FORECAST_IMPORTS = "planner.cli, planner.forecast.inputs, planner.forecast.tables"
SCENARIO_IMPORTS = "planner.cli, planner.simulate.scenario"


def _best(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def measure(repeat: int = 5) -> dict[str, float]:
    from planner.cli import cli

    out = {REFERENCE: _best([PYTHON, "-c", "import pandas"], repeat)}
    out["planner --help"] = _best([str(PLANNER), "--help"], repeat)
    helps = {c: _best([str(PLANNER), c, "--help"], max(2, repeat // 2)) for c in sorted(cli.commands)}
    slowest = max(helps, key=lambda c: helps[c])
    out[f"planner COMMAND --help, the slowest ({slowest})"] = helps[slowest]
    out["planner forecast: imports before reading its files"] = _best(
        [PYTHON, "-c", f"import {FORECAST_IMPORTS}"], repeat
    )
    out["planner scenario: imports before reading its files"] = _best(
        [PYTHON, "-c", f"import {SCENARIO_IMPORTS}"], repeat
    )
    return out


def table(times: dict[str, float]) -> str:
    ref = times[REFERENCE]
    out = [f"| start-up | seconds (best of several) | / `{REFERENCE}` |", "|---|---|---|"]
    out += [f"| {name} | {t:.3f} s | {t / ref:.2f} |" for name, t in times.items()]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    print(table(measure(ap.parse_args().repeat)))


if __name__ == "__main__":
    main()
