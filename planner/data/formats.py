"""How people in an English council read dates, money and counts (`23 Nov 2026`, `£1,234`,
`2 schemes`), ages on a date as the law counts them, and CSV files they can open in a spreadsheet
safely."""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas only for the tables' helpers: dates and money stay light to import
    import numpy as np
    import pandas as pd


def uk_date(value: date | datetime | None) -> str:
    """`23 Nov 2026` (no leading zero on the day); empty for no date."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def each_distinct(values: pd.Series | np.ndarray, fn: Callable[[Any], object]) -> list:
    """`fn` of each value, in order, worked out once per distinct value (a list of 20,000 people
    holds a few hundred dates, a dozen accommodation codes); a missing value is passed to `fn` as
    it is (NaN, None, NaT)."""
    import pandas as pd

    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    done = [fn(v) for v in distinct.tolist()]
    return [done[c] for c in codes]


def timestamps(values: pd.Series) -> list:
    """A date column as a list of Timestamps (NaT where empty), like `Series.tolist()` but each
    distinct date converted once."""
    return each_distinct(values, lambda v: v)


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 episode`, `2,140 episodes`; `many` for an irregular plural (`plural(3, "person", "people")`)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def gbp(value: float | int | None) -> str:
    """`£1,234`; pence only when there are any (`£1,234.50`)."""
    if value is None:
        return ""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if round(amount, 2) == round(amount):
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def parse_date(text: str) -> date:
    """A date as people type it in England, `23/11/2026`, or as ISO, `2026-11-23`.

    Raises ValueError for anything else, or a date that does not exist."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, the month's last day where it has no such day
    (31 Jan + 1 month is 28 or 29 Feb), as pandas' DateOffset counts, without loading pandas."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def ages_on(dob: pd.Series, on: date | pd.DatetimeIndex) -> np.ndarray:
    """Age in whole years on `on`, one date or one per row (birthdays on 29 February count from
    1 March)."""
    import numpy as np
    import pandas as pd

    d = pd.DatetimeIndex(dob)
    before = (d.month > on.month) | ((d.month == on.month) & (d.day > on.day))
    return np.asarray(on.year - d.year - before.astype(int), dtype=np.int64)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); OWASP's
# guidance is to prefix such text with an apostrophe, which the spreadsheet shows as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def spreadsheet_cell(text: str) -> str:
    """`text` safe to open in a spreadsheet: `'=HYPERLINK(...)`; a plain number such as `-3.5`
    is left alone (it cannot be a formula, and stays a number)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells are `spreadsheet_cell`s, for CSV files people open
    (matches.csv, reports, downloads). Numeric columns are numbers and are left as they are."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col]):
            continue
        if _may_start_formula(out[col].to_numpy(dtype=object)):
            out[col] = out[col].map(lambda v: spreadsheet_cell(v) if isinstance(v, str) else v)
    return out


# A column of text joined by NUL is searched once for a cell starting as a formula would; only a
# column with one (or with a NUL, or a value that is not text) is gone through cell by cell.
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(_FORMULA_START)) + "]")


def _may_start_formula(values: np.ndarray) -> bool:
    try:
        joined = "\x00" + "\x00".join(values)
    except TypeError:
        return True
    return joined.count("\x00") != len(values) or _FORMULA_AFTER_NUL.search(joined) is not None


def spreadsheet_safe_csv(text: str) -> str:
    """CSV text (e.g. a stored report) with every cell made a `spreadsheet_cell`."""
    rows = csv.reader(io.StringIO(text, newline=""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
