"""CSV files people open are safe in a spreadsheet (no cell starts a formula), while files the
planner reads back round-trip exactly; scenario YAML too big, too deep or with aliases is
refused with a message, never a traceback or a 500."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from flask import Flask
from web_support import EXAMPLE, SignIn

from planner.cli import cli
from planner.data.contract import SCHEMES
from planner.data.formats import spreadsheet_cell, spreadsheet_safe, spreadsheet_safe_csv
from planner.data.limits import SCENARIO_YAML_MAX_BYTES
from planner.data.table import format_table, read_table
from web.core.db import get_db
from web.core.scenario_models import ScenarioRecord, ScenarioRun

FORMULA = '=HYPERLINK("http://evil.example","Click")'


def _formula_cells(text: str) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe_and_numbers_stay_numbers():
    cells = ["=1+1", "+44 20 7946 0000", "-cmd", "@SUM(A1)", "\tx", "YP-0001", "", "-3.5", "+2", "1e5"]
    assert [spreadsheet_cell(c) for c in cells] == [
        "'=1+1", "'+44 20 7946 0000", "'-cmd", "'@SUM(A1)", "'\tx", "YP-0001", "", "-3.5", "+2", "1e5",
    ]  # fmt: skip
    frame = spreadsheet_safe(pd.DataFrame({"name": ["=x", "ok"], "change": [-1.5, 2.0]}))
    assert frame["name"].tolist() == ["'=x", "ok"] and frame["change"].tolist() == [-1.5, 2.0]
    assert spreadsheet_safe_csv("scenario,mean\n-bad,-2\n") == "scenario,mean\n'-bad,-2\n"


@pytest.mark.parametrize(
    ("column", "quoted"),
    [
        (["ok", "fine", "@SUM(A1)"], 1),  # the last cell
        (["=x", "ok"], 1),  # the first
        (["ok", "a\x00=b", "=c"], 1),  # a NUL inside a value cannot hide a formula after it
        (["ok", None, "-cmd"], 1),  # not every cell is text
        (["ok", "a =b", "x-1"], 0),  # a sign inside a cell is no formula
    ],
)
def test_every_cell_that_would_run_is_found_wherever_it_is_in_the_column(column: list, quoted: int) -> None:
    frame = pd.DataFrame({"c": column})
    want = [spreadsheet_cell(v) if isinstance(v, str) else v for v in frame["c"]]
    assert spreadsheet_safe(frame)["c"].tolist() == want
    assert sum(isinstance(v, str) and v.startswith("'") for v in want) == quoted


def _folder_with_scheme_named(tmp_path: Path, name: str) -> Path:
    rows = list(csv.reader(io.StringIO((EXAMPLE / "schemes.csv").read_text())))
    for row in rows[1:]:
        row[rows[0].index("name")] = name
    with (tmp_path / "schemes.csv").open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    (tmp_path / "young_people.csv").write_bytes((EXAMPLE / "young_people.csv").read_bytes())
    return tmp_path


def test_matches_csv_reasons_never_start_a_formula(tmp_path: Path):
    folder = _folder_with_scheme_named(tmp_path, FORMULA)
    result = CliRunner().invoke(
        cli, ["match", str(folder), "--date", "2026-11-23", "--out", str(tmp_path / "m.csv")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "m.csv").read_text()
    assert FORMULA.replace('"', '""') in text  # the reason names the scheme...
    assert _formula_cells(text) == []  # ...without a spreadsheet running it
    reasons = pd.read_csv(tmp_path / "m.csv")["reason"].dropna()
    assert reasons.str.startswith("'=HYPERLINK").any()


def test_files_the_planner_reads_back_round_trip_exactly_even_with_formula_like_text(tmp_path: Path):
    folder = _folder_with_scheme_named(tmp_path, FORMULA)
    schemes = read_table((folder / "schemes.csv").read_bytes(), SCHEMES)
    again = read_table(format_table(schemes, SCHEMES).encode(), SCHEMES)
    assert again["name"].tolist() == [FORMULA] * len(schemes)


def test_web_downloads_of_the_map_and_scenario_tables_are_spreadsheet_safe(web_app: Flask, sign_in: SignIn):
    with web_app.app_context():
        db = get_db()
        record = ScenarioRecord(name="-bad-name", yaml_text="")
        db.add(record)
        db.flush()
        summary = "scenario,policy,metric,mean\n-bad-name,fcfs,bnb_nights,-2.5\n"
        run = ScenarioRun(scenario_id=record.id, yaml_text="", status="done", summary_csv=summary)
        db.add(run)
        db.commit()
        run_id = run.id
    commissioner = sign_in("commissioner")
    summary = commissioner.get(f"/scenarios/runs/{run_id}/summary.csv").get_data(as_text=True)
    assert summary == "scenario,policy,metric,mean\n'-bad-name,fcfs,bnb_nights,-2.5\n"
    shortfall = commissioner.get("/map.csv")
    assert shortfall.status_code == 200 and _formula_cells(shortfall.get_data(as_text=True)) == []


def _deep(levels: int) -> str:
    return "name: deep\nstart: 2026-11-23\ndemand: " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_deep(5000), "is nested more than 20 levels deep"),
        ("name: big\nstart: 2026-11-23\ndescription: '" + "x" * (SCENARIO_YAML_MAX_BYTES + 10) + "'\n",
         "at most 256 kB is read"),
        ("name: &n alias\nstart: 2026-11-23\ndescription: *n\n", "uses an anchor or alias"),
    ],
)  # fmt: skip
def test_scenario_yaml_too_deep_too_big_or_with_aliases_is_refused_on_the_command_line(
    tmp_path, text, message
):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    result = CliRunner().invoke(
        cli, ["scenario", str(path), "--out", str(tmp_path / "out"), "--data", str(EXAMPLE)]
    )
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_a_nineteen_megabyte_scenario_file_is_refused_without_reading_it(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    path.write_text("name: huge\n# " + "x" * 19_000_000 + "\n")
    result = CliRunner().invoke(cli, ["scenario", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "huge.yaml: is 18,555 kB; at most 256 kB is read" in result.output


def test_deep_scenario_yaml_in_the_web_is_a_400_with_the_message(sign_in: SignIn):
    response = sign_in("commissioner").post(
        "/scenarios/new", data={"source": "yaml", "yaml_text": _deep(5000)}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "is nested more than 20 levels deep" in body
