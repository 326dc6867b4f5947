"""Commands for commissioners: `scenario` and `commission`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from planner.cli.common import DATA_DIR, OUT_DIR, SCENARIO_FILE, BadInput, finite
from planner.data.problems import InvalidInput


def _progress_bar(what: str) -> tuple[Callable[[], None], Callable[[int, int], None]]:
    """A tqdm bar on stderr for simulate(progress=...), shown from the first finished run."""
    from tqdm import tqdm

    bars: list[tqdm] = []  # type: ignore[type-arg]

    def tick(n: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="run", desc=what, file=sys.stderr, leave=False))
        bars[0].update(n)

    def close() -> None:
        for bar in bars:
            bar.close()

    return close, tick


@click.command("scenario")
@click.argument("scenario_file", type=SCENARIO_FILE)
@click.option("--out", "out_dir", required=True, type=OUT_DIR, help="Folder for the CSVs and report.html.")
@click.option("--runs", type=click.IntRange(1, 100_000), help="Monte Carlo runs (default: the file's).")
@click.option("--workers", type=click.IntRange(1, 256), help="Local processes (default: all cores).")
@click.option("--dask-scheduler", help="Run on a Dask distributed cluster at this address instead.")
@click.option("--data", "data_dir", type=DATA_DIR, help="Data folder to use instead of the file's `data`.")
def scenario_cmd(scenario_file: Path, out_dir: Path, runs: int | None, workers: int | None,
                 dask_scheduler: str | None, data_dir: Path | None) -> None:  # fmt: skip
    """Simulate SCENARIO_FILE (YAML) and its baseline; write summary.csv, by_district.csv,
    by_month.csv, shortfall_start.csv (the shortfall on the start date, as the map counts it) and
    report.html to --out.

    Example: planner scenario data/scenarios/add_places_forest_of_dean.yaml --out out/ --runs 100
    """
    from planner.simulate.scenario import load_inputs

    try:  # the files are checked before the simulation and its solvers are imported
        inputs = load_inputs(scenario_file, data_dir=data_dir)
    except InvalidInput as e:
        raise BadInput.of(e) from None
    from planner.simulate import run_scenario
    from planner.simulate.report import scenario_lines

    close, tick = _progress_bar("simulating")
    try:
        result = run_scenario(inputs, out_dir, runs=runs, workers=workers or os.cpu_count() or 1,
                              dask_scheduler=dask_scheduler, progress=tick)  # fmt: skip
    except InvalidInput as e:
        raise BadInput.of(e) from None
    finally:
        close()
    for line in scenario_lines(result):
        click.echo(line)
    click.echo(
        f"Wrote {out_dir}/summary.csv, by_district.csv, by_month.csv, shortfall_start.csv, report.html "
        f"in {result.seconds:.1f} s ({result.county_years_per_second:.0f} county-years/s)"
    )


@click.command("commission")
@click.argument("scenario_file", type=SCENARIO_FILE)
@click.option("--budget", required=True, type=click.FloatRange(0), callback=finite,
              help="The council's GBP a week for new places: what they cost it, less what housing "
                   "benefit meets.")  # fmt: skip
@click.option("--out", "out_dir", required=True, type=OUT_DIR, help="Folder for plan.csv and report.html.")
@click.option("--samples", type=click.IntRange(1, 100), default=8, show_default=True,
              help="Simulated baselines the plan is optimised over.")  # fmt: skip
@click.option("--runs", type=click.IntRange(1, 100_000), help="Fresh runs to check the plan (default 50).")
@click.option("--workers", type=click.IntRange(1, 256), help="Local processes (default: all cores).")
@click.option("--data", "data_dir", type=DATA_DIR, help="Data folder to use instead of the file's `data`.")
def commission_cmd(scenario_file: Path, budget: float, out_dir: Path, samples: int, runs: int | None,
                   workers: int | None, data_dir: Path | None) -> None:  # fmt: skip
    """Choose where to buy places within --budget, the council's GBP a week (candidates from the
    scenario file, or every district x type x support level), check the plan by simulation against
    adding places where today's waiting list is longest; write plan.csv and report.html to --out.
    A place costs the council its whole weekly cost while empty (block) or held by an under-18,
    and its support alone while an adult holds it (housing benefit meets the rent).

    Example: planner commission data/scenarios/baseline.yaml --budget 15000 --out out/plan
    """
    from planner.data.formats import gbp
    from planner.simulate.scenario import load_inputs

    try:  # the files are checked before the commissioning model and its solvers are imported
        scenario, data, referrals = load_inputs(scenario_file, data_dir=data_dir)
    except InvalidInput as e:
        raise BadInput.of(e) from None
    from planner.simulate import commission
    from planner.simulate.commissioning import savings
    from planner.simulate.report import write_commission

    close, tick = _progress_bar("commissioning")
    try:
        plan = commission(scenario, data, referrals, budget, samples=samples, runs=runs,
                          workers=workers or os.cpu_count() or 1, progress=tick)  # fmt: skip
    except InvalidInput as e:
        raise BadInput.of(e) from None
    finally:
        close()
    write_commission(scenario, plan, out_dir)
    click.echo(plan.plan.drop(columns=["reason"]).to_string(index=False))
    v = plan.verification.summary
    unsuitable = v[v["metric"].isin(["bnb_nights", "emergency_nights"])]
    for name, n in unsuitable.groupby("scenario", sort=False)["mean"].sum().items():
        click.echo(f"{name:>12}: {n:,.0f} B&B and emergency nights (mean of simulated runs)")
    saved = savings(plan.verification).set_index(["scenario", "metric"])
    for name in dict.fromkeys(saved.index.get_level_values(0)):
        nights, cost = saved.loc[(name, "unsuitable_nights")], saved.loc[(name, "council_weekly_cost")]
        pounds = [gbp(round(float(cost[k]))) for k in ("mean", "lo80", "hi80")]
        click.echo(f"{name:>12} saves {nights['mean']:,.0f} of those nights (80% of runs: "
                   f"{nights['lo80']:,.0f} to {nights['hi80']:,.0f}) and {pounds[0]} a week of council cost "
                   f"({pounds[1]} to {pounds[2]}) against buying nothing")  # fmt: skip
    if plan.status == "time_limit":
        click.echo("The plan is the best found within the solver's time limit, not proven the best.")
    elif plan.status != "optimal":
        click.echo(f"The solver found no plan within its time limit ({plan.status}): nothing bought.")
    whole, council = plan.expected_weekly_cost, plan.expected_council_weekly_cost
    click.echo(f"Expected cost to the council £{council:,.0f} a week, of a council budget of £{budget:,.0f} "
               f"a week (whole cost £{whole:,.0f}, housing benefit meeting £{whole - council:,.0f} of it); "
               f"wrote {out_dir}/plan.csv")  # fmt: skip
