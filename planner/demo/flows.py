"""The demo county's yearly referrals for a place, by flow, from the council's published figures.

A council's demand for places is a flow, not its stock of care leavers. The flows and their sources
(data/README.md, "How the demo is sized", repeats them for users):

- **16-17 year-olds leaving foster care or a children's home for supported accommodation** and
- **18-year-olds leaving foster care (less staying put) or a children's home**: the care leavers
  aged 17-18 (DfE, the council's own count) times the places a year per care leaver of
  `planner.forecast.published_places`, split by the type of place (`published_places.FLOWS`);
- **move-ons and breakdowns of 19-21 year-olds**: the care leavers aged 19-21 (DfE, the council's
  own count) times the same module's places a year per care leaver aged 19-21;
- **the smaller 22-25 group**: not in the DfE tables shipped here; the estimate of those still
  asking the council for help (`planner.demo.calibration`: as many per year of age as the 19-21
  group, a third of them), at the 19-21 group's rate of places a year.

Staying put with former foster carers needs no place someone else could take; it is counted
apart: 1,970 of England's 18-year-old care leavers lived with their former foster carers in the
year to 31 March 2019, of 11,220 care leavers aged 17-18 that year (DfE, Children looked after in
England, national tables "Care leavers who left foster care aged 18 ... (Staying Put)" and
"Accommodation of care leavers"): 0.176 arrangements a year per care leaver aged 17-18.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from planner.forecast.published_places import FLOWS, PLACE_TYPES, PLACES_PER_CARE_LEAVER, places_by_flow

STAYING_PUT_PER_CARE_LEAVER_17_18: Final = 1970 / 11220  # DfE national, 2019 (see above)
# Of 18-year-olds leaving foster care, those who stay put with their former foster carers: 1,970 of
# 3,450 in England in the year to 31 March 2019 (DfE "Staying Put" table; 55% in 2018, about 60%
# in 2020/21 as summarised by CYP Now).
STAYING_PUT_SHARE: Final = 1970 / 3450
FLOW_NAMES: Final = ("leaving_care_16_17", "leaving_care_at_18", "move_on_19_21", "move_on_22_25")
LABELS: Final = {
    "leaving_care_16_17": "16-17 leaving care for supported accommodation",
    "leaving_care_at_18": "18 leaving foster care or a children's home",
    "move_on_19_21": "19-21 move-ons and breakdowns",
    "move_on_22_25": "22-25 move-ons and breakdowns",
    "staying_put": "staying put at 18 (no place taken)",
}
SOURCE: Final = "published_places: DfE national, 2020"


@dataclass(frozen=True, slots=True)
class Flows:
    """Referrals for a place a year by flow (`FLOW_NAMES`), and staying-put arrangements a year."""

    per_year: dict[str, float]
    staying_put_per_year: float
    care_leavers_17_21: float  # DfE 17-18 + 19-21: what the targets are measured against
    care_leavers_22_25: float  # estimate: still asking the council for help

    @property
    def places_per_year(self) -> float:
        return sum(self.per_year.values())

    def sources(self) -> dict[str, str]:
        """How each flow was derived, for `planner demo` and the docs."""
        rate = PLACES_PER_CARE_LEAVER["care_leavers_19_21"]
        semi = sum(PLACE_TYPES["care_leavers_17_18"][t] for t in FLOWS["leaving_care_16_17"][1])
        at_18 = sum(PLACE_TYPES["care_leavers_17_18"][t] for t in FLOWS["leaving_care_at_18"][1])
        return {
            "leaving_care_16_17": f"care leavers aged 17-18 x {semi:.2f} semi-independent a year ({SOURCE})",
            "leaving_care_at_18": f"care leavers aged 17-18 x {at_18:.2f} lodgings, homes, foyers ({SOURCE})",
            "move_on_19_21": f"care leavers aged 19-21 x {rate:.2f} places a year ({SOURCE})",
            "move_on_22_25": f"the 22-25 estimate x {rate:.2f} places a year (as 19-21)",
            "staying_put": f"care leavers aged 17-18 x {STAYING_PUT_PER_CARE_LEAVER_17_18:.3f} (DfE national "
            "Staying Put table, 2019)",
        }


def council_flows(leavers_17_18: float, leavers_19_21: float, older: float) -> Flows:
    """The flows for a council with these care leaver counts (DfE, or estimates where suppressed)
    and `older` aged 22-25 still asking for help (an estimate)."""
    per_year = dict(places_by_flow(leavers_17_18, leavers_19_21))
    per_year["move_on_22_25"] = older * PLACES_PER_CARE_LEAVER["care_leavers_19_21"]
    return Flows(
        per_year=per_year,
        staying_put_per_year=leavers_17_18 * STAYING_PUT_PER_CARE_LEAVER_17_18,
        care_leavers_17_21=leavers_17_18 + leavers_19_21,
        care_leavers_22_25=older,
    )
