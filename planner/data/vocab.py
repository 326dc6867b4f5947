"""Vocabularies of the data contract: support levels, SSDA903 accommodation and activity codes,
legal statuses, risks."""

from typing import Final

# Ordered: a scheme meets a need when its level is at least the need's.
SUPPORT_LEVELS: Final = ("none", "low", "medium", "high", "intensive")
SUPPORT_RANK: Final = {level: i for i, level in enumerate(SUPPORT_LEVELS)}

# SSDA903 return, table OC3, field ACCOM: the letter is the type (DfE SSDA903 guidance).
ACCOM_LABELS: Final = {
    "B": "Parents or relatives",
    "C": "Community home or residential care",
    "D": "Semi-independent, transitional or self-contained accommodation",
    "E": "Supported lodgings",
    "K": "Ordinary lodgings",
    "R": "Not known",
    "S": "No fixed abode or homeless",
    "T": "Foyers",
    "U": "Independent living (own tenancy)",
    "V": "Emergency accommodation",
    "W": "Bed and breakfast",
    "X": "In custody",
    "Y": "Other accommodation",
    "Z": "With former foster carers (staying put)",
}
SCHEME_TYPES: Final = frozenset("BCDEKTUVWYZ")
# W and V count as unsuitable here; S and X are never suitable (PRODUCT.md s.2).
UNSUITABLE_TYPES: Final = frozenset("WV")
NEVER_SUITABLE: Final = frozenset("SXWV")
URGENT_ACCOM: Final = frozenset("WVS")  # already in B&B, emergency or no fixed abode
# Places a council provides or arranges for care leavers, which another young person could take:
# community homes, semi-independent accommodation, supported and ordinary lodgings, foyers, own
# tenancies (nominated like scheme places), other accommodation.
PROVIDED_TYPES: Final = frozenset("CDEKTUY")
# Where a care leaver goes that takes no place someone else could take: family (B), staying put
# with their own former foster carers (Z), custody (X); and not known (R), never a need for a place.
NOT_PLACE_DEMAND: Final = frozenset("BZXR")
# Staying put: living on with one's own former foster carers, from 18 to the 21st birthday
# (Children and Families Act 2014, s.98); the place is reserved for that young person.
STAYING_PUT: Final = "Z"
STAYING_PUT_UNTIL_AGE: Final = 21
# A roof (v1.2): no fixed abode (S) and custody (X, on release) are none; nor is an empty
# current_accom. B&B and emergency accommodation (W, V) are a roof for someone with none.
NO_ROOF_ACCOM: Final = frozenset("SX")
# An own tenancy (U) is a nomination from the district housing authority, from 18, for someone
# assessed ready for it (v1.2).
OWN_TENANCY: Final = "U"
ADULT_AGE: Final = 18

# Legal status (Children Act 1989 as amended by the Children (Leaving Care) Act 2000; SSDA903).
# Eligible and relevant are 16-17 year-olds (the council must accommodate them), former relevant
# 18-25; qualifying (left care after 16 without the full duty) any age (v1.2).
LEGAL_STATUS_LABELS: Final = {
    "eligible": "Eligible (16-17, looked after)",
    "relevant": "Relevant (16-17, left care)",
    "former_relevant": "Former relevant (18-25)",
    "qualifying": "Qualifying",
}
LEGAL_STATUSES: Final = tuple(LEGAL_STATUS_LABELS)
UNDER_18_STATUSES: Final = frozenset({"eligible", "relevant"})
ADULT_STATUSES: Final = frozenset({"former_relevant"})

# SSDA903 table OC3, field ACTIV (main activity), as in every collection year 2022-23 to 2025-26
# (DfE validation rule 132; `planner.sources.ssda903_codes` reads returns with it). `activity` (v1.2).
ACTIVITY_LABELS: Final = {
    "F1": "Full-time higher education",
    "P1": "Part-time higher education",
    "F2": "Full-time education other than higher",
    "P2": "Part-time education other than higher",
    "F4": "Full-time apprenticeship",
    "P4": "Part-time apprenticeship",
    "F5": "Full-time training or employment (not an apprenticeship)",
    "P5": "Part-time training or employment (not an apprenticeship)",
    "G4": "Not in education, training or employment: illness or disability",
    "G5": "Not in education, training or employment: other reasons",
    "G6": "Not in education, training or employment: pregnancy or parenting",
    "0": "Not known (not in touch)",
}
STUDYING: Final = frozenset({"F1", "P1", "F2", "P2"})  # where they study: "near college"
WORKING: Final = frozenset({"F4", "P4", "F5", "P5"})  # apprenticeship, training or work: "near work"

# After the SocialCareData placements data standard v2.
RISKS: Final = (
    "self_harm",
    "sexual_exploitation",
    "criminal_exploitation",
    "substance_use",
    "eating_disorder",
    "going_missing",
    "harm_to_others",
    "sexual_harm_to_others",
    "fire_setting",
    "harm_to_animals",
    "exploiting_others",
)
# The district of a child or care leaver whose postcodes are missing, invented or outside England
# (cohort.csv): the forecast shares them out over the council's districts.
UNKNOWN_DISTRICT: Final = "unknown"
GENDERS: Final = ("F", "M", "X")
SCHEME_GENDERS: Final = ("any", "F", "M")
MIN_AGE: Final = 16
MAX_AGE: Final = 25
# A date of birth giving an age outside these on the match date is refused (v1.2): 15 allows a
# referral ahead of the 16th birthday.
PERSON_MIN_AGE: Final = 15
PERSON_MAX_AGE: Final = MAX_AGE


def accom_label(code: str) -> str:
    """`W2` -> `W2 Bed and breakfast (not suitable)`."""
    if not code:
        return ""
    label = ACCOM_LABELS.get(code[0], "Unknown")
    if len(code) == 2:
        label += " (suitable)" if code[1] == "1" else " (not suitable)"
    return f"{code} {label}"
