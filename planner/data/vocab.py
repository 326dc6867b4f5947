"""Vocabularies of the data contract: support levels, SSDA903 accommodation codes, risks."""

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


def accom_label(code: str) -> str:
    """`W2` -> `W2 Bed and breakfast (not suitable)`."""
    if not code:
        return ""
    label = ACCOM_LABELS.get(code[0], "Unknown")
    if len(code) == 2:
        label += " (suitable)" if code[1] == "1" else " (not suitable)"
    return f"{code} {label}"
