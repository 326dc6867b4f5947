"""A placement officer runs matching, confirms a proposal (through its check-your-answers page)
and sees the vacancy taken."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FREE = re.compile(r"^(?P<scheme>\S+), .*; (?P<free>\d+) of (?P<capacity>\d+) free$")


def waiting_count(page) -> int:
    text = page.locator("main p.govuk-body").first.inner_text()
    return int(re.search(r"(\d+) young people are waiting", text).group(1))


def test_officer_runs_matching_confirms_a_proposal_and_the_vacancy_drops(visit):
    visit.sign_in("officer")
    page = visit.page
    waiting = waiting_count(page)
    visit.shot("officer-waiting-list")

    page.get_by_role("button", name=re.compile("Run matching")).click()
    page.wait_for_url(re.compile(r"/proposals"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Matching proposed")
    visit.shot("officer-proposals")

    suitable = page.locator(".govuk-tag", has_text=re.compile(r"^\s*Suitable\s*$"))
    row = (
        page.locator("tbody tr")
        .filter(has=suitable)
        .filter(has=page.get_by_role("button", name="Confirm"))
        .first
    )
    where = row.locator("td").first.locator(".app-secondary").inner_text().strip()
    found = FREE.match(where)
    assert found, where
    scheme, free = found["scheme"], int(found["free"])
    name = row.locator("td").first.get_by_role("link").inner_text().strip()
    person = row.locator("th a").first.inner_text().strip()

    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.locator("h1")).to_have_text("Check the placement before confirming it")
    visit.shot("officer-check-your-answers")
    page.get_by_role("button", name="Confirm placement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Placement confirmed: {person} placed in {name}"
    )
    visit.shot("officer-confirmed")

    page.goto(visit.base + f"/schemes/{scheme}")
    places = "place" if free - 1 == 1 else "places"
    expect(page.locator("main")).to_contain_text(f"{free - 1} {places} free of {found['capacity']}")
    visit.shot("officer-schemes-after-confirm")

    page.goto(visit.base + "/waiting-list")
    assert waiting_count(page) == waiting - 1
    expect(page.get_by_role("link", name=person, exact=True)).to_have_count(0)
    assert visit.blocked == []
