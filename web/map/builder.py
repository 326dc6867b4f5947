"""The shortfall map: folium/Leaflet drawn without any tile layer by default (council networks and CI
have no internet): real district boundaries filled by shortfall, district labels, a legend
and scheme markers, all from the app's own static files. A tile layer is added only when
PLANNER_MAP_TILES_URL is configured.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from flask import url_for
from folium.template import Template
from markupsafe import escape

from planner.data.districts import boundaries, districts
from planner.data.vocab import ACCOM_LABELS, UNSUITABLE_TYPES
from web.filters import gbp

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


def shortfall_bins(shortfalls: pd.Series) -> list[Bin]:
    """A bin for "no shortfall" and up to four equal ranges of whole numbers up to the worst."""
    bins = [Bin(None, 0, ENOUGH_COLOUR, "No shortfall")]
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
        bins.append(Bin(low, None if last else high, colour, f"Short by {label}"))
    return bins


def colour_of(value: int, bins: list[Bin]) -> str:
    return next(b.colour for b in bins if b.holds(value))


@cache
def _england() -> gpd.GeoDataFrame:
    """District boundaries rounded to about 10 m: smaller pages, no visible change."""
    gdf = boundaries()[["code", "name", "utla_code", "geometry"]].copy()
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 0.0001)
    return gdf


class _SchemeMarkers(MacroElement):
    """One circle per scheme, drawn from a single JSON array: a county has hundreds of schemes,
    and a folium element each would repeat the same code hundreds of times. Popups and
    tooltips are escaped strings (folium's own Popup also needs jQuery, which is not served)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup().addTo({{ this._parent.get_name() }});
        {{ this.points|tojavascript }}.forEach(function (p) {
            L.circleMarker([p.lat, p.lon], {
                radius: p.radius, color: p.colour, fillColor: p.fill, fillOpacity: 0.75,
                weight: 1.5, className: "scheme-marker"
            }).bindPopup(p.popup, {maxWidth: 320}).bindTooltip(p.tooltip)
              .addTo({{ this.get_name() }});
        });
        {% endmacro %}"""
    )

    def __init__(self, points: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "SchemeMarkers"
        self.points = points


class _Labels(MacroElement):
    """District name and figures at each district's representative point, as text on the map
    itself, so it reads without tiles. Not interactive: the polygon underneath has the tooltip."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this.labels|tojavascript }}.forEach(function (l) {
            L.marker([l.lat, l.lon], {
                icon: L.divIcon({html: l.html, className: "map-label", iconSize: [0, 0]}),
                interactive: false, keyboard: false
            }).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}"""
    )

    def __init__(self, labels: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "Labels"
        self.labels = labels


class _FeatureTooltips(MacroElement):
    """A tooltip per district polygon, from the `tip` property (already escaped)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.eachLayer(function (layer) {
            layer.bindTooltip(layer.feature.properties.tip, {sticky: true});
        });
        {% endmacro %}"""
    )


class _Legend(MacroElement):
    """The legend as a Leaflet control, and the boundaries' attribution."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.html|tojavascript }};
                return div;
            };
            legend.addTo(map);
            map.attributionControl.addAttribution({{ this.attribution|tojavascript }});
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, html: str, attribution: str) -> None:
        super().__init__()
        self.html, self.attribution = html, attribution


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


def _scheme_popup(s: Any) -> tuple[str, str]:
    kind = f"{s.accom_type} {ACCOM_LABELS.get(s.accom_type, '')}"
    popup = (
        f"<b>{escape(s.name)}</b><br>{escape(s.provider)}<br>{escape(kind)}<br>"
        f"Vacancies: <b>{int(s.vacancies)}</b> of {int(s.capacity)}<br>"
        f"Weekly cost: {gbp(float(s.weekly_cost))}<br>Support: up to {escape(s.support_level)}"
    )
    return popup, f"{escape(s.name)}: {int(s.vacancies)} vacant, {gbp(float(s.weekly_cost))} a week"


def _legend_html(bins: list[Bin]) -> str:
    rows = "".join(
        f"<li><span class='map-legend__swatch' style='background:{b.colour}'></span>{escape(b.label)}</li>"
        for b in bins
    )
    return (
        "<h2 class='map-legend__title'>Shortfall of suitable places</h2>"
        f"<ul class='map-legend__list'>{rows}</ul>"
        "<ul class='map-legend__list'>"
        "<li><span class='map-legend__dot'></span>Scheme with vacancies</li>"
        "<li><span class='map-legend__dot map-legend__dot--full'></span>Scheme, no vacancies</li>"
        "<li><span class='map-legend__dot map-legend__dot--unsuitable'></span>B&amp;B or emergency</li>"
        "</ul>"
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
) -> MapParts:
    """The folium map for a shortfall table (from `shortfall_by_district`) and the schemes.

    `js`/`css` replace folium's CDN defaults, so nothing is fetched from outside the app;
    `tip` writes a district's tooltip from its table row (today's figures by default).
    """
    england = _england()
    area = england[england["code"].isin(table["district"])]
    west, south, east, north = area.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    m.default_js, m.default_css = js, css
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or "Map tiles", name="Background").add_to(m)

    pad = CONTEXT_MARGIN_DEG
    context = england.cx[west - pad : east + pad, south - pad : north + pad]
    context = context[~context["code"].isin(table["district"])]
    folium.GeoJson(
        context[["code", "name", "geometry"]].to_json(),
        name="Neighbouring districts",
        interactive=False,
        style_function=lambda _: {
            "fillColor": CONTEXT_FILL,
            "fillOpacity": 0.7,
            "color": CONTEXT_LINE,
            "weight": 1,
            "className": "district-context",
        },
    ).add_to(m)

    bins = shortfall_bins(table["shortfall"])
    by_code = table.set_index("district", drop=False)
    shapes = area[["code", "geometry"]].copy()
    shapes["shortfall"] = shapes["code"].map(by_code["shortfall"]).astype(int)
    shapes["tip"] = [(tip or _district_tip)(r) for r in by_code.loc[shapes["code"]].itertuples(index=False)]
    polygons = folium.GeoJson(
        shapes.to_json(),
        name="Shortfall by district",
        style_function=lambda f: {
            "fillColor": colour_of(f["properties"]["shortfall"], bins),
            "fillOpacity": 0.8,
            "color": LINE,
            "weight": 1.5,
            "className": "district-shape",
        },
        highlight_function=lambda _: {"weight": 3.5},
    )
    polygons.add_child(_FeatureTooltips())
    polygons.add_to(m)

    centroids = districts().loc[table["district"], ["lat", "lon"]].to_numpy()
    labels = [
        {"lat": float(lat), "lon": float(lon), "html": _label_html(row)}
        for row, (lat, lon) in zip(table.itertuples(), centroids, strict=True)
    ]
    m.add_child(_Labels(labels))

    points = []
    s: Any
    for s in schemes.itertuples():
        colour = UNSUITABLE_COLOUR if s.accom_type in UNSUITABLE_TYPES else SCHEME_COLOUR
        popup, tooltip = _scheme_popup(s)
        points.append(
            {
                "lat": float(s.latitude),
                "lon": float(s.longitude),
                "radius": round(3.5 + math.sqrt(int(s.vacancies)), 2),
                "colour": colour,
                "fill": colour if s.vacancies else "#ffffff",
                "popup": popup,
                "tooltip": tooltip,
            }
        )
    m.add_child(_SchemeMarkers(points))

    m.add_child(_Legend(_legend_html(bins), BOUNDARY_ATTRIBUTION))
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
    js = [("leaflet", url_for("static", filename="vendor/leaflet/leaflet.js"))]
    css = [("leaflet_css", url_for("static", filename="vendor/leaflet/leaflet.css"))]
    return js, css


def council_names(codes: pd.Series) -> list[str]:
    reg = districts()
    return sorted(set(reg[reg.index.isin(codes)]["utla_name"]))
