"""The analysts' command: `forecast`."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.common import DATA_DIR, OUT_FILE, BadInput
from planner.data.problems import InvalidInput


@click.command("forecast")
@click.argument("data_dir", type=DATA_DIR)
@click.option("--months", type=click.IntRange(1, 36), default=24, show_default=True,
              help="Months to forecast.")  # fmt: skip
@click.option("--start", default=None, metavar="YYYY-MM",
              help="First month [default: the month after the history].")  # fmt: skip
@click.option("--out", type=OUT_FILE, default=Path("forecast.csv"), show_default=True,
              help="Where to write the forecast CSV.")  # fmt: skip
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

    from planner.data.formats import spreadsheet_safe
    from planner.forecast import backtest, forecast, load_inputs
    from planner.forecast.tables import district_lines

    if start is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        raise BadInput(f"--start: {start!r} is not a month (expected YYYY-MM, e.g. 2027-01)")
    try:
        inputs = load_inputs(data_dir)
        result = forecast(inputs, months=months, start=start, runs=runs, seed=seed)
    except InvalidInput as e:
        raise BadInput.of(e) from None
    except ValueError as e:
        raise BadInput(f"--start: {e}") from None
    tmp = out.with_name(out.name + ".part")
    spreadsheet_safe(result.table).to_csv(tmp, index=False, float_format="%.3f")
    tmp.replace(out)  # never a half-written forecast
    first, last = result.table["month"].iloc[0], result.table["month"].iloc[-1]
    click.echo(f"Wrote {out}: {len(result.table):,} rows, {first} to {last}, {runs:,} runs.")
    for note in result.notes:
        click.echo(f"  Note: {note}")
    click.echo("\n".join(district_lines(result.table, months)))
    if run_backtest:
        bt = backtest(inputs, runs=min(runs, 1000), seed=seed)
        click.echo("Backtest (rolling origin, county referrals needing a place, up to 12 months ahead):")
        click.echo(bt.summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
