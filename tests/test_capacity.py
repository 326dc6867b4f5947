"""Shortfall by district: young people due against suitable vacancies at their level or above,
shared out within each district, never netting levels or districts (planner.forecast.shortfall)."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.data.contract import PEOPLE, SCHEMES, Dataset, load_folder
from planner.data.districts import find_council
from planner.data.table import read_table
from planner.forecast.shortfall import COLUMNS, shortfall_by_district, shortfall_by_level

ON = date(2026, 11, 23)
GLOUCESTER, CHELTENHAM, STROUD = "E07000081", "E07000078", "E07000082"
SOUTH_GLOS = "E06000025"
CENTRE = {GLOUCESTER: (51.8643, -2.2503), CHELTENHAM: (51.8981, -2.0782), STROUD: (51.745, -2.217)}
CENTRE[SOUTH_GLOS] = (51.54, -2.42)


def person(pid: str, home: str, need: str = "medium", accom: str = "", needed: str = "2026-11-01") -> str:
    return f"{pid},2005-01-01,F,{home},,,{need},false,false,false,,{needed},{accom},false"


def scheme(sid: str, district: str, vacancies: int, level: str = "medium", kind: str = "D") -> str:
    lat, lon = CENTRE[district]
    where = f"{kind},{district},{lat},{lon},"  # no postcode
    reserved = "P0" if kind == "Z" else ""
    return f"{sid},{sid} house,Provider,{where},10,{vacancies},16,25,any,{level},,,,,true,500,{reserved}"


def dataset(people: list[str], schemes: list[str]) -> Dataset:
    # Rows in contract v1.1's columns (still valid under v1.2: the new columns are optional).
    p = "\n".join([",".join(PEOPLE.names[: PEOPLE.names.index("uasc") + 1]), *people]) + "\n"
    s = "\n".join([",".join(SCHEMES.names[: SCHEMES.names.index("reserved_for") + 1]), *schemes]) + "\n"
    return Dataset(read_table(p.encode(), PEOPLE), read_table(s.encode(), SCHEMES))


def row(table, code: str) -> dict:
    return table.set_index("district").loc[code].to_dict()


def test_every_district_of_the_council_is_listed_even_without_people_or_schemes():
    table = shortfall_by_district(dataset([person("A", GLOUCESTER)], []), on=ON)
    assert list(table.columns) == list(COLUMNS)
    assert set(table["district"]) == set(find_council("Gloucestershire").district_codes)
    assert list(table["name"]) == sorted(table["name"])
    stroud = row(table, STROUD)
    assert (stroud["waiting"], stroud["suitable_vacancies"], stroud["shortfall"], stroud["spare"]) == (
        0,
        0,
        0,
        0,
    )


def test_shortfall_is_people_due_at_home_without_a_suitable_vacancy_there():
    data = dataset(
        [person("A", GLOUCESTER), person("B", GLOUCESTER), person("C", GLOUCESTER), person("D", CHELTENHAM)],
        [scheme("S1", GLOUCESTER, 1), scheme("S2", CHELTENHAM, 4), scheme("S3", CHELTENHAM, 0)],
    )
    table = shortfall_by_district(data, on=ON)
    g = row(table, GLOUCESTER)
    assert (g["due"], g["suitable_vacancies"], g["shortfall"], g["spare"], g["schemes"]) == (3, 1, 2, 0, 1)
    cheltenham = row(table, CHELTENHAM)
    # Cheltenham's three spare places are not set against Gloucester's shortfall.
    assert (cheltenham["shortfall"], cheltenham["spare"], cheltenham["schemes"]) == (0, 3, 2)
    assert table["shortfall"].sum() == 2


def test_only_people_due_within_the_horizon_count_as_demand():
    # Due: needed on or before 23 Nov 2026 + 28 days = 21 Dec 2026.
    data = dataset(
        [person("A", GLOUCESTER, needed="2026-12-21"), person("B", GLOUCESTER, needed="2026-12-22"),
         person("C", GLOUCESTER, needed="2027-06-01")],
        [scheme("S1", GLOUCESTER, 0)],
    )  # fmt: skip
    g = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (g["waiting"], g["due"], g["shortfall"]) == (3, 1, 1)
    wider = row(shortfall_by_district(data, on=ON, horizon_days=29), GLOUCESTER)
    assert (wider["due"], wider["shortfall"]) == (2, 2)


def test_support_levels_are_never_netted_against_each_other():
    # Two need intensive support and there are five low-support places: two are short, not none.
    data = dataset(
        [person("A", GLOUCESTER, "intensive"), person("B", GLOUCESTER, "intensive"),
         person("C", GLOUCESTER, "low")],
        [scheme("S1", GLOUCESTER, 5, "low")],
    )  # fmt: skip
    g = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (g["due"], g["suitable_vacancies"], g["shortfall"], g["spare"]) == (3, 5, 2, 4)
    intensive = row(shortfall_by_district(data, on=ON, support_level="intensive"), GLOUCESTER)
    assert (intensive["due"], intensive["suitable_vacancies"], intensive["shortfall"]) == (2, 0, 2)


def test_a_higher_need_is_served_first_from_the_places_only_it_can_use():
    # High needs can only use the high place; the low need then takes the medium one.
    data = dataset(
        [person("A", GLOUCESTER, "low"), person("B", GLOUCESTER, "high")],
        [scheme("S1", GLOUCESTER, 1, "high"), scheme("S2", GLOUCESTER, 1, "medium")],
    )
    assert row(shortfall_by_district(data, on=ON), GLOUCESTER)["shortfall"] == 0


def test_bed_and_breakfast_and_emergency_vacancies_are_not_suitable_supply():
    data = dataset(
        [person("A", GLOUCESTER)],
        [scheme("B1", GLOUCESTER, 5, kind="W"), scheme("E1", GLOUCESTER, 5, kind="V")],
    )
    g = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (g["suitable_vacancies"], g["shortfall"], g["spare"], g["schemes"]) == (0, 1, 0, 0)


def test_young_people_in_bnb_or_emergency_are_counted_where_they_come_from():
    data = dataset(
        [
            person("A", GLOUCESTER, accom="W2"),
            person("B", GLOUCESTER, accom="V2"),
            person("C", GLOUCESTER, accom="S2"),  # no fixed abode: urgent, but not B&B/emergency
            person("D", CHELTENHAM, accom="E1"),
        ],
        [],
    )
    table = shortfall_by_district(data, on=ON)
    assert row(table, GLOUCESTER)["in_bnb_or_emergency"] == 2
    assert row(table, CHELTENHAM)["in_bnb_or_emergency"] == 0


def test_support_level_compares_people_needing_it_with_places_at_that_level_or_above():
    data = dataset(
        [person("A", GLOUCESTER, "high"), person("B", GLOUCESTER, "high"), person("C", GLOUCESTER, "low")],
        [
            scheme("S1", GLOUCESTER, 1, "intensive"),
            scheme("S2", GLOUCESTER, 3, "medium"),
            scheme("S3", GLOUCESTER, 1, "high"),
        ],
    )
    high = row(shortfall_by_district(data, on=ON, support_level="high"), GLOUCESTER)
    assert (high["waiting"], high["suitable_vacancies"], high["shortfall"], high["schemes"]) == (2, 2, 0, 2)
    low = row(shortfall_by_district(data, on=ON, support_level="low"), GLOUCESTER)
    # Five places meet a low need, two of them go to the high needs: three are left for C.
    assert (low["waiting"], low["suitable_vacancies"], low["shortfall"], low["spare"]) == (1, 5, 0, 2)
    every = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (every["waiting"], every["suitable_vacancies"], every["shortfall"], every["spare"]) == (3, 5, 0, 2)


def test_all_levels_counted_at_once_are_each_levels_table():
    data = dataset(
        [
            person("A", GLOUCESTER, "high", accom="W2"),
            person("B", GLOUCESTER, "high", needed="2026-12-10"),
            person("C", CHELTENHAM, "low", needed="2027-02-01"),
            person("D", STROUD, "intensive", accom="V2"),
            person("E", SOUTH_GLOS, "none"),
        ],
        [scheme("S1", GLOUCESTER, 1, "intensive"), scheme("S2", CHELTENHAM, 3, "medium"),
         scheme("S3", STROUD, 2, "low"), scheme("S4", GLOUCESTER, 2, "high", kind="W")],
    )  # fmt: skip
    together = shortfall_by_level(data, on=ON)
    assert list(together.columns) == [*COLUMNS[:2], "support_level", *COLUMNS[2:]]
    assert list(together["support_level"].unique()) == ["all", *LEVELS]
    for level in (None, *LEVELS):
        own = shortfall_by_district(data, on=ON, support_level=level)
        got = together[together["support_level"] == (level or "all")].drop(columns="support_level")
        pd.testing.assert_frame_equal(got.reset_index(drop=True), own)
    # One of A and B (one intensive place for two high needs), D and E: in "all", then by level.
    assert together["shortfall"].sum() == 2 * 3


def test_needed_now_counts_places_needed_on_or_before_the_date():
    data = dataset(
        [
            person("A", GLOUCESTER, needed="2026-11-23"),
            person("B", GLOUCESTER, needed="2026-11-24"),
            person("C", GLOUCESTER, needed="2026-10-01"),
        ],
        [],
    )
    g = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (g["waiting"], g["needed_now"]) == (3, 2)


def test_every_council_present_contributes_all_its_districts():
    data = dataset([person("A", SOUTH_GLOS)], [scheme("S1", GLOUCESTER, 2)])
    table = shortfall_by_district(data, on=ON)
    expected = {SOUTH_GLOS, *find_council("Gloucestershire").district_codes}
    assert set(table["district"]) == expected


def test_unknown_support_level_is_refused_with_the_allowed_levels():
    with pytest.raises(ValueError, match="'extreme' is not a support level.*none, low"):
        shortfall_by_district(dataset([], []), on=ON, support_level="extreme")


def test_totals_match_the_example_folder():
    data = load_folder("data/example")
    table = shortfall_by_district(data, on=ON)
    assert table["waiting"].sum() == len(data.people)
    suitable = ~data.schemes["accom_type"].isin(["W", "V"])
    assert table["suitable_vacancies"].sum() == data.schemes.loc[suitable, "vacancies"].sum()
    assert table["due"].sum() == (data.people["needed_from"] <= "2026-12-21").sum()
    assert (table["shortfall"] - table["spare"] == table["due"] - table["suitable_vacancies"]).all()


LEVELS = ("none", "low", "medium", "high", "intensive")
DISTRICTS = (GLOUCESTER, CHELTENHAM, STROUD)


def _fewest_unserved(needs: list[str], levels: list[str]) -> int:
    """Brute force, independent of the planner: every way of giving places to needs."""
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    best = len(needs)
    for choice in itertools.product(range(len(levels) + 1), repeat=len(needs)):
        used = [c for c in choice if c < len(levels)]
        if len(used) != len(set(used)):
            continue
        if all(c == len(levels) or rank[levels[c]] >= rank[n] for n, c in zip(needs, choice, strict=True)):
            best = min(best, len(needs) - len(used))
    return best


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(LEVELS)), max_size=5),
    schemes=st.lists(
        st.tuples(
            st.sampled_from(DISTRICTS), st.integers(0, 2), st.sampled_from(LEVELS), st.sampled_from("DEW")
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_levels_partition_demand_and_supply_only_shrinks_as_the_level_rises(people, schemes):
    data = dataset(
        [person(f"P{i}", home, need) for i, (home, need) in enumerate(people)],
        [scheme(f"S{i}", d, v, level, kind) for i, (d, v, level, kind) in enumerate(schemes)],
    )
    every = shortfall_by_district(data, on=ON).set_index("district")
    by_level = {
        lv: shortfall_by_district(data, on=ON, support_level=lv).set_index("district") for lv in LEVELS
    }
    assert sum(t["waiting"] for t in by_level.values()).equals(every["waiting"])
    assert sum(t["shortfall"] for t in by_level.values()).equals(every["shortfall"])
    assert by_level["none"]["suitable_vacancies"].equals(every["suitable_vacancies"])
    assert by_level["none"]["spare"].equals(every["spare"])
    for lower, higher in zip(LEVELS, LEVELS[1:], strict=False):
        assert (by_level[higher]["suitable_vacancies"] <= by_level[lower]["suitable_vacancies"]).all()
    for code, r in every.iterrows():
        needs = [need for home, need in people if home == code]
        places = [lv for d, v, lv, kind in schemes if d == code and kind != "W" for _ in range(v)]
        assert r["shortfall"] == _fewest_unserved(needs, places), code
        assert r["spare"] == r["suitable_vacancies"] - (r["due"] - r["shortfall"])
