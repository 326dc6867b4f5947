"""One clock (issue 29, finding 6): where the app's date is fixed (a demo, these tests), matching
runs, the audit log, imports, proposals and scenarios are stamped on that date, not the
machine's, and what compares stamps (idle sessions, stale scenario runs) sees the same clock."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select
from web_support import EXAMPLE, ON, SignIn, import_files

from web.core.clock import now
from web.core.db import get_db
from web.core.models import AuditEvent, Import, MatchRun, Proposal
from web.core.scenario_models import ScenarioRecord


def test_runs_audit_imports_and_scenarios_are_stamped_with_the_apps_date(web_app: Flask, sign_in: SignIn):
    assert ON != date.today()  # the test means something only while the machine's date differs
    officer = sign_in("officer")
    officer.post("/matching/run")
    people, schemes = ((EXAMPLE / f).read_bytes() for f in ("young_people.csv", "schemes.csv"))
    assert import_files(officer, people, schemes).status_code == 303
    with web_app.app_context():
        db = get_db()
        db.add(ScenarioRecord(name="clock", yaml_text="name: clock", description=""))
        db.commit()
        stamps = {
            "run": db.scalar(select(MatchRun.run_at)),
            "proposal": db.scalar(select(Proposal.created_at)),
            "import": db.scalar(select(Import.imported_at)),
            "scenario": db.scalar(select(ScenarioRecord.created_at)),
            **{e.action: e.at for e in db.scalars(select(AuditEvent))},
        }
        assert now().date() == ON
    assert {"run", "login", "run_matching", "import"} <= set(stamps)
    assert {k: v.date() for k, v in stamps.items()} == dict.fromkeys(stamps, ON)
    page = officer.get("/waiting-list").get_data(as_text=True)
    assert "Last matching: 23 Nov 2026" in page
