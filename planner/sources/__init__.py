"""Imports from formats councils already hold: the SSDA903 return and its code lists.

`ssda903.import_903()` turns a council's Header, Episodes, OC3, UASC and Missing files of one or
more years into cohort.csv and referrals.csv: `ssda903_files` finds the files and their
collection years (`collection_years`: the dates of a collection year, in one place),
`ssda903_codes` holds the DfE code lists of each year, `ssda903_check` checks a file against
them, `ssda903_council` says whose returns they are and each child's district, `ssda903_events`
finds the events that are referrals (leaving care, moves between OC3 years, releases from
custody), `ssda903_support` reads support need from what the return shows, and
`ssda903_history` writes the two files.

May import: `planner.data` (the files it writes are declared there, `planner.data.history_formats`).
"""

from planner.sources.ssda903 import ImportResult, import_903, write_import

__all__ = ["ImportResult", "import_903", "write_import"]
