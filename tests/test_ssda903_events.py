"""Which SSDA903 records become referrals for a place: the event rules (data/README.md, "What counts
as a referral"), one child each, on two hand-made years of returns (2023-24 and 2024-25). No OC3
record is demand unless a rule makes it one; not known (R) never is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.forecast.demand import classify
from planner.sources import import_903
from planner.sources.ssda903_history import pseudonym

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"
# child: (date of birth, how their care ended (year, DEC, REC) or None, OC3 by year: IN_TOUCH/ACCOM)
CHILDREN = {
    "A": ("15/06/2005", (2023, "15/06/2023", "E5"), {2023: "YES D1", 2024: "YES D1"}),  # stayed
    "B": ("15/06/2005", (2023, "15/06/2023", "E5"), {2023: "YES D1", 2024: "YES U1"}),  # moved
    "C": ("15/06/2005", (2023, "15/06/2023", "E5"), {2023: "YES D1", 2024: "YES B1"}),  # home
    "D": ("15/06/2005", (2023, "15/06/2023", "E9"), {2023: "YES X2", 2024: "YES D1"}),  # released
    "E": ("15/06/2005", (2023, "15/06/2023", "E5"), {2023: "YES D1", 2024: "NO 0"}),  # not known
    "F": ("10/10/2006", (2024, "10/10/2024", "E17"), {2024: "YES Z1"}),  # staying put
    "G": ("10/10/2006", (2024, "10/10/2024", "E5"), {2024: "YES D1"}),  # left for a place
    "H": ("10/10/2006", (2024, "10/10/2024", "E8"), {2024: "NO 0"}),  # left, not known
    "I": ("01/09/2003", None, {2023: "YES U1", 2024: "YES W1"}),  # own tenancy, then B&B
    "J": ("01/09/2003", None, {2023: "REFU 0", 2024: "YES V1"}),  # not known, then emergency
    "K": ("01/09/2003", None, {2023: "YES U1", 2024: "YES U1"}),  # stayed in her tenancy
    "L": ("10/10/2006", (2024, "10/10/2024", "E13"), {2024: "YES B1"}),  # left care to family
    "M": ("01/09/2004", None, {2023: "YES X2", 2024: "YES B1"}),  # released, to family
    "N": ("01/09/2003", None, {2023: "YES D1", 2024: "NREQ 0"}),  # no longer requires services
}


def _write(folder: Path) -> Path:
    for year in (2023, 2024):
        part = folder / f"{year}-{(year + 1) % 100}"
        part.mkdir(parents=True)
        header, episodes, oc3 = [HEADER], [EPISODES], [OC3]
        for child, (dob, ended, snaps) in CHILDREN.items():
            header.append(f"{child},F,{dob},WBRI,A10000000000{ord(child)},0,")
            if ended is not None and ended[0] >= year:
                dec, rec = (ended[1], ended[2]) if ended[0] == year else ("", "")
                episodes.append(f"{child},01/01/2020,S,C2,N1,U4,PR1,{dec},{rec},,NR4 7PB,NR7 8HF,")
            if year in snaps:
                touch, accom = snaps[year].split()
                oc3.append(f"{child},{dob},{touch},{'F2' if touch == 'YES' else '0'},{accom}")
        for name, rows in (("header", header), ("episodes", episodes), ("oc3", oc3)):
            (part / f"{name}.csv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return import_903(_write(tmp_path_factory.mktemp("returns")), salt="t")


def _rows(result, child: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    ref = classify(result.referrals)
    return ref[ref["person_id"] == pseudonym(child, "t")]


def _written(result, child: str) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    """(rule, outcome, demand) of each row written for the child."""
    rows = _rows(result, child)
    return [(s.split(":")[0], a, bool(n)) for s, a, n in zip(rows["source"], rows["outcome_accom"],
                                                            rows["needs_place"], strict=True)]  # fmt: skip


def test_a_snapshot_in_the_same_type_of_place_as_the_year_before_is_no_referral(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "A") == [] and _written(result, "K") == []
    assert result.counts["stayed"] == 2


def test_a_move_between_two_oc3_years_into_a_place_the_council_provides_is_demand(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "B") == [("moved", "U1", True)]
    assert _rows(result, "B")["referral_date"].tolist() == [pd.Timestamp("2024-06-15")]  # her 19th birthday


def test_a_move_into_bnb_or_emergency_accommodation_is_demand(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "I") == [("moved", "W2", True)]  # W1 written W2: B&B is unsuitable here
    assert _written(result, "J") == [("moved", "V2", True)]  # not known before: a need either way


def test_a_move_back_to_family_is_no_referral(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "C") == []
    assert result.counts["to_family"] == 1


def test_release_from_custody_is_a_referral_and_demand_unless_home_to_family(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "D") == [("released from custody", "D1", True)]
    assert _written(result, "M") == [("released from custody", "B1", False)]
    assert result.counts["events_released from custody"] == 2
    assert result.counts["demand_released from custody"] == 1


def test_leaving_care_is_a_referral_and_demand_unless_to_family_staying_put_or_custody(result) -> None:  # type: ignore[no-untyped-def]
    assert _written(result, "G") == [("left care", "D1", True)]
    assert _written(result, "F") == [("left care", "Z1", False)]
    assert _written(result, "L") == [("left care", "B1", False)]


def test_not_known_is_never_demand_and_is_counted_apart(result) -> None:  # type: ignore[no-untyped-def]
    for child in ("E", "H", "N"):  # not in touch, left care not known, no longer requires services
        assert _written(result, child) == []
    assert not result.referrals["outcome_accom"].str.startswith("R").any()
    assert result.counts["not_known"] == 4  # E (2024-25), H's leaving, J (2023-24), N
    assert result.counts["left_not_known"] == 1
    assert not classify(result.referrals.assign(outcome_accom="R1"))["needs_place"].any()


def test_events_of_the_first_year_loaded_only_set_where_people_were(result) -> None:  # type: ignore[no-untyped-def]
    assert result.referrals["referral_date"].min() >= pd.Timestamp("2024-04-01")
    assert any(n.startswith("5 events before 1 Apr 2024 not written") for n in result.notes)  # A to E left


def test_every_written_row_names_the_rule_that_made_it(result) -> None:  # type: ignore[no-untyped-def]
    rules = result.referrals["source"].str.split(":").str[0]
    assert set(rules) == {"left care", "moved", "released from custody"}
