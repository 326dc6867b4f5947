"""The officer's pages show who pays, in GBP as councils write it: a person's places with the
council's share beside each weekly cost, a placement's rent, support and shares (and from the 18th
birthday), a scheme's split and what it costs the council at each age."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from web_support import ON, build_app, signer

from planner.data.funding import FundingSettings
from web.core.db import get_db
from web.core.models import Placement


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    return build_app("sqlite", tmp_path, request)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_an_adults_places_show_the_councils_share_beside_the_weekly_cost(app: Flask) -> None:
    page = _text(signer(app)("officer").get("/people/YP-0003").get_data(as_text=True))
    # YP-0003 is 22: housing benefit meets the rent (assumed £130 at SCH-004, £950 a week).
    assert "From 18, housing benefit (or universal credit's housing element) meets a place's rent" in page
    assert "£950 £820 to the council" in page
    assert "Rent and support are assumed by accommodation type" in page


def test_an_under_18s_places_cost_the_council_all_of_it(app: Flask) -> None:
    page = _text(signer(app)("officer").get("/people/YP-0001").get_data(as_text=True))
    assert "Under 18, the council pays the rent and the support of any place." in page
    assert "£450 £450 to the council" in page and "£780 £780 to the council" in page


def test_a_student_is_told_the_rent_may_not_be_covered(app: Flask) -> None:
    page = _text(signer(app)("officer").get("/people/YP-0004").get_data(as_text=True))
    assert (
        "Rent may not be covered for a full-time student, who cannot claim housing benefit: up to £130 a week"
        in page
    )
    assert "(theirs to pay)" in page and "£780 £650 to the council" in page


def test_the_councils_local_offer_meeting_unmet_rent_is_a_setting(request: pytest.FixtureRequest,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    app = build_app("sqlite", tmp_path, request, FUNDING=FundingSettings(council_meets_rent_shortfall=True))
    page = _text(signer(app)("officer").get("/people/YP-0004").get_data(as_text=True))
    assert "(the council meets it)" in page
    assert "£780 £780 to the council" in page  # a student: the council pays the rent too


def test_a_placement_gives_rent_support_and_the_shares_then_and_from_the_18th_birthday(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        db.add(Placement(person_id="YP-0001", scheme_id="SCH-001", accom_code="D1", weekly_cost=780.0,
                         start_date=ON))  # fmt: skip
        db.commit()
        placement_id = db.query(Placement).one().id
    officer = signer(app)("officer")
    page = _text(officer.get(f"/placements/{placement_id}").get_data(as_text=True))
    assert "£780 a week, all to the council (under 18)" in page
    assert "Rent £130 and support £650 a week (assumed by type" in page
    # YP-0001 was born on 14 Mar 2009: 18 on 14 Mar 2027, still living there.
    assert "From their 18th birthday, 14 Mar 2027: £650 a week to the council, housing benefit £130" in page
    person = _text(officer.get("/people/YP-0001").get_data(as_text=True))
    assert "£780 £780 to the council" in person  # the placements table, as on the day it began


def test_a_scheme_page_gives_its_split_and_what_it_costs_the_council_at_each_age(app: Flask) -> None:
    for role in ("officer", "commissioner", "analyst"):
        page = _text(signer(app)(role).get("/schemes/SCH-001").get_data(as_text=True))
        assert "£780 a place: rent £130 and support £650 (assumed for its type" in page
        assert (
            "£780 a week for a 16 or 17 year-old; £650 from 18, when housing benefit meets the rent" in page
        )
    page = _text(signer(app)("officer").get("/schemes/SCH-006").get_data(as_text=True))  # B&B: 18 to 25
    assert "£290 from 18, when housing benefit meets the rent" in page and "16 or 17" not in page


def test_born_on_29_february_turns_18_on_1_march() -> None:
    from web.officer.money import eighteenth_birthday

    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)
    assert eighteenth_birthday(date(2009, 3, 14)) == date(2027, 3, 14)
