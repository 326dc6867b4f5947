"""An officer's decisions in a real Chromium, on SQLite and on PostgreSQL: confirm through the
check-your-answers page, re-import the same files and run matching again (the person stays
placed, the place stays taken), undo and end, B&B only with the reason, five officers running
matching at once, a stale vacancies form; every page checked by axe-core and on a phone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from page_checks import PHONE, axe_violations, overflow_px, with_axe
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from web_support import EXAMPLE, ON, PASSWORD

from web.core.db import get_db
from web.core.models import MatchRun, Placement, Proposal, YoungPerson
from web.core.vacancies import free_on

pytestmark = pytest.mark.browser
FOYER = "SCH-002"


def _db(server, statement):  # type: ignore[no-untyped-def]
    with server.app.app_context():
        return get_db().scalar(statement)


def _free(server, scheme_id: str = FOYER) -> int:  # type: ignore[no-untyped-def]
    with server.app.app_context():
        return free_on(get_db(), scheme_id, ON)


def _checked(visit, name: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core finds nothing serious, and nothing scrolls sideways on a phone."""
    assert axe_violations(visit.page) == [], name
    size = visit.page.viewport_size
    visit.page.set_viewport_size(PHONE)
    assert overflow_px(visit.page) <= 0, name
    visit.shot(f"ledger-{name}-phone")
    if size:
        visit.page.set_viewport_size(size)


def test_confirm_reimport_and_rerun_keep_the_person_placed(example_visit, example_server):
    visit, page = example_visit, example_visit.page
    with_axe(page)
    visit.sign_in("officer")
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_url(re.compile(r"/proposals"))
    _checked(visit, "proposals")
    page.get_by_role("button", name="Confirm YP-0001 at Cheltenham Foyer").click()
    expect(page.locator("h1")).to_have_text("Check the placement before confirming it")
    expect(page.locator("main")).to_contain_text("Cheltenham Foyer: 3 places free now, 2 after.")
    _checked(visit, "check-your-answers")
    page.get_by_role("button", name="Confirm placement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Placement confirmed: YP-0001"
    )
    assert _free(example_server) == 2

    visit.go("/imports")
    page.set_input_files("#people", str(EXAMPLE / "young_people.csv"))
    page.set_input_files("#schemes", str(EXAMPLE / "schemes.csv"))
    page.get_by_role("button", name="Check the files and preview").click()
    expect(page.locator("h1")).to_have_text("Check what the import changes")
    expect(page.locator("main")).to_contain_text("YP-0001 is placed at Cheltenham Foyer since 23 Nov 2026")
    _checked(visit, "import-preview")
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 conflict kept as officers decided")

    visit.go("/waiting-list")
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_url(re.compile(r"/proposals"))
    expect(page.get_by_role("button", name=re.compile("Confirm YP-0001"))).to_have_count(0)
    assert _free(example_server) == 2
    assert (
        _db(example_server, select(YoungPerson.status).where(YoungPerson.person_id == "YP-0001")) == "placed"
    )
    open_placements = select(func.count()).where(
        Placement.person_id == "YP-0001", Placement.end_date.is_(None)
    )
    assert _db(example_server, open_placements) == 1
    visit.go(f"/schemes/{FOYER}")
    expect(page.locator("main")).to_contain_text("places free of 30")
    _checked(visit, "scheme")
    assert visit.blocked == [] and visit.errors == []


def _date(page, legend: str, d: date | tuple[str, str, str]) -> None:  # type: ignore[no-untyped-def]
    """Type a date in the GOV.UK date input named by its legend (day, month, year as typed)."""
    day, month, year = (str(d.day), str(d.month), str(d.year)) if isinstance(d, date) else d
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_undo_and_end_give_the_place_back(example_visit, example_server):
    visit, page = example_visit, example_visit.page
    with_axe(page)
    visit.sign_in("officer")
    visit.go("/people/YP-0001")
    _checked(visit, "person")
    page.get_by_role("button", name="Place here YP-0001 at Cheltenham Foyer").click()
    _date(page, "Move-in date", date(2026, 12, 7))
    page.get_by_role("button", name="Confirm placement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Placement confirmed: YP-0001"
    )
    assert _free(example_server) == 2
    page.get_by_role("button", name="Undo the placement of YP-0001 at Cheltenham Foyer").click()
    _checked(visit, "undo")
    page.get_by_role("button", name="Undo the confirmation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the confirmation is being undone")
    page.get_by_label("Why is it being undone?").fill("Confirmed for the wrong young person")
    page.get_by_role("button", name="Undo the confirmation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Undone: YP-0001 is back on the waiting list"
    )
    assert _free(example_server) == 3

    page.get_by_role("button", name="Place here YP-0001 at Cheltenham Foyer").click()
    page.get_by_role("button", name="Confirm placement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Placement confirmed: YP-0001"
    )
    assert _free(example_server) == 2
    page.get_by_role("link", name="Details of the placement at Cheltenham Foyer").first.click()
    _checked(visit, "placement")
    page.get_by_role("button", name="End the placement of YP-0001 at Cheltenham Foyer").click()
    _date(page, "Move-out date", ("30", "2", "2027"))
    page.get_by_role("button", name="End the placement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Move-out date must be a real date")
    _checked(visit, "end-errors")
    _date(page, "Move-out date", ON)
    page.get_by_label("Placement breakdown").check()
    page.get_by_label(re.compile("Where does YP-0001 live from the move-out date")).select_option("B2")
    page.get_by_label(re.compile("Yes: put them back on the waiting list")).check()
    page.get_by_role("button", name="End the placement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Placement ended: YP-0001 moves out")
    assert _free(example_server) == 3
    assert (
        _db(example_server, select(YoungPerson.status).where(YoungPerson.person_id == "YP-0001")) == "waiting"
    )


def test_bnb_is_refused_without_the_reason_and_never_shown_as_a_success(example_visit, example_server):
    with example_server.app.app_context():
        db = get_db()
        db.add(YoungPerson(person_id="YP-0100", date_of_birth=date(2007, 1, 1), gender="M",
                           home_district="E07000081", support_need="none", needed_from=ON))  # fmt: skip
        db.commit()
    visit, page = example_visit, example_visit.page
    with_axe(page)
    visit.sign_in("officer")
    visit.go("/people/YP-0100")
    page.get_by_role("button", name="Place here YP-0100 at Gloucester Road B&B").click()
    expect(page.locator(".govuk-warning-text").first).to_contain_text("unsuitable accommodation")
    _checked(visit, "bnb-check")
    page.get_by_role("button", name="Confirm as a last resort").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why B&B or emergency accommodation is needed today")
    expect(summary).to_contain_text("Say why Cheltenham Foyer does not suit them")
    assert _free(example_server, "SCH-006") == 5
    page.get_by_label("Why B&B or emergency accommodation is needed today").fill(
        "Refused by the foyer after a fire"
    )
    for field in page.locator("textarea[id^=refuse-]").all():
        field.fill("Will not take him after a fire")
    page.get_by_role("button", name="Confirm as a last resort").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recorded as a last resort")
    expect(page.locator(".govuk-notification-banner--success")).to_have_count(0)
    _checked(visit, "bnb-confirmed")
    assert _free(example_server, "SCH-006") == 4


def test_five_officers_pressing_run_matching_together_leave_one_set(browser: Browser, example_server):
    pages = []
    for _ in range(5):
        page = browser.new_context(viewport=PHONE).new_page()
        page.goto(example_server.url + "/login")
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/waiting-list"))
        pages.append(page)
    for page in pages:  # every form submitted before any answer comes back
        page.evaluate("document.getElementById('run-matching').requestSubmit()")
    for page in pages:
        page.wait_for_load_state()
        page.wait_for_function("!location.pathname.endsWith('/waiting-list')")
    headings = sorted(page.locator("h1").inner_text() for page in pages)
    assert headings == ["Another officer has just run matching"] * 4 + ["Proposals"]
    assert _db(example_server, select(func.count()).select_from(MatchRun)) == 1
    assert _db(example_server, select(func.count()).where(Proposal.state == "proposed")) == 5
    for page in pages:
        page.context.close()


def test_a_vacancies_form_left_open_while_someone_is_placed_is_refused(
    browser: Browser, example_server, example_visit
):
    visit, page = example_visit, example_visit.page
    with_axe(page)
    visit.sign_in("officer")
    visit.go(f"/schemes/{FOYER}/vacancies")
    _checked(visit, "vacancies")
    other = browser.new_context().new_page()
    other.goto(example_server.url + "/login")
    other.get_by_label("Username").fill("officer")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.goto(example_server.url + "/people/YP-0001/place?scheme_id=" + FOYER)
    other.get_by_role("button", name="Confirm placement").click()
    other.context.close()
    page.get_by_label("Places free now").fill("3")
    page.get_by_role("button", name="Save vacancies").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("changed since you opened this page")
    expect(page.locator("main")).to_contain_text("less 1 confirmed since")
    _checked(visit, "vacancies-stale")
    assert _free(example_server) == 2
