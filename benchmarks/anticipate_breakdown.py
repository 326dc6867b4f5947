"""`python -m benchmarks.anticipate_breakdown`: where a panel's B&B and emergency nights come from.

On a few runs of each council's 24-month baseline, each night a young person spends in B&B or
emergency accommodation under a panel is put down to who spends it:

* in B&B or emergency accommodation on the start date (today's list says so);
* no roof on the day they needed a place (on today's list, or a referral drawn in the run);
* housed when they joined the list, their roof ended while they waited (known in advance: the
  list holds the date);
* put out of a place that closed or was cut (back on the list with no roof).

and, for each person, how many weeks they spent there and whether, in the week their first such
night began or the `LOOKAHEAD` weeks before it, a place that suited them (every hard rule, at
their age then) was given to an adult housed while they waited or to someone not yet due: the
places an anticipatory panel could have held for them.

    python -m benchmarks.anticipate_breakdown [--runs 5] [--councils NAME ...] [--policy optimised]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.anticipate import ON, POLICIES
from planner.demo.county import write_demo
from planner.forecast.history import load_referrals
from planner.simulate import simulation
from planner.simulate.policies import ages, eligible
from planner.simulate.scenario import Scenario
from planner.simulate.world import World, build_world

LOOKAHEAD = 4
CAUSES = ("in B&B or emergency at the start", "no roof on the day (listed)",
          "no roof on the day (new referral)", "roof ended while waiting (listed)",
          "roof ended while waiting (new referral)",
          "put out by a closure or cut")  # fmt: skip
GIVEN = ("housed adult", "not yet due", "under-18", "no roof")


def _record(decide: Callable[..., np.ndarray], log: list[tuple[Any, ...]]) -> Callable[..., np.ndarray]:
    def wrapped(world, pop, idx, vac, week, static=None, roof_until=None, *a, **k):  # type: ignore[no-untyped-def]
        out = decide(world, pop, idx, vac, week, static, roof_until, *a, **k)
        got = out >= 0
        q = idx[got]
        adult = ages(pop, q, week) >= 18
        no_roof = (roof_until[q] <= week) | pop.in_emergency[q]
        due = pop.arrive[q] <= week
        kind = np.where(~due, 1, np.where(~adult, 2, np.where(no_roof, 3, 0)))
        log.append((week, q, out[got], kind, roof_until.copy()))
        return out

    return wrapped


def breakdown(world: World, policy: str, runs: int) -> dict[str, np.ndarray]:
    """Per cause: nights, people, weeks per person, people with a suiting place given away."""
    nights = np.zeros(len(CAUSES))
    people = np.zeros(len(CAUSES))
    given = np.zeros((len(CAUSES), len(GIVEN)))
    given_any = np.zeros(len(CAUSES))
    forced = np.zeros(len(CAUSES))
    given_later = np.zeros(len(CAUSES))
    weeks_each: list[list[int]] = [[] for _ in CAUSES]
    original = simulation.DECIDE[policy]
    for run in range(runs):
        log: list[tuple[Any, ...]] = []
        simulation.DECIDE[policy] = _record(original, log)
        try:
            r = simulation.run_once(world, policy, 1, run, trace=True)  # type: ignore[arg-type]
        finally:
            simulation.DECIDE[policy] = original
        pop = simulation.draw_population(world, 1, run)
        final_roof = log[-1][4] if log else pop.roof_until
        assert r.unplaced is not None
        wv = r.unplaced[r.unplaced[:, 2] == 1]
        who, count = np.unique(wv[:, 0], return_counts=True)
        first_week = {int(p): int(wv[wv[:, 0] == p, 1].min()) for p in who}
        for p, c in zip(who.tolist(), count.tolist(), strict=True):
            evicted = final_roof[p] != pop.roof_until[p]
            if pop.in_emergency[p]:
                cause = 0
            elif evicted:
                cause = 5
            elif pop.roof_until[p] <= pop.arrive[p]:
                cause = 1 if pop.listed[p] else 2
            else:
                cause = 3 if pop.listed[p] else 4
            nights[cause] += 7 * c
            people[cause] += 1
            weeks_each[cause].append(c)
            w0 = first_week[p]
            suits = eligible(world, pop, np.array([p]), w0)[0]
            if not (suits & (world.schemes.capacity.max(axis=1) > 0)).any():
                forced[cause] += 7 * c  # no place in the county suits them
            elif not pop.listed[p] and pop.roof_until[p] <= pop.arrive[p] and w0 == pop.arrive[p]:
                forced[cause] += 7  # unannounced with no roof: the week they are placed is spent there
            last = int(wv[wv[:, 0] == p, 1].max())
            later = False
            for week, q, where, kind, _ in log:
                if w0 < week <= last:
                    later |= bool((suits[where] & (q != p) & (kind <= 1)).any())
            given_later[cause] += later
            seen = np.zeros(len(GIVEN), dtype=bool)
            for week, q, where, kind, _ in log:
                if w0 - LOOKAHEAD <= week <= w0:
                    hit = suits[where] & (q != p)
                    seen[np.unique(kind[hit])] = True
            given[cause] += seen
            given_any[cause] += seen[:2].any()
    return {"nights": nights / runs, "people": people / runs, "given": given / runs,
            "given_any": given_any / runs, "forced": forced / runs, "given_later": given_later / runs,
            "weeks": np.array([np.median(w) if w else np.nan for w in weeks_each]),
            "weeks_mean": np.array([np.mean(w) if w else np.nan for w in weeks_each])}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--policy", default="optimised")
    ap.add_argument("--councils", nargs="+", default=["South Gloucestershire", "Lambeth"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.councils:
            folder = Path(tmp) / name.replace(" ", "_")
            data = write_demo(folder, county=name, seed=1, on=ON)
            s = Scenario("baseline", "x.yaml", folder, ON, months=args.months, runs=args.runs, seed=1,
                         policies=POLICIES)  # fmt: skip
            world = build_world(s, data, load_referrals(folder))
            b = breakdown(world, args.policy, args.runs)
            total = b["nights"].sum()
            print(f"\n{name}, {args.policy}, {args.runs} runs: {total:,.0f} B&B and emergency nights a run\n")
            print("| who spends them | nights a run | share | people a run | weeks each (median, mean) | "
                  f"a place that suited them went, in their first week or the {LOOKAHEAD} before, to: "
                  "a housed adult / someone not yet due / an under-18 / someone with no roof | "
                  "later in their wait, to a housed adult or someone not yet due | "
                  "nights no panel avoids |")  # fmt: skip
            print("|---|---|---|---|---|---|---|---|")
            for k, cause in enumerate(CAUSES):
                if not b["people"][k]:
                    continue
                g = " / ".join(f"{b['given'][k, j]:.1f}" for j in range(len(GIVEN)))
                print(f"| {cause} | {b['nights'][k]:,.0f} | {100 * b['nights'][k] / max(total, 1):.0f}% | "
                      f"{b['people'][k]:.1f} | {b['weeks'][k]:.0f}, {b['weeks_mean'][k]:.1f} | {g} | "
                      f"{b['given_later'][k]:.1f} | {b['forced'][k]:,.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
