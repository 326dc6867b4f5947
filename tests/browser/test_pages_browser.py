"""Every role signs in and sees its pages; the wrong role gets 403; a forged POST gets 400."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from web.core.db import get_db
from web.core.models import MatchRun, Scheme, User, YoungPerson

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example"

LANDING = {"officer": "/waiting-list", "commissioner": "/map", "analyst": "/map", "admin": "/admin/users"}
NAVIGATION = {
    "officer": {"Waiting list", "Proposals", "Alerts", "Schemes", "Imports", "Glossary"},
    "commissioner": {"Schemes", "Shortfall map", "Forecast", "History", "Scenarios", "Commissioning",
                     "Glossary"},
    "analyst": {"Schemes", "Shortfall map", "Forecast", "History", "Scenarios", "Commissioning",
                "Glossary"},
    "admin": {"Shortfall map", "Forecast", "History", "Scenarios", "Commissioning", "Imports", "Users",
              "Audit log", "Glossary"},
}  # fmt: skip


def first_ids(live_server) -> dict[str, str]:
    with live_server.app.app_context():
        db = get_db()
        return {
            "person": db.scalar(
                select(YoungPerson.person_id)
                .where(YoungPerson.status == "waiting")
                .order_by(YoungPerson.person_id)
            ),
            "scheme": db.scalar(select(Scheme.scheme_id).order_by(Scheme.scheme_id)),
            "user": str(db.scalar(select(User.id).where(User.username == "officer"))),
        }


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_signs_in_to_its_start_page_and_sees_only_its_menu(visit, role):
    visit.go("/map")  # signed out: sent to sign in first
    expect(visit.page).to_have_url(re.compile(r"/login"))
    visit.shot("login")
    visit.sign_in(role)
    assert visit.page.url.split("?")[0].endswith(LANDING[role])
    menu = visit.page.locator(".govuk-service-navigation__link").all_inner_texts()
    assert {m.strip() for m in menu} == NAVIGATION[role]
    expect(visit.page.locator("header")).to_contain_text(f"Signed in as {role}")
    visit.shot(f"home-{role}")
    visit.sign_out()
    expect(visit.page.locator(".govuk-notification-banner")).to_contain_text("signed out")
    assert visit.blocked == []


def test_every_page_renders_for_its_role_with_nothing_fetched_from_outside(visit, live_server):
    ids = first_ids(live_server)
    pages = {
        "officer": [
            "/waiting-list",
            "/waiting-list?urgency=urgent",
            "/proposals",
            f"/people/{ids['person']}",
            "/schemes",
            f"/schemes/{ids['scheme']}/vacancies",
            "/imports",
            "/alerts",
            "/referrals/new",
            f"/people/{ids['person']}/edit",
            "/waiting-list/print",
            "/glossary",
        ],
        "commissioner": [
            "/map",
            "/schemes",
            "/scenarios",
            "/scenarios/new",
            "/map?month=2027-06",
            "/map?month=2026-11",
            "/scenarios/compare",
            "/commissioning",
            "/commissioning/new",
            "/forecast",
            "/history",
        ],
        "analyst": [
            "/map",
            "/forecast?district=E07000078&support_level=high",
            "/history?district=E07000081",
            "/scenarios",
            "/commissioning",
        ],
        "admin": ["/admin/users", f"/admin/users/{ids['user']}", "/admin/audit", "/imports", "/map"],
    }
    for role, paths in pages.items():
        visit.sign_in(role)
        for path in paths:
            response = visit.page.goto(visit.base + path)
            assert response is not None and response.status == 200, (role, path)
            expect(visit.page.locator("h1")).to_be_visible()
            visit.shot(f"page-{role}-{path.strip('/').replace('/', '-').replace('?', '-')}")
        visit.sign_out()
    assert visit.blocked == []
    assert visit.errors == []


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("officer", "/map"),
        ("commissioner", "/admin/users"),
        ("analyst", "/waiting-list"),
        ("admin", "/proposals"),
    ],
)
def test_wrong_role_gets_the_403_page(visit, role, path):
    visit.sign_in(role)
    response = visit.page.goto(visit.base + path)
    assert response is not None and response.status == 403
    expect(visit.page.locator("h1")).to_have_text("You do not have access to this page")
    visit.shot(f"forbidden-{role}")


def test_a_post_without_its_csrf_token_gets_400_and_changes_nothing(visit, live_server):
    def runs() -> int:
        with live_server.app.app_context():
            return get_db().scalar(select(func.count()).select_from(MatchRun)) or 0

    before = runs()
    visit.sign_in("officer")
    page = visit.page
    button = page.get_by_role("button", name=re.compile("Run matching"))
    button.locator("xpath=ancestor::form").locator("input[name=csrf_token]").evaluate("e => e.remove()")
    with page.expect_response(re.compile(r"/matching/run")) as info:
        button.click()
    assert info.value.status == 400
    expect(page.locator("h1")).to_have_text("There is a problem with the request")
    visit.shot("csrf-missing-400")
    assert runs() == before


def test_an_import_with_a_bad_row_lists_it_and_changes_nothing(visit, live_server, tmp_path, set_cell):
    def counts() -> tuple[int, int]:
        with live_server.app.app_context():
            db = get_db()
            people = db.scalar(select(func.count()).select_from(YoungPerson)) or 0
            return people, db.scalar(select(func.count()).select_from(Scheme)) or 0

    before = counts()
    for name in ("young_people.csv", "schemes.csv"):
        (tmp_path / name).write_bytes((EXAMPLE / name).read_bytes())
    set_cell(tmp_path / "schemes.csv", 3, "vacancies", "31")  # capacity is 30
    visit.sign_in("officer")
    visit.go("/imports")
    page = visit.page
    page.set_input_files("#people", str(tmp_path / "young_people.csv"))
    page.set_input_files("#schemes", str(tmp_path / "schemes.csv"))
    page.get_by_role("button", name="Check the files and preview").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Nothing was imported")
    row = summary.locator("tbody tr").first
    expect(row).to_contain_text("schemes.csv")
    expect(row).to_contain_text("vacancies")
    expect(row).to_contain_text("31 is more than capacity 30")
    visit.shot("import-rejected")
    assert counts() == before
