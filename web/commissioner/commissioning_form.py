"""The commissioning plan's form: a weekly budget, the months and runs, and the candidate places the
optimiser may buy: the defaults (`planner.simulate.commissioning.default_candidates`: every district
x intensive and high semi-independent, parent-and-child, medium supported lodgings x block and
spot, at the county's median prices) or the commissioner's own list, type, district, support level,
block or spot and price, with GOV.UK "add another". It is written as the scenario YAML
`planner commission` reads (its `candidates`), with the budget kept beside it.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, Final

from flask_wtf import FlaskForm
from wtforms import FieldList, FloatField, Form, FormField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.data.districts import district_name
from planner.simulate.scenario import DEFAULT_BNB_WEEKLY, DEFAULT_EMERGENCY_WEEKLY, Candidate, Scenario
from web.commissioner.scenario_form import accom_type_field, money, name_rules, support_level_field
from web.commissioner.scenario_yaml import quoted
from web.core.dates import date_field

DEFAULT_PLAN_MONTHS: Final = 24
DEFAULT_PLAN_RUNS: Final = 20  # fresh runs of the check; the command line's default is 50
MAX_PLAN_RUNS: Final = 50  # the most `commission` checks a plan on
BUDGET_MAX: Final = 1_000_000  # GBP a week: a county's whole supported accommodation, many times over


class CandidateEntry(Form):
    district = SelectField("District", choices=[], validate_choice=False)
    accom_type = accom_type_field()
    support_level = support_level_field()
    contract = SelectField(
        "Contract",
        choices=[SelectChoice("block", "Block"), SelectChoice("spot", "Spot")],
        default="block",
    )
    weekly_cost = money("Weekly cost per place (£)")
    max_places = IntegerField(
        "Most places",
        default=10,
        validators=[
            Optional(),
            NumberRange(1, 1000, message="Most places must be a whole number from 1 to 1,000"),
        ],
    )
    family = SelectField(
        "Units",
        choices=[SelectChoice("no", "Ordinary"), SelectChoice("yes", "Parent-and-child, step-free")],
        default="no",
    )


class PlanForm(FlaskForm):
    name = StringField("Name", validators=name_rules("plan"))
    description = StringField("Description", validators=[Length(max=500)])
    budget = FloatField(
        "Budget a week (£)",
        validators=[
            InputRequired(message="Enter the budget a week, in pounds"),
            NumberRange(0, BUDGET_MAX, message=f"The budget must be £0 to £{BUDGET_MAX:,} a week"),
        ],
    )
    start = date_field("Start date", required=True)
    months = IntegerField(
        "Months to plan for",
        default=DEFAULT_PLAN_MONTHS,
        validators=[
            DataRequired(message="Enter the months to plan for, 12 to 36"),
            NumberRange(12, 36, message="Months to plan for must be 12 to 36"),
        ],
    )
    runs = IntegerField(
        "Runs to check the plan on",
        default=DEFAULT_PLAN_RUNS,
        validators=[
            DataRequired(message="Enter the number of runs"),
            NumberRange(1, MAX_PLAN_RUNS, message=f"Runs must be 1 to {MAX_PLAN_RUNS}"),
        ],
    )
    which = RadioField(
        "Candidate places",
        choices=[
            SelectChoice("defaults", "The defaults for the county's districts, at its median prices"),
            SelectChoice("own", "My own list"),
        ],
        default="defaults",
    )
    candidates = FieldList(FormField(CandidateEntry), min_entries=1)
    bnb_weekly = money("B&B, a week (£)", required=True)
    emergency_weekly = money("Emergency accommodation, a week (£)", required=True)

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field's rules; with their own list, every candidate filled in needs all its details
        and the list at least one."""
        ok = super().validate(extra_validators)
        if self.which.data != "own":
            return ok
        filled = [e for e in self.candidates if not blank(e)]
        for entry in filled:
            f = entry.form
            needed = {
                f.district: "Choose the district of the candidate places",
                f.accom_type: "Choose the accommodation type of the candidate places",
                f.support_level: "Choose the support level of the candidate places",
                f.weekly_cost: "Enter the weekly cost per place",
            }
            for sub, message in needed.items():
                if sub.data in (None, "") and not sub.errors:
                    sub.errors, ok = [message], False
        if not filled:
            self.candidates[0].form.district.errors = ["Add at least one candidate, or choose the defaults"]
            ok = False
        return ok


def blank(entry: FormField) -> bool:
    f = entry.form
    return not f.district.data and f.weekly_cost.data is None and not f.accom_type.data


def set_choices(form: PlanForm, codes: list[str]) -> None:
    places = [SelectChoice("", "Choose a district")] + [
        SelectChoice(c, f"{district_name(c)} ({c})") for c in codes
    ]
    for entry in form.candidates:
        entry.form.district.choices = places


def fill_candidates(form: PlanForm, cands: tuple[Candidate, ...]) -> None:
    """The candidate list as entries (the defaults, to edit; or a saved plan's own)."""
    form.candidates.entries, form.candidates.last_index = [], -1
    for c in cands:
        item = {
            "district": c.district,
            "accom_type": c.accom_type,
            "support_level": c.support_level,
            "contract": c.contract,
            "weekly_cost": c.weekly_cost,
            "max_places": c.max_places,
            "family": "yes" if c.parent_and_child else "no",
        }
        form.candidates.append_entry(SimpleNamespace(**item))
    if not cands:
        form.candidates.append_entry()


def defaults(form: PlanForm, on: date) -> None:
    form.start.data, form.months.data, form.runs.data = on, DEFAULT_PLAN_MONTHS, DEFAULT_PLAN_RUNS
    form.which.data = "defaults"
    form.bnb_weekly.data, form.emergency_weekly.data = DEFAULT_BNB_WEEKLY, DEFAULT_EMERGENCY_WEEKLY
    fill_candidates(form, ())


def fill_form(form: PlanForm, s: Scenario, budget: float | None) -> None:
    form.name.data, form.description.data, form.budget.data = s.name, s.description, budget
    form.start.data, form.months.data, form.runs.data = s.start, s.months, s.runs
    form.bnb_weekly.data, form.emergency_weekly.data = s.bnb_weekly, s.emergency_weekly
    form.which.data = "own" if s.candidates else "defaults"
    fill_candidates(form, s.candidates)


def plan_yaml(form: PlanForm) -> str:
    """The scenario YAML `planner commission` reads, with the candidates when they are the
    commissioner's own (without, it uses the defaults for the data it runs on)."""
    lines = [
        f"name: {form.name.data}",
        f"description: {quoted(form.description.data or '')}",
        f"start: {form.start.data:%Y-%m-%d}",
        f"months: {form.months.data}",
        f"runs: {form.runs.data}",
        "seed: 1",
        "policies: [optimised]",
        "costs:",
        f"  bnb_weekly: {form.bnb_weekly.data:g}",
        f"  emergency_weekly: {form.emergency_weekly.data:g}",
    ]
    own = [e.form for e in form.candidates if not blank(e)] if form.which.data == "own" else []
    if own:
        lines.append("candidates:")
    for c in own:
        family = "yes" if c.family.data == "yes" else "no"
        lines += [
            f"  - district: {c.district.data}   # {district_name(c.district.data)}",
            f"    type: {c.accom_type.data}",
            f"    support_level: {c.support_level.data}",
            f"    contract: {c.contract.data}",
            f"    weekly_cost: {c.weekly_cost.data:g}",
            f"    max_places: {c.max_places.data or 10}",
            f"    parent_and_child: {family}",
            f"    wheelchair_accessible: {family}",
        ]
    return "\n".join(lines) + "\n"
