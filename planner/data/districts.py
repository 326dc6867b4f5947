"""English local authority districts: codes, names, centroids, councils, distances, boundaries.

Built from the ONS files shipped in `data/reference/` (see ATTRIBUTION.md there). The district
polygons are read once per process and kept prepared, with a spatial index for "is this point in
England" (no union of 296 polygons to build: a point is within 1 km of England exactly when it is
within 1 km of one of its districts). shapely and geopandas load only when geometry is needed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.data.lad import CENTROIDS
from planner.data.lad import district_name as district_name  # re-exported: the registry's names
from planner.data.lad import district_names as district_names

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"
EARTH_RADIUS_KM = 6371.0088
# Boundaries are generalised to 500 m and clipped at mean high water, so a real coastal or
# border address can fall just outside them; allow about 1 km.
ENGLAND_TOLERANCE_DEG = 0.01
# Every postcode of a sample of 130,000 across England lies within 0.9 km of its own district
# as these boundaries draw it; a place further than this outside its district is a mistake.
DISTRICT_TOLERANCE_KM = 2.0


@cache
def districts() -> pd.DataFrame:
    """All 296 English districts indexed by LAD code, with name, lat, lon, county, council, region."""
    df = pd.read_csv(
        CENTROIDS,
        dtype={"code": str, "name": str, "county_code": str, "county_name": str},
        keep_default_na=False,
    )
    return df.set_index("code", drop=False)


def main_council(codes: Iterable[str]) -> str | None:
    """The upper-tier council (UTLA code) most of these district codes belong to; None when none
    is a known district."""
    councils = pd.Series(list(codes), dtype=object).map(districts()["utla_code"]).dropna()
    return None if councils.empty else str(councils.mode().iloc[0])


def haversine_km(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float, lon2: np.ndarray | float
) -> np.ndarray:
    """Great-circle distance in km, vectorised over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def km_to_districts(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """km from each point to the centroid of every district, in `districts()` order (points x 296,
    float32, read-only). The last few tables are kept: a match asks for its schemes' table for
    eligibility and again for the reasons (600,000 distances at England scale)."""
    return _km_table(
        np.ascontiguousarray(lat, dtype=float).tobytes(), np.ascontiguousarray(lon, dtype=float).tobytes()
    )


@lru_cache(maxsize=4)
def _km_table(lat: bytes, lon: bytes) -> np.ndarray:
    d = districts()
    table = haversine_km(
        np.frombuffer(lat)[:, None],
        np.frombuffer(lon)[:, None],
        d["lat"].to_numpy()[None, :],
        d["lon"].to_numpy()[None, :],
    ).astype(np.float32)
    table.flags.writeable = False
    return table


def distance_to_district_km(
    lat: np.ndarray | float, lon: np.ndarray | float, codes: np.ndarray | str
) -> np.ndarray:
    """Distance in km from points to the centroids of districts (one code per point, or one for all)."""
    d = districts().loc[np.atleast_1d(codes)]
    return haversine_km(lat, lon, d["lat"].to_numpy(), d["lon"].to_numpy())


@cache
def _district_shapes() -> tuple[pd.DataFrame, np.ndarray, shapely.STRtree]:
    """The district polygons (properties, prepared geometries, a spatial index), read once."""
    import shapely

    with open(REFERENCE_DIR / "lad_england.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    props = pd.DataFrame([f["properties"] for f in features])
    shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object)
    shapely.prepare(shapes)
    return props, shapes, shapely.STRtree(shapes)


def in_england(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where a point lies inside England's district boundaries (within about 1 km)."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    out = np.zeros(lat.shape, dtype=bool)
    if ok.any():
        import shapely

        _, _, tree = _district_shapes()
        hit, _ = tree.query(
            shapely.points(lon[ok], lat[ok]), predicate="dwithin", distance=ENGLAND_TOLERANCE_DEG
        )
        inside = np.zeros(int(ok.sum()), dtype=bool)
        inside[hit] = True
        out[ok] = inside
    return out


@cache
def transformer(source: str, target: str):  # type: ignore[no-untyped-def]
    """A pyproj transformer between two CRS, x (longitude, easting) first; kept for the process."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


@cache
def _shapes_bng() -> pd.Series:
    """District boundaries in British National Grid metres (EPSG:27700), by LAD code."""
    import shapely

    gdf = boundaries()[["code", "geometry"]].to_crs("EPSG:27700")
    shapes = pd.Series(gdf.geometry.to_numpy(), index=gdf["code"].to_numpy())
    shapely.prepare(shapes.to_numpy())
    return shapes


def km_outside_district(lat: np.ndarray, lon: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """How far each point lies outside its own district's boundary, in km (0 inside).

    Almost every point lies inside its district: that is tested on the degree polygons already
    read for `in_england`, and only the others are projected to metres (pyproj and the projected
    boundaries cost a quarter of a second to load, more than reading 2,000 schemes)."""
    import shapely

    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    codes = np.asarray(codes, dtype=object)
    props, shapes, _ = _district_shapes()
    at = pd.Index(props["code"]).get_indexer(codes)
    km = np.full(len(lat), np.nan)
    known = at >= 0
    inside = np.zeros(len(lat), dtype=bool)
    inside[known] = shapely.contains_xy(shapes[at[known]], lon[known], lat[known])
    km[inside] = 0.0
    rest = np.flatnonzero(~inside)
    if len(rest):
        east, north = transformer("EPSG:4326", "EPSG:27700").transform(lon[rest], lat[rest])
        bng = _shapes_bng().reindex(codes[rest]).to_numpy()
        km[rest] = np.asarray(shapely.distance(bng, shapely.points(east, north)), dtype=float) / 1000
    return km


def boundaries() -> gpd.GeoDataFrame:
    """District boundaries (EPSG:4326) with the registry's columns, for maps (a copy of the ones
    read once per process)."""
    return _boundaries().copy()


@cache
def _boundaries() -> gpd.GeoDataFrame:
    import geopandas as gpd

    props, shapes, _ = _district_shapes()
    gdf = gpd.GeoDataFrame(props, geometry=list(shapes), crs="EPSG:4326")
    cols = ["code", "county_code", "county_name", "utla_code", "utla_name", "region_code", "region"]
    return gdf.merge(districts()[cols].reset_index(drop=True), on="code", how="left")


@dataclass(frozen=True, slots=True)
class Council:
    """An upper-tier authority (children's services authority) and its districts."""

    code: str
    name: str
    district_codes: tuple[str, ...]


def _plain(name: str) -> str:
    """ONS writes "Bristol, City of" and "Herefordshire, County of"; people write "Bristol"."""
    return re.sub(r",\s*(city|county) of$", "", name.strip().lower())


def find_council(name_or_code: str) -> Council:
    """A county or unitary authority by code (`E10000013`) or name (`gloucestershire`).

    A district's own code or name gives the council it belongs to.
    """
    key = _plain(name_or_code)
    d = districts()
    hit = d[(d["utla_code"].str.lower() == key) | (d["utla_name"].map(_plain) == key)]
    if hit.empty:
        own = d[(d["code"].str.lower() == key) | (d["name"].map(_plain) == key)]
        if not own.empty:
            hit = d[d["utla_code"] == own["utla_code"].iloc[0]]
    if hit.empty:
        names = sorted(set(d["utla_name"]))
        close = difflib.get_close_matches(name_or_code.strip().title(), names, n=3, cutoff=0.75)
        hint = f"; did you mean {', '.join(close[:-1])} or {close[-1]}?" if len(close) > 1 else ""
        hint = f"; did you mean {close[0]}?" if len(close) == 1 else hint
        raise LookupError(
            f"{name_or_code!r} is not an English county or unitary authority "
            f"(give its name, e.g. Gloucestershire, or its ONS code, e.g. E10000013){hint}"
        )
    return Council(
        code=str(hit["utla_code"].iloc[0]),
        name=str(hit["utla_name"].iloc[0]),
        district_codes=tuple(sorted(hit["code"])),
    )
