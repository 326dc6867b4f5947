"""Every page on a 390 px wide phone, on the demo county (long tables, long names): nothing
scrolls sideways (wide tables scroll in their own box) and axe-core finds no serious or critical
violation; and the GOV.UK timeout warning in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from page_checks import PHONE, axe_violations, overflow_px, with_axe
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from web_support import ON, PASSWORD

from planner.data.contract import PEOPLE, SCHEMES
from planner.data.table import write_table
from planner.match.eligibility import eligible_pairs
from web.commissioner.scenario_runs import execute
from web.core.db import get_db
from web.core.models import Placement, Proposal, Scheme, YoungPerson
from web.core.scenario_models import ScenarioRecord, ScenarioRun
from web.core.seed import demo_dataset
from web.core.store import people_frame, schemes_frame

pytestmark = pytest.mark.browser

# The phone test's own scenario, so that the scenario pages are checked with a scenario listed and
# run whichever tests ran before (the scenarios' browser test makes another).
SCENARIO_YAML = """name: phone-forest-places
description: "Eight Ofsted-registered intensive places for high-risk young people in the Forest of Dean"
start: 2026-11-23
months: 12
runs: 10
policies: [fcfs, optimised]
changes:
  - add_places:
      district: E07000080   # Forest of Dean
      type: D
      support_level: intensive
      accepts_high_risk: true
      ofsted_registered: true
      places: 8
      weekly_cost: 1650
      from: 2027-01-04
      contract: block
"""

# A page worked out in the background shows its progress first, refreshing itself until done: it
# is checked as it then shows, whether or not an earlier test had it worked out already.
READY = {"/map?month=2027-06": "#shortfall-map .district-shape"}


def _scenario(server) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A scenario of this test's own and a run of it to its results: (scenario id, run id)."""
    with server.app.app_context():
        db = get_db()
        record = ScenarioRecord(name="phone-forest-places", yaml_text=SCENARIO_YAML,
                                description=re.findall(r'description: "(.*)"', SCENARIO_YAML)[0])  # fmt: skip
        db.add(record)
        db.flush()
        run = ScenarioRun(scenario_id=record.id, yaml_text=SCENARIO_YAML)
        db.add(run)
        db.commit()
        ids = record.id, run.id
    execute(server.app, ids[1])  # what the app's background runner does, here while the test waits
    with server.app.app_context():
        done = get_db().get(ScenarioRun, ids[1])
        assert done is not None and done.status == "done", done and done.message
    return ids


def _ids(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with server.app.app_context():
        db = get_db()
        people, schemes = people_frame(db), schemes_frame(db, with_vacancies_only=True, on=ON)
        pairs = eligible_pairs(people[people["needed_from"] <= pd.Timestamp(ON)], schemes, on=ON)
        bnb = pairs[~pairs["suitable"].to_numpy()].iloc[0]  # an adult due now whom a B&B would take
        now = people[people["needed_from"] <= pd.Timestamp(ON)].reset_index(drop=True)
        suitable = db.scalar(
            select(Proposal.id)
            .where(Proposal.state == "proposed", Proposal.outcome == "placed")
            .order_by(Proposal.id.desc())
            .limit(1)
        )
        placement = db.scalar(select(Placement.id).order_by(Placement.id.desc()).limit(1))
        person = db.scalar(select(YoungPerson.person_id).where(YoungPerson.status == "waiting").limit(1))
        scheme = db.scalar(select(Placement.scheme_id).order_by(Placement.id.desc()).limit(1))
        first = db.scalar(select(Scheme.scheme_id).order_by(Scheme.scheme_id).limit(1))
        staying = db.scalar(
            select(Scheme.reserved_for)
            .join(YoungPerson, YoungPerson.person_id == Scheme.reserved_for)
            .where(Scheme.accom_type == "Z", YoungPerson.status == "waiting")
            .order_by(Scheme.reserved_for)
            .limit(1)
        )
    who, where = now["person_id"].iat[int(bnb["person"])], schemes["scheme_id"].iat[int(bnb["scheme"])]
    bnb_page = f"/people/{who}/place?scheme_id={where}"
    return {"bnb": bnb_page, "suitable": str(suitable), "placement": str(placement), "person": str(person),
            "scheme": str(scheme or first), "staying_put": str(staying)}  # fmt: skip


def test_no_page_scrolls_sideways_on_a_phone_and_axe_finds_nothing_serious(visit, live_server, tmp_path):
    page = visit.page
    with_axe(page)
    page.set_viewport_size(PHONE)
    data, _ = demo_dataset(ON)
    write_table(data.people, PEOPLE, tmp_path)
    write_table(data.schemes, SCHEMES, tmp_path)
    visit.sign_in("officer")
    page.get_by_role("button", name="Run matching").click()
    if page.locator("h1").inner_text() == "Run matching again?":  # proposals another test left open
        page.get_by_role("button", name=re.compile("Run matching again")).click()
    page.wait_for_url(re.compile(r"/proposals"))
    ids = _ids(live_server)
    visit.go(f"/proposals/{ids['suitable']}/confirm")
    page.get_by_role("button", name="Confirm placement").click()
    ids = _ids(live_server)
    visit.go("/imports")
    page.set_input_files("#people", str(tmp_path / "young_people.csv"))
    page.set_input_files("#schemes", str(tmp_path / "schemes.csv"))
    page.get_by_role("button", name="Check the files and preview").click()
    expect(page.locator("h1")).to_have_text("Check what the import changes")
    preview = urlpath(page.url)
    scenario, run = _scenario(live_server)

    pages = {
        "officer": [
            "/waiting-list", "/waiting-list?urgency=urgent", "/proposals", "/proposals?state=all&weeks=2",
            f"/people/{ids['person']}", "/schemes", f"/schemes/{ids['scheme']}",
            f"/schemes/{ids['scheme']}/vacancies",
            "/imports", preview, f"/proposals/{ids['suitable']}/confirm", ids["bnb"],
            f"/proposals/{ids['suitable']}/decline", f"/placements/{ids['placement']}",
            f"/placements/{ids['placement']}/end", f"/placements/{ids['placement']}/undo",
            "/alerts", "/glossary", "/referrals/new", f"/people/{ids['person']}/edit",
            f"/people/{ids['person']}/notes/new", "/waiting-list/print", "/proposals/print",
            f"/people/{ids['staying_put']}", f"/people/{ids['staying_put']}/staying-put",
            "/waiting-list?q=%3C",
        ],
        "commissioner": [
            "/map", "/map?month=2027-06", "/map?month=2026-11", "/scenarios", f"/scenarios/{scenario}",
            f"/scenarios/runs/{run}", f"/scenarios/{scenario}/edit", "/scenarios/new", "/scenarios/compare",
            "/commissioning", "/commissioning/new", "/forecast", "/history", "/schemes",
        ],
        "analyst": ["/forecast?district=E07000078", "/history?district=E07000078", "/scenarios"],
        "admin": ["/admin/users", "/admin/audit"],
    }  # fmt: skip
    wide, serious = {}, {}
    for role, paths in pages.items():
        if role != "officer":
            visit.sign_out()
            visit.sign_in(role)
        for path in paths:
            response = page.goto(visit.base + path)
            assert response is not None and response.status == (400 if "q=%3C" in path else 200), path
            if path in READY:
                expect(page.locator(READY[path]).first).to_be_visible(timeout=60_000)
            if overflow_px(page) > 0:
                wide[path] = overflow_px(page)
            if found := axe_violations(page):
                serious[path] = found
            visit.shot("phone-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))
    assert (wide, serious) == ({}, {})
    assert visit.blocked == []


def urlpath(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_timeout_warning_keeps_or_ends_the_session_in_a_real_browser(
    browser: Browser, quick_timeout_server
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    with_axe(page)
    page.goto(quick_timeout_server.url + "/login")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/waiting-list"))
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_contain_text("we will sign you out in")
    assert axe_violations(page) == []
    page.screenshot(path=str(Path("test-results/screenshots/timeout-warning-phone.png")))
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8_000)  # idle again
    page.wait_for_url(re.compile(r"/login"), timeout=12_000)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you were inactive"
    )
    page.goto(quick_timeout_server.url + "/waiting-list")
    expect(page).to_have_url(re.compile(r"/login"))
    context.close()
