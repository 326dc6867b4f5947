# ruff: noqa: E501  (CSV rows as an officer uploads them)
"""The Run matching form's "plan for the coming weeks": a place held for a young person due soon
who would have no other says so, in plain words, on the proposals page and on their own page."""

from __future__ import annotations

from sqlalchemy import select
from web_support import SignIn, import_files

from web.core.db import get_db
from web.core.models import AuditEvent, Placement, Proposal

PEOPLE = b"""person_id,date_of_birth,gender,home_district,support_need,needed_from,current_accom
YP-0101,2006-05-01,F,E07000081,low,2026-11-23,U1
YP-0102,2009-06-01,M,E07000081,low,2026-12-28,
"""
SCHEMES = b"""scheme_id,name,provider,accom_type,district,latitude,longitude,capacity,vacancies,min_age,max_age,gender,support_level,ofsted_registered,weekly_cost
SCH-101,Westgate Supported Flats,Severn Housing Trust,D,E07000081,51.86430,-2.25030,4,1,16,21,any,high,true,300.00
SCH-102,Kingsholm Lodgings,Provider Two,E,E07000081,51.86430,-2.25030,4,1,18,25,any,high,false,400.00
"""
HELD = "held for a 17-year-old due on 28 Dec who has no other registered place"


def _run(officer, anticipate: bool) -> str:  # type: ignore[no-untyped-def]
    form = {"horizon_days": "28"} | ({"anticipate": "yes"} if anticipate else {})
    response = officer.post("/matching/run", data=form, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_planning_for_the_coming_weeks_holds_a_registered_place_and_says_why(sign_in: SignIn, web_app):
    officer = sign_in("officer")
    assert import_files(officer, PEOPLE, SCHEMES).status_code == 303
    assert "Plan for the coming weeks" in officer.get("/waiting-list").get_data(as_text=True)
    plain = _run(officer, False)
    assert HELD not in plain
    page = _run(officer, True)
    assert "1 place held for people due soon who would have no other" in page
    assert "1 place held for the coming weeks" in page and HELD in page
    person = officer.get("/people/YP-0102").get_data(as_text=True)
    assert HELD in person and "Westgate Supported Flats" in person
    with web_app.app_context():
        db = get_db()
        adult = db.scalar(
            select(Proposal).where(Proposal.person_id == "YP-0101", Proposal.state == "proposed")
        )
        assert adult is not None and adult.scheme_id == "SCH-102"  # moved: the adult had another place
        held = db.scalars(select(Proposal).where(Proposal.state == "held")).all()
        assert [(h.person_id, h.scheme_id) for h in held] == [("YP-0102", "SCH-101")]
        events = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "run_matching")).all()
        assert any("planning for the coming weeks, 1 place held" in e for e in events)
    # a new run without planning ahead supersedes the hold
    assert HELD not in _run(officer, False).split("Most urgent first")[0]


def test_a_held_place_is_given_away_through_place_here_only_when_the_officer_says_so(
    sign_in: SignIn, web_app
):
    officer = sign_in("officer")
    assert import_files(officer, PEOPLE, SCHEMES).status_code == 303
    _run(officer, True)  # the one place at SCH-101 is held for YP-0102
    page = officer.get("/people/YP-0101/place?scheme_id=SCH-101").get_data(as_text=True)
    assert "The last free place at Westgate Supported Flats is " + HELD in page
    assert "I am giving away the place held for YP-0102" in page
    refused = officer.post("/people/YP-0101/place", data={"scheme_id": "SCH-101"})
    assert refused.status_code == 400
    assert "Confirm that you are giving away the place held for YP-0102, or cancel" in refused.get_data(
        as_text=True
    )
    with web_app.app_context():
        assert get_db().scalar(select(Placement).where(Placement.person_id == "YP-0101")) is None
    # the other place gives nothing away: no warning, no question
    other = officer.get("/people/YP-0101/place?scheme_id=SCH-102").get_data(as_text=True)
    assert "giving away" not in other
    given = officer.post("/people/YP-0101/place", data={"scheme_id": "SCH-101", "give_held": "yes"})
    assert given.status_code == 303
    with web_app.app_context():
        placed = get_db().scalar(select(Placement).where(Placement.person_id == "YP-0101"))
        assert placed is not None and placed.scheme_id == "SCH-101"
