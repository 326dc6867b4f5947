"""Officers' jobs through the app on a real database: waiting list, matching, decisions,
a person's options, vacancies."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from web_support import ON, SignIn

from web.core.db import get_db
from web.core.models import AuditEvent, Placement, Proposal, Scheme, YoungPerson
from web.core.vacancies import free_on, set_figure


def _db_value(app: Flask, statement):  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_db().scalar(statement)


def _vacancies(app: Flask, scheme_id: str) -> int:
    with app.app_context():
        return free_on(get_db(), scheme_id, ON)


def _run_matching(officer) -> str:  # type: ignore[no-untyped-def]
    response = officer.post("/matching/run", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _open_proposal(app: Flask, person_id: str) -> Proposal:
    with app.app_context():
        return get_db().scalar(
            select(Proposal).where(Proposal.person_id == person_id, Proposal.state == "proposed")
        )


def test_waiting_list_shows_names_dates_labels_and_highlights_bnb(sign_in: SignIn):
    html = sign_in("officer").get("/waiting-list").get_data(as_text=True)
    assert "6 young people are waiting for a place on 23 Nov 2026" in html
    assert "5 are due by 21 Dec 2026</strong> (within 28 days)" in html
    assert "Gloucester" in html and "E07000081" not in html.split("<tbody")[1]  # names, not codes
    assert "30 Nov 2026" in html  # YP-0002 needed_from, UK date
    assert "app-row--urgent" in html and "Bed and breakfast (not suitable)" in html
    assert "2 are needed now and under 18, with no roof, or in B&amp;B" in html
    rows = re.findall(r'<tr class="govuk-table__row( app-row--urgent)?">', html.split("<tbody")[1])
    # v1.2's order: the 17-year-old and the adult in V2, needed now; then those due (W2; no roof;
    # B1 until 7 Dec); then YP-0005, not due. Highlighted: no roof, or in B&B or emergency.
    assert rows == [" app-row--urgent"] * 4 + [""] * 2
    assert html.count(">Not due yet</strong>") == 1  # YP-0005, needed from 4 Jan 2027


def test_waiting_list_filters_by_district_need_and_urgency(sign_in: SignIn):
    officer = sign_in("officer")
    urgent = officer.get("/waiting-list?urgency=urgent").get_data(as_text=True)
    assert "2 shown" in urgent and "YP-0004" in urgent and "YP-0001" in urgent and "YP-0002" not in urgent
    gloucester = officer.get("/waiting-list?district=E07000081").get_data(as_text=True)
    assert "YP-0001" in gloucester and "YP-0002" not in gloucester
    high = officer.get("/waiting-list?need=high").get_data(as_text=True)
    assert "YP-0004" in high and "YP-0001" not in high


def test_run_matching_stores_a_proposal_with_its_reason_for_everyone(web_app: Flask, sign_in: SignIn):
    html = _run_matching(sign_in("officer"))
    assert "Cheltenham Foyer" in html and "no suitable scheme fits" in html
    # A proposal for each of the five due; YP-0005 (needed after the horizon) has nothing to decide.
    assert _db_value(web_app, select(func.count()).select_from(Proposal)) == 5
    assert _db_value(web_app, select(func.count()).where(Proposal.person_id == "YP-0005")) == 0
    assert _db_value(
        web_app, select(AuditEvent.detail).where(AuditEvent.action == "run_matching")
    ).startswith(
        "6 waiting, 7 schemes with vacancies, 28-day horizon: 4 placed, 0 unsuitable, 1 unplaced, 1 not due"
    )


def test_confirming_takes_the_vacancy_and_moves_the_person_off_the_list(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    _run_matching(officer)
    proposal = _open_proposal(web_app, "YP-0001")
    before = _vacancies(web_app, proposal.scheme_id)
    check = officer.get(f"/proposals/{proposal.id}/confirm").get_data(as_text=True)
    assert "Check the placement before confirming it" in check and "£450 a week" in check
    assert "YP-0001 leaves the waiting list: 5 young people will be waiting" in check
    assert "Cheltenham Foyer: 3 places free now, 2 after." in check
    response = officer.post(
        f"/proposals/{proposal.id}/confirm",
        data={"start-day": "30", "start-month": "11", "start-year": "2026"},
    )
    assert response.status_code == 303
    assert _vacancies(web_app, proposal.scheme_id) == before - 1
    assert (
        _db_value(web_app, select(YoungPerson.status).where(YoungPerson.person_id == "YP-0001")) == "placed"
    )
    assert _db_value(web_app, select(Placement.scheme_id)) == proposal.scheme_id
    assert str(_db_value(web_app, select(Placement.start_date))) == "2026-11-30"
    page = officer.get("/waiting-list").get_data(as_text=True)
    # the message after confirming
    assert f"{before - 1} places of 30 free there now" in page and "Placement confirmed: YP-0001" in page
    assert "YP-0001" not in page.split("<tbody")[1]
    audit = _db_value(web_app, select(AuditEvent).where(AuditEvent.action == "confirm"))
    assert (audit.person_id, audit.username) == ("YP-0001", "officer")
    again = officer.post(f"/proposals/{proposal.id}/confirm")  # a second click changes nothing
    assert again.status_code == 409 and "already been decided (confirmed by officer" in again.get_data(
        as_text=True
    )
    assert _vacancies(web_app, proposal.scheme_id) == before - 1


def test_declining_keeps_the_person_waiting_and_the_vacancy(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    _run_matching(officer)
    proposal = _open_proposal(web_app, "YP-0004")
    before = _vacancies(web_app, proposal.scheme_id)
    refused = officer.post(f"/proposals/{proposal.id}/decline")  # a reason is asked for
    assert refused.status_code == 400 and "Choose why you are declining" in refused.get_data(as_text=True)
    assert officer.post(f"/proposals/{proposal.id}/decline", data={"reason": "provider"}).status_code == 303
    assert _vacancies(web_app, proposal.scheme_id) == before
    assert (
        _db_value(web_app, select(YoungPerson.status).where(YoungPerson.person_id == "YP-0004")) == "waiting"
    )
    assert _db_value(web_app, select(Proposal.state).where(Proposal.id == proposal.id)) == "declined"
    assert _db_value(web_app, select(AuditEvent.person_id).where(AuditEvent.action == "decline")) == "YP-0004"
    assert _db_value(web_app, select(Proposal.decline_reason).where(Proposal.id == proposal.id)) == (
        "The provider will not take them"
    )


def test_losing_the_last_vacancy_gives_a_clear_message_and_a_fresh_proposal(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    _run_matching(officer)
    proposal = _open_proposal(web_app, "YP-0001")
    with web_app.app_context():  # another officer's count took the last places meanwhile
        db = get_db()
        set_figure(db, db.get(Scheme, proposal.scheme_id), 0, source="edit", user=None)
        db.commit()
    response = officer.post(f"/proposals/{proposal.id}/confirm")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"Scheme {proposal.scheme_id} has no vacancy left" in body
    assert "Fresh proposal from the places free now" in body
    fresh = _open_proposal(web_app, "YP-0001")
    assert fresh is not None and fresh.id != proposal.id and fresh.scheme_id != proposal.scheme_id
    assert (
        _db_value(web_app, select(YoungPerson.status).where(YoungPerson.person_id == "YP-0001")) == "waiting"
    )
    assert _db_value(web_app, select(Proposal.state).where(Proposal.id == proposal.id)) == "superseded"
    assert _db_value(web_app, select(AuditEvent.action).where(AuditEvent.person_id == "YP-0001")) == (
        "confirm_failed"
    )


def test_persons_page_ranks_options_explains_exclusions_and_is_audited(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    html = officer.get("/people/YP-0001?why_not=SCH-005").get_data(as_text=True)
    assert "Places YP-0001 could take" in html and "Cheltenham Foyer" in html and "Others displaced" in html
    assert "3 schemes with a place free meet every rule for YP-0001" in html
    assert "4 schemes are ruled out for YP-0001" in html and "3 taking other ages" in html
    answer = html.split('id="why-answer"')[1].split("</div>")[0]
    assert "Tewkesbury Move-On Flats" in answer and "takes ages 18 to 25 (they are 17)" in answer
    assert "<select" not in html.split('id="why-not"')[1]  # looked up, never every scheme listed
    assert 'action="/people/YP-0001#why-answer"' in html and 'name="why_q"' in html
    assert "9 Mar 2009" not in html and "14 Mar 2009" in html  # born 2009-03-14, UK date
    views = _db_value(
        web_app,
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "view_person", AuditEvent.person_id == "YP-0001"),
    )
    assert views == 1
    assert officer.get("/people/NOBODY").status_code == 404


def test_placing_from_the_persons_options_confirms_that_scheme(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    before = _vacancies(web_app, "SCH-002")
    check = officer.get("/people/YP-0001/place?scheme_id=SCH-002")
    assert check.status_code == 200 and "Confirm placement" in check.get_data(as_text=True)
    assert _vacancies(web_app, "SCH-002") == before  # looking changes nothing
    response = officer.post("/people/YP-0001/place", data={"scheme_id": "SCH-002"})
    assert response.status_code == 303
    assert _vacancies(web_app, "SCH-002") == before - 1
    refused = officer.post("/people/YP-0002/place", data={"scheme_id": "SCH-003"})  # female-only scheme
    assert refused.status_code == 409
    assert _vacancies(web_app, "SCH-003") == 1


def test_vacancies_are_edited_within_zero_to_capacity(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    seen = re.search(
        r'name="seen" type="hidden" value="([^"]+)"',
        officer.get("/schemes/SCH-001/vacancies").get_data(as_text=True),
    )[1]
    for value, message in [
        ("9", "Vacancies must be between 0 and 8: the capacity, 8"),
        ("-1", "Vacancies must be between 0 and 8: the capacity, 8"),
        ("two", "Enter the number of places free now, a whole number"),
        ("", "Enter the number of places free now, a whole number"),
    ]:
        response = officer.post("/schemes/SCH-001/vacancies", data={"vacancies": value, "seen": seen})
        assert response.status_code == 400, value
        assert message in response.get_data(as_text=True) and "There is a problem" in response.get_data(
            as_text=True
        )
    assert _vacancies(web_app, "SCH-001") == 2
    assert (
        officer.post("/schemes/SCH-001/vacancies", data={"vacancies": "8", "seen": seen}).status_code == 303
    )
    assert _vacancies(web_app, "SCH-001") == 8
    detail = _db_value(web_app, select(AuditEvent.detail).where(AuditEvent.action == "edit_vacancies"))
    assert detail == "SCH-001: 2 -> 8"


def test_schemes_are_filtered_and_only_officers_may_edit(sign_in: SignIn):
    html = sign_in("officer").get("/schemes?type=W").get_data(as_text=True)
    assert "1 of 7 schemes shown" in html and "W Bed and breakfast" in html and "£" in html
    commissioner = sign_in("commissioner").get("/schemes?vacancies=yes").get_data(as_text=True)
    assert "7 of 7 schemes shown" in commissioner and "/vacancies" not in commissioner


def test_long_lists_come_in_pages_that_keep_the_filters(sign_in: SignIn, monkeypatch):
    import web.core.paging

    monkeypatch.setattr(web.core.paging, "PAGE_SIZE", 2)
    officer = sign_in("officer")
    second = officer.get("/waiting-list?page=2").get_data(as_text=True)
    assert "6 shown (page 2 of 3: 3 to 4)" in second
    assert 'href="/waiting-list?page=3"' in second and 'href="/waiting-list?page=1"' in second
    assert "(page 3 of 3: 5 to 6)" in officer.get("/waiting-list?page=99").get_data(as_text=True)
    assert "(page 1 of 3: 1 to 2)" in officer.get("/waiting-list?page=x").get_data(as_text=True)
    filtered = officer.get("/waiting-list?urgency=urgent&page=1").get_data(as_text=True)
    assert "2 shown" in filtered and "page=2" not in filtered
    _run_matching(officer)
    proposals = officer.get("/proposals?page=3").get_data(as_text=True)
    assert "5 open proposals (page 3 of 3: 5 to 5)" in proposals
    options = officer.get("/people/YP-0004?page=2").get_data(as_text=True)  # 10 a page: one page only
    assert "Best first" in options


def _why_answer(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="why-answer"')[1].split("</table>")[0]))


def test_why_not_another_scheme_is_looked_up_by_name_id_or_district_with_its_reasons(sign_in: SignIn):
    officer = sign_in("officer")
    page = officer.get("/people/YP-0001").get_data(as_text=True)
    assert "Tewkesbury Move-On Flats" not in page and 'id="why-answer"' not in page  # nothing until asked
    for q in ("move-on", "sch-005", "Tewkesbury", "E07000083"):
        answer = _why_answer(officer.get(f"/people/YP-0001?why_q={q}").get_data(as_text=True))
        assert "Tewkesbury Move-On Flats" in answer and "takes ages 18 to 25 (they are 17)" in answer, q
        assert "is not Ofsted-registered (they are 17, under 18)" in answer
    every = _why_answer(officer.get("/people/YP-0001?why_q=SCH").get_data(as_text=True))
    assert "4 ruled-out schemes match" in every and "Cheltenham Foyer" not in every  # it fits them
    none = officer.get("/people/YP-0001?why_q=Cheltenham+Foyer").get_data(as_text=True)
    assert "No ruled-out scheme matches ‘Cheltenham Foyer’" in none


def test_why_not_search_is_audited_role_checked_and_refuses_a_long_query(web_app: Flask, sign_in: SignIn):
    assert sign_in("commissioner").get("/people/YP-0001?why_q=flats").status_code == 403
    officer = sign_in("officer")
    assert officer.get("/people/YP-0001?why_q=flats").status_code == 200
    details = _db_value(
        web_app,
        select(AuditEvent.detail).where(
            AuditEvent.action == "view_person", AuditEvent.person_id == "YP-0001"
        ),
    )
    assert details == "why not: search 'flats'"
    response = officer.get("/people/YP-0001?why_q=" + "x" * 101)
    assert response.status_code == 400
    assert "Find a ruled-out scheme: enter at most 100 characters." in response.get_data(as_text=True)
