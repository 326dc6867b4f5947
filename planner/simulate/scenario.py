"""Scenario files (YAML): what a commissioner changes, read and checked before anything runs.

Every problem is collected with the file, the line and the key it is on (from YAML's node marks),
then raised once as `InvalidInput`, like the CSV contract. The format is documented in
data/README.md and shown by the examples in data/scenarios/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import yaml

from planner.data.formats import months_after, uk_date
from planner.data.limits import SCENARIO_NAME_MAX_LENGTH, SCENARIO_YAML_MAX_BYTES, WEEKLY_COST_MAX
from planner.data.problems import InvalidInput
from planner.data.vocab import SCHEME_TYPES, SUPPORT_LEVELS, UNSUITABLE_TYPES
from planner.data.yaml_reader import Reader, YamlProblem, compose, refuse_size

if TYPE_CHECKING:  # the CSVs are read after the YAML is checked: a bad file loads no pandas first
    import pandas as pd

    from planner.data.contract import Dataset

Policy = Literal["fcfs", "optimised", "anticipatory", "hindsight", "clairvoyant"]
POLICIES: tuple[Policy, ...] = ("fcfs", "optimised", "anticipatory", "hindsight", "clairvoyant")
BOUNDS: tuple[Policy, ...] = ("hindsight", "clairvoyant")  # lower bounds, not panels one could run
Contract = Literal["block", "spot"]

# Assumed nightly costs of the fallbacks, as weekly figures; a scenario can set its own.
# B&B: a typical room rate of about £70 a night; emergency accommodation for a 16/17 year old
# (an unregistered or agency emergency placement) far more. Both are assumptions, not sourced.
DEFAULT_BNB_WEEKLY = 490.0
DEFAULT_EMERGENCY_WEEKLY = 1400.0


@dataclass(frozen=True, slots=True)
class AddPlaces:
    district: str
    accom_type: str
    support_level: str
    places: int
    weekly_cost: float
    start: date
    contract: Contract = "block"
    gender: str = "any"
    min_age: int = 16
    max_age: int = 25
    ofsted_registered: bool = True
    wheelchair_accessible: bool = False
    parent_and_child: bool = False
    accepts_high_risk: bool = False
    line: int = 0


@dataclass(frozen=True, slots=True)
class CloseScheme:
    scheme_id: str
    start: date
    line: int = 0


@dataclass(frozen=True, slots=True)
class ChangeScheme:
    scheme_id: str
    start: date
    capacity: int | None = None
    weekly_cost: float | None = None
    line: int = 0


Change = AddPlaces | CloseScheme | ChangeScheme


@dataclass(frozen=True, slots=True)
class Demand:
    """Growth on the demand estimated from referrals.csv, in percent (15 = 15% more arrivals)."""

    growth_percent: float = 0.0
    by_district: dict[str, float] = field(default_factory=dict)
    by_need: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place the commissioning optimiser may buy (count chosen between min and max places)."""

    district: str
    accom_type: str
    support_level: str
    weekly_cost: float
    min_places: int = 0
    max_places: int = 10
    contract: Contract = "block"
    parent_and_child: bool = False
    wheelchair_accessible: bool = False
    weekly_rent: float | None = None  # the part housing benefit meets from 18; None: assumed by type


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    file: str
    data_dir: Path
    start: date
    months: int = 24
    runs: int = 100
    seed: int = 1
    policies: tuple[Policy, ...] = ("fcfs", "optimised")
    demand: Demand = field(default_factory=Demand)
    changes: tuple[Change, ...] = ()
    bnb_weekly: float = DEFAULT_BNB_WEEKLY
    emergency_weekly: float = DEFAULT_EMERGENCY_WEEKLY
    candidates: tuple[Candidate, ...] = ()
    description: str = ""

    @property
    def weeks(self) -> int:
        return round(self.months * 52 / 12)

    def baseline(self) -> Scenario:
        """The same county and demand model with no changes and no growth."""
        return Scenario(
            "baseline", self.file, self.data_dir, self.start, self.months, self.runs, self.seed,
            self.policies, Demand(), (), self.bnb_weekly, self.emergency_weekly, self.candidates,
            "No changes: today's schemes, demand as estimated from referrals.csv.",
        )  # fmt: skip


# ---- reading YAML nodes with their line numbers ----

_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


_ADD = {"district", "type", "support_level", "places", "weekly_cost", "from", "contract", "gender",
        "min_age", "max_age", "ofsted_registered", "wheelchair_accessible", "parent_and_child",
        "accepts_high_risk"}  # fmt: skip
_CANDIDATE = {"district", "type", "support_level", "weekly_cost", "min_places", "max_places", "contract",
              "parent_and_child", "wheelchair_accessible"}  # fmt: skip
_TOP = {"name", "description", "data", "start", "months", "runs", "seed", "policies", "demand",
        "changes", "costs", "candidates"}  # fmt: skip
_SUITABLE_TYPES = sorted(SCHEME_TYPES - UNSUITABLE_TYPES)


def _add_places(r: Reader, node: yaml.Node, key: str) -> AddPlaces | None:
    m = r.mapping(node, key, _ADD, {"district", "type", "support_level", "places", "weekly_cost", "from"})
    v: dict[str, Any] = {}
    readers = {
        "district": lambda n, k: r.district(n, k),
        "type": lambda n, k: r.choice(n, k, _SUITABLE_TYPES, "a suitable SSDA903 accommodation type"),
        "support_level": lambda n, k: r.choice(n, k, list(SUPPORT_LEVELS), "a support level"),
        "places": lambda n, k: r.integer(n, k, 1, 10_000),
        "weekly_cost": lambda n, k: r.number(n, k, 0.0, WEEKLY_COST_MAX),
        "from": lambda n, k: r.day(n, k),
        "contract": lambda n, k: r.choice(n, k, ["block", "spot"], "a contract type"),
        "gender": lambda n, k: r.choice(n, k, ["any", "F", "M"], "a scheme gender"),
        "min_age": lambda n, k: r.integer(n, k, 16, 25),
        "max_age": lambda n, k: r.integer(n, k, 16, 25),
    }
    for name, child in m.items():
        read = readers.get(name, lambda n, k: r.flag(n, k))
        v[name] = read(child, f"{key}.{name}")
    required = {"district", "type", "support_level", "places", "weekly_cost", "from"}
    if any(v.get(k) is None for k in m) or not m.keys() >= required:
        return None
    return AddPlaces(
        district=v["district"], accom_type=v["type"], support_level=v["support_level"],
        places=v["places"], weekly_cost=v["weekly_cost"], start=v["from"],
        contract=v.get("contract", "block"), gender=v.get("gender", "any"),
        min_age=v.get("min_age", 16), max_age=v.get("max_age", 25),
        ofsted_registered=v.get("ofsted_registered", True),
        wheelchair_accessible=v.get("wheelchair_accessible", False),
        parent_and_child=v.get("parent_and_child", False),
        accepts_high_risk=v.get("accepts_high_risk", False), line=node.start_mark.line + 1,
    )  # fmt: skip


def _scheme_change(r: Reader, kind: str, node: yaml.Node, key: str) -> Change | None:
    keys = {"scheme_id", "from"} | ({"capacity", "weekly_cost"} if kind == "change_scheme" else set())
    m = r.mapping(node, key, keys, {"scheme_id", "from"})
    sid = r.scalar(m["scheme_id"], f"{key}.scheme_id") if "scheme_id" in m else None
    start = r.day(m["from"], f"{key}.from") if "from" in m else None
    line = node.start_mark.line + 1
    if kind == "close_scheme":
        return CloseScheme(sid, start, line) if sid and start else None
    cap = r.integer(m["capacity"], f"{key}.capacity", 0, 10_000) if "capacity" in m else None
    cost = r.number(m["weekly_cost"], f"{key}.weekly_cost", 0.0) if "weekly_cost" in m else None
    if "capacity" not in m and "weekly_cost" not in m:
        r.bad(node, key, "give capacity, weekly_cost or both")
        return None
    return ChangeScheme(sid, start, cap, cost, line) if sid and start else None


def _changes(r: Reader, node: yaml.Node) -> list[Change]:
    out: list[Change] = []
    if not isinstance(node, yaml.SequenceNode):
        r.bad(node, "changes", "expected a list of changes (each add_places, close_scheme or change_scheme)")
        return out
    kinds = {"add_places", "close_scheme", "change_scheme"}
    for i, item in enumerate(node.value):
        key = f"changes[{i}]"
        m = r.mapping(item, key, kinds, set())
        if len(m) != 1:
            if m:
                r.bad(item, key, "give exactly one of add_places, close_scheme, change_scheme per item")
            elif isinstance(item, yaml.MappingNode):
                r.bad(item, key, "empty change (expected add_places, close_scheme or change_scheme)")
            continue
        ((kind, child),) = m.items()
        change = _add_places(r, child, f"{key}.{kind}") if kind == "add_places" else (
            _scheme_change(r, kind, child, f"{key}.{kind}"))  # fmt: skip
        if change is not None:
            out.append(change)
    return out


def _candidates(r: Reader, node: yaml.Node) -> list[Candidate]:
    out: list[Candidate] = []
    if not isinstance(node, yaml.SequenceNode):
        r.bad(node, "candidates", "expected a list of candidate additions")
        return out
    for i, item in enumerate(node.value):
        key = f"candidates[{i}]"
        m = r.mapping(item, key, _CANDIDATE, {"district", "type", "support_level", "weekly_cost"})
        got = {
            "district": r.district(m["district"], f"{key}.district") if "district" in m else None,
            "type": r.choice(m["type"], f"{key}.type", _SUITABLE_TYPES, "a suitable SSDA903 type")
            if "type" in m else None,
            "support": r.choice(m["support_level"], f"{key}.support_level", list(SUPPORT_LEVELS),
                                "a support level") if "support_level" in m else None,
            "cost": r.number(m["weekly_cost"], f"{key}.weekly_cost", 0.0) if "weekly_cost" in m else None,
        }  # fmt: skip
        lo = r.integer(m["min_places"], f"{key}.min_places", 0, 1000) if "min_places" in m else 0
        hi = r.integer(m["max_places"], f"{key}.max_places", 0, 1000) if "max_places" in m else 10
        contract = r.choice(m["contract"], f"{key}.contract", ["block", "spot"], "a contract type") if (
            "contract" in m) else "block"  # fmt: skip
        if lo is not None and hi is not None and lo > hi:
            r.bad(m["min_places"], f"{key}.min_places", f"{lo} is more than max_places {hi}")
        elif None not in got.values() and lo is not None and hi is not None and contract:
            family = [bool(r.flag(m[f], f"{key}.{f}")) if f in m else False
                      for f in ("parent_and_child", "wheelchair_accessible")]  # fmt: skip
            out.append(Candidate(str(got["district"]), str(got["type"]), str(got["support"]),
                                 float(got["cost"] or 0), lo, hi, "spot" if contract == "spot" else "block",
                                 *family))  # fmt: skip
    return out


def parse_scenario(text: str, file: str, base_dir: Path, *, data_dir: Path | None = None) -> Scenario:
    """A scenario from YAML text; `file` names it in messages, `data` is relative to `base_dir`.

    `data_dir`, when given, replaces the file's `data` folder (which may then be left out), so one
    scenario file can run against another council's or a freshly generated folder.
    """
    r = Reader(file)
    try:
        root = compose(text, file)
    except yaml.YAMLError as e:
        marks = vars(e)
        mark = marks.get("problem_mark")
        if mark is not None and mark.index >= len(text.rstrip()) and marks.get("context_mark"):
            mark = marks["context_mark"]  # unclosed bracket or quote: where it opened
        line = mark.line + 1 if mark is not None else None
        raise InvalidInput(
            [YamlProblem(file, line, None, f"is not valid YAML ({getattr(e, 'problem', e)})")]
        ) from None
    if root is None:
        raise InvalidInput([YamlProblem(file, None, None, "file is empty: expected a scenario")])
    m = r.mapping(root, "", _TOP, {"name", "start"} if data_dir else {"name", "data", "start"})
    name = r.scalar(m["name"], "name") if "name" in m else None
    if name is not None and not _KEY.match(name):
        r.bad(m["name"], "name", f"{name!r} must be letters, digits, '-' or '_' (it names output rows)")
    elif name is not None and len(name) > SCENARIO_NAME_MAX_LENGTH:
        r.bad(m["name"], "name", f"is {len(name)} characters long; at most {SCENARIO_NAME_MAX_LENGTH}")
    if data_dir is not None:
        data_dir = Path(data_dir).resolve()
        if not data_dir.is_dir():
            r.problems.append(YamlProblem(file, None, "data", f"folder {str(data_dir)!r} does not exist"))
    elif "data" in m and (raw := r.scalar(m["data"], "data")) is not None:
        data_dir = (base_dir / raw).resolve()
        if not data_dir.is_dir():
            r.bad(m["data"], "data", f"folder {raw!r} does not exist (relative to {base_dir})")
    start = r.day(m["start"], "start") if "start" in m else None
    months = r.integer(m["months"], "months", 12, 36) if "months" in m else 24
    runs = r.integer(m["runs"], "runs", 1, 100_000) if "runs" in m else 100
    seed = r.integer(m["seed"], "seed", 0, 2**31 - 1) if "seed" in m else 1
    policies: list[Policy] = []
    if "policies" in m:
        node = m["policies"]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            r.bad(node, "policies", f"expected a list of policies, e.g. [{', '.join(POLICIES)}]")
        else:
            for i, p in enumerate(node.value):
                got = r.choice(p, f"policies[{i}]", list(POLICIES), "a policy")
                if got is not None:
                    policies.append(got)  # type: ignore[arg-type]
    demand = Demand()
    if "demand" in m:
        d = r.mapping(m["demand"], "demand", {"growth_percent", "by_district", "by_need"}, set())
        demand = Demand(
            r.number(d["growth_percent"], "demand.growth_percent", -100, 1000) or 0.0
            if "growth_percent" in d else 0.0,
            r.percents(d["by_district"], "demand.by_district", None) if "by_district" in d else {},
            r.percents(d["by_need"], "demand.by_need", list(SUPPORT_LEVELS)) if "by_need" in d else {},
        )  # fmt: skip
    costs = r.mapping(m["costs"], "costs", {"bnb_weekly", "emergency_weekly"}, set()) if "costs" in m else {}
    bnb = r.number(costs["bnb_weekly"], "costs.bnb_weekly", 0) if "bnb_weekly" in costs else None
    emergency = r.number(costs["emergency_weekly"], "costs.emergency_weekly", 0) if (
        "emergency_weekly" in costs) else None  # fmt: skip
    changes = _changes(r, m["changes"]) if "changes" in m else []
    candidates = _candidates(r, m["candidates"]) if "candidates" in m else []
    description = r.scalar(m["description"], "description") if "description" in m else ""
    if start and months and not r.problems:
        end = months_after(start, months)
        kinds = {AddPlaces: "add_places", CloseScheme: "close_scheme", ChangeScheme: "change_scheme"}
        for i, c in enumerate(changes):
            if c.start >= end:
                when, last = uk_date(c.start), uk_date(end)
                key = f"changes[{i}].{kinds[type(c)]}.from"
                r.problems.append(
                    YamlProblem(file, c.line, key, f"{when} is after the simulation ends ({last})")
                )
    if r.problems:
        raise InvalidInput(r.problems)
    assert name and data_dir and start and months and runs is not None and seed is not None
    return Scenario(
        name, file, data_dir, start, months, runs, seed,
        tuple(dict.fromkeys(policies)) or ("fcfs", "optimised"),
        demand, tuple(changes), DEFAULT_BNB_WEEKLY if bnb is None else bnb,
        DEFAULT_EMERGENCY_WEEKLY if emergency is None else emergency, tuple(candidates), description or "",
    )  # fmt: skip


def load_scenario(path: str | Path, *, data_dir: Path | None = None) -> Scenario:
    """Read and check a scenario file; raise InvalidInput naming the file, line and key of each problem.

    `data_dir` replaces the file's `data` folder (see `parse_scenario`)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput([YamlProblem(path.name, None, None, f"file is missing ({path})")])
    # A file far too big is refused unread; one a little over, once read (compose).
    refuse_size(path.stat().st_size, path.name, limit=4 * SCENARIO_YAML_MAX_BYTES)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([YamlProblem(path.name, None, None, "is not UTF-8 text")]) from None
    return parse_scenario(text, path.name, path.resolve().parent, data_dir=data_dir)


class ScenarioInputs(NamedTuple):
    """A scenario with everything it reads: its data folder and its referral history."""

    scenario: Scenario
    data: Dataset
    referrals: pd.DataFrame


def load_inputs(path: str | Path, *, data_dir: Path | None = None) -> ScenarioInputs:
    """The scenario, its data folder (or `data_dir` instead) and its referral history, each checked
    before the next is read; InvalidInput names what is wrong. Only the readers load here, never
    the simulation, so that a bad file is reported before the solvers are imported."""
    from planner.data.contract import load_folder
    from planner.forecast.history import load_referrals

    scenario = load_scenario(path, data_dir=data_dir)
    return ScenarioInputs(scenario, load_folder(scenario.data_dir), load_referrals(scenario.data_dir))
