"""Imports from formats councils already hold: the SSDA903 return and its code lists.

`ssda903.import_903()` turns a council's Header, Episodes and OC3 files into cohort.csv and
referrals.csv; `ssda903_codes` holds the DfE code lists it checks against.

May import: `planner.data` and `planner.forecast` (the files it writes are the forecast's).
"""

from planner.sources.ssda903 import ImportResult, import_903, write_import

__all__ = ["ImportResult", "import_903", "write_import"]
