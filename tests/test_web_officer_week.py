"""The officer's week (issue 29), on SQLite and PostgreSQL: a re-import keeps what decisions in the
web set and its preview says so, lists the open proposals it withdraws; someone removed keeps a
read-only page; "Living now" follows the ledger; errors that say where someone is; the undo form
closing; staying put declined; the suitably housed; a referral added and corrected; history and
notes; alerts; the glossary; the password hint."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select, update
from web_support import EXAMPLE, ON, SignIn, import_files

from web.core.db import get_db
from web.core.models import AuditEvent, Placement, Proposal, Scheme, YoungPerson
from web.core.notes import Note
from web.officer import interim_check

FOYER = "SCH-002"


def _files() -> tuple[bytes, bytes]:
    return (EXAMPLE / "young_people.csv").read_bytes(), (EXAMPLE / "schemes.csv").read_bytes()


def _date(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month), f"{prefix}-year": str(d.year)}


def _preview(officer, people: bytes, schemes: bytes) -> str:  # type: ignore[no-untyped-def]
    files = {"people": (__import__("io").BytesIO(people), "young_people.csv"),
             "schemes": (__import__("io").BytesIO(schemes), "schemes.csv")}  # fmt: skip
    uploaded = officer.post("/imports", data=files, content_type="multipart/form-data")
    return str(officer.get(uploaded.headers["Location"]).get_data(as_text=True))


def _in_bnb(app: Flask, officer) -> int:  # type: ignore[no-untyped-def]
    """YP-0100, 19 with no roof, placed in the example's B&B (SCH-006) with the reasons asked."""
    with app.app_context():
        db = get_db()
        db.add(YoungPerson(person_id="YP-0100", date_of_birth=date(2007, 1, 1), gender="M",
                           home_district="E07000081", support_need="none", needed_from=ON))  # fmt: skip
        db.commit()
        found = interim_check.suitable_places(db, "YP-0100", on=ON)
    reasons = {f"refuse-{f.scheme_id}": "no bed tonight" for f in found}
    data = (
        {"scheme_id": "SCH-006", "reason": "a roof tonight"}
        | reasons
        | _date("start", ON - timedelta(days=9))
    )
    assert officer.post("/people/YP-0100/place", data=data).status_code == 303
    with app.app_context():
        return int(get_db().scalar(select(Placement.id)))


def test_a_reimport_keeps_what_ending_a_placement_set_and_the_preview_says_so(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    assert officer.post("/people/YP-0001/place", data={"scheme_id": FOYER}).status_code == 303
    with web_app.app_context():
        placement_id = get_db().scalar(select(Placement.id))
    out = ON + timedelta(days=3)
    ended = officer.post(f"/placements/{placement_id}/end", data=_date("moved_out", out)
                         | {"reason": "breakdown", "needs_place": "yes", "now_accom": "V2"})  # fmt: skip
    assert ended.status_code == 303
    preview = _preview(officer, *_files())
    assert "Kept as recorded in the planner" in preview
    kept = preview.split('id="kept"')[1].split("</table>")[0]
    assert "Needed from" in kept and "26 Nov 2026" in kept and "23 Nov 2026" in kept  # ours, the file's
    assert "V2 Emergency accommodation (not suitable)" in kept and "Not recorded" in kept
    assert "YP-0001: needed from" not in preview  # not listed as a change the import makes
    assert import_files(officer, *_files()).status_code == 303
    with web_app.app_context():
        person = get_db().get(YoungPerson, "YP-0001")
        assert (person.needed_from, person.current_accom, person.status) == (out, "V2", "waiting")
    page = officer.get("/people/YP-0001").get_data(as_text=True)
    living = page.split('id="living-now"')[1].split("</dd>")[0]
    assert "V2</strong>" in living and "Emergency accommodation" in living
    # A file that agrees hands the fields back to the file: a later file is followed again.
    people = (
        (EXAMPLE / "young_people.csv")
        .read_text()
        .replace(
            "YP-0001,2009-03-14,F,E07000081,E07000081;E07000082,,medium,false,false,false,self_harm,2026-11-23,,",
            "YP-0001,2009-03-14,F,E07000081,E07000081;E07000082,,medium,false,false,false,self_harm,2026-11-26,V2,",
        )
    )
    assert import_files(officer, people.encode(), _files()[1]).status_code == 303
    with web_app.app_context():
        assert get_db().get(YoungPerson, "YP-0001").set_in_web == ""


def test_living_now_follows_the_ledger_through_a_reimport(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    _in_bnb(web_app, officer)
    page = officer.get("/people/YP-0100").get_data(as_text=True)
    living = page.split('id="living-now"')[1].split("</dd>")[0]
    assert "W2</strong>" in living and "Gloucester Road B&amp;B" in living and "14 Nov 2026" in living
    people = (
        _files()[0]
        + b"YP-0100,2007-01-01,M,E07000081,,,none,false,false,false,,2026-11-23,B1,false,,,,false,\n"
    )
    preview = _preview(officer, people, _files()[1])
    assert "W2 Bed and breakfast (not suitable)" in preview.split('id="kept"')[1].split("</table>")[0]
    assert import_files(officer, people, _files()[1]).status_code == 303
    page = officer.get("/people/YP-0100").get_data(as_text=True)
    assert "B1 Parents" not in page.split('id="living-now"')[1].split("</dd>")[0]


def test_the_preview_lists_the_open_proposals_it_withdraws(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    preview = _preview(officer, *_files())
    assert "None open: nothing withdrawn" in preview
    officer.post("/matching/run")
    preview = _preview(officer, *_files())
    assert "5 withdrawn: run matching again after the import" in preview
    listed = preview.split('id="proposals"')[1].split("</table>")[0]
    assert "Cheltenham Foyer (SCH-002)" in listed and listed.count("<tr") == 6
    assert import_files(officer, *_files()).status_code == 303
    alerts = officer.get("/alerts").get_data(as_text=True)
    assert "Proposals replaced (5)" in alerts and "was withdrawn by the import of 23 Nov 2026" in alerts


def test_someone_removed_by_an_import_keeps_a_read_only_page(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    people = b"\n".join(line for line in _files()[0].splitlines() if not line.startswith(b"YP-0003")) + b"\n"
    preview = _preview(officer, people, _files()[1])
    assert "their pages and history stay, read-only" in preview
    assert import_files(officer, people, _files()[1]).status_code == 303
    with web_app.app_context():
        assert get_db().get(YoungPerson, "YP-0003") is None
    page = officer.get("/people/YP-0003")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "YP-0003 is no longer on the waiting list: the import of 23 Nov 2026" in text
    assert "Proposals" in text and "Place here" not in text and "Add a note" not in text
    assert officer.get("/people/YP-9999").status_code == 404  # nothing ever recorded: not found


def test_place_here_for_someone_placed_says_where_they_are(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    assert officer.post("/people/YP-0001/place", data={"scheme_id": FOYER}).status_code == 303
    again = officer.get("/people/YP-0001/place?scheme_id=SCH-001")
    assert again.status_code == 409
    assert "YP-0001 is already placed at Cheltenham Foyer (SCH-002) since 23 Nov 2026" in again.get_data(
        as_text=True
    )


def test_the_undo_form_closes_after_the_move_in_day_and_undone_reads_never_moved_in(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    data = {"scheme_id": FOYER} | _date("start", ON - timedelta(days=1))
    assert officer.post("/people/YP-0001/place", data=data).status_code == 303
    with web_app.app_context():
        started = get_db().scalar(select(Placement.id))
    form = officer.get(f"/placements/{started}/undo")
    assert form.status_code == 409 and "End it instead" in form.get_data(as_text=True)
    assert 'name="reason"' not in form.get_data(as_text=True)
    officer.post(
        "/people/YP-0004/place", data={"scheme_id": "SCH-001"} | _date("start", ON + timedelta(days=17))
    )
    with web_app.app_context():
        later = get_db().scalar(select(Placement.id).where(Placement.person_id == "YP-0004"))
    assert officer.get(f"/placements/{later}/undo").status_code == 200  # before the move-in day: open
    assert officer.post(f"/placements/{later}/undo", data={"reason": "wrong person"}).status_code == 303
    page = officer.get("/people/YP-0004").get_data(as_text=True)
    row = page.split("Placements of YP-0004")[1].split("</tr>", 2)[1]
    assert "Never moved in" in row and "was to move in 10 Dec 2026" in row and "Moved in 10 Dec" not in row
    assert "Undone before moving in" in officer.get(f"/placements/{later}").get_data(as_text=True)


def test_staying_put_is_shown_alone_and_declining_it_puts_them_into_the_batch(
    web_app: Flask, sign_in: SignIn
):
    officer = sign_in("officer")
    page = officer.get("/people/YP-0006").get_data(as_text=True)
    assert "Staying put with own former foster carers" in page and "not ranked against other places" in page
    assert "Place here" not in page and "Rank" not in page
    assert "Confirm staying put" in page
    card = page.split('id="staying-put"')[1].split("</dl>")[0]
    assert re.search(r"£250 a week, (£\d+ to the council|all to the council)", card), card  # who pays
    missing = officer.post("/people/YP-0006/staying-put", data={"decision": "declined"})
    assert missing.status_code == 400 and "Choose why staying put was declined" in missing.get_data(
        as_text=True
    )
    done = officer.post(
        "/people/YP-0006/staying-put", data={"decision": "declined", "reason": "young_person"}
    )
    assert done.status_code == 303
    with web_app.app_context():
        db = get_db()
        assert db.get(YoungPerson, "YP-0006").staying_put is False
        assert db.get(Scheme, "SCH-007").reserved_for == "YP-0006"  # the place stays theirs
        detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "staying_put"))
        assert detail == "declined: The young person does not want to stay; SCH-007 stays reserved for them"
    page = officer.get("/people/YP-0006").get_data(as_text=True)
    assert "Declined" in page and "Place here" in page and "Staying put declined" in page
    officer.post("/matching/run")
    with web_app.app_context():
        proposal = get_db().scalar(select(Proposal).where(Proposal.person_id == "YP-0006"))
        assert proposal is not None and proposal.scheme_id != "SCH-007"
    assert import_files(officer, *_files()).status_code == 303  # the file leaves staying_put empty
    with web_app.app_context():
        assert get_db().get(YoungPerson, "YP-0006").staying_put is False  # the decision is kept


def test_a_suitably_housed_persons_page_says_they_stay_where_they_live(web_app: Flask, sign_in: SignIn):
    page = sign_in("officer").get("/people/YP-0003").get_data(as_text=True)  # B1 until 7 Dec
    roof = page.split('id="roof-now"')[1].split("</div>")[0]
    assert "until 7 Dec 2026: they stay there until a place is found or it ends" in roof
    page = sign_in("officer").get("/people/YP-0005").get_data(as_text=True)  # U1, no end
    roof = page.split('id="roof-now"')[1].split("</div>")[0]
    assert "Suitably housed: YP-0005 stays where they live now" in roof and "never offered" in roof
    assert "Former relevant (18-25)" in page
    with web_app.app_context():  # with their parents, which SSDA903 counts unsuitable (B2): a roof
        get_db().execute(
            update(YoungPerson).where(YoungPerson.person_id == "YP-0005").values(current_accom="B2")
        )
        get_db().commit()
    page = sign_in("officer").get("/people/YP-0005").get_data(as_text=True)
    roof = page.split('id="roof-now"')[1].split("</div>")[0]
    assert "Housed, though not suitably (SSDA903 counts it unsuitable): YP-0005 stays where they live" in roof
    assert "Suitably housed" not in roof


def test_a_referral_is_added_with_an_error_on_each_field_and_corrected(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    form = officer.get("/referrals/new").get_data(as_text=True)
    assert "Add a young person’s referral" in form and 'name="connection_districts-0"' in form
    another = officer.post("/referrals/new", data={"connection_districts-0": "E07000081",
                                                   "action": "add:connection_districts"})  # fmt: skip
    assert 'name="connection_districts-1"' in another.get_data(as_text=True)
    bad = officer.post("/referrals/new", data={"person_id": "Jane Smith", "date_of_birth-day": "1",
                       "date_of_birth-month": "1", "date_of_birth-year": "1990", "gender": "F",
                       "support_need": "low"} | _date("needed_from", ON))  # fmt: skip
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in text
    assert 'href="#person_id"' in text and "is not a pseudonymous id" in text
    assert 'href="#date_of_birth-day"' in text and "makes them 36 on 23 Nov 2026" in text
    assert 'href="#home_district"' in text
    good = {"person_id": "YP-0107", "gender": "F", "home_district": "E07000081", "support_need": "medium",
            "connection_districts-0": "E07000082", "risks": ["self_harm"], "current_accom": "S2",
            "legal_status": "former_relevant"}  # fmt: skip
    good |= _date("date_of_birth", date(2007, 5, 2)) | _date("needed_from", ON)
    assert officer.post("/referrals/new", data=good).status_code == 303
    with web_app.app_context():
        person = get_db().get(YoungPerson, "YP-0107")
        assert (person.status, person.connection_districts, person.risks) == (
            "waiting",
            "E07000082",
            "self_harm",
        )
    assert "YP-0107" in officer.get("/waiting-list?q=0107").get_data(as_text=True)
    assert officer.post("/referrals/new", data=good).status_code == 400  # already on the record
    changed = good | {"support_need": "high"} | _date("needed_from", ON + timedelta(days=7))
    assert officer.post("/people/YP-0107/edit", data=changed).status_code == 303
    with web_app.app_context():
        db = get_db()
        assert db.get(YoungPerson, "YP-0107").support_need == "high"
        about = select(AuditEvent.detail).where(AuditEvent.person_id == "YP-0107")
        actions = db.scalars(about.where(AuditEvent.action.like("referral_%")).order_by(AuditEvent.id)).all()
    assert actions[-1] == "changed support need, needed from"
    history = officer.get("/people/YP-0107").get_data(as_text=True).split('id="history"')[1]
    assert "Referral corrected in the web" in history and "Referral added in the web" in history


def test_a_note_on_a_decision_shows_in_the_persons_history(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/people/YP-0001/place", data={"scheme_id": FOYER})
    with web_app.app_context():
        event = get_db().scalar(select(AuditEvent.id).where(AuditEvent.action == "confirm"))
    empty = officer.post(f"/people/YP-0001/notes/new?event={event}", data={"text": " "})
    assert empty.status_code == 400 and "Enter the note" in empty.get_data(as_text=True)
    long = officer.post(f"/people/YP-0001/notes/new?event={event}", data={"text": "x" * 501})
    assert long.status_code == 400 and "500 characters or fewer" in long.get_data(as_text=True)
    done = officer.post(
        f"/people/YP-0001/notes/new?event={event}", data={"text": "Moved in with a social worker"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(f"#decision-{event}")
    page = officer.get("/people/YP-0001").get_data(as_text=True)
    entry = page.split(f'id="decision-{event}"')[1].split("</li>")[0]
    assert "Placement confirmed" in entry and "Moved in with a social worker" in entry
    with web_app.app_context():
        assert get_db().scalar(select(Note.event_id)) == event
    assert officer.get("/people/YP-0001/notes/new?event=999").status_code == 404


def test_alerts_list_under_18s_due_and_long_stays_in_bnb(web_app: Flask, sign_in: SignIn, monkeypatch):
    officer = sign_in("officer")
    _in_bnb(web_app, officer)
    page = officer.get("/alerts").get_data(as_text=True)
    under = page.split('id="under-18"')[1].split('id="bnb"')[0]
    assert "YP-0001" in under and "17, needed now: no place proposed" in under and "Urgent" in under
    bnb = page.split('id="bnb"')[1].split('id="replaced"')[0]
    assert (
        "more than 7 nights (1)" in bnb
        and "9 nights at Gloucester Road B&amp;B (W2) since 14 Nov 2026" in bnb
    )
    web_app.config["BNB_ALERT_NIGHTS"] = 14
    assert "more than 14 nights (0)" in officer.get("/alerts").get_data(as_text=True)
    assert sign_in("commissioner").get("/alerts").status_code == 403


def test_the_glossary_explains_the_codes_and_terms_to_everyone(sign_in: SignIn):
    for role in ("officer", "commissioner", "analyst", "admin"):
        page = sign_in(role).get("/glossary").get_data(as_text=True)
        terms = ("Connection district", "Combined cost", "Others displaced", "Legal status", "Staying put")
        for term in (*terms, "Former relevant (18-25)", "F1", "Bed and breakfast"):
            assert term in page, (role, term)


def test_the_password_hint_says_what_is_enforced(sign_in: SignIn):
    from web.core.accounts import PASSWORD_MIN

    page = sign_in("admin").get("/admin/users").get_data(as_text=True)
    assert f"At least {PASSWORD_MIN} characters" in page and PASSWORD_MIN == 12
    assert "At least 10 characters" not in page


def test_everyone_in_bnb_by_the_file_but_placed_in_the_ledger_is_not_double_counted(
    web_app: Flask, sign_in: SignIn
):
    # The waiting list counts someone in B&B by the ledger once, with where they are.
    officer = sign_in("officer")
    _in_bnb(web_app, officer)
    with web_app.app_context():
        db = get_db()
        db.execute(update(YoungPerson).where(YoungPerson.person_id == "YP-0100").values(current_until=None))
        db.commit()
    listed = officer.get("/waiting-list?q=YP-0100").get_data(as_text=True)
    assert len(re.findall(r'href="/people/YP-0100"', listed)) == 1 and "W2" in listed
