"""Limits on values, declared once: the data contract's columns (`planner.data.contract`), the
web app's forms and its database columns (`web.core.models`) all use these numbers, so a value
`planner validate` accepts always fits the database, and the web refuses what the CLI refuses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the web's forms and the YAML reader use the limits without loading pandas
    import pandas as pd

ID_MAX_LENGTH: Final = 64  # pseudonymous ids and scheme ids
NAME_MAX_LENGTH: Final = 200  # scheme names and providers
WEEKLY_COST_MAX: Final = 50_000  # GBP a week per place (PRODUCT.md: 0 to 50,000)
CAPACITY_MAX: Final = 1_000  # places in one scheme; the largest foyers have a few hundred
# Columns read from a CSV file's header row: the contract's files have about 25, and a
# council's export with extra columns a few dozen more; far more is not a table of ours.
COLUMNS_MAX: Final = 1_000
SCENARIO_NAME_MAX_LENGTH: Final = 60  # it names rows of the outputs and the web's list
SCENARIO_YAML_MAX_BYTES: Final = 256 * 1024  # a scenario is a page of YAML, not megabytes
SCENARIO_YAML_MAX_DEPTH: Final = 20  # the format itself nests 4 deep

# C0 control characters and DEL, except tab and line breaks (quoted CSV text may hold those).
# PostgreSQL cannot store NUL at all; the others are never meant and hide text in a spreadsheet.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_PATTERN: Final = _CONTROL.pattern


def control_character(text: str) -> str | None:
    """A description of the first control character in `text` ("NUL (0x00)"), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return "NUL (0x00)" if code == 0 else f"0x{code:02x}"


def unstorable(values: pd.Series, max_length: int | None, *, controls: bool = True) -> pd.Series:
    """Why each text value cannot be stored at all (None where it can): a control character
    such as NUL (looked for unless `controls` is False), or more than `max_length` characters."""
    import numpy as np
    import pandas as pd

    why = pd.Series([None] * len(values), index=values.index, dtype=object)
    if controls:
        control = values.str.contains(CONTROL_PATTERN, regex=True).to_numpy(dtype=bool)
    else:
        control = np.zeros(len(values), dtype=bool)
    why[control] = [
        f"contains the control character {control_character(v)}, which cannot be stored: remove it"
        for v in values[control]
    ]
    if max_length is not None:
        long = (values.str.len() > max_length).to_numpy(dtype=bool) & ~control
        why[long] = [f"is {len(v):,} characters long; at most {max_length} fit" for v in values[long]]
    return why
