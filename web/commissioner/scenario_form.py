"""The scenario form: the common changes a commissioner makes, written to the same YAML as
data/scenarios/ and checked by `planner.simulate.scenario.parse_scenario`, so the form, the YAML box and
`planner scenario` accept exactly the same scenarios.

The app simulates the young people, schemes and referrals in its database, so its YAML has no
`data` key (parse_scenario's `data_dir` stands in for it; messages call the data `database`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from planner.data.districts import district_name, districts
from planner.data.limits import SCENARIO_NAME_MAX_LENGTH, WEEKLY_COST_MAX
from planner.data.problems import InvalidInput, Problem
from planner.data.vocab import ACCOM_LABELS, SCHEME_TYPES, SUPPORT_LEVELS, UNSUITABLE_TYPES
from planner.data.yaml_reader import YamlProblem, compose
from planner.simulate.report import POLICY_LABELS
from planner.simulate.scenario import POLICIES, AddPlaces, CloseScheme, Scenario, parse_scenario
from web.core.dates import date_field

FILE = "scenario.yaml"  # how the YAML is named in messages
DATA_NAME = "database"  # what build_world's messages call the data: the app's database
DEFAULT_MONTHS = 12
DEFAULT_RUNS = 20  # small: a run of the demo county finishes in a few seconds
MAX_RUNS = 200  # the web runs in the app's process; bigger studies belong to `planner scenario`
SUITABLE_TYPES = sorted(SCHEME_TYPES - UNSUITABLE_TYPES)
SKIP_POLICY = "clairvoyant"  # the bound needs no choice of policy in the form's default


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScenarioForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Enter a name for the scenario"),
            Length(
                max=SCENARIO_NAME_MAX_LENGTH,
                message=f"Name must be {SCENARIO_NAME_MAX_LENGTH} characters or fewer",
            ),
            Regexp(r"^[A-Za-z0-9_-]+$", message="Name must be letters, digits, '-' or '_' (no spaces)"),
        ],
    )
    description = StringField("Description", validators=[Length(max=500)])
    start = date_field("Start date", required=True)
    months = IntegerField(
        "Months to simulate",
        default=DEFAULT_MONTHS,
        validators=[
            DataRequired(message="Enter the months to simulate, 12 to 36"),
            NumberRange(12, 36, message="Months to simulate must be 12 to 36"),
        ],
    )
    runs = IntegerField(
        "Monte Carlo runs",
        default=DEFAULT_RUNS,
        validators=[
            DataRequired(message="Enter the number of runs"),
            NumberRange(1, MAX_RUNS, message=f"Monte Carlo runs must be 1 to {MAX_RUNS}"),
        ],
    )
    policies = MultiCheckboxField(
        "Placement policies to compare",
        choices=[SelectChoice(p, POLICY_LABELS[p]) for p in POLICIES],
        default=["fcfs", "optimised"],
        validators=[DataRequired(message="Choose at least one placement policy")],
    )
    growth_percent = FloatField(
        "Demand growth (%)",
        default=0.0,
        validators=[Optional(), NumberRange(-100, 1000, message="Demand growth must be -100 to 1000 %")],
    )
    add_district = SelectField("District", choices=[], validate_choice=False)
    add_type = SelectField(
        "Accommodation type",
        choices=[SelectChoice("", "Choose a type")]
        + [SelectChoice(t, f"{t} {ACCOM_LABELS[t]}") for t in SUITABLE_TYPES],
        validate_choice=False,  # parse_scenario checks the value and names it
    )
    add_support = SelectField(
        "Support level",
        choices=[SelectChoice("", "Choose a level")]
        + [SelectChoice(s, s.capitalize()) for s in SUPPORT_LEVELS],
        validate_choice=False,
    )
    add_places = IntegerField(
        "Places",
        validators=[Optional(), NumberRange(1, 10_000, message="Places must be a whole number from 1")],
    )
    add_cost = FloatField(
        "Weekly cost per place (£)",
        validators=[
            Optional(),
            NumberRange(0, WEEKLY_COST_MAX, message=f"Weekly cost must be £0 to £{WEEKLY_COST_MAX:,}"),
        ],
    )
    add_from = date_field("Places available from")
    add_contract = RadioField(
        "Contract",
        choices=[
            SelectChoice("block", "Block: paid for whether used or not"),
            SelectChoice("spot", "Spot: paid for only when used"),
        ],
        default="block",
    )
    add_high_risk = BooleanField("Accepts young people assessed as high risk")
    add_ofsted = BooleanField("Ofsted registered (16 and 17 year olds may live there)", default=True)
    close_scheme = SelectField("Scheme to close", choices=[], validate_choice=False)
    close_from = date_field("Closes from")
    yaml_text = TextAreaField("Scenario YAML")

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field's own rules, then the ones between fields: new places need all their details,
        a closure its date."""
        ok = super().validate(extra_validators)
        needed: dict[Any, str] = {}
        if self.add_places.data is not None:
            needed = {
                self.add_district: "Choose the district for the new places",
                self.add_type: "Choose the accommodation type of the new places",
                self.add_support: "Choose the support level of the new places",
                self.add_cost: "Enter the weekly cost per place",
                self.add_from: "Enter the date the new places are available from",
            }
        if self.close_scheme.data:
            needed[self.close_from] = "Enter the date the scheme closes from"
        for field, message in needed.items():
            if field.data in (None, "") and not field.errors:
                field.errors = [message]
                ok = False
        return ok


def set_choices(form: ScenarioForm, codes: list[str], schemes: pd.DataFrame) -> None:
    """District and scheme options from the data in the database."""
    form.add_district.choices = [SelectChoice("", "Choose a district")] + [
        SelectChoice(c, f"{district_name(c)} ({c})") for c in codes
    ]
    suitable = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))].sort_values("name")
    form.close_scheme.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(s.scheme_id), f"{s.name} ({s.scheme_id}), {district_name(str(s.district))}")
        for s in suitable.itertuples()
    ]


def council_districts(codes: set[str]) -> list[str]:
    """Every district of the councils (upper tier) the data are in, or none without data."""
    reg = districts()
    utlas = set(reg.loc[sorted(c for c in codes if c in reg.index), "utla_code"])
    return sorted(reg.index[reg["utla_code"].isin(list(utlas))], key=district_name)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def form_yaml(form: ScenarioForm) -> str:
    """The YAML the form stands for (the same format as data/scenarios/)."""
    lines = [
        f"name: {form.name.data}",
        f"description: {_q(form.description.data or '')}",
        f"start: {form.start.data:%Y-%m-%d}",
        f"months: {form.months.data}",
        f"runs: {form.runs.data}",
        "seed: 1",
        f"policies: [{', '.join(form.policies.data or [])}]",
    ]
    if form.growth_percent.data:
        lines += ["demand:", f"  growth_percent: {form.growth_percent.data:g}"]
    changes = []
    if form.add_places.data is not None:
        code = form.add_district.data
        changes += [
            "  - add_places:",
            f"      district: {code}   # {district_name(code)}",
            f"      type: {form.add_type.data}   # {ACCOM_LABELS.get(form.add_type.data, '')}",
            f"      support_level: {form.add_support.data}",
            f"      places: {form.add_places.data}",
            f"      weekly_cost: {form.add_cost.data:g}   # GBP per place per week",
            f"      from: {form.add_from.data:%Y-%m-%d}",
            f"      contract: {form.add_contract.data}",
            f"      accepts_high_risk: {str(bool(form.add_high_risk.data)).lower()}",
            f"      ofsted_registered: {str(bool(form.add_ofsted.data)).lower()}",
        ]
    if form.close_scheme.data:
        changes += [
            "  - close_scheme:",
            f"      scheme_id: {form.close_scheme.data}",
            f"      from: {form.close_from.data:%Y-%m-%d}",
        ]
    if changes:
        lines += ["changes:", *changes]
    return "\n".join(lines) + "\n"


def fill_form(form: ScenarioForm, s: Scenario) -> bool:
    """Put a scenario into the form; False when it has more than the form can show (then the
    YAML is the way to edit it)."""
    form.name.data, form.description.data, form.start.data = s.name, s.description, s.start
    form.months.data, form.runs.data, form.policies.data = s.months, s.runs, list(s.policies)
    form.growth_percent.data = s.demand.growth_percent
    adds = [c for c in s.changes if isinstance(c, AddPlaces)]
    closes = [c for c in s.changes if isinstance(c, CloseScheme)]
    if adds:
        a = adds[0]
        form.add_district.data, form.add_type.data, form.add_support.data = (
            a.district,
            a.accom_type,
            a.support_level,
        )
        form.add_places.data, form.add_cost.data, form.add_from.data = a.places, a.weekly_cost, a.start
        form.add_contract.data, form.add_high_risk.data = a.contract, a.accepts_high_risk
        form.add_ofsted.data = a.ofsted_registered
    if closes:
        form.close_scheme.data, form.close_from.data = closes[0].scheme_id, closes[0].start
    simple = AddPlaces(
        "", "", "", 1, 0.0, date.min
    )  # the defaults of the fields the form does not show, to spot a scenario that sets them
    extra_add = adds and any(
        getattr(adds[0], f) != getattr(simple, f)
        for f in ("gender", "min_age", "max_age", "wheelchair_accessible", "parent_and_child")
    )
    fits = (
        len(adds) <= 1
        and len(closes) <= 1
        and len(adds) + len(closes) == len(s.changes)
        and not extra_add
        and not s.demand.by_district
        and not s.demand.by_need
        and not s.candidates
        and s.seed == 1
    )
    return bool(fits)


def parse(text: str, scheme_ids: set[str]) -> Scenario:
    """Check scenario YAML as `planner scenario` does, plus what the app knows: there is no `data`
    key (the database is the data) and closed or changed schemes exist. Raises InvalidInput."""
    try:
        root = compose(text, FILE)  # raises InvalidInput when too big, too deep or with aliases
    except yaml.YAMLError:
        root = None  # parse_scenario reports it with its line
    if isinstance(root, yaml.MappingNode):
        for k, _ in root.value:
            if str(k.value) == "data":
                line = k.start_mark.line + 1
                message = (
                    "remove this key: the app simulates the people, schemes and referrals in its database"
                )
                raise InvalidInput([YamlProblem(FILE, line, "data", message)])
    scenario = parse_scenario(text, FILE, Path.cwd(), data_dir=Path.cwd())
    scenario = replace(scenario, data_dir=Path(DATA_NAME))
    problems: list[Problem] = []
    if scenario.runs > MAX_RUNS:  # the app's process runs it: bigger studies belong to the CLI
        keys = root.value if isinstance(root, yaml.MappingNode) else []
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


# Keys in parse_scenario's messages, and the form field each belongs to.
FIELD_OF_KEY = {
    "name": "name",
    "description": "description",
    "start": "start",
    "months": "months",
    "runs": "runs",
    "policies": "policies",
    "demand.growth_percent": "growth_percent",
    "add_places.district": "add_district",
    "add_places.type": "add_type",
    "add_places.support_level": "add_support",
    "add_places.places": "add_places",
    "add_places.weekly_cost": "add_cost",
    "add_places.from": "add_from",
    "close_scheme.scheme_id": "close_scheme",
    "close_scheme.from": "close_from",
}


def field_for(problem: Problem) -> str | None:
    """The form field a YAML problem is about (`changes[0].add_places.from` -> `add_from`)."""
    key = problem.column or ""
    key = key.split("].", 1)[1] if key.startswith("changes[") and "]." in key else key
    key = key.split("[", 1)[0]
    return FIELD_OF_KEY.get(key)


def starter_yaml(start: date) -> str:
    """What the YAML box holds for a new scenario: a valid file to edit, with an example change."""
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
"""
