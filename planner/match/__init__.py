"""Matching young people to places (PRODUCT.md s.3): the placement officers' part.

`eligibility` applies the hard rules to people x schemes as arrays; `arcs` keeps of them what a
batch's flow needs; `cost` is level 3 of the objective (`default`, `cost`, or `council`: the
council's share, `planner.data.funding`); `flow` is the lexicographic min-cost
flow (and a greedy baseline); `batch.match()` matches a whole waiting list and returns a
`MatchResult`; `explain` writes the reasons; `options` ranks one person's places, from a kept
`solution.BatchAnswer` when there is one.
The names below are imported on first use (`planner.data.lazy`): one person's options from a
kept batch answer need no solver, so they do not load OR-Tools.

May import: `planner.data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.data.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.match.batch import (
        MATCH_COLUMNS,
        MatchResult,
        format_summary,
        match,
        placement_rates,
        write_matches,
    )
    from planner.match.cost import DEFAULT_WEIGHTS, CostWeights, Objective
    from planner.match.eligibility import broken_rules, eligible_pairs
    from planner.match.options import Options, UnknownId, batch_answer, format_options, options, why_not
    from planner.match.solution import BatchAnswer, answer_of

__all__ = [
    "BatchAnswer",
    "CostWeights",
    "DEFAULT_WEIGHTS",
    "MATCH_COLUMNS",
    "MatchResult",
    "Objective",
    "Options",
    "UnknownId",
    "answer_of",
    "batch_answer",
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
__getattr__ = lazy_exports(
    __name__,
    {
        "batch": (
            "MATCH_COLUMNS",
            "MatchResult",
            "format_summary",
            "match",
            "placement_rates",
            "write_matches",
        ),
        "cost": ("DEFAULT_WEIGHTS", "CostWeights", "Objective"),
        "eligibility": ("broken_rules", "eligible_pairs"),
        "options": ("Options", "UnknownId", "batch_answer", "format_options", "options", "why_not"),
        "solution": ("BatchAnswer", "answer_of"),
    },
)
