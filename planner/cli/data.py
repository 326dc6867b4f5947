"""Commands about data in and out: `validate`, `demo`, `import-903`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from planner.cli.common import DATA_DIR, DATE, OUT_DIR, BadInput
from planner.data.problems import InvalidInput


@click.command()
@click.argument("data_dir", type=DATA_DIR)
def validate(data_dir: Path) -> None:
    """Check young_people.csv and schemes.csv in DATA_DIR against data contract v1.1.

    Prints what the folder holds; on bad input lists every problem (file, row, column)
    and exits with status 2. The history files referrals.csv and cohort.csv are checked too
    when the folder has them.

    Example: planner validate data/example
    """
    from planner.data.contract import load_folder
    from planner.data.summary import validation_report
    from planner.data.table import read_file
    from planner.forecast.history import COHORT, REFERRALS

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


@click.command()
@click.argument("out_dir", type=OUT_DIR)
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
    help="Young people on the waiting list [default: as the council's flows of referrals give].",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--date", "on", type=DATE, default="2026-11-23", show_default=True,
              help="Date the vacancies and ages refer to.")  # fmt: skip
def demo(out_dir: Path, county: str, people: int | None, seed: int, on: datetime) -> None:
    """Write a realistic synthetic county to OUT_DIR in data contract v1.1.

    Calibrated on the council's DfE care leaver figures and ONS population (printed with their
    sources); the same seed gives the same files.

    Example: planner demo demo --county "East Sussex" --seed 2
    """
    from planner.data.formats import uk_date
    from planner.demo import calibration, describe, write_demo
    from planner.forecast.history import load_referrals

    try:
        cal = calibration(county)
    except LookupError as e:
        raise BadInput(f"--county: {e.args[0]}") from None
    data = write_demo(out_dir, county=county, people=people, seed=seed, on=on.date())
    click.echo(
        f"Wrote {out_dir}/ for {cal.council.name} ({cal.council.code}), seed {seed}, "
        f"date {uk_date(on)}: {', '.join(sorted(f.name for f in out_dir.glob('*.csv')))}"
    )
    click.echo("\n".join(describe(data, cal, on=on.date(), referrals=load_referrals(out_dir))))


@click.command("import-903")
@click.argument("src", type=DATA_DIR)
@click.option("--out", "out_dir", type=OUT_DIR, required=True,
              help="Folder to write cohort.csv and referrals.csv into.")  # fmt: skip
@click.option("--on-error", type=click.Choice(["skip", "reject"]), default="skip", show_default=True,
              help="skip: leave out invalid rows and list them; reject: write nothing, exit 2.")  # fmt: skip
@click.option("--date", "on", type=DATE, default=None,
              help="Date the cohort is taken on [default: 31 March ending the latest year].")  # fmt: skip
def import_903_cmd(src: Path, out_dir: Path, on_error: str, on: datetime | None) -> None:
    """Turn an SSDA903 return in SRC (Header, Episodes, OC3 and optional UASC CSV files, found by
    their columns) into cohort.csv and referrals.csv, with nothing identifying kept.

    Ids are salted hashes: set PLANNER_903_SALT to keep them stable across imports.

    Example: planner import-903 tests/data/ssda903 --out imported
    """
    from datetime import timedelta

    from planner.data.formats import uk_date
    from planner.sources import import_903, write_import

    try:
        result = import_903(src, on=on.date() if on else None, on_error=on_error)  # type: ignore[arg-type]
    except InvalidInput as e:
        raise BadInput.of(e, "Rejected, nothing written:") from None
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
