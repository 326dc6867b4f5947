"""Whose returns these are, and each child's district.

The council is the one given (`planner import-903 --council NAME|CODE`), else the one most
children's home districts belong to (`HOME_POST`, else `PL_POST` when no home postcode is found).
A child's district is their latest home postcode's found in England; failing that, their latest
placement's when it lies in the council's own districts (a placement across the border says where
the council found a place, not where the young person is from); failing both, `unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.data.districts import Council, districts, find_council, main_council
from planner.data.problems import InvalidInput, Problem


@dataclass(frozen=True, slots=True)
class Whose:
    code: str  # the council's (upper-tier) code; "" when neither given nor found
    line: str  # what the summary prints about it
    districts: frozenset[str]


def given_council(name_or_code: str | None) -> Council | None:
    """The council `--council` names (InvalidInput naming the option when it names none)."""
    if name_or_code is None:
        return None
    try:
        return find_council(name_or_code)
    except LookupError as e:
        raise InvalidInput([Problem("--council", None, None, str(e.args[0]))]) from None


def postcode_districts(eps: pd.DataFrame, found: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each child's district of their latest HOME_POST and of their latest PL_POST found in
    England (absent when none). `found` maps a postcode as written to its district ("" when not
    found in England)."""
    lookup = found["district"]

    def latest(col: str) -> pd.Series:
        district = pd.Series(lookup.reindex(eps[col].to_numpy()).to_numpy(), index=eps.index).replace(
            "", np.nan
        )
        return district.groupby(eps["CHILD"]).last().dropna()

    return latest("HOME_POST"), latest("PL_POST")


def whose(home: pd.Series, place: pd.Series, given: Council | None) -> Whose:
    """The council, and how it is known, for the summary."""
    fallback = place[~place.index.isin(home.index)]
    seen = pd.concat([home, fallback])
    found = main_council(seen)
    code = given.code if given is not None else found
    if code is None:
        return Whose("", "", frozenset())
    d = districts()
    ours = frozenset(d.index[d["utla_code"] == code])
    name = str(d.loc[d["utla_code"] == code, "utla_name"].iloc[0])
    share = float(seen.isin(ours).mean()) if len(seen) else float("nan")
    where = f"{share:.0%} of the children with a known district live there" if len(seen) else ""
    if given is None:
        spread = "" if share >= 0.5 else " (the rest are spread over other councils: check the postcodes)"
        return Whose(code, f"{name} ({code}), from the postcodes: {where}{spread}", ours)
    if not len(seen):
        return Whose(code, f"{name} ({code}), as given with --council: no postcode found in England", ours)
    other = (
        ""
        if found in (None, code) or share >= 0.5
        else f" (the postcodes point to {_name(found)}: check --council)"
    )
    return Whose(code, f"{name} ({code}), as given with --council: {where}{other}", ours)


def _name(code: str | None) -> str:
    d = districts()
    hit = d[d["utla_code"] == code]
    return f"{hit['utla_name'].iloc[0]} ({code})" if len(hit) else str(code)


def child_districts(home: pd.Series, place: pd.Series, owner: Whose) -> pd.Series:
    """Home district, else the placement's when it is the council's own (any, when the council is
    not known)."""
    near = place[place.isin(owner.districts)] if owner.code else place
    return home.combine_first(near)
