"""Nothing lost: officers confirming the last places at the same moment cannot overfill a scheme."""

from __future__ import annotations

import threading
from datetime import date

from flask import Flask
from sqlalchemy import func, select
from web_support import SignIn

from web.db import get_db
from web.models import Placement, Proposal, Scheme, YoungPerson

OFFICERS = 50
VACANCIES = 3


def _fifty_people_proposed_for_one_scheme(app: Flask) -> list[int]:
    with app.app_context():
        db = get_db()
        scheme = db.get(Scheme, "SCH-002")  # Cheltenham Foyer: any gender, 16-25, medium support
        scheme.vacancies = VACANCIES
        people = [
            YoungPerson(
                person_id=f"YP-C{i:03d}",
                date_of_birth=date(2005, 1, 1),
                gender="F",
                home_district="E07000078",
                support_need="low",
                needed_from=date(2026, 11, 23),
            )
            for i in range(OFFICERS)
        ]
        proposals = [
            Proposal(
                person_id=p.person_id, scheme_id="SCH-002", outcome="placed", accom_code="T1", weekly_cost=450
            )
            for p in people
        ]
        db.add_all(people + proposals)
        db.commit()
        return [p.id for p in proposals]


def test_fifty_simultaneous_confirmations_fill_exactly_the_vacancies(web_app: Flask, sign_in: SignIn):
    proposal_ids = _fifty_people_proposed_for_one_scheme(web_app)
    clients = [sign_in("officer") for _ in proposal_ids]  # one session and request each
    start = threading.Barrier(len(clients))
    statuses: dict[int, int] = {}
    bodies: dict[int, str] = {}

    def confirm(client, proposal_id: int) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        response = client.post(f"/proposals/{proposal_id}/confirm")
        statuses[proposal_id] = response.status_code
        bodies[proposal_id] = response.get_data(as_text=True)

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(clients, proposal_ids, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    codes = sorted(statuses.values())
    assert len(codes) == OFFICERS
    assert codes.count(303) == VACANCIES, codes
    assert codes.count(409) == OFFICERS - VACANCIES, codes  # and nothing else: no 500s
    losers = [bodies[p] for p, code in statuses.items() if code == 409]
    assert all("Scheme SCH-002 has no vacancy left" in body for body in losers)
    with web_app.app_context():
        db = get_db()
        assert db.scalar(select(Scheme.vacancies).where(Scheme.scheme_id == "SCH-002")) == 0
        assert db.scalar(select(func.count()).select_from(Placement)) == VACANCIES
        placed = db.scalar(
            select(func.count()).select_from(YoungPerson).where(YoungPerson.status == "placed")
        )
        confirmed = db.scalar(select(func.count()).select_from(Proposal).where(Proposal.state == "confirmed"))
        assert placed == confirmed == VACANCIES
