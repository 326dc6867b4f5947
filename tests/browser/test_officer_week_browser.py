"""The officer's week (issue 29) in a real Chromium, at 1366 px and on a 390 px phone, on SQLite
and PostgreSQL: each page checked by axe-core, none scrolling sideways on a phone, each screen
kept (test-results/screenshots/week-*). The waiting list in v1.2's order with its search, form
errors, CSV and print; the B&B check that asks why each suitable place does not suit; ending a
placement with where they live now, kept through a re-import whose preview says so and lists the
proposals it withdraws; a removed person's read-only page; a referral added (with "add another")
and corrected; a note on a decision in the history; alerts; the glossary; staying put and the
suitably housed; the undo form closed after the move-in day; "Place here" for someone placed."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from page_checks import PHONE, axe_violations, overflow_px, with_axe
from playwright.sync_api import expect
from sqlalchemy import select
from web_support import EXAMPLE, ON

from web.core.db import get_db
from web.core.models import Placement, YoungPerson
from web.officer import interim_check

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


def _both(visit, name: str) -> None:  # type: ignore[no-untyped-def]
    """At 1366 px and at 390 px: nothing serious for axe-core, nothing wider than a phone; a
    screenshot of each."""
    page = visit.page
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], (name, suffix)
        if size is PHONE:
            assert overflow_px(page) <= 0, name
        visit.shot(f"week-{name}{suffix}")
    page.set_viewport_size(DESKTOP)


def _errors(visit) -> list[str]:  # type: ignore[no-untyped-def]
    """What went wrong in the browser, but the 400 of a form with errors and the 409 of a refusal,
    which it logs as failed loads."""
    return [e for e in visit.errors if not re.search(r"status of 40[09] ", e)]


def _date(page, legend: str, d: date) -> None:  # type: ignore[no-untyped-def]
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def _adult(server, person_id: str = "YP-0100") -> None:  # type: ignore[no-untyped-def]
    with server.app.app_context():
        db = get_db()
        db.add(YoungPerson(person_id=person_id, date_of_birth=date(2007, 1, 1), gender="M",
                           home_district="E07000081", support_need="none", needed_from=ON))  # fmt: skip
        db.commit()


@pytest.fixture
def officer(example_visit):  # type: ignore[no-untyped-def]
    with_axe(example_visit.page)
    example_visit.page.set_viewport_size(DESKTOP)
    example_visit.sign_in("officer")
    return example_visit


def test_the_waiting_list_in_order_searched_downloaded_and_printed(officer):
    page = officer.page
    officer.go("/waiting-list")
    rows = page.locator("table tbody th a")
    expect(rows.first).to_have_text("YP-0001")
    assert rows.all_inner_texts()[:2] == ["YP-0001", "YP-0004"]  # needed now: under 18, then in V2
    expect(page.locator("tbody")).to_contain_text("Eligible (16-17, looked after)")
    _both(officer, "waiting-list")
    page.get_by_label("Person id").fill("yp-0003")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table tbody th a")).to_have_text(["YP-0003"])
    _both(officer, "search")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this list (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [r["person_id"] for r in rows] == ["YP-0003"]
    page.get_by_role("link", name="Print this list").click()
    expect(page.locator("h1")).to_have_text("Waiting list")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    _both(officer, "waiting-list-print")
    officer.go("/waiting-list")
    page.get_by_label("Place young people needed within (days)").fill("abc")
    page.get_by_role("button", name="Run matching").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "must be a whole number of days from 0 to 366"
    )
    _both(officer, "horizon-error")
    officer.go("/proposals?weeks=0")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Due within must be a whole number of weeks")
    _both(officer, "filter-error")
    assert officer.blocked == [] and _errors(officer) == []


def test_bnb_needs_a_reason_for_each_suitable_place_the_planner_found(officer, example_server):
    _adult(example_server)
    with example_server.app.app_context():
        found = interim_check.suitable_places(get_db(), "YP-0100", on=ON)
    page = officer.page
    officer.go("/people/YP-0100")
    page.get_by_role("button", name="Place here YP-0100 at Gloucester Road B&B").click()
    expect(page.locator(".govuk-warning-text").first).to_contain_text(
        f"The planner finds {len(found)} suitable"
    )
    expect(page.get_by_label("I confirm that no suitable place exists for YP-0100 today")).to_have_count(0)
    page.get_by_label("Why B&B or emergency accommodation is needed today").fill("Needs a roof tonight")
    page.get_by_role("button", name="Confirm as a last resort").click()
    summary = page.locator(".govuk-error-summary")
    for f in found:
        expect(summary).to_contain_text(f"Say why {f.name} does not suit them")
    _both(officer, "bnb-check")
    for f in found:
        page.get_by_label(f"Why does {f.name} not suit them?").fill(f"{f.name}: no bed until January")
    page.get_by_role("button", name="Confirm as a last resort").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recorded as a last resort")
    page.get_by_role("link", name=re.compile("Details of the placement at Gloucester Road B&B")).click()
    expect(page.locator("main")).to_contain_text("Suitable places found, and why each did not suit")
    _both(officer, "bnb-placement")
    assert officer.blocked == [] and _errors(officer) == []


def test_ending_a_placement_records_where_they_live_and_a_reimport_keeps_it(officer, example_server):
    page = officer.page
    officer.go("/people/YP-0001")
    page.get_by_role("button", name="Place here YP-0001 at Cheltenham Foyer").click()
    page.get_by_role("button", name="Confirm placement").click()
    page.get_by_role("button", name="End the placement of YP-0001 at Cheltenham Foyer").click()
    _date(page, "Move-out date", ON)
    page.get_by_label("Placement breakdown").check()
    page.get_by_label(re.compile("Yes: put them back on the waiting list")).check()
    page.get_by_role("button", name="End the placement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose where YP-0001 lives from the move-out date"
    )
    _both(officer, "end-where-now")
    page.get_by_label(re.compile("Where does YP-0001 live from the move-out date")).select_option("V2")
    _date(page, "Living there until (if it ends)", ON + timedelta(days=5))
    page.get_by_role("button", name="End the placement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Placement ended: YP-0001")
    expect(page.locator("#living-now")).to_contain_text("Emergency accommodation")
    expect(page.locator("#living-now")).to_contain_text("until 28 Nov 2026")
    _both(officer, "person-after-end")
    officer.go("/waiting-list")
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_url(re.compile(r"/proposals"))
    officer.go("/imports")
    page.set_input_files("#people", str(EXAMPLE / "young_people.csv"))
    page.set_input_files("#schemes", str(EXAMPLE / "schemes.csv"))
    page.get_by_role("button", name="Check the files and preview").click()
    expect(page.locator("#kept")).to_contain_text("Kept as recorded in the planner")
    expect(page.locator("main")).to_contain_text("withdrawn: run matching again after the import")
    expect(page.locator("#proposals")).to_contain_text("Open proposals the import withdraws")
    _both(officer, "import-preview-proposals")
    page.get_by_role("button", name="Confirm the import").click()
    officer.go("/people/YP-0001")
    expect(page.locator("#living-now")).to_contain_text("Emergency accommodation")
    with example_server.app.app_context():
        assert get_db().get(YoungPerson, "YP-0001").current_accom == "V2"
    assert officer.blocked == [] and _errors(officer) == []


def test_someone_removed_by_an_import_keeps_a_read_only_page(officer, example_server, tmp_path):
    page = officer.page
    officer.go("/people/YP-0004")
    page.get_by_role("button", name=re.compile("Place here YP-0004")).first.click()
    page.get_by_role("button", name="Confirm placement").click()
    undo = page.get_by_role("button", name=re.compile("Undo the placement of YP-0004"))
    undo.click()
    page.get_by_label("Why is it being undone?").fill("Wrong young person")
    page.get_by_role("button", name="Undo the confirmation").click()
    (tmp_path / "young_people.csv").write_text(
        "\n".join(
            line
            for line in (EXAMPLE / "young_people.csv").read_text().splitlines()
            if not line.startswith("YP-0004")
        )
        + "\n"  # fmt: skip
    )
    officer.go("/imports")
    page.set_input_files("#people", str(tmp_path / "young_people.csv"))
    page.set_input_files("#schemes", str(EXAMPLE / "schemes.csv"))
    page.get_by_role("button", name="Check the files and preview").click()
    expect(page.locator("main")).to_contain_text("their pages and history stay, read-only")
    page.get_by_role("button", name="Confirm the import").click()
    officer.go("/schemes/SCH-001")
    page.get_by_role("link", name="YP-0004").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "YP-0004 is no longer on the waiting list"
    )
    expect(page.locator("main")).to_contain_text("Never moved in")
    expect(page.get_by_role("button", name=re.compile("Place here"))).to_have_count(0)
    _both(officer, "removed-person")
    assert officer.blocked == [] and _errors(officer) == []


def test_a_referral_added_with_add_another_then_corrected_and_noted(officer, example_server):
    page = officer.page
    officer.go("/waiting-list")
    page.get_by_role("button", name="Add a referral").click()
    page.get_by_label("Pseudonymous id").fill("Jane Smith")
    page.get_by_role("button", name="Add to the waiting list").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("is not a pseudonymous id")
    expect(summary).to_contain_text("Enter the date of birth")
    _both(officer, "referral-errors")
    page.get_by_label("Pseudonymous id").fill("YP-0107")
    _date(page, "Date of birth", date(2007, 5, 2))
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Home district").select_option("E07000081")
    page.get_by_label("District 1").first.select_option("E07000082")
    page.get_by_role("button", name="Add another connection districts").click()
    page.locator("#connection_districts-1").select_option("E07000078")
    page.get_by_label("Medium", exact=True).check()
    page.get_by_label("Self harm").check()
    _date(page, "Needed from", ON)
    page.get_by_label(re.compile("Living now")).select_option("S2")
    _both(officer, "add-referral")
    page.get_by_role("button", name="Add to the waiting list").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral added: YP-0107")
    with example_server.app.app_context():
        assert get_db().get(YoungPerson, "YP-0107").connection_districts == "E07000082;E07000078"
    page.get_by_role("link", name="Change support need").click()
    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral corrected: support need")
    page.get_by_role("link", name=re.compile("Add a note to “Referral corrected in the web”")).click()
    page.get_by_label("Note").fill("Assessed by the leaving care team on Monday")
    page.get_by_role("button", name="Add the note").click()
    history = page.locator("#history").locator("xpath=following-sibling::ol[1]")
    expect(history).to_contain_text("Assessed by the leaving care team on Monday")
    expect(history).to_contain_text("Referral added in the web")
    _both(officer, "person-history-notes")
    assert officer.blocked == [] and _errors(officer) == []


def test_alerts_glossary_undo_closed_and_place_here_for_someone_placed(officer, example_server):
    page = officer.page
    _adult(example_server)
    with example_server.app.app_context():
        found = interim_check.suitable_places(get_db(), "YP-0100", on=ON)
    officer.go("/people/YP-0100/place?scheme_id=SCH-006")
    _date(page, "Move-in date", ON - timedelta(days=10))
    page.get_by_label("Why B&B or emergency accommodation is needed today").fill("Nowhere tonight")
    for f in found:
        page.get_by_label(f"Why does {f.name} not suit them?").fill("refused")
    page.get_by_role("button", name="Confirm as a last resort").click()
    page.get_by_role("link", name="Alerts").click()
    expect(page.locator("#bnb")).to_contain_text("more than 7 nights (1)")
    expect(page.locator(".govuk-task-list").first).to_contain_text("YP-0001")
    _both(officer, "alerts")
    page.get_by_role("link", name="Glossary").click()
    expect(page.locator("main")).to_contain_text("Combined cost")
    _both(officer, "glossary")
    officer.go("/people/YP-0001/place?scheme_id=SCH-002")
    _date(page, "Move-in date", ON - timedelta(days=1))
    page.get_by_role("button", name="Confirm placement").click()
    with example_server.app.app_context():
        placement = get_db().scalar(select(Placement.id).where(Placement.person_id == "YP-0001"))
    officer.go("/people/YP-0001")
    expect(page.get_by_role("button", name=re.compile("Undo the placement"))).to_have_count(0)
    officer.go(f"/placements/{placement}/undo")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "a placement that has started cannot be undone"
    )
    _both(officer, "undo-closed")
    officer.go("/people/YP-0001/place?scheme_id=SCH-001")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "YP-0001 is already placed at Cheltenham Foyer (SCH-002) since 22 Nov 2026"
    )
    _both(officer, "place-here-placed")
    assert officer.blocked == [] and _errors(officer) == []


def test_staying_put_and_the_suitably_housed_on_their_pages(officer, example_server):
    page = officer.page
    officer.go("/people/YP-0006")
    expect(page.locator("#staying-put")).to_contain_text("Staying put with own former foster carers")
    expect(page.get_by_role("button", name=re.compile("Place here"))).to_have_count(0)
    expect(page.locator("main")).to_contain_text("not ranked against other places")
    _both(officer, "staying-put")
    page.get_by_role("link", name="Record that staying put was declined").click()
    page.get_by_label("Staying put was declined").check()
    page.get_by_label("The former foster carers cannot continue").check()
    _both(officer, "staying-put-declined-form")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Staying put declined for YP-0006")
    expect(page.locator("#staying-put-row")).to_contain_text("Declined")
    officer.go("/people/YP-0003")
    expect(page.locator("#roof-now")).to_contain_text("they stay there until a place is found or it ends")
    officer.go("/people/YP-0005")
    expect(page.locator("#roof-now")).to_contain_text("Suitably housed: YP-0005 stays where they live now")
    _both(officer, "suitably-housed")
    with example_server.app.app_context():
        assert get_db().get(YoungPerson, "YP-0006").staying_put is False
    assert officer.blocked == [] and _errors(officer) == []
