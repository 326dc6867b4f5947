"""Where demo schemes stand: real towns where we ship them, else points inside the district.

Towns come from GeoNames (`data/reference/towns_glos_sglos_esussex.csv`, CC BY 4.0; see
ATTRIBUTION.md) for Gloucestershire, South Gloucestershire and East Sussex. Elsewhere a scheme
is placed near the district's representative point. Every point is checked to lie inside its
own district polygon and inside England (`planner.data.districts.in_england`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import shapely

from planner.data.districts import REFERENCE_DIR, boundaries, districts, haversine_km, in_england

KM_PER_DEG_LAT = 111.0


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lon: float
    weight: float  # relative chance a scheme is here


@cache
def _towns() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "towns_glos_sglos_esussex.csv", dtype={"lad_code": str})


@cache
def _polygons() -> dict[str, shapely.Geometry]:
    gdf = boundaries()
    shapes = dict(zip(gdf["code"], gdf.geometry, strict=True))
    for g in shapes.values():
        shapely.prepare(g)
    return shapes


def places(code: str) -> list[Place]:
    """Towns of a district (weighted by population^0.7, so the county town is not everything)."""
    t = _towns()
    t = t[t["lad_code"] == code]
    if t.empty:
        return _areas(code)
    rows = zip(
        t["town"],
        t["lat"].to_numpy(float),
        t["lon"].to_numpy(float),
        t["population_geonames"].to_numpy(float),
        strict=True,
    )
    return [Place(str(name), float(y), float(x), float(pop) ** 0.7) for name, y, x, pop in rows]


def _areas(code: str) -> list[Place]:
    """No towns shipped: the representative point and up to four points towards the district's
    north, east, south and west edges (fixed per district, whatever the seed)."""
    name = str(districts().at[code, "name"])
    lat0, lon0 = (float(v) for v in districts().loc[code, ["lat", "lon"]].to_numpy(dtype=float))
    out = [Place(name, lat0, lon0, 2.0)]
    minx, miny, maxx, maxy = _polygons()[code].bounds
    rng = np.random.default_rng(zlib.crc32(code.encode()))
    lat = rng.uniform(miny, maxy, 400)
    lon = rng.uniform(minx, maxx, 400)
    ok = _inside(code, lat, lon)
    lat, lon = lat[ok], lon[ok]
    dy, dx = lat - lat0, (lon - lon0) * np.cos(np.radians(lat0))
    km = np.hypot(dy, dx) * KM_PER_DEG_LAT
    heading = np.degrees(np.arctan2(dx, dy)) % 360  # 0 north, 90 east
    for i, side in enumerate(("north", "east", "south", "west")):
        m = (np.abs(((heading - 90 * i) + 180) % 360 - 180) < 45) & (km > 2)
        if m.sum() >= 3:
            j = np.flatnonzero(m)[np.argsort(km[m])[m.sum() // 2]]  # the median distance that way
            out.append(Place(f"{name} {side}", float(lat[j]), float(lon[j]), 1.0))
    return out


def has_towns(code: str) -> bool:
    return bool((_towns()["lad_code"] == code).any())


def points_near(code: str, lat: float, lon: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points (lat, lon) scattered around (lat, lon), each inside district `code` and England.

    Spread is about 1.5 km around a town, up to 3 km around other anchors. Points that fall
    outside are redrawn; after a few rounds any still missing take the anchor itself if it is
    inside, else the representative point (which always is).
    """
    poly = _polygons()[code]
    minx, miny, maxx, maxy = poly.bounds
    spread_km = 1.5 if has_towns(code) else min(3.0, max(0.3, 0.1 * min(maxx - minx, maxy - miny) * 70))
    sd_lat = spread_km / KM_PER_DEG_LAT
    sd_lon = sd_lat / max(np.cos(np.radians(lat)), 0.1)
    out = np.full((n, 2), np.nan)
    todo = np.arange(n)
    for _ in range(8):
        if todo.size == 0:
            break
        cand = np.column_stack(
            [lat + rng.normal(0, sd_lat, todo.size), lon + rng.normal(0, sd_lon, todo.size)]
        )
        ok = _inside(code, cand[:, 0], cand[:, 1])
        out[todo[ok]] = cand[ok]
        todo = todo[~ok]
    if todo.size:
        rep = districts().loc[code, ["lat", "lon"]].to_numpy(dtype=float)
        out[todo] = (lat, lon) if _inside(code, np.array([lat]), np.array([lon]))[0] else rep
    return np.round(out, 5)


def _inside(code: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    # Rounded as written to the CSV, so the check holds for the file, not only in memory.
    lat, lon = np.round(lat, 5), np.round(lon, 5)
    own = shapely.contains_xy(_polygons()[code], lon, lat)
    return np.asarray(own & in_england(lat, lon))


def in_own_district(codes: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where each point lies inside the polygon of its own district."""
    out = np.zeros(len(codes), dtype=bool)
    for code in np.unique(codes):
        m = codes == code
        out[m] = shapely.contains_xy(_polygons()[code], lon[m], lat[m])
    return out


def neighbours(code: str, within_km: float = 35.0) -> pd.Series:
    """Other English districts whose representative point is within `within_km`, by distance."""
    d = districts()
    lat, lon = d.loc[code, ["lat", "lon"]].to_numpy(dtype=float)
    km = pd.Series(haversine_km(lat, lon, d["lat"].to_numpy(), d["lon"].to_numpy()), index=d.index)
    km = km.drop(code)
    near = km[km <= within_km].sort_values()
    return near if len(near) else km.nsmallest(2)
