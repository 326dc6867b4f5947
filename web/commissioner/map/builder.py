"""The shortfall map: folium/Leaflet drawn without any tile layer by default (council networks and CI
have no internet): real district boundaries filled by shortfall, district labels, a legend
and scheme markers in clusters, all from the app's own static files. A tile layer is added only
when PLANNER_MAP_TILES_URL is configured. The boundaries are one file for every page
(`boundaries_geojson`, served by `web.commissioner.map.routes`), so a page carries only its figures
(`web.commissioner.map.elements`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from flask import url_for
from folium.plugins import MarkerCluster
from markupsafe import escape

from planner.data.districts import boundaries, districts
from planner.data.vocab import ACCOM_LABELS, SUPPORT_RANK, UNSUITABLE_TYPES
from web.commissioner.map.elements import Districts, Labels, Legend, SchemeMarkers
from web.core.filters import gbp

# ColorBrewer OrRd for a shortfall, a pale green where there are enough places.
ENOUGH_COLOUR = "#e5f5e0"
SHORT_COLOURS = ("#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
CONTEXT_FILL, CONTEXT_LINE, LINE = "#f3f2f1", "#b1b4b6", "#0b0c0c"
SCHEME_COLOUR, UNSUITABLE_COLOUR = "#1d70b8", "#0b0c0c"  # GOV.UK blue; black for B&B/emergency
CONTEXT_MARGIN_DEG = 0.25  # neighbouring districts drawn around the council, for orientation
BOUNDARY_ATTRIBUTION = (
    "Boundaries: Office for National Statistics, OGL v3.0; "
    "contains OS data &copy; Crown copyright and database right 2023"
)


@dataclass(frozen=True, slots=True)
class Bin:
    low: int | None  # None: no lower limit
    high: int | None  # None: no upper limit
    colour: str
    label: str

    def holds(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class MapParts:
    """What a page needs to show the map: asset links, the map's div and its script."""

    css: list[str]
    js: list[str]
    html: str
    script: str


def shortfall_bins(shortfalls: pd.Series, words: tuple[str, str] = ("No shortfall", "Short by")) -> list[Bin]:
    """A bin for "no shortfall" and up to four equal ranges of whole numbers up to the worst
    (`words`: what none and some are called, e.g. "None bought", "Buy")."""
    bins = [Bin(None, 0, ENOUGH_COLOUR, words[0])]
    worst = int(shortfalls.max()) if len(shortfalls) else 0
    if worst <= 0:
        return bins
    step = math.ceil(worst / len(SHORT_COLOURS))
    for i, colour in enumerate(SHORT_COLOURS):
        low, high = 1 + i * step, min((i + 1) * step, worst)
        if low > worst:
            break
        last = high == worst
        if low == high:
            label = f"{low}"
        else:
            label = f"{low} or more" if last else f"{low} to {high}"
        bins.append(Bin(low, None if last else high, colour, f"{words[1]} {label}".strip()))
    return bins


def colour_of(value: int, bins: list[Bin]) -> str:
    return next(b.colour for b in bins if b.holds(value))


@cache
def _england() -> gpd.GeoDataFrame:
    """District boundaries rounded to about 10 m: smaller pages, no visible change."""
    gdf = boundaries()[["code", "name", "utla_code", "geometry"]].copy()
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 0.0001)
    return gdf


@cache
def boundaries_geojson() -> tuple[bytes, str]:
    """Every district's boundary (code and name), as GeoJSON, and its ETag: the same bytes for
    every map page, so browsers fetch them once."""
    body = _england()[["code", "name", "geometry"]].to_json(drop_id=True).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]


# Scheme clusters in GOV.UK blue, sized by how many schemes they hold.
CLUSTER_ICON = """function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : 44;
    return L.divIcon({html: "<span>" + n + "</span>", className: "scheme-cluster",
                      iconSize: L.point(size, size)});
}"""


def _label_html(row: Any) -> str:
    short, spare = int(row.shortfall), int(getattr(row, "spare", 0))
    if short > 0:
        value = f"Short by {short}"
    elif spare > 0:
        value = f"{spare} spare"
    else:
        value = "Enough"
    bnb = f"<span class='map-label__bnb'>{int(row.in_bnb_or_emergency)} in B&amp;B</span>"
    return (
        f"<span class='map-label__inner'><span class='map-label__name'>{escape(row.name)}</span>"
        f"<span class='map-label__value'>{value}</span>{bnb if row.in_bnb_or_emergency else ''}</span>"
    )


def _district_tip(row: Any) -> str:
    return (
        f"<b>{escape(row.name)}</b> ({escape(row.district)})<br>"
        f"Waiting: {int(row.waiting)}, due now or soon: {int(row.due)}<br>"
        f"Suitable vacancies: {int(row.suitable_vacancies)}<br>"
        f"Shortfall: {int(row.shortfall)}, spare: {int(row.spare)}<br>"
        f"In B&amp;B or emergency: {int(row.in_bnb_or_emergency)}"
    )


def _scheme_point(s: Any) -> list[Any]:
    """A scheme as `SchemeMarkers` draws it, its text escaped."""
    return [
        round(float(s.latitude), 5), round(float(s.longitude), 5), int(s.vacancies), int(s.capacity),
        int(s.accom_type in UNSUITABLE_TYPES), str(escape(s.name)), str(escape(s.provider)),
        str(escape(f"{s.accom_type} {ACCOM_LABELS.get(s.accom_type, '')}")), gbp(float(s.weekly_cost)),
        str(escape(s.support_level)),
    ]  # fmt: skip


def _legend_html(bins: list[Bin], title: str, schemes: bool) -> str:
    rows = "".join(
        f"<li><span class='map-legend__swatch' style='background:{b.colour}'></span>{escape(b.label)}</li>"
        for b in bins
    )
    head = f"<h2 class='map-legend__title'>{escape(title)}</h2><ul class='map-legend__list'>{rows}</ul>"
    if not schemes:
        return head + "<p class='map-legend__note'>District names show when you zoom in to a few dozen.</p>"
    return (
        head + "<ul class='map-legend__list'>"
        "<li><span class='map-legend__dot'></span>Scheme with vacancies</li>"
        "<li><span class='map-legend__dot map-legend__dot--full'></span>Scheme, no vacancies</li>"
        "<li><span class='map-legend__dot map-legend__dot--unsuitable'></span>B&amp;B or emergency</li>"
        "<li><span class='map-legend__cluster'>8</span>Schemes close together: select to zoom in</li>"
        "</ul><p class='map-legend__note'>District names show when you zoom in to a few dozen.</p>"
    )


def build_map(
    table: pd.DataFrame,
    schemes: pd.DataFrame,
    *,
    js: list[tuple[str, str]],
    css: list[tuple[str, str]],
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    tip: Callable[[Any], str] | None = None,
    label: Callable[[Any], str] | None = None,
    legend: tuple[str, tuple[str, str]] = ("Shortfall of suitable places", ("No shortfall", "Short by")),
) -> MapParts:
    """The folium map for a shortfall table (from `shortfall_by_district`) and the schemes.

    `js`/`css` replace folium's CDN defaults, so nothing is fetched from outside the app;
    `tip` and `label` write a district's tooltip and label from its table row (today's figures by
    default); `legend` is the legend's title and its words for none and some of the `shortfall`
    column, which colours the districts (a plan's map colours them by places to buy).
    """
    england = _england()
    area = england[england["code"].isin(table["district"])]
    west, south, east, north = area.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    m.options["maxZoom"] = 18  # the marker clusters need one, and without tiles no layer sets it
    m.default_js, m.default_css = js, css
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or "Map tiles", name="Background").add_to(m)

    pad = CONTEXT_MARGIN_DEG
    context = england.cx[west - pad : east + pad, south - pad : north + pad]
    context_codes = sorted(set(context["code"]) - set(table["district"]))
    bins = shortfall_bins(table["shortfall"], legend[1])
    tips = [(tip or _district_tip)(row) for row in table.itertuples(index=False)]
    figures = {
        str(code): (colour_of(int(short), bins), text)
        for code, short, text in zip(
            table["district"], table["shortfall"].to_numpy(dtype=int), tips, strict=True
        )
    }
    context_style = {"fillColor": CONTEXT_FILL, "fillOpacity": 0.7, "color": CONTEXT_LINE, "weight": 1,
                     "className": "district-context"}  # fmt: skip
    m.add_child(Districts(url_for("map.boundaries"), figures, context_codes, LINE, context_style))

    centroids = districts().loc[table["district"], ["lat", "lon"]].to_numpy()
    labels = [
        [float(lat), float(lon), (label or _label_html)(row)]
        for row, (lat, lon) in zip(table.itertuples(), centroids, strict=True)
    ]
    m.add_child(Labels(labels))

    cluster = MarkerCluster(
        icon_create_function=CLUSTER_ICON,
        options={"showCoverageOnHover": False, "maxClusterRadius": 40, "disableClusteringAtZoom": 13},
    )
    cluster.default_js, cluster.default_css = [], []  # served by the app: `assets`
    cluster.add_child(SchemeMarkers([_scheme_point(s) for s in schemes.itertuples()], SCHEME_COLOUR,
                                    UNSUITABLE_COLOUR))  # fmt: skip
    cluster.add_to(m)

    m.add_child(Legend(_legend_html(bins, legend[0], len(schemes) > 0), BOUNDARY_ATTRIBUTION))
    m.fit_bounds([[south, west], [north, east]])
    root: Any = m.get_root()  # a branca Figure: header, html and script parts
    root.render()
    return MapParts(
        css=[url for _, url in css],
        js=[url for _, url in js],
        html=root.html.render(),
        script=root.script.render(),
    )


def assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet and Leaflet.markercluster, from the app's static files (`make vendor`)."""
    js = [
        ("leaflet", url_for("static", filename="vendor/leaflet/leaflet.js")),
        (
            "markercluster",
            url_for("static", filename="vendor/leaflet.markercluster/leaflet.markercluster.js"),
        ),
    ]
    css = [
        ("leaflet_css", url_for("static", filename="vendor/leaflet/leaflet.css")),
        ("markercluster_css", url_for("static", filename="vendor/leaflet.markercluster/MarkerCluster.css")),
    ]
    return js, css


def council_names(codes: pd.Series) -> list[str]:
    reg = districts()
    return sorted(set(reg[reg.index.isin(codes)]["utla_name"]))


def schemes_serving(schemes: pd.DataFrame, level: str | None) -> pd.DataFrame:
    """The scheme markers for a support level: the schemes at that level or above, the supply a
    shortfall at that level counts against (all of them for every level)."""
    if level is None:
        return schemes
    return schemes[schemes["support_level"].map(SUPPORT_RANK) >= SUPPORT_RANK[level]]
