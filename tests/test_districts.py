"""The England district registry: every district, its council and region, distances, boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from planner.data.districts import (
    boundaries,
    distance_to_district_km,
    district_name,
    districts,
    find_council,
    haversine_km,
    in_england,
)

GLOUCESTERSHIRE = ("E07000078", "E07000079", "E07000080", "E07000081", "E07000082", "E07000083")


def test_all_296_english_districts_are_present_by_type() -> None:
    d = districts()
    assert len(d) == 296
    assert d.index.is_unique
    assert d["code"].str[:3].value_counts().to_dict() == {"E06": 63, "E07": 164, "E08": 36, "E09": 33}
    assert d["code"].str.fullmatch(r"E0[6-9]\d{6}").all()


def test_every_district_has_a_name_a_council_and_a_region() -> None:
    d = districts()
    for column in ("name", "utla_code", "utla_name", "region_code", "region"):
        assert (d[column].str.len() > 0).all(), column
    assert d["region"].nunique() == 9
    assert d["utla_code"].str.fullmatch(r"E(06|08|09|10)\d{6}").all()
    # Two-tier districts (E07) sit in a county; unitary, metropolitan and London boroughs are councils.
    two_tier = d["code"].str.startswith("E07")
    assert (d.loc[two_tier, "utla_code"].str.startswith("E10")).all()
    assert (d.loc[~two_tier, "utla_code"] == d.loc[~two_tier, "code"]).all()


def test_gloucestershire_districts_have_their_names_and_county() -> None:
    d = districts().loc[list(GLOUCESTERSHIRE)]
    assert d["name"].tolist() == [
        "Cheltenham",
        "Cotswold",
        "Forest of Dean",
        "Gloucester",
        "Stroud",
        "Tewkesbury",
    ]
    assert set(d["county_name"]) == {"Gloucestershire"}
    assert set(d["region"]) == {"South West"}
    assert district_name("E07000080") == "Forest of Dean"
    assert district_name("E99999999") == "E99999999"  # unknown codes are shown as they are


@pytest.mark.parametrize(
    "key", ["Gloucestershire", "gloucestershire ", "E10000013", "e10000013", "Stroud", "E07000081"]
)
def test_gloucestershire_resolves_by_name_code_or_one_of_its_districts(key: str) -> None:
    council = find_council(key)
    assert (council.code, council.name) == ("E10000013", "Gloucestershire")
    assert council.district_codes == GLOUCESTERSHIRE


def test_unitary_and_other_counties_resolve() -> None:
    south = find_council("South Gloucestershire")
    assert (south.code, south.district_codes) == ("E06000025", ("E06000025",))
    sussex = find_council("East Sussex")
    assert sussex.code == "E10000011"
    assert [district_name(c) for c in sussex.district_codes] == [
        "Eastbourne",
        "Hastings",
        "Lewes",
        "Rother",
        "Wealden",
    ]
    assert len(find_council("Kent").district_codes) == 12
    assert find_council("Bristol").name == "Bristol, City of"  # as people write it, not as ONS does
    assert find_council("herefordshire").code == "E06000019"


@pytest.mark.parametrize("key", ["Gloucestershir", "Cardiff", "W06000015", ""])
def test_unknown_council_raises_lookup_error_saying_what_to_give(key: str) -> None:
    with pytest.raises(LookupError, match="is not an English county or unitary authority") as caught:
        find_council(key)
    assert "e.g. Gloucestershire" in str(caught.value)
    assert "E10000013" in str(caught.value)


def test_a_misspelt_council_gets_a_suggestion() -> None:
    with pytest.raises(
        LookupError, match=r"did you mean Gloucestershire, South Gloucestershire or Worcestershire\?$"
    ):
        find_council("gloucestershir")
    with pytest.raises(LookupError, match=r"did you mean East Sussex or West Sussex\?$"):
        find_council("East Sussx")


def test_haversine_gives_known_great_circle_distances() -> None:
    london, cambridge = (51.5074, -0.1278), (52.2053, 0.1218)
    assert float(haversine_km(*london, *cambridge)) == pytest.approx(79.4, abs=1.0)
    assert float(haversine_km(*london, *london)) == 0.0
    # Land's End to John o' Groats, about 970 km as the crow flies.
    assert float(haversine_km(50.0657, -5.7132, 58.6373, -3.0689)) == pytest.approx(970, abs=10)


def test_haversine_is_vectorised_and_symmetric() -> None:
    lat1, lon1 = np.array([51.5, 52.2, 53.4]), np.array([-0.1, 0.1, -2.2])
    lat2, lon2 = np.array([52.2, 51.5, 53.4]), np.array([0.1, -0.1, -2.2])
    forward = haversine_km(lat1, lon1, lat2, lon2)
    assert forward.shape == (3,)
    np.testing.assert_allclose(forward, haversine_km(lat2, lon2, lat1, lon1))
    assert forward[2] == 0.0


def test_distance_to_district_is_vectorised_over_points_and_codes() -> None:
    cheltenham = districts().loc["E07000078"]
    lats = np.array([cheltenham["lat"], 51.8643, 51.5074])
    lons = np.array([cheltenham["lon"], -2.2503, -0.1278])
    one_code = distance_to_district_km(lats, lons, "E07000078")
    assert one_code.shape == (3,)
    assert one_code[0] == pytest.approx(0.0, abs=1e-9)
    assert 5 < one_code[1] < 20  # Gloucester is about 12 km from Cheltenham
    assert 130 < one_code[2] < 160  # London
    per_point = distance_to_district_km(lats, lons, np.array(["E07000078", "E07000081", "E09000033"]))
    assert per_point.shape == (3,)
    assert (per_point < 10).all()  # each point is in (or by) its own district


def test_every_district_representative_point_lies_in_england() -> None:
    d = districts()
    assert in_england(d["lat"].to_numpy(), d["lon"].to_numpy()).all()


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [
        ("Cardiff", 51.4816, -3.1791),
        ("Swansea", 51.6214, -3.9436),
        ("Edinburgh", 55.9533, -3.1883),
        ("Glasgow", 55.8642, -4.2518),
        ("Belfast", 54.5973, -5.9301),
        ("the English Channel", 50.2000, -1.0000),
        ("the Irish Sea", 54.0000, -4.0000),
        ("Calais", 50.9513, 1.8587),
    ],
)
def test_points_outside_england_are_not_in_england(place: str, lat: float, lon: float) -> None:
    assert not in_england(np.array([lat]), np.array([lon]))[0], place


def test_in_england_is_false_for_missing_coordinates() -> None:
    assert in_england(np.array([np.nan, 51.86]), np.array([-2.25, -2.25])).tolist() == [False, True]


def test_boundaries_are_a_geodataframe_of_296_districts_in_wgs84() -> None:
    gdf = boundaries()
    assert len(gdf) == 296
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf["code"]) == set(districts().index)
    for column in (
        "code",
        "name",
        "county_code",
        "county_name",
        "utla_code",
        "utla_name",
        "region_code",
        "region",
        "geometry",
    ):
        assert column in gdf.columns
    assert gdf.geometry.is_valid.all()
    forest = gdf.set_index("code").loc["E07000080"]
    assert (forest["county_name"], forest["region"]) == ("Gloucestershire", "South West")
    # The registry's point for a district lies inside (or within 1 km of) its own boundary.
    d = districts().loc[gdf["code"]]
    points = shapely.points(d["lon"].to_numpy(), d["lat"].to_numpy())
    assert (shapely.distance(gdf.geometry.to_numpy(), points) < 0.01).all()


def test_the_table_of_km_to_every_district_is_each_distance_and_is_kept_unchanged() -> None:
    from planner.data.districts import km_to_districts

    lat, lon = np.array([51.86, 53.48]), np.array([-2.24, -2.24])  # Gloucester, Manchester
    table = km_to_districts(lat, lon)
    codes = districts().index
    for i in range(2):
        want = distance_to_district_km(lat[i], lon[i], np.asarray(codes))
        np.testing.assert_allclose(table[i], want, rtol=1e-5)
    assert table is km_to_districts(lat.copy(), lon.copy())  # the same points: the kept table
    with pytest.raises(ValueError):
        table[0, 0] = 0.0  # read-only: no caller can change what another is given
