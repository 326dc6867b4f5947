"""SSDA903 code lists (DfE children looked after return guidance, 2023 to 2025 collections) and
the postcode-to-district lookup the import uses.

The code lists follow the DfE guidance as we read it; councils should check new codes against
the guidance for their collection year (an unknown code is reported, never guessed).
"""

from __future__ import annotations

import re
from typing import Final

SEX: Final = {"1": "M", "2": "F"}
ETHNIC: Final = {
    code: code
    for code in (
        "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH REFU NOBT"
    ).split()
}
REASON_NEW_EPISODE: Final = {
    "P": "Change of legal status and placement and carer(s) at the same time",
    "L": "Change of legal status only",
    "T": "Change of placement and carer(s) only",
    "U": "Change of legal status and change of placement (same carer(s))",
    "B": "Change of placement but same carer(s)",
    "S": "Started to be looked after",
}
LEGAL_STATUS: Final = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order granted",
    "E1": "Placement order granted", "J1": "Remanded to local authority accommodation or youth detention",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to a youth rehabilitation order",
    "L1": "Under police protection", "L2": "Emergency protection order", "L3": "Child assessment order",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks",
    "V4": "Accommodated under an agreed series of short-term breaks, when agreements are recorded",
}  # fmt: skip
CIN: Final = {f"N{i}": f"Category of need N{i}" for i in range(1, 9)}
PLACE_PROVIDER: Final = {
    "PR0": "Parent(s) or other person(s) with parental responsibility", "PR1": "Own provision (by the LA)",
    "PR2": "Other LA provision", "PR3": "Other public provision", "PR4": "Private provision",
    "PR5": "Voluntary, third sector provision",
}  # fmt: skip
REASONS_EPISODE_CEASED: Final = {
    "E11": "Adopted: application unopposed", "E12": "Adopted: consent dispensed with",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility",
    "E14": "Accommodation on remand ended", "E15": "Age assessment determined child is aged 18 or over",
    "E16": "Child moved abroad", "E17": "Aged 18 (or over) and remained with current carers (staying put)",
    "E2": "Died", "E3": "Care taken by another local authority",
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
    "E8": "Period of being looked after ended for any other reason", "E9": "Sentenced to custody",
    "X1": "Episode ceases and a new episode begins on the same day",
}  # fmt: skip
REASON_PLACE_CHANGE: Final = {
    c: c for c in "CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER".split()
}
IN_TOUCH: Final = {
    "YES": "In touch", "NO": "Not in touch", "DIED": "Died", "REFU": "Refused contact",
    "NREQ": "No longer requires services", "RHOM": "Returned home to parents for 6 months or more",
}  # fmt: skip
ACTIV: Final = {
    "F1": "Full-time higher education", "P1": "Part-time higher education",
    "F2": "Full-time education other than higher", "P2": "Part-time education other than higher",
    "F4": "Full-time training or employment", "P4": "Part-time training or employment",
    "F5": "Full-time apprenticeship", "P5": "Part-time apprenticeship",
    "G4": "Not in education, training or employment: illness or disability",
    "G5": "Not in education, training or employment: other reasons",
    "G6": "Not in education, training or employment: pregnancy or parenting",
}  # fmt: skip
# OC3 ACCOM: the letters of planner.data.vocab plus G (gone abroad) and H (deported), with 1 suitable
# or 2 not suitable; S and X are never suitable, G and H are recorded as 2.
ACCOM_903: Final = {
    f"{letter}{digit}": f"{letter}{digit}"
    for letter in "BCDEKTUVWYZ" for digit in "12"
} | {"R1": "R1", "R2": "R2", "S2": "S2", "X2": "X2", "G2": "G2", "H2": "H2"}  # fmt: skip

# Where a young person went on leaving care, as an ACCOM code, when OC3 does not say.
OUTCOME_BY_REC: Final = {
    "E17": "Z1", "E13": "B1", "E4A": "B1", "E4B": "B1", "E5": "D1", "E6": "U1", "E7": "C1",
    "E8": "R1", "E9": "X2", "E15": "R1",
}  # fmt: skip

# Postcode outward codes to districts (LAD) for Gloucestershire, South Gloucestershire and
# Bristol, hand-made from the main district of each outward code. Outward codes straddle
# boundaries (GL2, GL3, GL51, GL52, GL12, GL19, BS16 cover two districts), so some young people
# land in a neighbouring district. No postcode lookup ships offline; other councils need their
# own table here (an unknown postcode is reported and left out, never guessed).
POSTCODE_DISTRICTS: Final = {
    **{f"GL{n}": "E07000081" for n in (1, 2, 3, 4)},  # Gloucester
    **{f"GL{n}": "E07000078" for n in (50, 51, 52, 53)},  # Cheltenham
    **{f"GL{n}": "E07000079" for n in (7, 8, 54, 55, 56)},  # Cotswold
    **{f"GL{n}": "E07000080" for n in (14, 15, 16, 17, 18)},  # Forest of Dean
    **{f"GL{n}": "E07000082" for n in (5, 6, 10, 11, 12, 13)},  # Stroud
    **{f"GL{n}": "E07000083" for n in (19, 20)},  # Tewkesbury
    "GL9": "E06000025",  # South Gloucestershire (Badminton)
    **{f"BS{n}": "E06000025" for n in (15, 30, 32, 34, 35, 36, 37)},  # South Gloucestershire
    **{f"BS{n}": "E06000023" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16)},  # Bristol
}
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})?$")


def district_of_postcode(postcode: object) -> str:
    """The district (LAD code) of a full or partial postcode, or "" when it is not in the lookup."""
    m = _POSTCODE.match(str(postcode or "").strip().upper())
    return POSTCODE_DISTRICTS.get(m.group(1), "") if m else ""


def support_from_place(place: object) -> str:
    """A proxy support need from the placement type (SSDA903 has no support level field)."""
    p = str(place or "")
    if p in ("K1", "K2", "R1", "R2", "S1", "R5"):
        return "high"
    if p in ("H5", "P2", "R3", "Z1"):
        return "medium"
    return "low"  # foster care, with parents, and anything else
