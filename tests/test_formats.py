"""`planner.data.formats`: how dates read back from a table."""

from __future__ import annotations

import pandas as pd

from planner.data.formats import timestamps


def test_a_date_column_reads_as_its_tolist_with_each_distinct_date_converted_once() -> None:
    column = pd.Series(pd.to_datetime(["2026-11-23", None, "2026-12-03", "2026-11-23", None]))
    got = timestamps(column)
    assert [str(v) for v in got] == [str(v) for v in column.tolist()]
    assert got[1] is pd.NaT and got[0] == pd.Timestamp("2026-11-23")
    assert timestamps(column.iloc[:0]) == []
