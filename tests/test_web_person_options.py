"""A person's page takes "others displaced" from the batch answer the latest matching run kept,
while the data, date and horizon are unchanged, and solves the batch once otherwise; the numbers
are those of solving afresh. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from web_support import ON, SignIn, demo_app, signer

from planner.match.options import options
from web.core.db import engine_of, get_db
from web.core.models import MatchRun, Proposal
from web.core.store import people_frame, schemes_frame
from web.officer import answers


def _displaced(html: str) -> dict[str, str]:
    """Scheme id -> the "Others displaced" cell of the person's ranked options."""
    table = html.split('id="options"')[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    out = {}
    for row in table.split("<tr")[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        scheme = re.search(r"(SCH-\d+),", cells[1])
        assert scheme is not None
        out[scheme.group(1)] = cells[8].strip()  # after rank, scheme, type, cost, 2 distances, fit, score
    assert out
    return out


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the batches the web app solves for a person's page."""
    calls: list[int] = []
    real = answers.batch_answer

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(answers, "batch_answer", counted)
    return calls


def test_after_matching_the_persons_page_reuses_the_runs_answer(web_app: Flask, sign_in: SignIn, solves):
    officer = sign_in("officer")
    officer.post("/matching/run")
    first = officer.get("/people/YP-0001").get_data(as_text=True)
    again = officer.get("/people/YP-0004").get_data(as_text=True)
    assert solves == []  # the kept answer: no solver
    assert "Others displaced" in first and "Others displaced" in again
    with web_app.app_context():
        db = get_db()
        fresh = options(people_frame(db), schemes_frame(db, with_vacancies_only=True), "YP-0001", on=ON)
    shown = _displaced(first)
    assert shown == {r.scheme_id: str(r.others_displaced) for r in fresh.ranked.itertuples()}


def test_a_change_to_the_data_is_solved_once_and_then_reused(web_app: Flask, sign_in: SignIn, solves):
    officer = sign_in("officer")
    officer.post("/matching/run")
    with web_app.app_context():
        proposal = get_db().scalar(
            select(Proposal).where(Proposal.person_id == "YP-0001", Proposal.state == "proposed")
        )
        assert proposal is not None and proposal.scheme_id
        proposal_id = proposal.id
    assert officer.post(f"/proposals/{proposal_id}/confirm").status_code == 303
    html = officer.get("/people/YP-0004").get_data(as_text=True)
    assert solves == [1]  # the waiting list changed: the run's answer no longer applies
    officer.get("/people/YP-0002")
    assert solves == [1]  # solved once for these data
    with web_app.app_context():
        db = get_db()
        fresh = options(people_frame(db), schemes_frame(db), "YP-0004", on=ON)
    assert _displaced(html) == {r.scheme_id: str(r.others_displaced) for r in fresh.ranked.itertuples()}


def test_only_the_latest_run_keeps_its_answer(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    officer.post("/matching/run")
    with web_app.app_context():
        db = get_db()
        runs = db.scalars(select(MatchRun).order_by(MatchRun.id)).all()
        kept = [run.answer is not None for run in runs]
        assert kept == [False, True]
        assert runs[-1].data_version is not None and runs[-1].objective == "default"
        assert db.scalar(select(func.count()).select_from(MatchRun)) == 2


def test_scores_in_the_ranked_options_all_show_pence(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # One column compared down the page: in the demo county YP-1C58-0056's second option scores
    # £399.00 exactly, which read "£399" beside "£328.41".
    app = demo_app("sqlite", tmp_path, request)
    html = signer(app)("officer").get("/people/YP-1C58-0056").get_data(as_text=True)
    table = html.split('id="options"')[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    scores = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[7].strip() for row in table.split("<tr")[1:]]
    assert "£399.00" in scores
    assert all(re.fullmatch(r"£[\d,]+\.\d\d", s) for s in scores), scores
    engine_of(app).dispose()
