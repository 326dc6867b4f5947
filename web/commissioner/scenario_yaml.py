"""Scenario YAML in the web app: checked as `planner scenario` checks it, plus what the app knows
(`parse`); renamed in place (`renamed`, for copies and renames); the starter text of a new one.

The app simulates the young people, schemes and referrals in its database, so its YAML has no
`data` key (parse_scenario's `data_dir` stands in for it; messages call the data `database`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import yaml

from planner.data.problems import InvalidInput, Problem
from planner.data.yaml_reader import YamlProblem, compose
from planner.simulate.scenario import CloseScheme, Scenario, parse_scenario

FILE = "scenario.yaml"  # how the YAML is named in messages
DATA_NAME = "database"  # what build_world's messages call the data: the app's database
DEFAULT_MONTHS = 12
DEFAULT_RUNS = 20  # small: a run of the demo county finishes in a few seconds
MAX_RUNS = 200  # the web runs in the app's process; bigger studies belong to `planner scenario`


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _keys(text: str) -> list[tuple[yaml.Node, yaml.Node]]:
    try:
        root = compose(text, FILE)  # raises InvalidInput when too big, too deep or with aliases
    except yaml.YAMLError:
        return []  # parse_scenario reports it with its line
    return list(root.value) if isinstance(root, yaml.MappingNode) else []


def parse(text: str, scheme_ids: set[str]) -> Scenario:
    """Check scenario YAML as `planner scenario` does, plus what the app knows: there is no `data`
    key (the database is the data) and closed or changed schemes exist. Raises InvalidInput."""
    keys = _keys(text)
    for k, _ in keys:
        if str(k.value) == "data":
            line = k.start_mark.line + 1
            message = "remove this key: the app simulates the people, schemes and referrals in its database"
            raise InvalidInput([YamlProblem(FILE, line, "data", message)])
    scenario = parse_scenario(text, FILE, Path.cwd(), data_dir=Path.cwd())
    scenario = replace(scenario, data_dir=Path(DATA_NAME))
    problems: list[Problem] = []
    if scenario.runs > MAX_RUNS:  # the app's process runs it: bigger studies belong to the CLI
        line = next((k.start_mark.line + 1 for k, _ in keys if str(k.value) == "runs"), None)
        message = f"{scenario.runs} is more than {MAX_RUNS}, the most the web app runs (use planner scenario)"
        problems.append(YamlProblem(FILE, line, "runs", message))
    for i, c in enumerate(scenario.changes):
        sid = getattr(c, "scheme_id", None)
        if sid is not None and sid not in scheme_ids:
            kind = "close_scheme" if isinstance(c, CloseScheme) else "change_scheme"
            problems.append(
                YamlProblem(
                    FILE, c.line, f"changes[{i}].{kind}.scheme_id", f"{sid!r} is not a suitable scheme here"
                )
            )
    if problems:
        raise InvalidInput(problems)
    return scenario


def renamed(text: str, name: str) -> str:
    """The same YAML with its `name` set to `name`, everything else (comments too) as it was."""
    for k, v in _keys(text):
        if str(k.value) == "name" and isinstance(v, yaml.ScalarNode):
            return text[: v.start_mark.index] + name + text[v.end_mark.index :]
    return f"name: {name}\n{text}"


def starter_yaml(start: date) -> str:
    """What the YAML box holds for a new scenario: a valid file to edit, with example changes."""
    return f"""name: my-scenario
description: "What this scenario tries"
start: {start:%Y-%m-%d}
months: {DEFAULT_MONTHS}
runs: {DEFAULT_RUNS}
policies: [fcfs, optimised]
demand:
  growth_percent: 0     # e.g. 15 for 15% more referrals; by_district and by_need also work
changes: []
# changes:
#   - add_places:
#       district: E07000080   # an ONS district code
#       type: D               # SSDA903 accommodation type
#       support_level: high
#       places: 6
#       weekly_cost: 1400
#       from: {start:%Y-%m-%d}
#       contract: block       # or spot
#   - close_scheme:
#       scheme_id: SC-0001
#       from: {start:%Y-%m-%d}
#   - change_scheme:          # fewer places, or a new price
#       scheme_id: SC-0002
#       capacity: 4
#       weekly_cost: 950
#       from: {start:%Y-%m-%d}
"""
