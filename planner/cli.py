"""The `planner` command line: library first, this is a thin layer over it."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from planner.contract import Dataset, load_folder
from planner.formats import uk_date
from planner.problems import InvalidInput
from planner.settings import Settings
from planner.summary import by_district, validation_report


class BadInput(click.ClickException):
    """Invalid user input: the message lists every problem; exit status 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def,override]
        click.echo(self.format_message(), err=True)


def _load(folder: Path) -> Dataset:
    try:
        return load_folder(folder)
    except InvalidInput as e:
        raise BadInput("\n".join(e.lines())) from None


DATA_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="care-leaver-planner")
def cli() -> None:
    """Care leaver accommodation matching and capacity planner."""
    logging.basicConfig(level=Settings.from_env().log_level, stream=sys.stderr)


@cli.command()
@click.argument("data_dir", type=DATA_DIR)
def validate(data_dir: Path) -> None:
    """Check young_people.csv and schemes.csv in DATA_DIR against data contract v1.

    Prints what the folder holds; on bad input lists every problem (file, row, column)
    and exits with status 2. The history files referrals.csv and cohort.csv are checked too
    when the folder has them.

    Example: planner validate data/example
    """
    from planner.contract import read_file
    from planner.history import COHORT, REFERRALS

    problems: list[str] = []
    try:
        data = load_folder(data_dir)
    except InvalidInput as e:
        problems += e.lines()
    history: list[str] = []
    for spec in (REFERRALS, COHORT):
        if (data_dir / spec.file).is_file():
            try:
                rows = len(read_file(data_dir, spec))
                history.append(f"  {spec.file} is valid: {rows:,} rows")
            except InvalidInput as e:
                problems += e.lines()
    if problems:
        raise BadInput("\n".join(problems))
    click.echo("\n".join(validation_report(data_dir, data) + history))


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--county",
    default="Gloucestershire",
    show_default=True,
    help="English county or unitary authority, by name or ONS code.",
)
@click.option(
    "--people",
    type=click.IntRange(min=1),
    default=None,
    help="Young people [default: the council's care leavers needing a place in 12 months].",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default="2026-11-23", show_default=True,
              help="Date the vacancies and ages refer to.")  # fmt: skip
def demo(out_dir: Path, county: str, people: int | None, seed: int, on: datetime) -> None:
    """Write a realistic synthetic county to OUT_DIR in data contract v1.

    Calibrated on the council's DfE care leaver figures and ONS population (printed with their
    sources); the same seed gives the same files.

    Example: planner demo demo --county "East Sussex" --seed 2
    """
    from planner.capacity import shortfall_by_district
    from planner.demo import calibration, write_demo
    from planner.vocab import SUPPORT_LEVELS, UNSUITABLE_TYPES, URGENT_ACCOM

    try:
        cal = calibration(county)
    except LookupError as e:
        raise BadInput(f"--county: {e.args[0]}") from None
    data = write_demo(out_dir, county=county, people=people, seed=seed, on=on.date())
    p, s = data.people, data.schemes
    age = (on - p["date_of_birth"]).dt.days / 365.25
    suitable = int(s.loc[~s["accom_type"].isin(list(UNSUITABLE_TYPES)), "vacancies"].sum())
    urgent = int(p["current_accom"].str[:1].isin(list(URGENT_ACCOM)).sum())
    click.echo(
        f"Wrote {out_dir}/ for {cal.council.name} ({cal.council.code}), seed {seed}, "
        f"date {uk_date(on)}: {', '.join(sorted(f.name for f in out_dir.glob('*.csv')))}"
    )
    click.echo(
        f"  {len(p):,} young people: {int((age < 18).sum())} under 18, {urgent} now in B&B, "
        "emergency accommodation or with no fixed abode"
    )
    click.echo(
        f"  {len(s):,} schemes, {int(s['capacity'].sum()):,} places, "
        f"{int(s['vacancies'].sum()):,} vacancies ({suitable:,} suitable, not B&B or emergency)"
    )
    click.echo(by_district(data).to_string(index=False))
    short = shortfall_by_district(data, on=on.date())
    short = short[short["shortfall"] > 0].sort_values("shortfall", ascending=False)
    click.echo("Short of suitable places: " + ("; ".join(
        f"{r.name} {r.waiting} waiting, {r.suitable_vacancies} suitable vacancies"
        for r in short.itertuples()) or "none"))  # fmt: skip
    levels = [(lvl, shortfall_by_district(data, on=on.date(), support_level=lvl)) for lvl in SUPPORT_LEVELS]
    click.echo("By support need (waiting / suitable vacancies at that level or above): " + ", ".join(
        f"{lvl} {t['waiting'].sum()} / {t['suitable_vacancies'].sum()}" for lvl, t in levels))  # fmt: skip
    click.echo("Calibrated on:")
    width = max(len(f.label) for f in cal.figures)
    for f in cal.figures:
        click.echo(f"  {f.label:<{width}}  {f.value}  [{f.source}]")  # fmt: skip


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--demo", is_flag=True, help="Load the demo county and demo users (loopback only).")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Match date (default: today).")  # fmt: skip
def serve(host: str, port: int, demo: bool, on: datetime | None) -> None:
    """Serve the web app (werkzeug's threaded server: fine for a demo on one machine).

    The database is DATABASE_URL, or a SQLite file in the instance folder; it is created
    and migrated at start. --demo loads the demo county into an empty database and creates
    the users officer, commissioner, analyst and admin with the password `demo`; it is
    refused unless HOST is a loopback address.

    Example: planner serve --demo
    """
    from web.serve import prepare, run  # the web app is imported only for this command

    try:
        ready = prepare(host, port, demo=demo, on=on.date() if on else None)
    except ValueError as e:
        raise BadInput(str(e)) from None
    if ready.loaded:
        people, schemes = ready.loaded["people"], ready.loaded["schemes"]
        click.echo(f"Loaded the demo: {people} young people, {schemes} schemes.")
    click.echo(f"Serving the care leaver accommodation planner at {ready.url}")
    if ready.logins:
        click.echo(f"Sign in as {', '.join(ready.logins)} with the password {ready.password!r}.")
    click.echo("Press Ctrl+C to stop.")
    run(ready, host, port)


MATCH_DATE = click.DateTime(["%Y-%m-%d"])


@cli.command("match")
@click.argument("data_dir", type=DATA_DIR)
@click.option("--date", "on", type=MATCH_DATE, required=True, help="Match date: ages and vacancies on it.")
@click.option("--objective", type=click.Choice(["default", "cost"]), default="default", show_default=True,
              help="default: weekly cost, distance and unused support; cost: weekly cost alone.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write matches.csv [default: DATA_DIR/matches.csv].")  # fmt: skip
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds; on reaching it the best answer found is returned and marked.")  # fmt: skip
def match_cmd(
    data_dir: Path, on: datetime, objective: str, out: Path | None, time_limit: float | None
) -> None:
    """Match everyone in DATA_DIR to places at once and write matches.csv.

    Most people in suitable places, then the most urgent, then the least cost (PRODUCT.md s.3);
    B&B and emergency places only for adults nobody could place suitably. Prints outcomes, cost,
    distance, solve time and placement rates by gender, age band, support need and district.

    Example: planner match demo --date 2026-11-23 --out demo/matches.csv
    """
    from planner.matching import format_summary, match, write_matches

    data = _load(data_dir)
    result = match(data.people, data.schemes, on=on.date(), objective=objective,  # type: ignore[arg-type]
                   time_limit=time_limit)  # fmt: skip
    path = out if out is not None else data_dir / "matches.csv"
    write_matches(result.matches, path)
    click.echo(format_summary(result, data.people, on=on.date()))
    click.echo(f"Wrote {path}")


@cli.command("options")
@click.argument("data_dir", type=DATA_DIR)
@click.argument("person_id")
@click.option("--date", "on", type=MATCH_DATE, required=True, help="Match date: ages and vacancies on it.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Places to list.")
@click.option("--why", "why_scheme", metavar="SCHEME_ID", default=None, help="Rules this scheme breaks.")
@click.option("--objective", type=click.Choice(["default", "cost"]), default="default", show_default=True)
def options_cmd(data_dir: Path, person_id: str, on: datetime, top: int, why_scheme: str | None,
                objective: str) -> None:  # fmt: skip
    """Rank the places PERSON_ID could take, with the score broken down and, for each, how many
    others on the waiting list would lose a suitable place if it is taken.

    Example: planner options demo YP-0001 --date 2026-11-23 --why SCH-003
    """
    from planner.options import UnknownId, format_options, options, why_not

    data = _load(data_dir)
    try:
        opts = options(data.people, data.schemes, person_id, on=on.date(), top=top,
                       objective=objective)  # type: ignore[arg-type]  # fmt: skip
        why = None
        if why_scheme is not None:
            why = (why_scheme, why_not(data.people, data.schemes, person_id, why_scheme, on=on.date()))
    except UnknownId as e:
        raise BadInput(str(e)) from None
    click.echo(format_options(opts, why=why))


def _progress_bar(what: str):  # type: ignore[no-untyped-def]
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


SCENARIO_FILE = click.Path(dir_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)


@cli.command("scenario")
@click.argument("scenario_file", type=SCENARIO_FILE)
@click.option("--out", "out_dir", required=True, type=OUT_DIR, help="Folder for the CSVs and report.html.")
@click.option("--runs", type=click.IntRange(1, 100_000), help="Monte Carlo runs (default: the file's).")
@click.option("--workers", type=click.IntRange(1, 256), help="Local processes (default: all cores).")
@click.option("--dask-scheduler", help="Run on a Dask distributed cluster at this address instead.")
@click.option("--data", "data_dir", type=DATA_DIR, help="Data folder to use instead of the file's `data`.")
def scenario_cmd(scenario_file: Path, out_dir: Path, runs: int | None, workers: int | None,
                 dask_scheduler: str | None, data_dir: Path | None) -> None:  # fmt: skip
    """Simulate SCENARIO_FILE (YAML) and its baseline; write summary.csv, by_district.csv,
    by_month.csv and report.html to --out.

    Example: planner scenario data/scenarios/add_places_forest_of_dean.yaml --out out/ --runs 100
    """
    import os

    from planner.report import run_scenario

    close, tick = _progress_bar("simulating")
    try:
        result = run_scenario(scenario_file, out_dir, runs=runs, workers=workers or os.cpu_count() or 1,
                              dask_scheduler=dask_scheduler, progress=tick, data_dir=data_dir)  # fmt: skip
    except InvalidInput as e:
        raise BadInput("\n".join(e.lines())) from None
    finally:
        close()
    rows = result.summary[result.summary["metric"].isin(["bnb_nights", "emergency_nights"])]
    for r in rows.itertuples():
        click.echo(f"{r.scenario:>20} {r.policy:>12} {r.metric:<17} {r.mean:>10,.0f} "
                   f"(80%: {r.lo80:,.0f} to {r.hi80:,.0f})")  # fmt: skip
    click.echo(
        f"Wrote {out_dir}/summary.csv, by_district.csv, by_month.csv, report.html "
        f"in {result.seconds:.1f} s ({result.county_years_per_second:.0f} county-years/s)"
    )


@cli.command("forecast")
@click.argument("data_dir", type=DATA_DIR)
@click.option("--months", type=click.IntRange(1, 36), default=24, show_default=True,
              help="Months to forecast.")  # fmt: skip
@click.option("--start", default=None, metavar="YYYY-MM",
              help="First month [default: the month after the history].")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("forecast.csv"),
              show_default=True, help="Where to write the forecast CSV.")  # fmt: skip
@click.option("--runs", type=click.IntRange(min=50), default=1000, show_default=True, help="Simulation runs.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--backtest", "run_backtest", is_flag=True,
              help="Also score the referral model on the history.")  # fmt: skip
def forecast_cmd(
    data_dir: Path, months: int, start: str | None, out: Path, runs: int, seed: int, run_backtest: bool
) -> None:
    """Forecast demand for places, supply and shortfall by month, district and support level.

    Reads referrals.csv (required), cohort.csv, schemes.csv and young_people.csv from DATA_DIR and
    writes month, district, support_level, demand_mean, demand_lo80, demand_hi80, supply_mean,
    shortfall_mean, p_shortfall (support_level "all" pools the levels of a district).

    Example: planner forecast demo --months 24 --out forecast.csv --backtest
    """
    import re

    from planner.districts import district_name
    from planner.forecast import forecast, load_inputs
    from planner.forecast_backtest import backtest

    if start is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        raise BadInput(f"--start: {start!r} is not a month (expected YYYY-MM, e.g. 2027-01)")
    try:
        inputs = load_inputs(data_dir)
        result = forecast(inputs, months=months, start=start, runs=runs, seed=seed)
    except InvalidInput as e:
        raise BadInput("\n".join(e.lines())) from None
    except ValueError as e:
        raise BadInput(f"--start: {e}") from None
    tmp = out.with_name(out.name + ".part")
    result.table.to_csv(tmp, index=False, float_format="%.3f")
    tmp.replace(out)  # never a half-written forecast
    first, last = result.table["month"].iloc[0], result.table["month"].iloc[-1]
    click.echo(f"Wrote {out}: {len(result.table):,} rows, {first} to {last}, {runs:,} runs.")
    for note in result.notes:
        click.echo(f"  Note: {note}")
    t = result.table
    pooled = t[t["support_level"] == "all"].groupby("district")
    short = t[(t["support_level"] != "all") & (t["p_shortfall"] > 0.5)].groupby("district")["month"].nunique()
    click.echo(f"By district over {months} months (places needed; mean places free a month; months in which "
               "some support level is more likely short than not):")  # fmt: skip
    free_by = pooled["supply_mean"].mean()
    for code, demand in pooled["demand_mean"].sum().items():
        free = float(free_by.loc[str(code)])
        click.echo(f"  {district_name(str(code))} ({code}): {demand:,.0f} needed, {free:,.1f} free, "
                   f"{int(short.get(code, 0))} months short")  # fmt: skip
    if run_backtest:
        bt = backtest(inputs, runs=min(runs, 1000), seed=seed)
        click.echo("Backtest (rolling origin, county referrals needing a place, up to 12 months ahead):")
        click.echo(bt.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@cli.command("commission")
@click.argument("scenario_file", type=SCENARIO_FILE)
@click.option("--budget", required=True, type=click.FloatRange(0), help="GBP a week to spend on new places.")
@click.option("--out", "out_dir", required=True, type=OUT_DIR, help="Folder for plan.csv and report.html.")
@click.option("--samples", type=click.IntRange(1, 100), default=8, show_default=True,
              help="Simulated baselines the plan is optimised over.")  # fmt: skip
@click.option("--runs", type=click.IntRange(1, 100_000), help="Fresh runs to check the plan (default 50).")
@click.option("--workers", type=click.IntRange(1, 256), help="Local processes (default: all cores).")
@click.option("--data", "data_dir", type=DATA_DIR, help="Data folder to use instead of the file's `data`.")
def commission_cmd(scenario_file: Path, budget: float, out_dir: Path, samples: int, runs: int | None,
                   workers: int | None, data_dir: Path | None) -> None:  # fmt: skip
    """Choose where to buy places within --budget GBP a week (candidates from the scenario file,
    or every district x type x support level), check the plan by simulation against adding
    places where today's waiting list is longest; write plan.csv and report.html to --out.

    Example: planner commission data/scenarios/baseline.yaml --budget 15000 --out out/plan
    """
    import os

    from planner.commissioning import commission
    from planner.report import load_inputs, write_commission

    try:
        scenario, data, referrals = load_inputs(scenario_file, data_dir=data_dir)
        plan = commission(scenario, data, referrals, budget, samples=samples, runs=runs,
                          workers=workers or os.cpu_count() or 1)  # fmt: skip
    except InvalidInput as e:
        raise BadInput("\n".join(e.lines())) from None
    write_commission(scenario, plan, out_dir)
    click.echo(plan.plan.drop(columns=["reason"]).to_string(index=False))
    v = plan.verification.summary
    unsuitable = v[v["metric"].isin(["bnb_nights", "emergency_nights"])]
    for name, n in unsuitable.groupby("scenario", sort=False)["mean"].sum().items():
        click.echo(f"{name:>12}: {n:,.0f} B&B and emergency nights (mean of simulated runs)")
    click.echo(f"Expected cost £{plan.expected_weekly_cost:,.0f} a week of £{budget:,.0f}; "
               f"wrote {out_dir}/plan.csv")  # fmt: skip


@cli.command("import-903")
@click.argument("src", type=DATA_DIR)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write cohort.csv and referrals.csv into.")  # fmt: skip
@click.option("--on-error", type=click.Choice(["skip", "reject"]), default="skip", show_default=True,
              help="skip: leave out invalid rows and list them; reject: write nothing, exit 2.")  # fmt: skip
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date the cohort is taken on [default: 31 March ending the latest year].")  # fmt: skip
def import_903_cmd(src: Path, out_dir: Path, on_error: str, on: datetime | None) -> None:
    """Turn an SSDA903 return in SRC (Header, Episodes, OC3 and optional UASC CSV files, found by
    their columns) into cohort.csv and referrals.csv, with nothing identifying kept.

    Ids are salted hashes: set PLANNER_903_SALT to keep them stable across imports.

    Example: planner import-903 tests/data/ssda903 --out imported
    """
    from datetime import timedelta

    from planner.ssda903 import import_903, write_import

    try:
        result = import_903(src, on=on.date() if on else None, on_error=on_error)  # type: ignore[arg-type]
    except InvalidInput as e:
        raise BadInput("Rejected, nothing written:\n" + "\n".join(e.lines())) from None
    written = write_import(result, out_dir)
    read = ", ".join(f"{kind} ({', '.join(names)})" for kind, names in result.files.items() if names)
    click.echo(f"Read {read}; cohort taken on {uk_date(result.on)}.")
    click.echo(f"Wrote {', '.join(str(p) for p in written)}: {len(result.cohort)} children looked after aged "
               f"13-17, {len(result.referrals)} care leavers' moves and accommodation records.")  # fmt: skip
    if result.problems:
        click.echo(f"Skipped {len(result.problems)} invalid values (their rows are left out):")
        for p in result.problems:
            click.echo(f"  {p}")
    for note in result.notes:
        click.echo(f"Note: {note}")
    start = (result.on.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    click.echo(f"Forecast from the month after the cohort date: planner forecast {out_dir} --start {start}")


def main() -> None:
    cli(prog_name="planner")
