"""What the shortfall map draws, as folium elements whose script is a few lines of Leaflet over
compact data, so that a page with every scheme and district in England stays small:

- `Districts`: the boundaries come from one cacheable file (`/map/boundaries.geojson`, the same
  for every page and support level, fetched once by the browser); the page sends only each
  district's colour and tooltip, and which neighbours to draw grey for orientation;
- `SchemeMarkers`: one circle per scheme from a single JSON array, in folium's MarkerCluster
  (Leaflet.markercluster, served by the app) so thousands of schemes stay readable; popups and
  tooltips are put together in the browser from fields escaped here;
- `Labels`: district names and figures as text on the map, so it reads without tiles;
- `Legend`: the legend as a Leaflet control, and the boundaries' attribution.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from folium.template import Template

_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def js(value: Any) -> str:
    """`value` as compact JSON that is safe inside a <script> (folium's `tojavascript` writes one
    value a line: several times the bytes for thousands of schemes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).translate(_SAFE)


class Districts(MacroElement):
    """District polygons from the boundaries file: `figures` maps a code to its fill colour and
    tooltip (escaped HTML); `context` lists the neighbouring districts drawn grey underneath.
    Both go in a pane below the markers, as they arrive after them."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var figures = {{ this.figures }};
            var context = {{ this.context }};
            map.createPane("districts").style.zIndex = 350;
            var line = {{ this.line|tojavascript }};
            fetch({{ this.url|tojavascript }}, {credentials: "same-origin"}).then(function (r) {
                if (!r.ok) { throw new Error("district boundaries: HTTP " + r.status); }
                return r.json();
            }).then(function (data) {
                L.geoJSON(data, {
                    pane: "districts", interactive: false,
                    filter: function (f) { return context.indexOf(f.properties.code) >= 0; },
                    style: {{ this.context_style|tojavascript }}
                }).addTo(map);
                L.geoJSON(data, {
                    pane: "districts",
                    filter: function (f) { return figures.hasOwnProperty(f.properties.code); },
                    style: function (f) {
                        return {fillColor: figures[f.properties.code][0], fillOpacity: 0.8, color: line,
                                weight: 1.5, className: "district-shape"};
                    },
                    onEachFeature: function (f, layer) {
                        layer.bindTooltip(figures[f.properties.code][1], {sticky: true});
                        layer.on("mouseover", function () { layer.setStyle({weight: 3.5}); });
                        layer.on("mouseout", function () { layer.setStyle({weight: 1.5}); });
                    }
                }).addTo(map);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(
        self, url: str, figures: dict[str, tuple[str, str]], context: list[str], line: str,
        context_style: dict[str, Any],
    ) -> None:  # fmt: skip
        super().__init__()
        self._name = "Districts"
        self.url, self.figures, self.context = url, js(figures), js(context)
        self.line, self.context_style = line, context_style


class SchemeMarkers(MacroElement):
    """Scheme circles in the parent MarkerCluster. `points`: one list per scheme, [lat, lon,
    vacancies, capacity, B&B or emergency (0/1), name, provider, type, weekly cost, support],
    the text fields already HTML-escaped."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }}_data = {{ this.points }};
        {{ this._parent.get_name() }}.addLayers({{ this.get_name() }}_data.map(function (p) {
            var colour = p[4] ? {{ this.unsuitable|tojavascript }} : {{ this.colour|tojavascript }};
            var marker = L.circleMarker([p[0], p[1]], {
                radius: 3.5 + Math.sqrt(p[2]), color: colour, fillColor: p[2] ? colour : "#ffffff",
                fillOpacity: 0.75, weight: 1.5, className: "scheme-marker"
            });
            marker.bindPopup(function () {
                return "<b>" + p[5] + "</b><br>" + p[6] + "<br>" + p[7] + "<br>Vacancies: <b>" + p[2] +
                    "</b> of " + p[3] + "<br>Weekly cost: " + p[8] + "<br>Support: up to " + p[9];
            }, {maxWidth: 320});
            marker.bindTooltip(function () { return p[5] + ": " + p[2] + " vacant, " + p[8] + " a week"; });
            return marker;
        }));
        {% endmacro %}"""
    )

    def __init__(self, points: list[list[Any]], colour: str, unsuitable: str) -> None:
        super().__init__()
        self._name = "SchemeMarkers"
        self.points, self.colour, self.unsuitable = js(points), colour, unsuitable


class Labels(MacroElement):
    """District name and figures at each district's representative point, as text on the map
    itself, so it reads without tiles. Not interactive: the polygon underneath has the tooltip.
    Shown while at most `most` of them are in view: a whole region or England at once would be a
    heap of overlapping labels (its polygons' tooltips and the table still give every figure)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var group = L.layerGroup();
            var labels = {{ this.labels }}.map(function (l) {
                return L.marker([l[0], l[1]], {
                    icon: L.divIcon({html: l[2], className: "map-label", iconSize: [0, 0]}),
                    interactive: false, keyboard: false
                }).addTo(group);
            });
            function show() {
                var view = map.getBounds();
                var near = labels.filter(function (m) { return view.contains(m.getLatLng()); }).length;
                if (near <= {{ this.most }}) { group.addTo(map); } else { map.removeLayer(group); }
            }
            map.on("moveend", show);
            show();
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, labels: list[list[Any]], most: int = 40) -> None:
        super().__init__()
        self._name = "Labels"
        self.labels, self.most = js(labels), most


class Legend(MacroElement):
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
