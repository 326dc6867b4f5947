"""Checks run on a page in the browser: axe-core's accessibility rules (vendored from the npm
registry by scripts/vendor-static.sh, injected before the page's own scripts, so the
Content-Security-Policy does not apply to it) and sideways overflow on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15's CSS pixels
SERIOUS = ("serious", "critical")


def with_axe(page: Page) -> None:
    """Make axe-core available on every page this browser context opens from now on."""
    page.context.add_init_script(path=str(AXE))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.2 AA rules
    and best practices), each with a few of the elements it is about."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
        }))"""
    )
    return [v for v in found if v["impact"] in SERIOUS]


def overflow_px(page: Page) -> int:
    """How far the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
