"""Shortfall by district: demand waiting against suitable vacancies, per council district."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.data.contract import PEOPLE, SCHEMES, Dataset, load_folder
from planner.data.districts import find_council
from planner.data.table import read_table
from planner.forecast.shortfall import COLUMNS, shortfall_by_district

ON = date(2026, 11, 23)
GLOUCESTER, CHELTENHAM, STROUD = "E07000081", "E07000078", "E07000082"
SOUTH_GLOS = "E06000025"
CENTRE = {GLOUCESTER: (51.8643, -2.2503), CHELTENHAM: (51.8981, -2.0782), STROUD: (51.745, -2.217)}
CENTRE[SOUTH_GLOS] = (51.54, -2.42)


def person(pid: str, home: str, need: str = "medium", accom: str = "", needed: str = "2026-11-01") -> str:
    return f"{pid},2005-01-01,F,{home},,,{need},false,false,false,,{needed},{accom}"


def scheme(sid: str, district: str, vacancies: int, level: str = "medium", kind: str = "D") -> str:
    lat, lon = CENTRE[district]
    where = f"{kind},{district},{lat},{lon},"  # no postcode
    return f"{sid},{sid} house,Provider,{where},10,{vacancies},16,25,any,{level},,,,,true,500"


def dataset(people: list[str], schemes: list[str]) -> Dataset:
    p = "\n".join([",".join(PEOPLE.names), *people]) + "\n"
    s = "\n".join([",".join(SCHEMES.names), *schemes]) + "\n"
    return Dataset(read_table(p.encode(), PEOPLE), read_table(s.encode(), SCHEMES))


def row(table, code: str) -> dict:
    return table.set_index("district").loc[code].to_dict()


def test_every_district_of_the_council_is_listed_even_without_people_or_schemes():
    table = shortfall_by_district(dataset([person("A", GLOUCESTER)], []), on=ON)
    assert list(table.columns) == list(COLUMNS)
    assert set(table["district"]) == set(find_council("Gloucestershire").district_codes)
    assert list(table["name"]) == sorted(table["name"])
    stroud = row(table, STROUD)
    assert (stroud["waiting"], stroud["suitable_vacancies"], stroud["shortfall"]) == (0, 0, 0)


def test_shortfall_is_people_waiting_at_home_minus_suitable_vacancies_there():
    data = dataset(
        [person("A", GLOUCESTER), person("B", GLOUCESTER), person("C", GLOUCESTER), person("D", CHELTENHAM)],
        [scheme("S1", GLOUCESTER, 1), scheme("S2", CHELTENHAM, 4), scheme("S3", CHELTENHAM, 0)],
    )
    table = shortfall_by_district(data, on=ON)
    g = row(table, GLOUCESTER)
    assert (g["waiting"], g["suitable_vacancies"], g["shortfall"], g["schemes"]) == (3, 1, 2, 1)
    cheltenham = row(table, CHELTENHAM)
    assert (cheltenham["shortfall"], cheltenham["schemes"]) == (-3, 2)  # a surplus is negative


def test_bed_and_breakfast_and_emergency_vacancies_are_not_suitable_supply():
    data = dataset(
        [person("A", GLOUCESTER)],
        [scheme("B1", GLOUCESTER, 5, kind="W"), scheme("E1", GLOUCESTER, 5, kind="V")],
    )
    g = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (g["suitable_vacancies"], g["shortfall"], g["schemes"]) == (0, 1, 0)


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
    assert (low["waiting"], low["suitable_vacancies"], low["shortfall"]) == (1, 5, -4)
    every = row(shortfall_by_district(data, on=ON), GLOUCESTER)
    assert (every["waiting"], every["suitable_vacancies"]) == (3, 5)


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
    assert (table["shortfall"] == table["waiting"] - table["suitable_vacancies"]).all()


LEVELS = ("none", "low", "medium", "high", "intensive")
DISTRICTS = (GLOUCESTER, CHELTENHAM, STROUD)


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(LEVELS)), max_size=12),
    schemes=st.lists(
        st.tuples(
            st.sampled_from(DISTRICTS), st.integers(0, 5), st.sampled_from(LEVELS), st.sampled_from("DEW")
        ),
        min_size=1,
        max_size=8,
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
    assert by_level["none"]["suitable_vacancies"].equals(every["suitable_vacancies"])
    for lower, higher in zip(LEVELS, LEVELS[1:], strict=False):
        assert (by_level[higher]["suitable_vacancies"] <= by_level[lower]["suitable_vacancies"]).all()
    for t in (every, *by_level.values()):
        assert (t["shortfall"] == t["waiting"] - t["suitable_vacancies"]).all()
