"""Decisions that last: confirmations survive re-imports and re-runs, one open placement per
person (the database's own rule), B&B only with the reason, undo, end, decline and reopen,
and proposals replaced by another officer's run. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from web_support import EXAMPLE, ON, SignIn, import_files

from web.core.auth import hash_password
from web.core.db import get_db
from web.core.models import AuditEvent, Placement, Proposal, User, YoungPerson
from web.core.vacancies import free_on
from web.officer import interim_check


def unescape_name(name: str) -> str:
    return name.replace("&", "&amp;")


FOYER = "SCH-002"  # Cheltenham Foyer: 30 places, 3 free; YP-0001's proposal in the example


def _value(app: Flask, statement):  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_db().scalar(statement)


def _free(app: Flask, scheme_id: str, on: date = ON) -> int:
    with app.app_context():
        return free_on(get_db(), scheme_id, on)


def _status(app: Flask, person_id: str) -> str:
    return _value(app, select(YoungPerson.status).where(YoungPerson.person_id == person_id))


def _open(app: Flask, person_id: str) -> Proposal:
    return _value(app, select(Proposal).where(Proposal.person_id == person_id, Proposal.state == "proposed"))


def _date(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month), f"{prefix}-year": str(d.year)}


def _confirm(officer: FlaskClient, proposal_id: int, start: date = ON, **form: str):  # type: ignore[no-untyped-def]
    return officer.post(f"/proposals/{proposal_id}/confirm", data=_date("start", start) | form)


def _example() -> tuple[bytes, bytes]:
    return (EXAMPLE / "young_people.csv").read_bytes(), (EXAMPLE / "schemes.csv").read_bytes()


def test_confirm_reimport_the_same_files_and_rerun_the_person_stays_placed(web_app: Flask, sign_in: SignIn):
    """The double placement of issue 12: confirm, import the same files again, run matching."""
    officer = sign_in("officer")
    officer.post("/matching/run")
    proposal = _open(web_app, "YP-0001")
    assert proposal.scheme_id == FOYER and _free(web_app, FOYER) == 3
    assert _confirm(officer, proposal.id).status_code == 303
    assert _free(web_app, FOYER) == 2

    assert import_files(officer, *_example()).status_code == 303
    assert _status(web_app, "YP-0001") == "placed"
    assert _free(web_app, FOYER) == 2  # the file's 3 is the same figure: the placement since still counts
    officer.post("/matching/run")
    assert _open(web_app, "YP-0001") is None  # not on the list: no proposal
    assert _free(web_app, FOYER) == 2
    assert _value(web_app, select(func.count()).where(Placement.person_id == "YP-0001")) == 1
    person = officer.get("/people/YP-0001").get_data(as_text=True)
    assert "Placed at" in person and person.count(">Live</strong>") == 1


def test_the_database_itself_refuses_a_second_open_placement_for_a_person(web_app: Flask):
    with web_app.app_context():
        db = get_db()
        for scheme in (FOYER, "SCH-001"):
            db.add(
                Placement(
                    person_id="YP-0001", scheme_id=scheme, accom_code="D1", weekly_cost=1, start_date=ON
                )
            )
        with pytest.raises(IntegrityError):
            db.commit()
        db.rollback()
        first = Placement(person_id="YP-0001", scheme_id=FOYER, accom_code="T1", weekly_cost=1, start_date=ON)
        db.add(first)
        db.commit()
        first.end_date = ON + timedelta(days=7)  # ended (even in the future): another may follow
        db.add(
            Placement(person_id="YP-0001", scheme_id="SCH-001", accom_code="D1", weekly_cost=1, start_date=ON)
        )
        db.commit()


def test_confirming_someone_already_placed_is_refused_with_a_409_saying_so(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    assert officer.post("/people/YP-0001/place", data={"scheme_id": FOYER}).status_code == 303
    with web_app.app_context():  # a proposal for them from before (say, another tab's)
        db = get_db()
        stale = Proposal(
            person_id="YP-0001", scheme_id="SCH-001", outcome="placed", accom_code="D1", weekly_cost=780
        )
        db.add(stale)
        db.commit()
        stale_id = stale.id
    response = _confirm(officer, stale_id)
    assert response.status_code == 409
    assert "YP-0001 is already placed at Cheltenham Foyer (SCH-002) since 23 Nov 2026" in response.get_data(
        as_text=True
    )
    assert _free(web_app, "SCH-001") == 2


def _adult_for_bnb(app: Flask) -> None:
    """A 19-year-old needing no support now, whom the example's B&B (SCH-006) fits."""
    with app.app_context():
        db = get_db()
        db.add(YoungPerson(person_id="YP-0100", date_of_birth=date(2007, 1, 1), gender="M",
                           home_district="E07000081", support_need="none", needed_from=ON))  # fmt: skip
        db.commit()


def test_bnb_is_confirmed_only_with_why_each_suitable_place_found_does_not_suit(
    web_app: Flask, sign_in: SignIn
):
    # Issue 29, finding 2: the page said "the planner finds 3 suitable places", yet ticking "no
    # suitable place exists" was accepted and the audit kept only the officer's words.
    _adult_for_bnb(web_app)
    with web_app.app_context():
        found = interim_check.suitable_places(get_db(), "YP-0100", on=ON)
    assert len(found) >= 2  # the foyer, the flats...
    officer = sign_in("officer")
    page = officer.get("/people/YP-0100/place?scheme_id=SCH-006").get_data(as_text=True)
    assert "Check before placing YP-0100 in B&amp;B" in page and "unsuitable accommodation" in page
    assert (
        f"The planner finds {len(found)} suitable places with a vacancy that YP-0100 could take today" in page
    )
    assert all(f"Why does {unescape_name(f.name)} not suit them?" in page for f in found)
    assert 'id="no_suitable"' not in page  # "none exists" is not for the officer to say here
    ticked = officer.post(
        "/people/YP-0100/place",
        data={"scheme_id": "SCH-006", "reason": "Foyer refused: arson history", "no_suitable": "yes"}
        | _date("start", ON),
    )
    body = ticked.get_data(as_text=True)
    assert ticked.status_code == 400 and "There is a problem" in body
    assert all(f"Say why {unescape_name(f.name)} does not suit them" in body for f in found)
    assert (
        _free(web_app, "SCH-006") == 5 and _value(web_app, select(func.count()).select_from(Placement)) == 0
    )
    reasons = {f"refuse-{f.scheme_id}": f"{f.name} has no bed until January" for f in found}
    done = officer.post(
        "/people/YP-0100/place",
        data={"scheme_id": "SCH-006", "reason": "Needs a roof tonight"} | reasons | _date("start", ON),
    )
    assert done.status_code == 303
    after = officer.get(done.headers["Location"]).get_data(as_text=True)
    assert "govuk-notification-banner--success" not in after and "Important" in after
    assert "Recorded as a last resort: YP-0100 in Gloucester Road B&amp;B (unsuitable)" in after
    assert _status(web_app, "YP-0100") == "waiting"  # still needs a suitable place, now urgent
    assert (
        _value(web_app, select(YoungPerson.current_accom).where(YoungPerson.person_id == "YP-0100")) == "W2"
    )
    assert _value(web_app, select(Placement.confirm_reason)) == "Needs a roof tonight"
    kept = interim_check.from_json(_value(web_app, select(Placement.suitable_refused)))
    assert [(r.scheme_id, r.reason) for r in kept] == [
        (f.scheme_id, f"{f.name} has no bed until January") for f in found
    ]
    detail = _value(web_app, select(AuditEvent.detail).where(AuditEvent.action == "confirm"))
    assert "why B&B or emergency: Needs a roof tonight" in detail
    assert all(f"{f.scheme_id} {f.name}: {f.name} has no bed until January" in detail for f in found)
    assert _free(web_app, "SCH-006") == 4
    placement_id = _value(web_app, select(Placement.id))
    shown = officer.get(f"/placements/{placement_id}").get_data(as_text=True)
    assert "Suitable places found, and why each did not suit" in shown

    # A suitable place later moves them on: the B&B placement ends the day they move.
    move = ON + timedelta(days=3)
    assert (
        officer.post("/people/YP-0100/place", data={"scheme_id": FOYER} | _date("start", move)).status_code
        == 303
    )
    with web_app.app_context():
        rows = {p.scheme_id: p for p in get_db().scalars(select(Placement))}
    assert rows["SCH-006"].end_date == move and rows["SCH-006"].end_reason == "moved_to_suitable"
    assert _status(web_app, "YP-0100") == "placed"
    assert _free(web_app, "SCH-006") == 4 and _free(web_app, "SCH-006", move) == 5


def test_undo_before_the_move_frees_the_place_and_puts_them_back(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    later = ON + timedelta(days=7)
    assert _confirm(officer, _open(web_app, "YP-0001").id, later).status_code == 303
    placement_id = _value(web_app, select(Placement.id))
    assert _free(web_app, FOYER) == 2
    missing = officer.post(f"/placements/{placement_id}/undo", data={"reason": " "})
    assert missing.status_code == 400 and "Enter why the confirmation is being undone" in missing.get_data(
        as_text=True
    )
    assert (
        officer.post(f"/placements/{placement_id}/undo", data={"reason": "wrong young person"}).status_code
        == 303
    )
    assert _free(web_app, FOYER) == 3 and _status(web_app, "YP-0001") == "waiting"
    assert _value(web_app, select(Proposal.state).where(Proposal.state == "undone")) == "undone"
    assert _value(web_app, select(AuditEvent.detail).where(AuditEvent.action == "undo")) == (
        "undid SCH-002: wrong young person"
    )


def test_a_placement_that_has_started_cannot_be_undone_only_ended(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    assert _confirm(officer, _open(web_app, "YP-0001").id, ON - timedelta(days=2)).status_code == 303
    placement_id = _value(web_app, select(Placement.id))
    response = officer.post(f"/placements/{placement_id}/undo", data={"reason": "changed our minds"})
    assert response.status_code == 409 and "End it instead" in response.get_data(as_text=True)
    assert _free(web_app, FOYER) == 2


def test_ending_frees_the_place_from_the_move_out_date_and_relists_who_still_needs_one(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    assert officer.post("/people/YP-0001/place", data={"scheme_id": FOYER}).status_code == 303
    placement_id = _value(web_app, select(Placement.id))
    out = ON + timedelta(days=14)
    bad = officer.post(f"/placements/{placement_id}/end", data={"moved_out-day": "31", "moved_out-month": "2",
                                                                 "moved_out-year": "2027"})  # fmt: skip
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Move-out date must be a real date" in body
    assert "Choose why the placement ended" in body and "Say whether YP-0001 still needs a place" in body
    assert "Choose where YP-0001 lives from the move-out date" in body
    done = officer.post(
        f"/placements/{placement_id}/end",
        data=_date("moved_out", out)
        | _date("now_until", out + timedelta(days=7))
        | {"reason": "breakdown", "needs_place": "yes", "now_accom": "B2"},
    )
    assert done.status_code == 303
    assert _free(web_app, FOYER) == 2  # still living there until the move-out date
    assert _free(web_app, FOYER, out) == 3
    with web_app.app_context():
        person = get_db().get(YoungPerson, "YP-0001")
        # Issue 29, finding 3: where they went, not the placement they left ("Living now: T1").
        assert (person.status, person.needed_from, person.current_accom) == ("waiting", out, "B2")
        assert person.current_until == out + timedelta(days=7)
        assert person.set_in_web == "needed_from;current_accom;current_until"
        placement = get_db().get(Placement, placement_id)
        assert (placement.moved_to_accom, placement.moved_to_until) == ("B2", out + timedelta(days=7))
    page = officer.get("/people/YP-0001").get_data(as_text=True)
    living = page.split('id="living-now"')[1].split("</dd>")[0]
    assert "B2 Parents or relatives (not suitable)" in living and "until 14 Dec 2026" in living


def test_ending_with_problems_lists_them_in_the_order_of_the_page(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    assert _confirm(officer, _open(web_app, "YP-0001").id).status_code == 303
    placement_id = _value(web_app, select(Placement.id))
    page = officer.post(f"/placements/{placement_id}/end", data={"reason": "other"})
    assert page.status_code == 400
    summary = page.get_data(as_text=True).split("govuk-error-summary__list")[1].split("</ul>")[0]
    hrefs = re.findall(r'href="(#[^"]+)"', summary)
    assert hrefs == ["#moved_out-day", "#note", "#now_accom", "#needs_place"]


def test_ending_for_someone_who_needs_no_other_place_takes_them_off_the_list(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/people/YP-0004/place", data={"scheme_id": "SCH-001"})
    placement_id = _value(web_app, select(Placement.id))
    data = _date("moved_out", ON) | {"reason": "own_tenancy", "needs_place": "no", "now_accom": "U1"}
    assert officer.post(f"/placements/{placement_id}/end", data=data).status_code == 303
    assert _status(web_app, "YP-0004") == "left" and _free(web_app, "SCH-001") == 2
    assert "YP-0004" not in officer.get("/waiting-list").get_data(as_text=True).split("<tbody")[1]


def test_a_declined_proposal_can_be_reopened_until_matching_runs_again(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    proposal = _open(web_app, "YP-0004")
    data = {"reason": "other", "detail": "visiting it on Friday"}
    assert officer.post(f"/proposals/{proposal.id}/decline", data=data).status_code == 303
    assert _value(web_app, select(Proposal.decline_reason).where(Proposal.id == proposal.id)) == (
        "Another reason: visiting it on Friday"
    )
    assert officer.post(f"/proposals/{proposal.id}/reopen").status_code == 303
    assert _open(web_app, "YP-0004").id == proposal.id
    officer.post(f"/proposals/{proposal.id}/decline", data={"reason": "young_person"})
    officer.post("/matching/run")
    again = officer.post(f"/proposals/{proposal.id}/reopen")
    assert again.status_code == 409 and "Matching was re-run" in again.get_data(as_text=True)


def test_declining_for_another_reason_without_saying_it_is_refused_beside_the_detail_box(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    officer.post("/matching/run")
    proposal = _open(web_app, "YP-0004")
    page = officer.post(f"/proposals/{proposal.id}/decline", data={"reason": "other", "detail": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    before_box = html.split('<textarea class="govuk-textarea" id="detail"')[0]
    group = before_box.rsplit('<div class="govuk-form-group', 1)[1]
    assert group.startswith(" govuk-form-group--error") and "Say why you are declining this proposal" in group


def _second_officer(app: Flask, sign_in: SignIn) -> FlaskClient:
    with app.app_context():
        db = get_db()
        db.add(User(username="officer2", role="officer", password_hash=hash_password("demo-password")))
        db.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"username": "officer2", "password": "demo-password"}).status_code == 302
    )
    return client


def _seen_run(page: str) -> str:
    found = re.search(r'name="seen_run" value="(\d+)"', page)
    assert found is not None
    return found[1]


def test_rerunning_over_another_officers_open_proposals_warns_and_asks(web_app: Flask, sign_in: SignIn):
    first, second = sign_in("officer"), _second_officer(web_app, sign_in)
    first.post("/matching/run")
    old = _open(web_app, "YP-0001")
    seen = _seen_run(second.get("/waiting-list").get_data(as_text=True))
    warned = second.post("/matching/run", data={"seen_run": seen, "horizon_days": "28"})
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "Run matching again?" in page
    assert "replaces 5 open proposals,\n    5 of them made by other officers" in page
    assert _open(web_app, "YP-0001").id == old.id  # nothing replaced yet
    confirmed = second.post(
        "/matching/run", data={"seen_run": seen, "horizon_days": "28", "replace_others": "yes"}
    )
    assert confirmed.status_code == 303
    response = _confirm(first, old.id)  # the first officer, on their old page
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(
        r"Matching was re-run at \d+ \w+ \d{4} \d\d:\d\d by officer2 after this proposal was made", body
    )
    assert "perhaps by another officer" not in body and _free(web_app, FOYER) == 3


def test_a_run_pressed_on_a_page_older_than_the_latest_run_is_not_made(web_app: Flask, sign_in: SignIn):
    first, second = sign_in("officer"), _second_officer(web_app, sign_in)
    seen = _seen_run(second.get("/waiting-list").get_data(as_text=True))
    first.post("/matching/run", data={"seen_run": seen})
    late = second.post("/matching/run", data={"seen_run": seen, "replace_others": "yes"})
    assert late.status_code == 409 and "Another officer has just run matching" in late.get_data(as_text=True)
    assert _value(web_app, select(func.count()).where(Proposal.state == "proposed")) == 5
