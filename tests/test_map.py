"""The commissioners' shortfall map, table and CSV, through the Flask app on a real database."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from planner.data.contract import load_folder
from planner.data.vocab import SUPPORT_RANK
from planner.forecast.shortfall import shortfall_by_district
from web import create_app
from web.commissioner.map.builder import shortfall_bins
from web.core.auth import hash_password
from web.core.db import get_db
from web.core.models import ROLES, User
from web.core.store import replace_all

ON = date(2026, 11, 23)
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
GLOUCESTERSHIRE = {"E07000078", "E07000079", "E07000080", "E07000081", "E07000082", "E07000083"}


def make_app(tmp_path: Path, data_dir: Path | None = EXAMPLE, **config: object) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{tmp_path}/map.sqlite",
            "TODAY": ON,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests
            "MAP_TILES_URL": None,  # whatever PLANNER_MAP_TILES_URL the environment has
            "MIGRATE_ON_START": True,
            **config,
        }
    )
    with app.app_context():
        db = get_db()
        for role in ROLES:
            db.add(User(username=role, password_hash=hash_password("demo"), role=role))
        if data_dir is not None:
            replace_all(db, load_folder(data_dir))
        db.commit()
    return app


@pytest.fixture
def map_app(tmp_path: Path) -> Iterator[Flask]:
    yield make_app(tmp_path)


SignIn = Callable[[str], FlaskClient]


@pytest.fixture
def signed_in(map_app: Flask) -> SignIn:
    def sign_in(role: str) -> FlaskClient:
        client = map_app.test_client()
        response = client.post("/login", data={"username": role, "password": "demo"})
        assert response.status_code == 302, f"{role} could not sign in"
        return client

    return sign_in


def table_rows(html: str) -> dict[str, list[str]]:
    """District code -> the numbers in its row of the shortfall table."""
    rows = re.findall(r'<tr class="govuk-table__row" data-district="(E\d{8})">(.*?)</tr>', html, re.S)
    return {
        code: [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        ]
        for code, body in rows
    }


@pytest.mark.parametrize("role", ["commissioner", "analyst", "admin"])
def test_commissioners_analysts_and_admins_see_the_map_of_every_council_district(signed_in, role):
    html = signed_in(role).get("/map").get_data(as_text=True)
    assert set(table_rows(html)) == GLOUCESTERSHIRE
    for code in GLOUCESTERSHIRE:  # each district's colour and tooltip, for its boundary
        assert f'"{code}":["#' in html
    assert 'fetch("/map/boundaries.geojson"' in html  # the boundaries come once, as their own file
    assert '"maxZoom": 18' in html  # the marker clusters refuse a map without one
    assert '"code": "E07000081"' not in html
    assert 'class="folium-map"' in html


def test_the_boundaries_are_one_file_the_browser_keeps(signed_in):
    client = signed_in("commissioner")
    response = client.get("/map/boundaries.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    assert len(features) == 296 and {f["properties"]["code"] for f in features} >= GLOUCESTERSHIRE
    assert (
        "private" in response.headers["Cache-Control"]
        and "max-age=86400" in response.headers["Cache-Control"]
    )
    again = client.get("/map/boundaries.geojson", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert signed_in("officer").get("/map/boundaries.geojson").status_code == 403


def test_officers_are_refused_the_map_and_its_csv(signed_in):
    officer = signed_in("officer")
    assert officer.get("/map").status_code == 403
    assert officer.get("/map.csv").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(map_app):
    response = map_app.test_client().get("/map")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_table_shows_the_same_numbers_as_the_planner(signed_in):
    html = signed_in("commissioner").get("/map").get_data(as_text=True)
    expected = shortfall_by_district(load_folder(EXAMPLE), on=ON)
    rows = table_rows(html)
    for r in expected.itertuples():
        waiting, due, needed, vacancies, short, spare, bnb, schemes = rows[r.district]
        assert (int(waiting), int(due), int(vacancies), int(short), int(spare), int(bnb), int(schemes)) == (
            r.waiting,
            r.due,
            r.suitable_vacancies,
            r.shortfall,
            r.spare,
            r.in_bnb_or_emergency,
            r.schemes,
        )
    assert "due by 21 Dec 2026" in html and "never netted" in html


def test_map_page_loads_assets_only_from_the_app(signed_in):
    html = signed_in("commissioner").get("/map").get_data(as_text=True)
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert "/static/vendor/leaflet/leaflet.css" in assets
    assert [a for a in assets if not a.startswith("/")] == []
    assert "L.tileLayer" not in html  # no tiles unless configured
    assert "$(" not in html  # folium's jQuery-based popups are not used: jQuery is not served


def test_vendored_assets_are_served_where_the_pages_and_the_css_expect_them(map_app):
    client = map_app.test_client()
    css = client.get("/static/govuk/govuk-frontend.min.css").get_data(as_text=True)
    urls = set(re.findall(r"url\(([^)]+)\)", css))
    assert urls and all(not u.startswith(("/", "http")) for u in urls)
    for url in urls | {"govuk-frontend.min.js"}:
        assert client.get(f"/static/govuk/{url}").status_code == 200, url
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet.markercluster/leaflet.markercluster.js").status_code == 200
    assert client.get("/static/vendor/leaflet.markercluster/MarkerCluster.css").status_code == 200


def test_a_configured_tile_layer_is_added_with_its_attribution(tmp_path):
    app = make_app(
        tmp_path,
        MAP_TILES_URL="https://tiles.example.gov.uk/{z}/{x}/{y}.png",
        MAP_TILES_ATTRIBUTION="Example tiles",
    )
    client = app.test_client()
    client.post("/login", data={"username": "commissioner", "password": "demo"})
    html = client.get("/map").get_data(as_text=True)
    assert "L.tileLayer" in html and "tiles.example.gov.uk" in html and "Example tiles" in html


def test_support_level_filter_changes_the_numbers_and_is_kept_in_the_form(signed_in):
    client = signed_in("commissioner")
    html = client.get("/map?support_level=high").get_data(as_text=True)
    expected = shortfall_by_district(load_folder(EXAMPLE), on=ON, support_level="high")
    rows = table_rows(html)
    for r in expected.itertuples():
        assert int(rows[r.district][4]) == r.shortfall
    assert '<option value="high" selected>' in html


def test_unknown_support_level_is_a_400_naming_the_allowed_levels(signed_in):
    response = signed_in("commissioner").get("/map?support_level=extreme")
    assert response.status_code == 400
    assert "none, low, medium, high, intensive" in response.get_data(as_text=True)


def test_csv_download_has_one_row_per_district_with_the_support_level(signed_in):
    response = signed_in("analyst").get("/map.csv?support_level=medium")
    assert response.mimetype == "text/csv"
    assert "shortfall-by-district-2026-11-23-medium.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["district"] for r in rows} == GLOUCESTERSHIRE
    assert {r["support_level"] for r in rows} == {"medium"}
    expected = shortfall_by_district(load_folder(EXAMPLE), on=ON, support_level="medium")
    got = {r["district"]: int(r["shortfall"]) for r in rows}
    assert got == dict(zip(expected["district"], expected["shortfall"], strict=True))


def test_scheme_names_cannot_inject_markup_into_the_map(tmp_path, set_cell):
    data = tmp_path / "data"
    data.mkdir()
    for f in EXAMPLE.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    set_cell(data / "schemes.csv", 2, "name", "<img src=x onerror=alert(1)>`${x}`")
    app = make_app(tmp_path, data)
    client = app.test_client()
    client.post("/login", data={"username": "commissioner", "password": "demo"})
    html = client.get("/map").get_data(as_text=True)
    assert "<img src=x" not in html
    # HTML-escaped for the popup, then JSON-escaped inside the script: shown as text, never run.
    assert "\\u0026lt;img src=x" in html


def test_empty_store_says_there_is_nothing_to_map(tmp_path):
    app = make_app(tmp_path, None)
    client = app.test_client()
    client.post("/login", data={"username": "commissioner", "password": "demo"})
    response = client.get("/map")
    assert response.status_code == 200
    assert "nothing to map" in response.get_data(as_text=True)


def test_bins_cover_every_shortfall_with_no_gaps():
    values = pd.Series([-3, 0, 1, 2, 5, 9, 13])
    bins = shortfall_bins(values)
    assert bins[0].label == "No shortfall" and len(bins) == 5
    for v in range(-5, 20):
        assert sum(b.holds(v) for b in bins) == 1, v
    assert [b.label for b in shortfall_bins(pd.Series([0, -2]))] == ["No shortfall"]
    assert [b.label for b in shortfall_bins(pd.Series([2]))] == ["No shortfall", "Short by 1", "Short by 2"]


def markers(html: str) -> list[list]:
    """The scheme markers a map page draws (web.commissioner.map.elements.SchemeMarkers' data)."""
    found = re.search(r"_data = (\[.*?\]);\n", html)
    assert found is not None
    return json.loads(found.group(1))


def test_with_a_support_level_only_schemes_providing_it_are_marked(signed_in):
    client = signed_in("commissioner")
    schemes = load_folder(EXAMPLE).schemes
    for level in ("none", "high"):
        html = client.get(f"/map?support_level={level}").get_data(as_text=True)
        expected = schemes[schemes["support_level"].map(SUPPORT_RANK) >= SUPPORT_RANK[level]]
        got = markers(html)
        assert sorted(m[5] for m in got) == sorted(str(escape(n)) for n in expected["name"]), level
        assert "L.markerClusterGroup" in html and "/static/vendor/leaflet.markercluster/" in html
