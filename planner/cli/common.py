"""What every command shares: the bad-input exception (exit status 2), argument types, loading."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planner.data.problems import InvalidInput

if TYPE_CHECKING:
    from planner.data.contract import Dataset


class BadInput(click.ClickException):
    """Invalid user input: the message lists every problem; exit status 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def,override]
        click.echo(self.format_message(), err=True)

    @classmethod
    def of(cls, e: InvalidInput, heading: str = "") -> BadInput:
        """Every problem of `e` on its own line (file, row, column), after an optional heading."""
        return cls("\n".join(([heading] if heading else []) + e.lines()))


def load(folder: Path, on: date | None = None) -> Dataset:
    """young_people.csv and schemes.csv from `folder` (ages and legal statuses checked on the
    match date `on`, when given), or BadInput listing every problem."""
    from planner.data.contract import load_folder

    try:
        return load_folder(folder, on=on)
    except InvalidInput as e:
        raise BadInput.of(e) from None


DATA_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
SCENARIO_FILE = click.Path(dir_okay=False, path_type=Path)
DATE = click.DateTime(["%Y-%m-%d"])
