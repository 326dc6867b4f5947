"""Reading YAML with line numbers: typed values from yaml's nodes, every problem collected with
the file, the line and the key it is on, for `InvalidInput` (used by planner.simulate.scenario)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from planner.data.lad import is_district
from planner.data.limits import SCENARIO_YAML_MAX_BYTES, SCENARIO_YAML_MAX_DEPTH
from planner.data.problems import InvalidInput, Problem


@dataclass(frozen=True, slots=True)
class YamlProblem(Problem):
    """A problem in a YAML file: `base.yaml line 12, key changes[1].places: ...`."""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" line {self.row}"
        if self.column:
            where += f"{',' if self.row is not None else ''} key {self.column}"
        return f"{where}: {self.message}"


def refuse_size(size: int, file: str, *, limit: int = SCENARIO_YAML_MAX_BYTES) -> None:
    """InvalidInput when a YAML file of `size` bytes is over `limit`, saying how big it is."""
    if size > limit:
        message = f"is {size / 1024:,.0f} kB; at most {SCENARIO_YAML_MAX_BYTES // 1024} kB is read"
        raise InvalidInput([YamlProblem(file, None, None, message)])


def compose(text: str, file: str) -> yaml.Node | None:
    """The YAML node tree of `text`, after checking it is small and plain enough to read safely:
    at most SCENARIO_YAML_MAX_BYTES, nested at most SCENARIO_YAML_MAX_DEPTH deep (PyYAML builds
    the tree recursively, so thousands of levels would overflow Python's stack) and without
    anchors or aliases (which can repeat one part of a file millions of times).

    Raises InvalidInput for those, and lets `yaml.YAMLError` through for the caller to place."""
    refuse_size(len(text.encode("utf-8")), file)
    depth = 0
    for event in yaml.parse(text):  # events come one at a time: no recursion here
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > SCENARIO_YAML_MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                message = f"is nested more than {SCENARIO_YAML_MAX_DEPTH} levels deep; a scenario needs 4"
                raise InvalidInput([YamlProblem(file, line, None, message)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            line = event.start_mark.line + 1 if event.start_mark else None
            message = "uses an anchor or alias (& or *): write each value out where it is used"
            raise InvalidInput([YamlProblem(file, line, None, message)])
    return yaml.compose(text)


class Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, node: yaml.Node | None, key: str | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(YamlProblem(self.file, line, key, message))

    def mapping(self, node: yaml.Node, key: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        """{name: (key node, value node)} of a mapping, reporting unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, key or None, "expected a mapping of keys to values")
            return {}
        out: dict[str, Any] = {}
        for k, v in node.value:
            name = str(k.value)
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                self.bad(k, path, f"unknown key (expected one of {', '.join(sorted(allowed))})")
            elif name in out:
                self.bad(k, path, "key appears more than once")
            else:
                out[name] = v
        for name in sorted(required - set(out)):
            self.bad(node, f"{key}.{name}" if key else name, "required key is missing")
        return out

    def scalar(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.bad(node, key, "expected a single value")
            return None
        return str(node.value).strip()

    def integer(self, node: yaml.Node, key: str, lo: int, hi: int) -> int | None:
        v = self.scalar(node, key)
        if v is None:
            return None
        if not re.fullmatch(r"[+-]?\d+", v):
            self.bad(node, key, f"{v!r} is not a whole number")
            return None
        if not lo <= int(v) <= hi:
            self.bad(node, key, f"{v} is outside {lo:,} to {hi:,}")
            return None
        return int(v)

    def number(self, node: yaml.Node, key: str, lo: float, hi: float = float("inf")) -> float | None:
        v = self.scalar(node, key)
        if v is None:
            return None
        try:
            x = float(v.replace(",", "").lstrip("£"))
        except ValueError:
            self.bad(node, key, f"{v!r} is not a number")
            return None
        if not lo <= x <= hi:
            self.bad(node, key, f"{v} is outside {lo:g} to {hi:g}")
            return None
        return x

    def day(self, node: yaml.Node, key: str) -> date | None:
        v = self.scalar(node, key)
        if v is None:
            return None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                return date.fromisoformat(v)
        except ValueError:
            pass
        self.bad(node, key, f"{v!r} is not a date (expected YYYY-MM-DD, e.g. 2026-11-23)")
        return None

    def choice(self, node: yaml.Node, key: str, allowed: list[str], what: str) -> str | None:
        v = self.scalar(node, key)
        if v is not None and v not in allowed:
            self.bad(node, key, f"{v!r} is not {what} (expected one of {', '.join(allowed)})")
            return None
        return v

    def flag(self, node: yaml.Node, key: str) -> bool | None:
        v = self.scalar(node, key)
        if v is None or v.lower() not in {"true", "false", "yes", "no", "1", "0"}:
            self.bad(node, key, f"{v!r} is not a yes/no value (expected true or false)")
            return None
        return v.lower() in {"true", "yes", "1"}

    def district(self, node: yaml.Node, key: str) -> str | None:
        v = self.scalar(node, key)
        if v is not None and not is_district(v):
            self.bad(node, key, f"{v!r} is not an English district code (ONS LAD code, e.g. E07000080)")
            return None
        return v

    def percents(self, node: yaml.Node, key: str, allowed: list[str] | None) -> dict[str, float]:
        out: dict[str, float] = {}
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, key, "expected a mapping, e.g. {E07000080: 10}")
            return out
        for k, v in node.value:
            name = str(k.value)
            path = f"{key}.{name}"
            if allowed is None and not is_district(name):
                self.bad(k, path, f"{name!r} is not an English district code (ONS LAD code)")
            elif allowed is not None and name not in allowed:
                self.bad(k, path, f"{name!r} is not a support level (expected one of {', '.join(allowed)})")
            x = self.number(v, path, -100.0, 1000.0)
            if x is not None:
                out[name] = x
        return out
