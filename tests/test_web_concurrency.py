"""Nothing lost: officers confirming the last places at the same moment cannot overfill a scheme,
and officers pressing "Run matching" together leave one set of open proposals."""

from __future__ import annotations

import threading
from datetime import date

from flask import Flask
from sqlalchemy import func, select
from web_support import ON, SignIn

from web.core.db import get_db
from web.core.models import MatchRun, Placement, Proposal, Scheme, YoungPerson
from web.core.vacancies import free_on, set_figure

OFFICERS = 50
VACANCIES = 3


def _fifty_people_proposed_for_one_scheme(app: Flask) -> list[int]:
    with app.app_context():
        db = get_db()
        scheme = db.get(Scheme, "SCH-002")  # Cheltenham Foyer: any gender, 16-25, medium support
        set_figure(db, scheme, VACANCIES, source="edit", user=None)
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
        assert free_on(db, "SCH-002", ON) == 0
        assert db.scalar(select(func.count()).select_from(Placement)) == VACANCIES
        placed = db.scalar(
            select(func.count()).select_from(YoungPerson).where(YoungPerson.status == "placed")
        )
        confirmed = db.scalar(select(func.count()).select_from(Proposal).where(Proposal.state == "confirmed"))
        assert placed == confirmed == VACANCIES


RUNNERS = 5


def test_five_officers_running_matching_together_leave_one_set_of_open_proposals(
    web_app: Flask, sign_in: SignIn
):
    """Each pressed "Run matching" on the same waiting list page (no run yet): one run is made,
    the others are told another officer has just run it, and no proposal is left twice."""
    clients = [sign_in("officer") for _ in range(RUNNERS)]
    start = threading.Barrier(RUNNERS)
    statuses: list[int] = []

    def run(client) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(
            client.post("/matching/run", data={"seen_run": "0", "horizon_days": "28"}).status_code
        )

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(statuses) == [303] + [409] * (RUNNERS - 1), statuses
    with web_app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(MatchRun)) == 1
        open_ = db.execute(
            select(Proposal.person_id, Proposal.run_id).where(Proposal.state == "proposed")
        ).all()
        assert len(open_) == 5 and len({p for p, _ in open_}) == 5 and len({r for _, r in open_}) == 1


def test_matching_runs_pressed_together_without_a_page_still_leave_one_set(web_app: Flask, sign_in: SignIn):
    """Without the page's run (a script, say), the runs take turns, each replacing the last:
    still one set of open proposals, never two interleaved."""
    clients = [sign_in("officer") for _ in range(RUNNERS)]
    start = threading.Barrier(RUNNERS)
    statuses: list[int] = []

    def run(client) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(client.post("/matching/run").status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [303] * RUNNERS
    with web_app.app_context():
        db = get_db()
        open_ = db.execute(
            select(Proposal.person_id, Proposal.run_id).where(Proposal.state == "proposed")
        ).all()
        latest = db.scalar(select(func.max(MatchRun.id)))
        assert len(open_) == 5 and {r for _, r in open_} == {latest}
