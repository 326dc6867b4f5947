"""Scenario YAML files: good ones read into a Scenario, bad ones name the file, line and key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_fixtures import dataset, referrals_frame

from planner.cli import cli
from planner.data.contract import PEOPLE, SCHEMES
from planner.data.problems import InvalidInput
from planner.data.table import write_table
from planner.forecast.history import REFERRALS
from planner.simulate.scenario import AddPlaces, ChangeScheme, CloseScheme, load_scenario, parse_scenario
from planner.simulate.world import build_world

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "scenarios"

GOOD = """\
name: more-lodgings
data: county
start: 2026-11-23
months: 18
runs: 20
seed: 4
policies: [fcfs, optimised, clairvoyant]
demand:
  growth_percent: 15
  by_district: {E07000080: 10}
  by_need: {high: 20}
changes:
  - add_places: {district: E07000080, type: E, support_level: medium, places: 12, weekly_cost: 550,
                 from: 2027-01-04, contract: spot}
  - close_scheme: {scheme_id: S3, from: 2027-04-01}
  - change_scheme: {scheme_id: S2, from: 2027-06-01, capacity: 20, weekly_cost: 480}
costs: {bnb_weekly: 500}
"""


@pytest.fixture
def county(tmp_path: Path) -> Path:
    folder = tmp_path / "county"
    folder.mkdir()
    data = dataset()
    write_table(data.people, PEOPLE, folder)
    write_table(data.schemes, SCHEMES, folder)
    write_table(referrals_frame(), REFERRALS, folder)
    return folder


def test_a_complete_scenario_file_is_read(county: Path):
    s = parse_scenario(GOOD, "more.yaml", county.parent)
    assert (s.name, s.data_dir, s.start, s.months, s.runs, s.seed) == (
        "more-lodgings", county.resolve(), date(2026, 11, 23), 18, 20, 4)  # fmt: skip
    assert s.policies == ("fcfs", "optimised", "clairvoyant")
    assert (s.demand.growth_percent, s.demand.by_district, s.demand.by_need) == (
        15,
        {"E07000080": 10},
        {"high": 20},
    )
    add, close, change = s.changes
    assert isinstance(add, AddPlaces) and (add.places, add.contract, add.start) == (
        12,
        "spot",
        date(2027, 1, 4),
    )
    assert isinstance(close, CloseScheme) and close.scheme_id == "S3"
    assert isinstance(change, ChangeScheme) and (change.capacity, change.weekly_cost) == (20, 480)
    assert s.bnb_weekly == 500 and s.weeks == 78


def test_every_example_scenario_reads_and_builds_against_the_demo_county(tmp_path: Path):
    from planner.demo.county import write_demo

    write_demo(tmp_path / "demo", seed=1, on=date(2026, 11, 23))
    copies = tmp_path / "data" / "scenarios"
    shutil.copytree(EXAMPLES, copies)
    names = []
    for path in sorted(copies.glob("*.yaml")):
        s = load_scenario(path)
        assert s.data_dir == (tmp_path / "demo").resolve()
        from planner.data.contract import load_folder
        from planner.forecast.history import load_referrals

        build_world(s, load_folder(s.data_dir), load_referrals(s.data_dir))
        names.append(s.name)
    assert {"baseline", "add-places-forest-of-dean", "demand-plus-15", "provider-closure"} <= set(names)


BAD = [
    ("name: x\ndata: county\nstart: 2026-11-23\nmonths: [1\n", 4, None, "not valid YAML"),
    ("name: x\ndata: county\nstart: 2026-13-01\n", 3, "start", "'2026-13-01' is not a date"),
    ("name: x\ndata: county\nstart: 2026-11-23\nmonths: 48\n", 4, "months", "48 is outside 12 to 36"),
    ("name: x\ndata: county\nstart: 2026-11-23\nmonth: 24\n", 4, "month", "unknown key"),
    ("data: county\nstart: 2026-11-23\n", 1, "name", "required key is missing"),
    ("name: x\ndata: nowhere\nstart: 2026-11-23\n", 2, "data", "folder 'nowhere' does not exist"),
    ("name: x\ndata: county\nstart: 2026-11-23\npolicies: [fcfs, greedy]\n", 4, "policies[1]", "'greedy' is not a policy"),  # noqa: E501
    ("name: x\ndata: county\nstart: 2026-11-23\nchanges:\n  - add_places: {district: E07000080, type: E,\n"
     "      support_level: medium, places: 0, weekly_cost: 550, from: 2027-01-04}\n", 6,
     "changes[0].add_places.places", "0 is outside 1 to 10,000"),
    ("name: x\ndata: county\nstart: 2026-11-23\nchanges:\n  - add_places: {district: E0700008, type: W,\n"
     "      support_level: medium, places: 3, weekly_cost: 550, from: 2027-01-04}\n", 5,
     "changes[0].add_places.district", "'E0700008' is not an English district code"),
    ("name: x\ndata: county\nstart: 2026-11-23\ndemand:\n  by_need: {huge: 10}\n", 5, "demand.by_need.huge",
     "'huge' is not a support level"),
    ("name: x\ndata: county\nstart: 2026-11-23\nmonths: 12\nchanges:\n  - close_scheme: {scheme_id: S1, from: 2028-01-01}\n",  # noqa: E501
     6, "changes[0].close_scheme.from", "1 Jan 2028 is after the simulation ends (23 Nov 2027)"),
    ("name: x\ndata: county\nstart: 2026-11-23\nchanges:\n  - close_scheme: {from: 2027-01-01}\n", 5,
     "changes[0].close_scheme.scheme_id", "required key is missing"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "key", "message"), BAD)
def test_bad_scenario_files_name_the_file_line_and_key(text, line, key, message, county: Path):
    with pytest.raises(InvalidInput) as e:
        parse_scenario(text, "bad.yaml", county.parent)
    shown = str(e.value)
    where = f"bad.yaml line {line}" + (f", key {key}" if key else "")
    assert any(s.startswith(where) and message in s for s in e.value.lines()), shown


def test_a_change_naming_an_unknown_scheme_is_reported_with_its_line(county: Path):
    text = "name: x\ndata: county\nstart: 2026-11-23\nchanges:\n  - close_scheme: {scheme_id: NOPE, from: 2027-01-01}\n"  # noqa: E501
    s = parse_scenario(text, "bad.yaml", county.parent)
    with pytest.raises(
        InvalidInput, match=r"bad.yaml line 5, key scheme_id: 'NOPE' is not a suitable scheme"
    ):
        build_world(s, dataset(), referrals_frame())


def test_cli_scenario_writes_the_four_outputs_and_exits_2_on_a_bad_file(county: Path, tmp_path: Path):
    good = county.parent / "s.yaml"
    good.write_text("name: more\ndata: county\nstart: 2026-11-23\nmonths: 12\nruns: 2\n"
                    "changes:\n  - add_places: {district: E07000080, type: D, support_level: high, places: 4,\n"  # noqa: E501
                    "      weekly_cost: 900, from: 2026-12-07}\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scenario", str(good), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    for name in ("summary.csv", "by_district.csv", "by_month.csv", "report.html"):
        assert (out / name).stat().st_size > 0
    import pandas as pd

    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["scenario", "policy", "metric", "mean", "lo80", "hi80"]
    assert set(summary["scenario"]) == {"baseline", "more"}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 3 and "Forest of Dean" in page and "23 Nov 2026" in page

    bad = county.parent / "bad.yaml"
    bad.write_text("name: x\ndata: county\nstart: 2026-11-23\nruns: lots\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scenario", str(bad), "--out", str(tmp_path / "out2")])
    assert result.exit_code == 2
    assert "bad.yaml line 4, key runs: 'lots' is not a whole number" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out2").exists()


def test_cli_scenario_runs_on_a_dask_cluster(county: Path, tmp_path: Path):
    from distributed import LocalCluster

    good = county.parent / "s.yaml"
    good.write_text(
        "name: baseline\ndata: county\nstart: 2026-11-23\nmonths: 12\nruns: 2\n", encoding="utf-8"
    )
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        args = [
            "scenario",
            str(good),
            "--out",
            str(tmp_path / "out"),
            "--dask-scheduler",
            cluster.scheduler_address,
        ]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    import pandas as pd

    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert set(summary["scenario"]) == {"baseline"} and set(summary["policy"]) == {"fcfs", "optimised"}


def test_a_data_folder_given_instead_replaces_the_files_own(county: Path, tmp_path: Path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    without_data = GOOD.replace("data: county\n", "")
    s = parse_scenario(without_data, "more.yaml", other, data_dir=county)
    assert s.data_dir == county.resolve()
    missing = GOOD.replace("data: county", "data: not-here")
    assert parse_scenario(missing, "more.yaml", county.parent, data_dir=county).data_dir == county.resolve()
    with pytest.raises(InvalidInput) as e:
        parse_scenario(GOOD, "more.yaml", county.parent, data_dir=tmp_path / "nope")
    assert str(e.value).startswith("more.yaml key data: folder") and "does not exist" in str(e.value)


def test_scenario_command_runs_an_example_on_another_data_folder(county: Path, tmp_path: Path):
    args = [
        "scenario",
        str(EXAMPLES / "baseline.yaml"),
        "--data",
        str(county),
        "--out",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(cli, [*args, "--runs", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "summary.csv").is_file()


@pytest.mark.parametrize(
    "start", [date(2026, 1, 31), date(2024, 2, 29), date(2026, 11, 23), date(2026, 12, 31)]
)
@pytest.mark.parametrize("months", [0, 1, 11, 12, 13, 24, 120])
def test_a_scenarios_end_counts_months_as_pandas_does_without_loading_it(start: date, months: int) -> None:
    import pandas as pd

    from planner.data.formats import months_after

    assert months_after(start, months) == (pd.Timestamp(start) + pd.DateOffset(months=months)).date()


def test_a_mistyped_district_in_a_scenario_is_named_with_its_line(tmp_path: Path) -> None:
    text = "name: x\ndata: .\nstart: 2026-11-23\nmonths: 12\nruns: 2\n"
    text += "demand:\n  by_district: {E07000999: 10}\n"
    with pytest.raises(InvalidInput) as e:
        parse_scenario(text, "x.yaml", tmp_path)
    assert any("E07000999" in line and "line 7" in line for line in e.value.lines()), e.value.lines()
