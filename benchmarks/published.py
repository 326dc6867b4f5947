"""`python -m benchmarks.published`: the forecast from DfE's published figures, speed and quality.

(a) speed: the whole `planner forecast --published --council all --data-until 2024` command in a
subprocess (wall time, best of three), and in process the forecast for all councils beside the
two baselines computed for all councils in the same run (naive: last year; trend: a straight line
through each council's years); (b) quality: the backtest on what DfE published (hold out the
last year and the last two), as the Markdown table of benchmarks/README.md.

    python -m benchmarks.published [--runs 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from planner.forecast.dfe_series import load_dfe_series
from planner.forecast.published import FORECAST_MEASURES, forecast_published
from planner.forecast.published_backtest import backtest_published, linear_trend

PLANNER = Path(sys.executable).with_name("planner")


def _best(seconds: list[float]) -> str:
    return f"{min(seconds):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()

    wall = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [str(PLANNER), "forecast", "--published", "--council", "all", "--data-until", "2024",
                 "--out", out, "--runs", str(args.runs)],
                check=True, capture_output=True,
            )  # fmt: skip
            wall.append(time.perf_counter() - start)

    start = time.perf_counter()
    series = load_dfe_series().until(2024)
    load = time.perf_counter() - start
    model, baselines = [], []
    for _ in range(5):
        start = time.perf_counter()
        forecast_published(series, runs=args.runs, seed=0)
        model.append(time.perf_counter() - start)
        start = time.perf_counter()
        for measure in FORECAST_MEASURES:
            history = series.values[measure]
            history.groupby(level="la_code").last()  # naive
            linear_trend(history, np.arange(2025, 2028))
        baselines.append(time.perf_counter() - start)

    print("| step | time | ratio |")
    print("|---|---|---|")
    print(f"| whole command, `--council all --data-until 2024` (subprocess, best of 3) | {_best(wall)} | |")
    print(f"| read the DfE series (in process, first call) | {load:.2f} s | |")
    print(f"| forecast all councils, 3 years, {args.runs:,} runs (best of 5) | {_best(model)} | "
          f"{min(model) / min(baselines):.1f}x the baselines |")  # fmt: skip
    print(f"| baselines for all councils: naive and trend (best of 5) | {_best(baselines)} | 1.0x |")
    print()

    bt = backtest_published(load_dfe_series(), runs=args.runs, seed=0)
    print("| held out | year | years ahead | measure | councils | MAE model | MAE naive | MAE trend | "
          "model / naive | 80% coverage |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in bt.summary.itertuples():
        held = "last year" if r.held_out == 1 else f"last {r.held_out} years"
        print(f"| {held} | {r.year} | {r.ahead} | {r.measure} | {r.councils} | **{r.mae_model:.1f}** | "
              f"{r.mae_naive:.1f} | {r.mae_trend:.1f} | {r.model_vs_naive:.2f} | "
              f"{100 * r.coverage80:.0f}% |")  # fmt: skip


if __name__ == "__main__":
    main()
