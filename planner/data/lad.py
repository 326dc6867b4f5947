"""The codes and names of England's local authority districts, read without pandas, so that a
scenario file's district codes are checked before any table library loads (`planner scenario`
reports a mistyped code at once). The rest of the registry is `planner.data.districts`."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CENTROIDS = Path(__file__).resolve().parents[2] / "data" / "reference" / "lad_centroids.csv"


@cache
def _names() -> dict[str, str]:
    with CENTROIDS.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def district_names() -> dict[str, str]:
    """Code -> name of every district (a copy: callers may change it)."""
    return dict(_names())


def district_name(code: str) -> str:
    """The district's name, or the code itself when it is not an English district."""
    return _names().get(code, code)


def is_district(code: str) -> bool:
    """Whether `code` is an English district's ONS LAD code (E06, E07, E08, E09)."""
    return code in _names()
