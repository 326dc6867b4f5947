"""The `planner` command line: library first, this is a thin layer over it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from planner.contract import Dataset, load_folder
from planner.problems import InvalidInput
from planner.settings import Settings
from planner.summary import by_district


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
    and exits with status 2.

    Example: planner validate data/example
    """
    data = _load(data_dir)
    table = by_district(data)
    click.echo(
        f"{data_dir}: valid. {len(data.people)} young people, {len(data.schemes)} schemes, "
        f"{int(data.schemes['capacity'].sum())} places, {int(data.schemes['vacancies'].sum())} vacancies."
    )
    click.echo(table.to_string(index=False))


def main() -> None:
    cli(prog_name="planner")
