"""SSDA903 code lists by collection year, 2017-18 to 2025-26, and what the import makes of them.

The valid codes are the DfE validation rules as the field's own validator implements them:
data-to-insight/csc-validator-be-903 (MIT), commit 10ad07c (22 Apr 2026). From 2022-23 its rules
are split by year, files `lac_validator/rules/lac<year>/rule_<id>.py`: each year's rules are the
previous year's with that year's folder's files added or replaced, so a list changes only in the
years named below. Before 2022-23 the validator had one rule set (`validator903/validators.py`,
written in 2021 for the 2020-21 return and kept until commit 4852d0f, July 2023), which it applied
to returns of every earlier year; its fixtures include a 2017-18 return. For every field read here
that rule set's lists are the 2022-23 lists, so 2017-18 to 2021-22 are checked against them as
years of their own. The validator pins pandas < 2, so the lists are written here rather than read
from it at run time.

Collection years are named by the year they start in (`planner.sources.collection_years`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from planner.data.history_formats import PLACEMENT_TYPES
from planner.data.vocab import ACCOM_LABELS, ACTIVITY_LABELS
from planner.sources.collection_years import years_label

FIRST_YEAR: Final = 2017  # 2017-18, the oldest collection year with lists here
LAST_YEAR: Final = 2025  # 2025-26
VALIDATOR: Final = "data-to-insight/csc-validator-be-903 lac_validator/rules"


@dataclass(frozen=True, slots=True)
class CodeList:
    """The codes of one field: every code valid in some supported year, with its label."""

    name: str
    labels: dict[str, str]
    rule: str  # the validator's rule id and files, for the reader to check
    only: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> first, last year valid

    def valid(self, year: int) -> frozenset[str]:
        """The codes valid in a collection year (the nearest year with lists, outside them)."""
        y = min(max(year, FIRST_YEAR), LAST_YEAR)
        return frozenset(c for c in self.labels if self._first(c) <= y <= self._last(c))

    def _first(self, code: str) -> int:
        return self.only.get(code, (FIRST_YEAR, LAST_YEAR))[0]

    def _last(self, code: str) -> int:
        return self.only.get(code, (FIRST_YEAR, LAST_YEAR))[1]

    def years_of(self, code: str) -> str:
        return years_label(self._first(code), self._last(code))

    def example(self, year: int) -> str:
        codes = [c for c in self.labels if c in self.valid(year)]  # in the guidance's order
        return ", ".join(codes) if len(codes) <= 8 else ", ".join(codes[:6]) + ", ..."


def _same(*codes: str) -> dict[str, str]:
    return {c: c for c in codes}


LISTS: Final = {
    c.name: c
    for c in (
        CodeList(
            "SEX",
            {"1": "Male", "2": "Female", "M": "Male", "F": "Female", "U": "Unknown"},
            "rule 101 (lac2022_23/rule_101.py; lac2024_25/rule_101.py)",
            {
                "1": (FIRST_YEAR, 2023),
                "2": (FIRST_YEAR, 2023),
                "M": (2024, LAST_YEAR),
                "F": (2024, LAST_YEAR),
                "U": (2024, LAST_YEAR),
            },
        ),  # fmt: skip
        CodeList(
            "ETHNIC",
            _same(
                *"WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH "
                "CHNE OOTH REFU NOBT".split()
            ),
            "rule 103 (lac2022_23/rule_103.py)",
        ),  # fmt: skip
        CodeList("MOTHER", {"0": "Not a mother", "1": "Mother"}, "rule 165 (lac2022_23/rule_165.py)"),
        # In the Header of newer extracts; the UASC table's DUC says when the status ended.
        CodeList("UASC_STATUS", {"0": "Not UASC", "1": "UASC"}, "rule 231 (lac2024_25/rule_231.py)"),
        CodeList(
            "RNE",
            {
                "S": "Started to be looked after",
                "P": "Change of legal status and placement",
                "L": "Change of legal status only",
                "T": "Change of placement only",
                "U": "Change of legal status and placement (same carers)",
                "B": "Change of placement, same carers",
            },
            "rule 143 (lac2022_23/rule_143.py)",
        ),  # fmt: skip
        CodeList(
            "LS",
            {
                "C1": "Interim care order",
                "C2": "Full care order",
                "D1": "Freeing order granted",
                "E1": "Placement order granted",
                "V2": "Single period of accommodation under section 20",
                "V3": "Agreed series of short-term breaks",
                "V4": "Short-term breaks, agreements recorded",
                "J1": "Remanded to local authority accommodation or youth detention",
                "J2": "Placed in local authority accommodation under PACE",
                "J3": "Sentenced to a youth rehabilitation order",
                "L1": "Under police protection",
                "L2": "Emergency protection order",
                "L3": "Child assessment order",
            },
            "rule 144 (lac2022_23/rule_144.py)",
        ),  # fmt: skip
        CodeList(
            "CIN",
            {f"N{i}": f"Category of need N{i}" for i in range(1, 9)},
            "rule 145 (lac2022_23/rule_145.py)",
        ),
        CodeList(
            "PLACE",
            dict(PLACEMENT_TYPES),
            "rule 146 (lac2022_23/rule_146.py; lac2024_25/rule_146.py, which writes K3 as 'k3'; "
            "lac2025_26/rule_146.py)",
            {
                "K3": (2024, LAST_YEAR),
                "H5": (FIRST_YEAR, 2024),
                "P2": (FIRST_YEAR, 2024),
                "Z1": (FIRST_YEAR, 2024),
                **{f"Z1{i}": (2025, LAST_YEAR) for i in range(1, 5)},
            },
        ),  # fmt: skip
        CodeList(
            "PLACE_PROVIDER",
            {
                "PR0": "Parent(s) or other person(s) with parental responsibility",
                "PR1": "Own provision (by the LA)",
                "PR2": "Other LA provision",
                "PR3": "Other public provision",
                "PR4": "Private provision",
                "PR5": "Voluntary, third sector provision",
            },
            "rule 178 (lac2022_23/rule_178.py; lac2025_26/rule_178.py)",
        ),  # fmt: skip
        CodeList(
            "REC",
            {
                "E11": "Adopted: application unopposed",
                "E12": "Adopted: consent dispensed with",
                "E13": "Left care to live with parents, relatives or others without parental responsibility",
                "E14": "Accommodation on remand ended",
                "E15": "Age assessment determined child is aged 18 or over",
                "E16": "Child moved abroad",
                "E17": "Aged 18 (or over) and remained with current carers (staying put)",
                "E2": "Died",
                "E3": "Care taken by another local authority",
                "E41": "Residence order or child arrangement order granted",
                "E45": "Special guardianship order: former foster carers",
                "E46": "Special guardianship order: carers other than former foster carers",
                "E47": "Special guardianship order: relatives or friends (former foster carers)",
                "E48": "Special guardianship order: relatives or friends (other)",
                "E4A": "Returned home to live with parent(s) as part of the care planning process",
                "E4B": "Returned home to live with parent(s) not as part of the care planning process",
                "E5": "Moved into independent living arrangement with supportive accommodation",
                "E6": "Moved into independent living arrangement with no formalised support",
                "E7": "Transferred to residential care funded by adult social care services",
                "E8": "Period of being looked after ended for any other reason",
                "E9": "Sentenced to custody",
                "X1": "Episode ceases and a new episode begins on the same day",
            },
            "rule 149 (lac2022_23/rule_149.py)",
        ),  # fmt: skip
        CodeList(
            "REASON_PLACE_CHANGE",
            _same(*"CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER".split()),
            "rule 1009 (lac2022_23/rule_1009.py)",
        ),
        CodeList(
            "MISSING",
            {"M": "Missing", "A": "Away from placement without authorisation"},
            "rule 1006 (lac2022_23/rule_1006.py)",
        ),
        CodeList(
            "IN_TOUCH",
            {
                "YES": "In touch",
                "NO": "Not in touch",
                "DIED": "Died",
                "REFU": "Refuses contact",
                "NREQ": "No longer requires services",
                "RHOM": "Returned home for 6 months or more",
            },
            "rule 131 (lac2022_23/rule_131.py)",
        ),  # fmt: skip
        # One list with the contract's `activity` column (v1.2), which is validated against it.
        CodeList("ACTIV", dict(ACTIVITY_LABELS), "rule 132 (lac2022_23/rule_132.py)"),
        CodeList(
            "ACCOM",
            {
                **{
                    f"{t}{s}": f"{label} ({'suitable' if s == '1' else 'not suitable'})"
                    for t, label in ({**ACCOM_LABELS, "G": "Gone abroad", "H": "Deported"}).items()
                    for s in "12"
                    if not (t in "SX" and s == "1")
                },
                "0": "Not known (not in touch)",
            },
            "rule 133 (lac2022_23/rule_133.py)",
        ),  # fmt: skip
    )
}

# Header SEX to the contract's gender (X: another gender or not recorded).
GENDER: Final = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "X"}
# How a care leaver's last episode ended, as where they went (an OC3 ACCOM code) when OC3 does
# not say: R is "not known", its digit carries no meaning.
OUTCOME_BY_REC: Final = {
    "E17": "Z1", "E13": "B1", "E4A": "B1", "E4B": "B1", "E5": "D1", "E6": "U1", "E7": "C1", "E8": "R1",
    "E9": "X2",
}  # fmt: skip
# Endings that do not make a care leaver: the young person is not owed leaving care support by
# this council (adopted, an order to carers, another council's care, abroad, died) or was found
# to be an adult (E15). X1 is not an ending: a new episode starts the same day.
NOT_CARE_LEAVERS: Final = frozenset({"E11", "E12", "E14", "E15", "E16", "E2", "E3", "E41", "E45", "E46",
                                     "E47", "E48"})  # fmt: skip
NOT_KNOWN: Final = "R1"  # accommodation of a care leaver the council is not in touch with
HOUSED_LETTERS: Final = frozenset("BCDEKRSTUVWXYZ")  # ACCOM letters of somewhere in England to live
