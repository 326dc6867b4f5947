"""Commands writing where they cannot, or given amounts that are not amounts, say so and exit
2, never a traceback: --out into a folder that does not exist yet is made, a demo into a place
that cannot be written is named, --budget nan or inf is refused; a `planner serve` that cannot
start (no SECRET_KEY) has not marked the database live."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from planner.cli import cli
from web.core.db import make_engine


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "demo"
    assert _run("demo", str(folder), "--seed", "1", "--date", "2026-11-23").exit_code == 0
    return folder


def test_match_out_into_a_folder_not_made_yet_makes_it(demo: Path, tmp_path: Path):
    out = tmp_path / "new" / "week-48" / "matches.csv"
    result = _run("match", str(demo), "--date", "2026-11-23", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("person_id,")


def test_forecast_out_into_a_folder_not_made_yet_makes_it(demo: Path, tmp_path: Path):
    out = tmp_path / "forecasts" / "forecast.csv"
    result = _run("forecast", str(demo), "--months", "3", "--runs", "50", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("month,") and not list(out.parent.glob("*.part"))


def test_outputs_where_nothing_can_be_written_are_exit_2_naming_the_place(demo: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args, named in [
        (("match", str(demo), "--date", "2026-11-23", "--out", str(blocker / "m.csv")), str(blocker)),
        (
            ("forecast", str(demo), "--months", "3", "--runs", "50", "--out", str(blocker / "f.csv")),
            str(blocker),
        ),
        (("demo", str(blocker / "demo"), "--seed", "1"), str(blocker / "demo")),
    ]:
        result = _run(*args)
        assert result.exit_code == 2 and named in result.output, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.mark.parametrize("budget", ["nan", "inf", "-inf", "NaN"])
def test_commission_refuses_a_budget_that_is_not_an_amount(budget: str, tmp_path: Path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\n")
    result = _run("commission", str(scenario), "--budget", budget, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "--budget" in result.output and "Traceback" not in result.output


def test_a_serve_that_cannot_start_has_not_touched_the_database(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = _run("serve", "--port", "5993")
    assert result.exit_code == 2 and "SECRET_KEY is not set" in result.output
    engine = make_engine(empty_database)
    try:
        tables = inspect(engine).get_table_names()
        if "site" in tables:  # nothing should have been made at all; a mode least of all
            with engine.connect() as conn:
                assert conn.execute(text("SELECT COUNT(*) FROM site")).scalar() == 0
        assert tables == []
    finally:
        engine.dispose()
