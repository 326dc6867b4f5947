"""The commissioners' map really draws in a browser with no internet."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from planner.data.districts import find_council
from planner.data.vocab import SUPPORT_RANK
from web.core.db import get_db
from web.core.store import schemes_frame

pytestmark = pytest.mark.browser

GLOUCESTERSHIRE = find_council("Gloucestershire").district_codes


def scheme_count(live_server, level: str = "none") -> int:
    with live_server.app.app_context():
        schemes = schemes_frame(get_db())
    return int((schemes["support_level"].map(SUPPORT_RANK) >= SUPPORT_RANK[level]).sum())


def marked(page, expected: int) -> int:  # type: ignore[no-untyped-def]
    """Schemes on the map: single markers plus the schemes each cluster holds (its number), once
    the clusters' animations have settled (up to 5 s)."""
    for _ in range(50):
        single = page.locator("#shortfall-map path.scheme-marker").count()
        found = single + sum(int(t) for t in page.locator("#shortfall-map .scheme-cluster").all_inner_texts())
        if found == expected:
            break
        page.wait_for_timeout(100)
    return found


def test_map_draws_districts_labels_and_scheme_markers_with_the_network_blocked(visit, live_server):
    visit.sign_in("commissioner")
    visit.go("/map")
    page = visit.page
    districts = page.locator("#shortfall-map path.district-shape")
    expect(districts).to_have_count(len(GLOUCESTERSHIRE))
    # Schemes close together are clustered; every scheme is on the map once.
    expect(page.locator("#shortfall-map .scheme-cluster").first).to_be_visible()
    assert marked(page, scheme_count(live_server)) == scheme_count(live_server)
    expect(page.locator("#shortfall-map .map-label")).to_have_count(len(GLOUCESTERSHIRE))
    expect(page.locator(".map-label__inner").filter(has_text="Forest of Dean")).to_be_visible()
    expect(page.locator(".map-legend")).to_contain_text("Shortfall of suitable places")
    assert page.locator("#shortfall-map path.district-context").count() > 10  # the neighbours
    assert page.locator(".leaflet-tile").count() == 0  # no tile layer by default

    # Every polygon is really drawn: a non-trivial SVG path with a filled colour, on screen.
    for i in range(len(GLOUCESTERSHIRE)):
        box = districts.nth(i).bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] > 20
        assert len(districts.nth(i).get_attribute("d") or "") > 50
    fills = {districts.nth(i).get_attribute("fill") for i in range(len(GLOUCESTERSHIRE))}
    assert len(fills) >= 2  # the choropleth shows differences

    assert visit.blocked == []
    assert any(u.endswith("/static/vendor/leaflet/leaflet.js") for u in visit.requested)
    assert visit.errors == []
    visit.shot("map-commissioner")

    # A cluster opens up when selected; a scheme marker opens a popup with its vacancies and weekly cost.
    page.locator("#shortfall-map .scheme-cluster").first.click()
    page.wait_for_timeout(1000)  # the zoom animation
    area = page.locator("#shortfall-map").bounding_box()
    assert area is not None
    markers = page.locator("#shortfall-map path.scheme-marker")
    for i in range(markers.count()):  # the first marker now inside the map's frame
        box = markers.nth(i).bounding_box()
        inside = box and area["x"] + 40 < box["x"] < area["x"] + area["width"] - 120
        if inside and area["y"] + 40 < box["y"] < area["y"] + area["height"] - 120:
            markers.nth(i).click(force=True)
            break
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Vacancies:")
    expect(popup).to_contain_text(re.compile(r"Weekly cost: £[\d,]+"))
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in, for the shot
    visit.shot("map-scheme-popup")


def test_support_level_select_redraws_the_map_and_table_for_that_level(visit, live_server):
    visit.sign_in("analyst")
    visit.go("/map")
    page = visit.page
    before = page.locator("#shortfall-table tbody tr").first.inner_text()
    page.get_by_label("Support level").select_option("intensive")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"support_level=intensive"))
    expect(page.locator("#table-heading")).to_contain_text("intensive support")
    expect(page.locator("#shortfall-map path.district-shape")).to_have_count(len(GLOUCESTERSHIRE))
    # Only the supply the shortfall counts is marked: schemes providing intensive support.
    expect(
        page.locator("#shortfall-map .leaflet-marker-pane, #shortfall-map .scheme-marker").first
    ).to_be_attached()
    assert marked(page, scheme_count(live_server, "intensive")) == scheme_count(live_server, "intensive")
    assert page.locator("#shortfall-table tbody tr").first.inner_text() != before
    assert visit.blocked == [] and visit.errors == []
    visit.shot("map-intensive-support")


def test_csv_download_link_gives_the_table(visit):
    visit.sign_in("commissioner")
    visit.go("/map?support_level=high")
    with visit.page.expect_download() as info:
        visit.page.get_by_role("link", name="Download this table (CSV)").click()
    download = info.value
    assert download.suggested_filename == "shortfall-by-district-2026-11-23-high.csv"
    text = open(download.path(), encoding="utf-8").read()
    assert text.startswith("district,name,support_level,waiting")
    assert len(text.strip().splitlines()) == len(GLOUCESTERSHIRE) + 1
