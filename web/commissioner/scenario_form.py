"""The scenario form: the changes a commissioner makes, several of each kind (GOV.UK "add another":
new places, closures, cuts in places or price, demand growth for everyone, a district or a support
need), and the costs of B&B and emergency nights. It is written to the same YAML as
data/scenarios/ and checked by `web.commissioner.scenario_yaml.parse`, so the form, the YAML box
and `planner scenario` accept exactly the same scenarios.

"Add another" and "Remove" post the form back with one entry more or less, checking nothing, so
it works without JavaScript; empty entries are left out when it is saved.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from planner.data.districts import district_name, districts
from planner.data.limits import SCENARIO_NAME_MAX_LENGTH, WEEKLY_COST_MAX
from planner.data.vocab import ACCOM_LABELS, SCHEME_TYPES, SUPPORT_LEVELS, UNSUITABLE_TYPES
from planner.simulate.report import POLICY_LABELS
from planner.simulate.scenario import (
    POLICIES,
)
from web.commissioner.scenario_yaml import DEFAULT_MONTHS, DEFAULT_RUNS, MAX_RUNS
from web.core.dates import date_field

SUITABLE_TYPES = sorted(SCHEME_TYPES - UNSUITABLE_TYPES)
LISTS: Final = ("growth", "adds", "closes", "cuts")  # the form's "add another" lists


def name_rules(what: str) -> list[Any]:
    """A scenario's or plan's name: it names rows of the results and files, so it is plain."""
    return [
        DataRequired(message=f"Enter a name for the {what}"),
        Length(
            max=SCENARIO_NAME_MAX_LENGTH,
            message=f"Name must be {SCENARIO_NAME_MAX_LENGTH} characters or fewer",
        ),  # fmt: skip
        Regexp(r"^[A-Za-z0-9_-]+$", message="Name must be letters, digits, '-' or '_' (no spaces)"),
    ]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AmountField(FloatField):
    """A number shown as typed, or as a whole number when it is one (490, not 490.0)."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else str(self.data)


def money(label: str, required: bool = False) -> FloatField:
    need = InputRequired(message=f"Enter the {label.lower()}") if required else Optional()
    limit = NumberRange(0, WEEKLY_COST_MAX, message=f"{label} must be £0 to £{WEEKLY_COST_MAX:,}")
    return AmountField(label, validators=[need, limit])


def accom_type_field() -> SelectField:
    """A suitable SSDA903 accommodation type (not B&B or emergency), chosen."""
    choices = [SelectChoice("", "Choose a type")] + [
        SelectChoice(t, f"{t} {ACCOM_LABELS[t]}") for t in SUITABLE_TYPES
    ]
    # validate_choice off: the YAML's reader checks the value and says which it is
    return SelectField("Accommodation type", choices=choices, validate_choice=False)


def support_level_field() -> SelectField:
    choices = [SelectChoice("", "Choose a level")] + [SelectChoice(s, s.capitalize()) for s in SUPPORT_LEVELS]
    return SelectField("Support level", choices=choices, validate_choice=False)


class GrowthEntry(Form):
    scope = SelectField("Who", choices=[], validate_choice=False)
    percent = AmountField(
        "Growth (%)",
        validators=[Optional(), NumberRange(-100, 1000, message="Demand growth must be -100 to 1000 %")],
    )


class AddEntry(Form):
    district = SelectField("District", choices=[], validate_choice=False)
    accom_type = accom_type_field()
    support_level = support_level_field()
    places = IntegerField(
        "Places",
        validators=[Optional(), NumberRange(1, 10_000, message="Places must be a whole number from 1")],
    )
    weekly_cost = money("Weekly cost per place (£)")
    start = date_field("Places available from")
    contract = RadioField(
        "Contract",
        choices=[
            SelectChoice("block", "Block: paid for whether used or not"),
            SelectChoice("spot", "Spot: paid for only when used"),
        ],  # fmt: skip
        default="block",
    )
    high_risk = BooleanField("Accepts young people assessed as high risk")
    ofsted = BooleanField("Ofsted registered (16 and 17 year olds may live there)", default=True)


class CloseEntry(Form):
    scheme = SelectField("Scheme to close", choices=[], validate_choice=False)
    start = date_field("Closes from")


class CutEntry(Form):
    scheme = SelectField("Scheme", choices=[], validate_choice=False)
    capacity = IntegerField(
        "Places from then",
        validators=[Optional(), NumberRange(0, 10_000, message="Places must be a whole number from 0")],
    )
    weekly_cost = money("Weekly cost per place from then (£)")
    start = date_field("Changes from")


class ScenarioForm(FlaskForm):
    name = StringField("Name", validators=name_rules("scenario"))
    description = StringField("Description", validators=[Length(max=500)])
    start = date_field("Start date", required=True)
    months = IntegerField("Months to simulate", default=DEFAULT_MONTHS, validators=[
        DataRequired(message="Enter the months to simulate, 12 to 36"),
        NumberRange(12, 36, message="Months to simulate must be 12 to 36")])  # fmt: skip
    runs = IntegerField("Monte Carlo runs", default=DEFAULT_RUNS, validators=[
        DataRequired(message="Enter the number of runs"),
        NumberRange(1, MAX_RUNS, message=f"Monte Carlo runs must be 1 to {MAX_RUNS}")])  # fmt: skip
    policies = MultiCheckboxField(
        "Placement policies to compare",
        choices=[SelectChoice(p, POLICY_LABELS[p]) for p in POLICIES],
        default=["fcfs", "optimised"],
        validators=[DataRequired(message="Choose at least one placement policy")],
    )
    growth = FieldList(FormField(GrowthEntry), min_entries=1)
    adds = FieldList(FormField(AddEntry), min_entries=1)
    closes = FieldList(FormField(CloseEntry), min_entries=1)
    cuts = FieldList(FormField(CutEntry), min_entries=1)
    bnb_weekly = money("B&B, a week (£)", required=True)
    emergency_weekly = money("Emergency accommodation, a week (£)", required=True)
    yaml_text = TextAreaField("Scenario YAML")

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field's own rules, then the ones between fields: new places need all their details,
        a closure or a cut its scheme and date, growth says whose demand grows, once each."""
        ok = super().validate(extra_validators)
        for entry in _filled(self):
            f = entry.form
            needed: dict[Any, str] = {}
            if isinstance(f, AddEntry):
                needed = {f.district: "Choose the district for the new places",
                          f.accom_type: "Choose the accommodation type of the new places",
                          f.support_level: "Choose the support level of the new places",
                          f.places: "Enter the number of new places",
                          f.weekly_cost: "Enter the weekly cost per place",
                          f.start: "Enter the date the new places are available from"}  # fmt: skip
            elif isinstance(f, CloseEntry):
                needed = {
                    f.scheme: "Choose the scheme to close",
                    f.start: "Enter the date the scheme closes from",
                }
            elif isinstance(f, CutEntry):
                needed = {f.scheme: "Choose the scheme whose places or price change",
                          f.start: "Enter the date the change starts"}  # fmt: skip
                if f.capacity.data is None and f.weekly_cost.data is None:
                    needed[f.capacity] = "Enter the places from then, the weekly cost from then, or both"
            elif isinstance(f, GrowthEntry):
                needed = {f.scope: "Choose whose demand grows", f.percent: "Enter the growth in %"}
            for sub, message in needed.items():
                if sub.data in (None, "") and not sub.errors:
                    sub.errors = [message]
                    ok = False
        seen: set[str] = set()
        for entry in (e for e in self.growth if not blank(e)):
            scope = entry.form.scope
            if scope.data and scope.data in seen and not scope.errors:
                scope.errors = ["This growth is given twice: give each once"]
                ok = False
            seen.add(scope.data or "")
        return ok


def blank(entry: FormField) -> bool:
    """Nothing chosen or typed in an entry (it is left out, not an error)."""
    f = entry.form
    if isinstance(f, AddEntry):
        return f.places.data is None and not f.district.data and f.weekly_cost.data is None
    if isinstance(f, CloseEntry):
        return not f.scheme.data
    if isinstance(f, CutEntry):
        return not f.scheme.data
    return f.percent.data is None and not f.scope.data


def _filled(form: ScenarioForm) -> list[FormField]:
    return [e for name in LISTS for e in getattr(form, name) if not blank(e)]


def set_choices(form: ScenarioForm, codes: list[str], schemes: pd.DataFrame) -> None:
    """District, scheme and growth options from the data in the database, on every entry."""
    places = [SelectChoice("", "Choose a district")] + [
        SelectChoice(c, f"{district_name(c)} ({c})") for c in codes
    ]
    suitable = schemes[~schemes["accom_type"].isin(list(UNSUITABLE_TYPES))].sort_values("name")
    options = [SelectChoice("", "Choose a scheme")] + [
        SelectChoice(str(s.scheme_id), f"{s.name} ({s.scheme_id}), {district_name(str(s.district))}")
        for s in suitable.itertuples()
    ]
    scopes = [SelectChoice("", "Choose whose demand grows"), SelectChoice("all", "Every young person")]
    scopes += [SelectChoice(f"district:{c}", f"Home district {district_name(c)} ({c})") for c in codes]
    scopes += [SelectChoice(f"need:{s}", f"Needing {s} support") for s in SUPPORT_LEVELS]
    for entry in form.adds:
        entry.form.district.choices = places
    for entry in (*form.closes, *form.cuts):
        entry.form.scheme.choices = options
    for entry in form.growth:
        entry.form.scope.choices = scopes


def council_districts(codes: set[str]) -> list[str]:
    """Every district of the councils (upper tier) the data are in, or none without data."""
    reg = districts()
    utlas = set(reg.loc[sorted(c for c in codes if c in reg.index), "utla_code"])
    return sorted(reg.index[reg["utla_code"].isin(list(utlas))], key=district_name)


def add_or_remove(form: ScenarioForm, action: str, value: str) -> bool:
    """Apply an "Add another" (`value` a list's name) or "Remove" (`value` an entry, `adds-1`);
    False when neither names something on the form."""
    if action == "add_another" and value in LISTS:
        getattr(form, value).append_entry()
        return True
    name, _, index = value.rpartition("-")
    if action == "remove" and name in LISTS and index.isdigit():
        entries = getattr(form, name).entries
        kept = [e for e in entries if e.name != value]
        if len(kept) < len(entries):
            entries[:] = kept
            if not kept:  # an empty list shows one empty entry, to fill in or leave
                getattr(form, name).append_entry()
            return True
    return False


def problems(form: ScenarioForm) -> list[dict[str, str]]:
    """Every field's errors, in the order of the page, for the error summary (links to the field)."""
    out: list[dict[str, str]] = []

    def walk(fields: Any) -> None:
        for f in fields:
            if isinstance(f, FieldList):
                for entry in f:
                    walk(entry.form)
            elif f.name != "csrf_token" and f.errors and isinstance(f.errors, list):
                href = f"#{f.id}" + ("-day" if hasattr(f, "boxes") else "")
                out.extend({"href": href, "text": str(e)} for e in f.errors)

    walk(form)
    return out
