"""The analysts' command: `forecast`, from a council's own history or from DfE's published figures."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planner.cli.common import DATA_DIR, DATE, BadInput, cannot_write, folder_for
from planner.data.problems import InvalidInput

if TYPE_CHECKING:
    from planner.forecast.demand import Forecast, ForecastInputs
    from planner.forecast.dfe_series import DfeSeries

PUBLISHED_FILE = "published_forecast.csv"


@click.command("forecast")
@click.argument("data_dir", type=DATA_DIR, required=False)
@click.option("--months", type=click.IntRange(1, 36), default=24, show_default=True,
              help="Months to forecast.")  # fmt: skip
@click.option("--start", default=None, metavar="YYYY-MM",
              help="First month [default: the month after the history].")  # fmt: skip
@click.option("--date", "on", type=DATE, default=None,
              help="Today: month 0's date; the history runs to it [the last referral].")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write: a CSV file [forecast.csv]; with --published a folder [.].")  # fmt: skip
@click.option("--runs", type=click.IntRange(min=50), default=1000, show_default=True, help="Simulation runs.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--backtest", "run_backtest", is_flag=True,
              help="Also score the model on the history (--published: on what DfE published).")  # fmt: skip
@click.option("--published", is_flag=True,
              help="Forecast from DfE's published figures alone (no DATA_DIR needed).")  # fmt: skip
@click.option("--council", default=None, metavar="NAME|CODE|all",
              help="With --published: a county or unitary council by name or ONS code, or all; "
                   "from DATA_DIR: whose history it is, when its districts cannot say.")  # fmt: skip
@click.option("--data-until", type=int, default=None, metavar="YEAR",
              help="With --published: use DfE's figures up to this year only [the latest].")  # fmt: skip
@click.option("--dfe", "dfe_dir", type=DATA_DIR, default=None,
              help="Folder of newer DfE tables in the same format [the shipped data/reference].")  # fmt: skip
def forecast_cmd(
    data_dir: Path | None,
    months: int,
    start: str | None,
    on: datetime | None,
    out: Path | None,
    runs: int,
    seed: int,
    run_backtest: bool,
    published: bool,
    council: str | None,
    data_until: int | None,
    dfe_dir: Path | None,
) -> None:
    """Forecast demand for places, supply and shortfall by month, district and support level.

    From a council's own history: reads referrals.csv (required), cohort.csv, schemes.csv and
    young_people.csv from DATA_DIR and writes month, district, support_level, demand_mean,
    demand_lo80, demand_hi80, supply_mean, shortfall_mean, p_shortfall, carried_mean (support_level
    "all" pools the levels of a district). With young_people.csv and schemes.csv the first month is
    today's position (the map's today view) and the young people it leaves without a place are
    carried into the months after (carried_mean) until places coming free absorb them. Then it
    prints the forecast from DfE's published figures for the same council beside it, as a sense check.

    From DfE's published figures alone (--published, any English council): writes
    published_forecast.csv (la_code, year, measure, mean, lo80, hi80) for the next three years
    ending 31 March: looked_after, care_leavers_17_18, care_leavers_19_21 and places_needed (all
    and by support level). --backtest holds out the last year and the last two and prints the
    errors against naive and a linear trend, and how often the 80% intervals held.

    Example: planner forecast demo --months 24 --date 2026-11-23 --out forecast.csv --backtest

    Example: planner forecast imported --start 2026-04 --council Lancashire

    Example: planner forecast --published --council Gloucestershire --out out/

    Example: planner forecast --published --council all --data-until 2024 --out out/ --backtest
    """
    if on is not None and published:
        raise BadInput("--date goes with a council's own history (DATA_DIR), not with --published")
    if published:
        if data_dir is not None:
            raise BadInput(
                f"{data_dir}: --published forecasts from DfE's figures alone; leave out DATA_DIR, or leave "
                "out --published to forecast from the council's own history"
            )
        if council is None and not run_backtest:
            raise BadInput(
                "--council: give a council by name or ONS code (e.g. Gloucestershire or E10000013), or all"
            )
        _published(council, data_until, out or Path("."), runs, seed, run_backtest, dfe_dir)
        return
    if data_until is not None:
        raise BadInput("--data-until goes with --published (the forecast from DfE's published figures)")
    if data_dir is None:
        raise BadInput("DATA_DIR: give the folder with referrals.csv, or use --published --council NAME")
    code = _council_code(council)
    day = on.date() if on is not None else None
    result, inputs = _own_history(data_dir, months, start, day, out or Path("forecast.csv"), runs, seed, code)
    _sense_check(result, inputs, runs, seed, dfe_dir, code)
    if run_backtest:
        from planner.forecast import backtest

        bt = backtest(inputs, runs=min(runs, 1000), seed=seed)
        click.echo("Backtest (rolling origin, county referrals needing a place, up to 12 months ahead):")
        click.echo(bt.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def _council_code(council: str | None) -> str | None:
    """The upper-tier code of the council named with --council (own history: one council)."""
    if council is None:
        return None
    from planner.data.districts import find_council

    try:
        return find_council(council).code
    except LookupError as e:
        raise BadInput(f"--council: {e.args[0]}") from None


def _own_history(
    data_dir: Path,
    months: int,
    start: str | None,
    on: date | None,
    out: Path,
    runs: int,
    seed: int,
    council: str | None,
) -> tuple[Forecast, ForecastInputs]:
    import re

    import pandas as pd

    from planner.data.formats import spreadsheet_safe, uk_date
    from planner.forecast.inputs import load_inputs
    from planner.forecast.tables import district_lines

    if out.is_dir():
        raise BadInput(f"--out: {out} is a folder; give a file name, e.g. {out / 'forecast.csv'}")
    if start is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        raise BadInput(f"--start: {start!r} is not a month (expected YYYY-MM, e.g. 2027-01)")
    try:
        inputs = load_inputs(data_dir)  # the files are checked before the models are imported
        from planner.forecast import forecast

        last = inputs.referrals["referral_date"].max()
        if on is not None and not inputs.referrals.empty and pd.Timestamp(on) < last:
            raise BadInput(
                f"--date: {uk_date(on)} is before the last referral in referrals.csv "
                f"({uk_date(last.date())}): the history must run to today, not past it"
            )
        result = forecast(inputs, months=months, start=start, runs=runs, seed=seed, on=on, council=council)
    except InvalidInput as e:
        raise BadInput.of(e) from None
    except ValueError as e:
        raise BadInput(f"--start: {e}") from None
    tmp = folder_for(out).with_name(out.name + ".part")
    try:
        spreadsheet_safe(result.table).to_csv(tmp, index=False, float_format="%.3f")
        tmp.replace(out)  # never a half-written forecast
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise cannot_write(out, e) from None
    first, last = result.table["month"].iloc[0], result.table["month"].iloc[-1]
    click.echo(f"Wrote {out}: {len(result.table):,} rows, {first} to {last}, {runs:,} runs.")
    for note in result.notes:
        click.echo(f"  Note: {note}")
    click.echo("\n".join(district_lines(result.table, months)))
    return result, inputs


def _series(dfe_dir: Path | None) -> DfeSeries:
    from planner.forecast.dfe_series import load_dfe_series

    try:
        return load_dfe_series(dfe_dir)
    except InvalidInput as e:
        raise BadInput.of(e, f"--dfe {dfe_dir}:") from None


def _sense_check(
    result: Forecast, inputs: ForecastInputs, runs: int, seed: int, dfe_dir: Path | None, council: str | None
) -> None:
    """The published-data forecast for the council the history is from, beside the own forecast."""
    from planner.data.districts import main_council
    from planner.forecast.published import forecast_published
    from planner.forecast.published_report import sense_check_lines

    code = council or main_council(inputs.referrals["home_district"])
    if code is None:
        return
    series = _series(dfe_dir)
    if code not in series.current_councils():
        click.echo(f"Sense check: DfE publishes no current figures for {code}.")
        return
    fc = forecast_published(series, councils=[code], runs=runs, seed=seed)
    click.echo("\n".join(sense_check_lines(result, fc, series, code)))


def _published(
    council: str | None,
    data_until: int | None,
    out: Path,
    runs: int,
    seed: int,
    run_backtest: bool,
    dfe_dir: Path | None,
) -> None:
    from planner.data.districts import find_council
    from planner.data.formats import spreadsheet_safe
    from planner.forecast.published import forecast_published
    from planner.forecast.published_backtest import backtest_published, format_summary
    from planner.forecast.published_report import SOURCE, council_lines, england_lines

    series = _series(dfe_dir)
    if data_until is not None and data_until not in series.years:
        raise BadInput(
            f"--data-until: {data_until} is not a year of the DfE figures "
            f"({series.years[0]} to {series.years[-1]})"
        )
    if data_until is not None and data_until - series.years[0] < 2:
        raise BadInput(
            f"--data-until: the model needs three years of figures; give {series.years[0] + 2} or later"
        )
    if data_until is not None:
        series = series.until(data_until)
    if council is not None:
        codes = None
        if council.strip().lower() != "all":
            try:
                codes = [find_council(council).code]
            except LookupError as e:
                raise BadInput(f"--council: {_historic(series, council) or e}") from None
            if codes[0] not in series.current_councils():
                raise BadInput(f"--council: DfE publishes no figures for {council} in {series.last_year}")
        if out.exists() and not out.is_dir():
            raise BadInput(f"--out: {out} is a file; with --published give a folder for {PUBLISHED_FILE}")
        fc = forecast_published(series, councils=codes, runs=runs, seed=seed)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / (PUBLISHED_FILE + ".part")
        spreadsheet_safe(fc.table).to_csv(tmp, index=False, float_format="%.1f")
        tmp.replace(out / PUBLISHED_FILE)  # never a half-written forecast
        years = sorted(fc.table["year"].unique())
        click.echo(
            f"Wrote {out / PUBLISHED_FILE}: {len(fc.table):,} rows, {fc.table['la_code'].nunique()} "
            f"council(s), years to 31 March {years[0]} to {years[-1]}, from DfE's figures for "
            f"{series.years[0]} to {series.last_year} ({runs:,} runs)."
        )
        lines = council_lines(fc, series, codes[0]) if codes else england_lines(fc, series)
        click.echo("\n".join(lines))
        click.echo(f"Source: {SOURCE}.")
    if run_backtest:
        bt = backtest_published(series, runs=runs, seed=seed)
        click.echo(
            "Backtest on what DfE published (fitted on the years before; mean absolute error in children or "
            "care leavers per council; coverage80: share of councils inside the 80% interval):"
        )
        click.echo(format_summary(bt.summary))


def _historic(series: DfeSeries, council: str) -> str | None:
    """A council DfE has figures for that no longer exists (Cumbria, Northamptonshire), in words."""
    from planner.forecast.dfe_series import SUCCESSORS

    key = council.strip().lower()
    hit = [str(c) for c, name in series.names.items() if key in (str(name).lower(), str(c).lower())]
    if not hit or hit[0] not in SUCCESSORS:
        return None
    years = series.council(hit[0]).dropna(how="all").index
    return (
        f"{series.names[hit[0]]} ({hit[0]}) was reorganised: DfE's last figures for it are for "
        f"{int(years.max())}; give {' or '.join(SUCCESSORS[hit[0]])}"
    )
