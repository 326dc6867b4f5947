"""The data version rises with every change to the young people, schemes, placement ledger,
referral history or cohort, whichever code makes it, and with nothing else; SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update
from web_support import EXAMPLE, SignIn, save_vacancies

from planner.data.contract import load_folder
from web.core import versions
from web.core.db import get_db
from web.core.models import Proposal, Scheme, YoungPerson
from web.core.store import replace_all


def _version(app: Flask) -> int:
    with app.app_context():
        return versions.current(get_db())


def test_confirming_editing_and_importing_each_raise_the_version(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    start = _version(web_app)
    officer.post("/matching/run")
    assert _version(web_app) == start  # proposals are not data the results are worked out from
    with web_app.app_context():
        proposal = get_db().scalar(
            select(Proposal).where(Proposal.state == "proposed", Proposal.scheme_id.is_not(None))
        )
        assert proposal is not None
        proposal_id = proposal.id
    assert officer.post(f"/proposals/{proposal_id}/confirm").status_code == 303
    assert _version(web_app) == start + 1  # a vacancy taken and a person placed: one transaction
    assert save_vacancies(officer, "SCH-001", "5").status_code == 303
    assert _version(web_app) == start + 2
    assert save_vacancies(officer, "SCH-001", "99").status_code == 400
    assert _version(web_app) == start + 2  # refused: nothing changed
    sign_in("commissioner").get("/map")
    officer.get("/people/YP-0002")
    assert _version(web_app) == start + 2  # pages and the audit log change nothing
    with web_app.app_context():
        db = get_db()
        replace_all(db, load_folder(EXAMPLE))  # what an import does
        db.commit()
    assert _version(web_app) == start + 3


def test_any_code_changing_the_tables_raises_it_and_a_rollback_does_not(web_app: Flask):
    start = _version(web_app)
    with web_app.app_context():
        db = get_db()
        scheme = db.get(Scheme, "SCH-002")
        assert scheme is not None
        scheme.reported_vacancies = 0  # an ORM change, flushed at commit
        db.commit()
    assert _version(web_app) == start + 1
    with web_app.app_context():
        db = get_db()
        db.execute(update(YoungPerson).where(YoungPerson.person_id == "YP-0003").values(support_need="high"))
        db.rollback()
    assert _version(web_app) == start + 1
    with web_app.app_context():
        db = get_db()
        db.execute(update(YoungPerson).where(YoungPerson.person_id == "YP-0003").values(support_need="high"))
        db.commit()
    assert _version(web_app) == start + 2
    with web_app.app_context():
        db = get_db()
        scheme = db.get(Scheme, "SCH-002")
        assert scheme is not None
        scheme.reported_vacancies = scheme.reported_vacancies  # set to what it was: nothing changed
        db.commit()
    assert _version(web_app) == start + 2
