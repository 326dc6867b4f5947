"""Every command is documented: its --help has an example and the README describes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_commands_of_the_specification_exist() -> None:
    spec = {
        "validate",
        "demo",
        "match",
        "options",
        "scenario",
        "commission",
        "import-903",
        "forecast",
        "serve",
    }
    assert spec <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_gives_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_documents_command(name: str) -> None:
    assert f"### `planner {name}" in README
