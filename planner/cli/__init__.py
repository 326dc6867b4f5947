"""The `planner` command line: a thin layer over the library, one module per group of commands.

`data` (validate, demo, import-903), `match` (match, options), `forecast`, `simulate` (scenario,
commission), `web` (serve) and `admin` (db upgrade|backup|restore, users create). Each module
imports the library inside its commands, so that `planner --help` starts at once. Only this
package imports click.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from planner.cli.admin import db, users
from planner.cli.common import BadInput
from planner.cli.data import demo, import_903_cmd, validate
from planner.cli.forecast import forecast_cmd
from planner.cli.match import match_cmd, options_cmd
from planner.cli.simulate import commission_cmd, scenario_cmd
from planner.cli.web import serve
from planner.data.settings import Settings

__all__ = ["BadInput", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="care-leaver-planner")
def cli() -> None:
    """Care leaver accommodation matching and capacity planner."""
    logging.basicConfig(level=Settings.from_env().log_level, stream=sys.stderr)


for command in (validate, demo, serve, match_cmd, options_cmd, scenario_cmd, forecast_cmd, commission_cmd,
                import_903_cmd, db, users):  # fmt: skip
    cli.add_command(command)


def main() -> None:
    # numpy asks for 2 MB pages (MADV_HUGEPAGE) for arrays of 4 MB or more. A command lives a few
    # seconds and touches each page once, so it gains nothing from them; on a virtual machine it
    # pays to have each one zeroed: a third of the England match's CPU, twice its system time
    # (benchmarks/README.md, issue 27). Set before numpy is imported; an explicit value is kept.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    cli(prog_name="planner")
