"""Commands about data in and out: `validate`, `demo`, `import-903`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from planner.cli.common import DATA_DIR, DATE, OUT_DIR, BadInput, cannot_write
from planner.data.problems import InvalidInput


@click.command()
@click.argument("data_dir", type=DATA_DIR)
@click.option("--date", "on", type=DATE, default=None,
              help="Match date: check ages (15 to 25) and legal statuses on it.")  # fmt: skip
def validate(data_dir: Path, on: datetime | None) -> None:
    """Check young_people.csv and schemes.csv in DATA_DIR against data contract v1.2.

    Prints what the folder holds; on bad input lists every problem (file, row, column)
    and exits with status 2. The history files referrals.csv and cohort.csv are checked too
    when the folder has them. With --date, ages and legal statuses are checked on that date,
    as `planner match` checks them.

    Example: planner validate data/example --date 2026-11-23
    """
    from planner.data.contract import load_folder
    from planner.data.history_formats import COHORT, REFERRALS
    from planner.data.summary import validation_report
    from planner.data.table import read_file

    problems: list[str] = []
    try:
        data = load_folder(data_dir, on=on.date() if on is not None else None)
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
    report = validation_report(data_dir, data, on=on.date() if on is not None else None)
    click.echo("\n".join(report + history))


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
    """Write a realistic synthetic county to OUT_DIR in data contract v1.2.

    Calibrated on the council's DfE care leaver figures and ONS population (printed with their
    sources); the same seed gives the same files.

    Example: planner demo demo --county "East Sussex" --seed 2
    """
    from planner.data.districts import find_council
    from planner.data.formats import uk_date

    try:  # the council is checked before the generator and its libraries are imported
        find_council(county)
    except LookupError as e:
        raise BadInput(f"--county: {e.args[0]}") from None
    from planner.demo import calibration, describe, write_county

    cal = calibration(county)
    try:
        made = write_county(out_dir, cal, people=people, seed=seed, on=on.date())
    except OSError as e:
        raise cannot_write(out_dir, e, "OUT_DIR") from None
    click.echo(
        f"Wrote {out_dir}/ for {cal.council.name} ({cal.council.code}), seed {seed}, "
        f"date {uk_date(on)}: {', '.join(sorted(f.name for f in out_dir.glob('*.csv')))}"
    )
    click.echo("\n".join(describe(made.data, cal, on=on.date(), referrals=made.history.referrals)))


def _collection_year(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """'2024-25' (or 2024/25, 2024-2025) -> 2024, the year the collection year starts in."""
    if value is None:
        return None
    from planner.sources.ssda903_files import year_in_name

    year = year_in_name(value) if len(value.strip()) > 4 else None
    if year is None:
        raise click.BadParameter(f"{value!r} is not a collection year: write it as 2024-25")
    return year


@click.command("import-903")
@click.argument("src", type=DATA_DIR)
@click.option("--out", "out_dir", type=OUT_DIR, required=True,
              help="Folder to write cohort.csv and referrals.csv into (created if need be).")  # fmt: skip
@click.option("--on-error", type=click.Choice(["skip", "reject"]), default="skip", show_default=True,
              help="skip: drop each invalid value and list it; reject: write nothing, exit 2.")  # fmt: skip
@click.option("--year", callback=_collection_year, default=None, metavar="YYYY-YY",
              help="Collection year of the return, e.g. 2024-25 [default: from folder or file names, "
                   "else from the dates in the return].")  # fmt: skip
@click.option("--date", "on", type=DATE, default=None,
              help="Date the cohort is taken on [default: 31 March ending the latest year].")  # fmt: skip
@click.option("--council", default=None, metavar="NAME|CODE",
              help="Whose returns these are, e.g. Lancashire or E10000017 [default: found from the "
                   "postcodes].")  # fmt: skip
@click.option("--all-problems", is_flag=True, help="List every invalid value, not a summary by column.")
def import_903_cmd(
    src: Path,
    out_dir: Path,
    on_error: str,
    year: int | None,
    on: datetime | None,
    council: str | None,
    all_problems: bool,
) -> None:
    """Turn SSDA903 returns in SRC (Header, Episodes, OC3 and optional UASC and Missing CSV files,
    found by their columns; one folder or file name per collection year, 2017-18 to 2025-26; a
    bare year such as 2019-episodes.csv read from the dates) into cohort.csv and referrals.csv:
    the children looked after aged 13 to 17, and the events that need a place (leaving care,
    moves between OC3 years, releases from custody), with nothing identifying kept.

    Ids are salted hashes: set PLANNER_903_SALT to keep them stable across imports. --council
    says whose returns they are where the postcodes cannot (missing or invented); otherwise the
    council is found from the postcodes and printed.

    Example: planner import-903 returns/ --out imported

    Example: planner import-903 returns/ --out imported --council Lancashire
    """
    from planner.sources import import_903, write_import
    from planner.sources.ssda903_report import import_report

    try:
        result = import_903(
            src,
            on=on.date() if on else None,
            on_error=on_error,  # type: ignore[arg-type]
            year=year,
            council=council,
        )
    except InvalidInput as e:
        if e.problems and e.problems[0].file == "--council":
            raise BadInput(f"--council: {e.problems[0].message}") from None
        heading = "Rejected, nothing written:" if on_error == "reject" else "Nothing written:"
        raise BadInput.of(e, heading) from None
    created = not out_dir.exists()
    try:
        written = write_import(result, out_dir)
    except OSError as e:
        raise BadInput(f"--out {out_dir}: cannot write there ({e.strerror or e})") from None
    click.echo("\n".join(import_report(result, out_dir, all_problems=all_problems)))
    click.echo(
        f"Wrote {' and '.join(str(p) for p in written)}" + (f" (created {out_dir}/)." if created else ".")
    )
