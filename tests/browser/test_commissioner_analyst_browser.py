"""Commissioners and analysts in a real browser, on a 1366 px screen and a 390 px phone: a
commissioner runs a commissioning plan and sees it on the map, compares two scenarios, copies one
and deletes it; an analyst downloads a month's forecast, opens a scenario read-only and is refused
a young person's page. Every page fits the phone and axe finds nothing serious on it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from page_checks import axe_violations, overflow_px, with_axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

import planner.simulate.commissioning as commissioning
from web.core.db import get_db
from web.core.models import AuditEvent, YoungPerson

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest, visit) -> Iterator[str]:  # type: ignore[no-untyped-def]
    visit.page.set_viewport_size(SIZES[request.param])
    with_axe(visit.page)
    yield request.param


@pytest.fixture(autouse=True)
def quick_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server runs in this process: a short solver time keeps a plan's run to seconds."""
    monkeypatch.setattr(commissioning, "SOLVE_SECONDS", 3.0)


def looks_right(visit, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page fits the window, axe finds nothing serious, and a screenshot is kept."""
    assert overflow_px(visit.page) == 0, name
    assert axe_violations(visit.page) == [], name
    visit.shot(name)


def fill_date(page: Page, group: str, day: str, month: str, year: str) -> None:
    boxes = page.get_by_role("group", name=group)
    boxes.get_by_label("Day").fill(day)
    boxes.get_by_label("Month").fill(month)
    boxes.get_by_label("Year").fill(year)


def save_scenario(visit, name: str, district: str, places: str) -> None:  # type: ignore[no-untyped-def]
    page = visit.page
    visit.go("/scenarios/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Monte Carlo runs").fill("3")
    page.get_by_label("District", exact=True).select_option(district)
    page.get_by_label("Accommodation type", exact=True).first.select_option("D")
    page.get_by_label("Support level", exact=True).first.select_option("high")
    page.get_by_label("Places", exact=True).fill(places)
    page.get_by_label("Weekly cost per place (£)").first.fill("1100")
    fill_date(page, "Places available from", "23", "11", "2026")
    page.get_by_role("button", name="Save scenario", exact=True).last.click()
    expect(page.locator("h1")).to_have_text(name)


def new_scenario(visit, name: str, district: str, places: str) -> None:  # type: ignore[no-untyped-def]
    save_scenario(visit, name, district, places)
    page = visit.page
    page.get_by_role("button", name="Run this scenario").click()
    expect(page.locator("h1")).to_have_text("Results", timeout=120_000)


def test_a_commissioner_runs_a_commissioning_plan_and_sees_it_on_the_map(visit, size):
    visit.sign_in("commissioner")
    page = visit.page
    visit.go("/commissioning")
    page.get_by_role("button", name="New commissioning plan").click()
    page.get_by_label("Name", exact=True).fill(f"winter-{size}")
    page.get_by_label("Budget a week (£)").fill("6000")
    page.get_by_label("Months to plan for").fill("12")
    page.get_by_label("Runs to check the plan on").fill("2")
    page.get_by_label("My own list").check()
    page.get_by_label("District", exact=True).first.select_option("E07000080")  # Forest of Dean
    page.get_by_label("Accommodation type", exact=True).first.select_option("D")
    page.get_by_label("Support level", exact=True).first.select_option("high")
    page.get_by_label("Weekly cost per place (£)").first.fill("900")
    page.get_by_role("button", name="Add another candidate").click()  # GOV.UK "add another"
    page.get_by_label("District", exact=True).nth(1).select_option("E07000078")  # Cheltenham
    page.get_by_label("Accommodation type", exact=True).nth(1).select_option("D")
    page.get_by_label("Support level", exact=True).nth(1).select_option("intensive")
    page.get_by_label("Contract", exact=True).nth(1).select_option("spot")
    page.get_by_label("Weekly cost per place (£)").nth(1).fill("1800")
    looks_right(visit, f"plan-form-{size}")
    page.get_by_role("button", name="Save plan", exact=True).last.click()
    expect(page.locator("h1")).to_have_text(f"winter-{size}")
    expect(page.locator("#candidates-table")).to_contain_text("Forest of Dean")
    page.get_by_role("button", name="Run this plan").click()
    page.wait_for_url(re.compile(r"/commissioning/runs/\d+$"))
    if page.locator("#run-progress").count():  # unless it finished already
        expect(page.locator("#run-status")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Where to buy places", timeout=180_000)  # refreshes itself
    expect(page.locator("#plan-map path.district-shape").first).to_be_visible()
    expect(page.locator("#plan-map .map-legend")).to_contain_text("Places the plan buys")
    expect(page.locator("#savings-table")).to_contain_text("B&B and emergency nights")
    expect(page.locator("#savings-table .app-interval").first).to_contain_text(" to ")
    looks_right(visit, f"plan-on-the-map-{size}")
    with page.expect_download() as info:
        page.get_by_role("link", name="plan.csv").click()
    assert info.value.suggested_filename.endswith("-plan.csv")
    assert visit.blocked == []


def test_a_commissioner_compares_two_scenarios_then_copies_and_deletes_one(visit, size):
    visit.sign_in("commissioner")
    page = visit.page
    new_scenario(visit, f"forest-{size}", "E07000080", "6")
    new_scenario(visit, f"tewkesbury-{size}", "E07000083", "4")
    visit.go("/scenarios")
    page.get_by_role("link", name="Compare two scenarios side by side").click()
    page.get_by_label("Scenario A").select_option(label=f"forest-{size}")
    page.get_by_label("Scenario B").select_option(label=f"tewkesbury-{size}")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("h1")).to_have_text(f"forest-{size} and tewkesbury-{size} side by side")
    summary = page.locator("#compare-summary")
    expect(summary.locator("tr[data-metric='under18_waiting_nights']")).to_be_visible()
    expect(summary.locator(".app-interval").first).to_contain_text(" to ")
    expect(page.locator("#compare-months tr[data-month='2026-12']")).to_be_visible()
    looks_right(visit, f"scenarios-side-by-side-{size}")

    page.get_by_role("link", name=f"tewkesbury-{size}, run").click()
    page.get_by_role("link", name=f"Back to tewkesbury-{size}").click()
    page.get_by_role("link", name=re.compile(r"^Copy")).click()
    expect(page.get_by_label("Name")).to_have_value(f"tewkesbury-{size}-copy")
    looks_right(visit, f"scenario-copy-{size}")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("h1")).to_have_text(f"tewkesbury-{size}-copy")
    page.get_by_role("link", name=re.compile(r"^Delete")).click()
    expect(page.locator("h1")).to_have_text(f"Are you sure you want to delete tewkesbury-{size}-copy?")
    looks_right(visit, f"scenario-delete-{size}")
    page.get_by_role("button", name="Delete scenario").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Deleted scenario tewkesbury-{size}-copy"
    )
    expect(page.locator("#scenario-list")).not_to_contain_text(f"tewkesbury-{size}-copy")
    expect(page.locator("#scenario-list")).to_contain_text(f"tewkesbury-{size}")
    assert visit.blocked == []


def test_an_analyst_downloads_a_months_forecast_reads_a_scenario_and_is_refused_a_person(
    visit, size, live_server
):
    # A scenario of its own to read, whichever tests ran before on this server.
    visit.sign_in("commissioner")
    save_scenario(visit, f"analyst-reads-{size}", "E07000083", "2")
    visit.sign_out()
    visit.sign_in("analyst")
    page = visit.page
    visit.go("/map?month=2027-01")
    expect(page.locator("#forecast-table")).to_be_visible(timeout=60_000)  # the page refreshes itself
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this table (CSV)").click()
    assert info.value.suggested_filename == "forecast-by-district-2027-01.csv"
    text = open(info.value.path(), encoding="utf-8").read()
    assert text.startswith("month,district,name,support_level,demand_mean,demand_lo80,demand_hi80")
    assert len(text.strip().splitlines()) == 7 and all(
        r.startswith("2027-01,") for r in text.splitlines()[1:]
    )

    visit.go("/forecast?district=E07000078")
    expect(page.locator("#forecast-months tr[data-month='2026-11']")).to_contain_text("today")
    looks_right(visit, f"analyst-forecast-{size}")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the whole forecast")).click()
    assert info.value.suggested_filename == "forecast-2026-11-23.csv"
    visit.go("/history")
    expect(page.locator("#referral-months")).to_be_visible()
    looks_right(visit, f"analyst-history-{size}")

    visit.go("/scenarios")
    expect(page.get_by_role("button", name="New scenario")).to_have_count(0)
    page.locator("#scenario-list a").first.click()
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.get_by_role("button", name="Run this scenario")).to_have_count(0)
    looks_right(visit, f"analyst-scenario-read-only-{size}")

    with live_server.app.app_context():
        person = get_db().scalar(select(YoungPerson.person_id).order_by(YoungPerson.person_id))
    response = page.goto(f"{visit.base}/people/{person}")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    looks_right(visit, f"analyst-refused-a-person-{size}")
    with live_server.app.app_context():
        denied = get_db().scalar(
            select(AuditEvent.username).where(
                AuditEvent.action == "access_denied", AuditEvent.person_id == person
            )
        )
    assert denied == "analyst"
    assert visit.blocked == []
