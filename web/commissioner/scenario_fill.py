"""Between the scenario form and its YAML: the YAML a form stands for (`form_yaml`, with the
entry each change came from), a saved scenario put back into the form (`fill_form`), and the
field a YAML problem is about (`field_for`), so a message lands beside the box it is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any, Final

from planner.data.districts import district_name
from planner.data.problems import Problem
from planner.data.vocab import ACCOM_LABELS
from planner.simulate.scenario import (
    DEFAULT_BNB_WEEKLY,
    DEFAULT_EMERGENCY_WEEKLY,
    AddPlaces,
    ChangeScheme,
    CloseScheme,
    Scenario,
)
from web.commissioner.scenario_form import LISTS, ScenarioForm, blank
from web.commissioner.scenario_yaml import DEFAULT_MONTHS, DEFAULT_RUNS, quoted


@dataclass
class Written:
    """The YAML a form stands for, and the form entry each of its changes came from (`adds-1`)."""

    text: str
    entries: list[str] = field(default_factory=list)


def _flag(value: object) -> str:
    return str(bool(value)).lower()


def form_yaml(form: ScenarioForm) -> Written:
    """The YAML the form stands for (the same format as data/scenarios/)."""
    lines = [f"name: {form.name.data}", f"description: {quoted(form.description.data or '')}",
             f"start: {form.start.data:%Y-%m-%d}", f"months: {form.months.data}", f"runs: {form.runs.data}",
             "seed: 1", f"policies: [{', '.join(form.policies.data or [])}]"]  # fmt: skip
    growth = [e.form for e in form.growth if not blank(e)]
    if growth:
        lines.append("demand:")
        overall = [g.percent.data for g in growth if g.scope.data == "all"]
        lines += [f"  growth_percent: {overall[0]:g}"] if overall else []
        for key, prefix in (("by_district", "district:"), ("by_need", "need:")):
            mine = [
                (g.scope.data[len(prefix) :], g.percent.data)
                for g in growth
                if g.scope.data.startswith(prefix)
            ]
            if mine:
                lines.append(f"  {key}:")
                lines += [f"    {k}: {v:g}" + (f"   # {district_name(k)}" if prefix == "district:" else "")
                          for k, v in mine]  # fmt: skip
    lines += [
        f"costs:\n  bnb_weekly: {form.bnb_weekly.data:g}\n  emergency_weekly: {form.emergency_weekly.data:g}"
    ]
    written = Written("")
    changes: list[str] = []
    for e in form.adds:
        a = e.form
        if blank(e):
            continue
        written.entries.append(e.name)
        changes += ["  - add_places:",
                    f"      district: {a.district.data}   # {district_name(a.district.data)}",
                    f"      type: {a.accom_type.data}   # {ACCOM_LABELS.get(a.accom_type.data, '')}",
                    f"      support_level: {a.support_level.data}", f"      places: {a.places.data}",
                    f"      weekly_cost: {a.weekly_cost.data:g}   # GBP per place per week",
                    f"      from: {a.start.data:%Y-%m-%d}", f"      contract: {a.contract.data}",
                    f"      accepts_high_risk: {_flag(a.high_risk.data)}",
                    f"      ofsted_registered: {_flag(a.ofsted.data)}"]  # fmt: skip
    for e in form.closes:
        if not blank(e):
            written.entries.append(e.name)
            changes += ["  - close_scheme:", f"      scheme_id: {e.form.scheme.data}",
                        f"      from: {e.form.start.data:%Y-%m-%d}"]  # fmt: skip
    for e in form.cuts:
        c = e.form
        if blank(e):
            continue
        written.entries.append(e.name)
        changes += ["  - change_scheme:", f"      scheme_id: {c.scheme.data}"]
        changes += [f"      capacity: {c.capacity.data}"] if c.capacity.data is not None else []
        changes += [f"      weekly_cost: {c.weekly_cost.data:g}"] if c.weekly_cost.data is not None else []
        changes += [f"      from: {c.start.data:%Y-%m-%d}"]
    lines += ["changes:", *changes] if changes else []
    written.text = "\n".join(lines) + "\n"
    return written


def _fill(form: ScenarioForm, name: str, items: list[dict[str, Any]]) -> None:
    entries = getattr(form, name)
    entries.entries = []
    entries.last_index = -1
    for item in items:
        entries.append_entry(SimpleNamespace(**item))
    if not items:  # one empty entry to fill in or leave
        entries.append_entry()


def defaults(form: ScenarioForm, on: date) -> None:
    """A new scenario's form."""
    form.start.data, form.months.data, form.runs.data = on, DEFAULT_MONTHS, DEFAULT_RUNS
    form.policies.data = ["fcfs", "optimised"]
    form.bnb_weekly.data, form.emergency_weekly.data = DEFAULT_BNB_WEEKLY, DEFAULT_EMERGENCY_WEEKLY
    for name in LISTS:
        _fill(form, name, [])


def fill_form(form: ScenarioForm, s: Scenario) -> bool:
    """Put a scenario into the form; False when it has more than the form can show (then the
    YAML is the way to edit it)."""
    form.name.data, form.description.data, form.start.data = s.name, s.description, s.start
    form.months.data, form.runs.data, form.policies.data = s.months, s.runs, list(s.policies)
    form.bnb_weekly.data, form.emergency_weekly.data = s.bnb_weekly, s.emergency_weekly
    d = s.demand
    growth = [{"scope": "all", "percent": d.growth_percent}] if d.growth_percent else []
    growth += [{"scope": f"district:{k}", "percent": v} for k, v in d.by_district.items()]
    growth += [{"scope": f"need:{k}", "percent": v} for k, v in d.by_need.items()]
    adds = [c for c in s.changes if isinstance(c, AddPlaces)]
    _fill(form, "growth", growth)
    _fill(form, "adds", [{"district": a.district, "accom_type": a.accom_type,
                          "support_level": a.support_level, "places": a.places, "weekly_cost": a.weekly_cost,
                          "start": a.start, "contract": a.contract, "high_risk": a.accepts_high_risk,
                          "ofsted": a.ofsted_registered} for a in adds])  # fmt: skip
    _fill(form, "closes", [{"scheme": c.scheme_id, "start": c.start} for c in s.changes
                           if isinstance(c, CloseScheme)])  # fmt: skip
    _fill(form, "cuts", [{"scheme": c.scheme_id, "capacity": c.capacity, "weekly_cost": c.weekly_cost,
                          "start": c.start} for c in s.changes if isinstance(c, ChangeScheme)])  # fmt: skip
    plain = AddPlaces("", "", "", 1, 0.0, date.min)  # the defaults of what the form does not show
    hidden = ("gender", "min_age", "max_age", "wheelchair_accessible", "parent_and_child")
    extra = any(getattr(a, f) != getattr(plain, f) for a in adds for f in hidden)
    return not extra and not s.candidates and s.seed == 1


# Keys in parse_scenario's messages, and the form field each belongs to (in a change: the entry's).
FIELD_OF_KEY: Final = {
    "name": "name", "description": "description", "start": "start", "months": "months", "runs": "runs",
    "policies": "policies", "costs.bnb_weekly": "bnb_weekly", "costs.emergency_weekly": "emergency_weekly",
    "add_places.district": "district", "add_places.type": "accom_type",
    "add_places.support_level": "support_level", "add_places.places": "places",
    "add_places.weekly_cost": "weekly_cost", "add_places.from": "start",
    "close_scheme.scheme_id": "scheme", "close_scheme.from": "start", "change_scheme.scheme_id": "scheme",
    "change_scheme.capacity": "capacity", "change_scheme.weekly_cost": "weekly_cost",
    "change_scheme.from": "start",
}  # fmt: skip


def field_for(form: ScenarioForm, problem: Problem, entries: list[str]) -> Any | None:
    """The form field a YAML problem is about (`changes[1].add_places.from`: the second change's
    entry's date), or None."""
    key = problem.column or ""
    if key.startswith("demand"):
        return next((e.form.percent for e in form.growth if not blank(e)), None)
    if key.startswith("changes["):
        index, _, rest = key[len("changes[") :].partition("].")
        sub = FIELD_OF_KEY.get(rest.split("[", 1)[0])
        if not index.isdigit() or int(index) >= len(entries) or sub is None:
            return None
        entry = next(e for n in LISTS for e in getattr(form, n) if e.name == entries[int(index)])
        return getattr(entry.form, sub, None)
    top = FIELD_OF_KEY.get(key.split("[", 1)[0])
    return getattr(form, top) if top else None
