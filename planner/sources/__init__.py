"""Imports from formats councils already hold: the SSDA903 return and its code lists.

`ssda903.import_903()` turns a council's Header, Episodes and OC3 files of one or more years into
cohort.csv and referrals.csv: `ssda903_files` finds the files and their collection years
(`collection_years`: the dates of a collection year, in one place), `ssda903_codes` holds the
DfE code lists of each year, `ssda903_check` checks a file against them, `ssda903_history`
derives the two files.

May import: `planner.data` (the files it writes are declared there, `planner.data.history_formats`).
"""

from planner.sources.ssda903 import ImportResult, import_903, write_import

__all__ = ["ImportResult", "import_903", "write_import"]
