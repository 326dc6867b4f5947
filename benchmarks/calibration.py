"""`python -m benchmarks.calibration`: demo baselines of councils of every kind beside DfE's figures.

For each council (two-tier counties, metropolitan boroughs, a London borough, one-district
unitaries) and seed: writes its demo county (23 Nov 2026), simulates the 12-month baseline under
the optimised panel and prints, as Markdown for benchmarks/README.md, the B&B and emergency nights
of the first and last quarter and their ratio (near steady: at most 2), the average night's count
and DfE's count of the council's care leavers aged 17-21 in unsuitable accommodation (the average
night between a tenth of and all of it); then the stays fitted to the first council's history
(`planner.forecast.stays`) by type of place and support need.

    python -m benchmarks.calibration [--runs 40] [--seeds 1 2 3] [--months 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from scipy import stats

from planner.data.vocab import SUPPORT_LEVELS
from planner.demo.county import write_demo
from planner.forecast.history import load_referrals
from planner.forecast.stays import GRID, history_end, observed_stays
from planner.simulate.calibration import BAND, DRIFT, calibrate
from planner.simulate.scenario import Scenario
from planner.simulate.simulation import simulate
from planner.simulate.world import build_world

ON = date(2026, 11, 23)
COUNCILS = (
    ("Gloucestershire", "two-tier county"),
    ("Kent", "two-tier county"),
    ("East Sussex", "two-tier county"),
    ("Manchester", "metropolitan borough"),
    ("Sheffield", "metropolitan borough"),
    ("Lambeth", "London borough"),
    ("South Gloucestershire", "one-district unitary"),
    ("Bristol, City of", "one-district unitary"),
)


def _row(
    name: str, kind: str, seed: int, folder: Path, runs: int, months: int, workers: int
) -> dict[str, object]:
    data = write_demo(folder, county=name, seed=seed, on=ON)
    s = Scenario("baseline", "x.yaml", folder, ON, months=months, runs=runs, seed=1, policies=("optimised",))
    result = simulate(s, data, load_referrals(folder), workers=workers, baseline=False)
    cal = calibrate(result.summary, result.care_leavers)
    dfe = cal.care_leavers
    return {
        "council": name, "kind": kind, "seed": seed, "first": cal.first_quarter, "last": cal.last_quarter,
        "ratio": cal.drift, "night": cal.per_night, "dfe": dfe.unsuitable if dfe else float("nan"),
        "of_dfe": cal.of_dfe, "steady": not cal.drifts, "in_band": BAND[0] <= cal.of_dfe <= BAND[1],
    }  # fmt: skip


def _stays(name: str, folder: Path) -> None:
    """The stays the simulation draws, by type of place and support need, beside the history's own
    (Kaplan-Meier medians of the stays each type and need had, censoring included)."""
    data = write_demo(folder, county=name, seed=1, on=ON)
    referrals = load_referrals(folder)
    world = build_world(Scenario("baseline", "x.yaml", folder, ON, months=12), data, referrals)
    model, seen = world.stays, observed_stays(referrals, history_end(referrals, ON))
    fitted = {(f.accom_type, f.need): f for f in model.fits}
    print(f"\nStays by type of place and support need, fitted to the {name} demo's history (seed 1;")
    print("weeks; a need without a fit of its own uses its type's, as the AIC chose):\n")
    print(
        "| type | support need | fit | stays | ended | median | mean | 90th percentile | history's median |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    q = (np.arange(GRID) + 0.5) / GRID
    for letter in sorted(t for t in model.types if t != "*"):
        row = model.index(np.array([letter]))
        for need, level in enumerate(SUPPORT_LEVELS):
            mine = seen[(seen["accom_type"] == letter) & (seen["need"] == need)]
            if mine.empty:
                continue
            fit = fitted.get((letter, need)) or fitted[letter, None]
            weeks = model.weeks(np.repeat(row, GRID), np.full(GRID, need), q)
            ended = mine["ended"].to_numpy()
            km = stats.ecdf(
                stats.CensoredData(uncensored=mine["weeks"][ended], right=mine["weeks"][~ended])
            ).sf
            below = np.flatnonzero(km.probabilities <= 0.5)
            history = f"{km.quantiles[below[0]]:.0f}" if len(below) else "not reached"
            own = "own" if fit.need == need else "type's"
            spread = f"{np.median(weeks):.0f} | {weeks.mean():.0f} | {np.quantile(weeks, 0.9):.0f}"
            print(f"| {letter} | {level} | {fit.family} ({own}) | {len(mine)} | {int(ended.sum())} | "
                  f"{spread} | {history} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            for name, kind in COUNCILS:
                folder = Path(tmp) / f"{name}-{seed}".replace(" ", "_").replace(",", "")
                rows.append(_row(name, kind, seed, folder, args.runs, args.months, args.workers))
        _stays(COUNCILS[0][0], Path(tmp) / "stays")
    print(f"\nBaselines, {args.months} months, optimised panel, {args.runs} runs (means):\n")
    print("| council | kind | seed | B&B + emergency nights, first quarter | last quarter | ratio | "
          "average night | DfE unsuitable 17-21 | night / DfE |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['council']} | {r['kind']} | {r['seed']} | {r['first']:,.0f} | {r['last']:,.0f} | "
              f"{r['ratio']:.2f}{'' if r['steady'] else ' (drifts)'} | {r['night']:.1f} | {r['dfe']:.0f} | "
              f"{r['of_dfe']:.2f}{'' if r['in_band'] else ' (outside)'} |")  # fmt: skip
    for seed in args.seeds:
        mine = [r for r in rows if r["seed"] == seed]
        steady = sum(bool(r["steady"]) for r in mine)
        in_band = sum(bool(r["in_band"]) for r in mine)
        print(f"\nSeed {seed}: ratio at most {DRIFT:g} in {steady} of {len(mine)}; average night within "
              f"{BAND[0]:g} to {BAND[1]:g} of DfE's in {in_band} of {len(mine)}.")  # fmt: skip


if __name__ == "__main__":
    main()
