"""Matching young people to places (PRODUCT.md s.3): the placement officers' part.

`eligibility` applies the hard rules to people x schemes as arrays; `flow` is the lexicographic
min-cost flow (and a greedy baseline); `batch.match()` matches a whole waiting list and returns
a `MatchResult`; `explain` writes the reasons; `options` ranks one person's places.

May import: `planner.data`.
"""

from planner.match.batch import (
    DEFAULT_WEIGHTS,
    MATCH_COLUMNS,
    CostWeights,
    MatchResult,
    Objective,
    format_summary,
    match,
    placement_rates,
    write_matches,
)
from planner.match.eligibility import broken_rules, eligible_pairs
from planner.match.options import Options, UnknownId, format_options, options, why_not

__all__ = [
    "DEFAULT_WEIGHTS",
    "MATCH_COLUMNS",
    "CostWeights",
    "MatchResult",
    "Objective",
    "Options",
    "UnknownId",
    "broken_rules",
    "eligible_pairs",
    "format_options",
    "format_summary",
    "match",
    "options",
    "placement_rates",
    "why_not",
    "write_matches",
]
