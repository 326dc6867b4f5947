"""In a real browser: the Content-Security-Policy lets GOV.UK Frontend and the Leaflet map run
(no violation on any page) while blocking a script without the page's nonce; the sign-in errors
and the error pages are the app's own pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_the_policy_lets_govuk_frontend_and_the_map_run_on_every_page(visit):
    visit.page.add_init_script(WATCH_CSP)
    visit.sign_in("commissioner")
    page = visit.page
    for path, check in [
        ("/map", "#shortfall-map path.district-shape"),
        ("/map?month=2027-05", "#shortfall-map path.district-shape"),
        ("/scenarios", "h1"),
        ("/scenarios/new", "#yaml-details"),
    ]:
        visit.go(path)
        expect(page.locator(check).first).to_be_visible()
        # GOV.UK Frontend's module ran: it marks the body and sets up its components.
        expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
        assert page.evaluate("window.__csp") == [], path
    visit.go("/map")
    page.locator("#shortfall-map path.scheme-marker").first.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Vacancies:")  # Leaflet works
    visit.shot("csp-map-popup")
    assert visit.errors == [] and visit.blocked == []


def test_the_policy_blocks_a_script_without_the_pages_nonce(visit):
    visit.page.add_init_script(WATCH_CSP)
    visit.go("/login")
    ran = visit.page.evaluate(
        """() => { window.__ran = false;
                   const s = document.createElement('script');
                   s.textContent = 'window.__ran = true';
                   document.body.appendChild(s);
                   return window.__ran; }"""
    )
    assert ran is False
    assert any(v.startswith("script-src") for v in visit.page.evaluate("window.__csp"))


def test_sign_in_errors_and_the_wait_after_repeated_failures_are_shown_on_the_page(visit):
    page = visit.page
    visit.go("/login")
    page.get_by_label("Username").fill("nobody-here")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The username or password is not right")
    visit.shot("sign-in-wrong-password")
    for _ in range(5):
        page.get_by_label("Password").fill("still-not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Too many failed attempts to sign in: wait")
    expect(page.locator("h1")).to_have_text("Sign in")
    visit.shot("sign-in-too-many-attempts")
    visit.errors.clear()  # the browser logs each 400 and 429 answer to the console


def test_error_pages_are_our_own(visit):
    page = visit.page
    visit.sign_in("officer")
    visit.go("/people/no-such-person")
    expect(page.locator("h1")).to_have_text("Page not found")
    visit.shot("error-404")
    visit.go("/people/YP%00")
    expect(page.locator("h1")).to_have_text("There is a problem with the request")
    expect(page.locator("main")).to_contain_text("The character NUL (0x00) in the address cannot be stored")
    visit.shot("error-400-nul")
    visit.go("/admin/users")
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    visit.shot("error-403")
    visit.errors.clear()
