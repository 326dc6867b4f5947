"""Long lists come filtered, sorted and paged: the waiting list in the optimiser's urgency order
(contract v1.2, stated here on its own), searched by person id, downloaded and printed; the
schemes by name with their totals. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pandas as pd
import pytest
from flask import Flask
from matching_instances import people
from sqlalchemy import select, update
from web_support import EXAMPLE, ON, SignIn

import web
import web.core.paging
from planner.data.contract import Dataset, load_folder
from planner.data.formats import ages_on
from web.core.db import get_db
from web.core.models import AuditEvent, Proposal, YoungPerson
from web.core.store import replace_all


def _listed(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/people/([^"]+)">', html.split("<tbody")[1])


def _v12_order(waiting: pd.DataFrame) -> list[str]:
    """PRODUCT.md s.3 (v1.2), written out: needed now first (under 18; no roof or in B&B or
    emergency accommodation; the others), then due within 28 days (under 18 first, then the
    soonest), then the rest by date needed; ties by id."""
    keys = []
    for p in waiting.to_dict("records"):
        adult = ages_on(pd.Series([p["date_of_birth"]]), ON)[0] >= 18
        days = (p["needed_from"] - pd.Timestamp(ON)).days
        ended = not pd.isna(p["current_until"]) and p["current_until"] <= pd.Timestamp(ON)
        urgent = p["current_accom"][:1] in ("", "S", "X", "W", "V") or ended
        if days <= 0:
            key = (0, 0 if not adult else 1 if urgent else 2, 0)
        elif days <= 28:
            key = (1, int(adult), days)
        else:
            key = (2, 0, days)
        keys.append((key, p["person_id"]))
    return [pid for _, pid in sorted(keys)]


def test_the_waiting_list_comes_in_the_v1_2_urgency_order_page_after_page(
    web_app: Flask, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
):
    waiting = people(90, 12)
    waiting.loc[:5, "date_of_birth"] = pd.Timestamp(ON.replace(year=ON.year - 18))  # 18 today: adults
    waiting.loc[6:9, "date_of_birth"] = pd.Timestamp(ON.replace(year=ON.year - 18)) + pd.Timedelta(days=1)
    waiting["staying_put"] = pd.array([None] * len(waiting), dtype="boolean")
    with web_app.app_context():
        db = get_db()
        replace_all(db, Dataset(waiting, load_folder(EXAMPLE).schemes.assign(reserved_for="")))
        db.commit()
    expected = _v12_order(waiting)
    monkeypatch.setattr(web.core.paging, "PAGE_SIZE", 25)
    officer = sign_in("officer")
    shown = [
        pid
        for n in range(1, 5)
        for pid in _listed(officer.get(f"/waiting-list?page={n}").get_data(as_text=True))
    ]
    assert shown == expected
    due = officer.get("/waiting-list?urgency=due&page=2").get_data(as_text=True)
    last = ON + pd.Timedelta(days=28)
    want = [p for p in expected if waiting.set_index("person_id").at[p, "needed_from"] <= pd.Timestamp(last)]
    assert _listed(due) == want[25:50]
    assert f"{len(want)} shown (page 2 of {-(-len(want) // 25)}" in due
    assert f"<strong>{len(want)} are due by" in due


def test_an_adult_in_emergency_beds_now_comes_before_an_under_18_not_yet_due(web_app: Flask, sign_in: SignIn):
    # The finding of issue 29: an under-18 due in two weeks was listed above adults in B&B or
    # emergency accommodation now. By v1.2's order those needed now come first.
    with web_app.app_context():
        db = get_db()
        db.add(YoungPerson(person_id="YP-0100", date_of_birth=date(2010, 1, 5), gender="F",
                           support_need="low", home_district="E07000081", needed_from=date(2026, 12, 7),
                           current_accom="C1"))  # fmt: skip
        db.commit()
    html = sign_in("officer").get("/waiting-list").get_data(as_text=True)
    order = _listed(html)
    # Needed now: YP-0001 (17), YP-0004 (in V2); then due within the horizon, under 18 first:
    # YP-0100 (15, due 7 Dec) before the adults YP-0002 (due 30 Nov) and YP-0006 (due 1 Dec).
    assert order[:5] == ["YP-0001", "YP-0004", "YP-0100", "YP-0002", "YP-0006"]
    for label in ("Needed now", "Former relevant (18-25)", "Eligible (16-17, looked after)"):
        assert label in html


def test_the_list_is_searched_by_person_id_and_a_bad_filter_is_a_form_error(sign_in: SignIn):
    officer = sign_in("officer")
    found = officer.get("/waiting-list?q=yp-0004").get_data(as_text=True)
    assert _listed(found) == ["YP-0004"] and "1 shown" in found
    assert _listed(officer.get("/waiting-list?q=00").get_data(as_text=True)) != []
    bad = officer.get("/waiting-list?q=%3Cscript%3E&urgency=abc")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert (
        "There is a problem" in text and 'href="#f-q"' in text and "Choose how urgent from the list" in text
    )
    officer.post("/matching/run")
    for weeks in ("0", "abc", "53"):
        page = officer.get(f"/proposals?weeks={weeks}")
        assert page.status_code == 400
        assert "Due within must be a whole number of weeks from 1 to 52" in page.get_data(as_text=True)
        assert "govuk-error-summary" in page.get_data(as_text=True)
    run = officer.post("/matching/run", data={"horizon_days": "abc"})
    assert run.status_code == 400 and "must be a whole number of days from 0 to 366" in run.get_data(
        as_text=True
    )
    assert '<h1 class="govuk-heading-l">Waiting list</h1>' in run.get_data(as_text=True)


def test_the_lists_download_as_safe_csv_and_print_whole(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    response = officer.get("/waiting-list.csv?urgency=due")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["person_id"] for r in rows] == _listed(
        officer.get("/waiting-list?urgency=due").get_data(as_text=True)
    )
    assert rows[0]["urgency"] == "Needed now: under 18" and rows[0]["legal_status"].startswith("Eligible")
    printed = officer.get("/waiting-list/print").get_data(as_text=True)
    assert _listed(printed) == _listed(officer.get("/waiting-list").get_data(as_text=True))
    officer.post("/matching/run")
    proposals = list(csv.DictReader(io.StringIO(officer.get("/proposals.csv").get_data(as_text=True))))
    assert len(proposals) == 5 and {"person_id", "scheme_name", "reason"} <= set(proposals[0])
    with web_app.app_context():
        db = get_db()
        db.execute(update(Proposal).values(decline_reason='=HYPERLINK("http://x")'))
        db.commit()
    body = officer.get("/proposals.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body  # a spreadsheet shows it as text
    assert "Proposals for the placement panel" in officer.get("/proposals/print").get_data(as_text=True)
    with web_app.app_context():
        exports = get_db().scalars(select(AuditEvent.detail).where(AuditEvent.action == "export_list")).all()
    assert len(exports) == 5 and "waiting list CSV: 5 young people" in exports
