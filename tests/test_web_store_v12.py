"""The web app stores data contract v1.2 (issue 28's web part): a file imported through the web
reads back exactly as the planner reads the file, on SQLite and PostgreSQL; the preview shows
changes to the v1.2 columns; and a declined staying put stays declined through the web."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
from flask import Flask
from sqlalchemy import select
from web_support import EXAMPLE, ON, SignIn, import_files

from planner.data.contract import read_dataset
from web.core.db import get_db
from web.core.models import Proposal
from web.core.store import people_frame, schemes_frame


def _changed(name: str, cells: dict[tuple[str, str], str]) -> bytes:
    """data/example's file with some cells changed: {(id, column): value}."""
    rows = list(csv.DictReader(io.StringIO((EXAMPLE / name).read_text(encoding="utf-8"))))
    for row in rows:
        for (key, column), value in cells.items():
            if key in (row.get("person_id"), row.get("scheme_id")):
                row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


PEOPLE_CELLS = {
    ("YP-0006", "staying_put"): "false",  # declined: the carers' place stays theirs, unused
    ("YP-0004", "current_until"): "2026-12-14",
    ("YP-0004", "legal_status"): "qualifying",
    ("YP-0002", "tenancy_ready"): "true",
    ("YP-0002", "activity"): "F5",
    ("YP-0003", "staying_put"): "true",
}
SCHEME_CELLS = {("SCH-002", "weekly_rent"): "200.00", ("SCH-002", "weekly_support"): "250.00"}


def test_a_v1_2_file_imported_through_the_web_reads_back_as_the_file(web_app: Flask, sign_in: SignIn):
    people, schemes = _changed("young_people.csv", PEOPLE_CELLS), _changed("schemes.csv", SCHEME_CELLS)
    assert import_files(sign_in("officer"), people, schemes).status_code == 303
    data = read_dataset(people, schemes)
    with web_app.app_context():
        db = get_db()
        stored_people = people_frame(db, waiting_only=False)
        stored_schemes = schemes_frame(db, on=ON)
    pd.testing.assert_frame_equal(stored_people, data.people.sort_values("person_id", ignore_index=True))
    pd.testing.assert_frame_equal(stored_schemes, data.schemes.sort_values("scheme_id", ignore_index=True))
    one = stored_people.set_index("person_id")
    assert not one.at["YP-0006", "staying_put"] and not pd.isna(one.at["YP-0006", "staying_put"])
    assert pd.isna(one.at["YP-0001", "staying_put"])  # not said: the contract's "agreed"
    assert stored_schemes.set_index("scheme_id")["weekly_rent"].isna().sum() == 5


def test_the_preview_shows_changes_to_the_v1_2_columns(sign_in: SignIn):
    officer = sign_in("officer")
    files = {
        "people": (io.BytesIO(_changed("young_people.csv", PEOPLE_CELLS)), "young_people.csv"),
        "schemes": (io.BytesIO(_changed("schemes.csv", SCHEME_CELLS)), "schemes.csv"),
    }
    uploaded = officer.post("/imports", data=files, content_type="multipart/form-data")
    page = officer.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "Young people changed (4)" in page
    assert re.search(r"YP-0004: legal status, current until", page)
    assert "YP-0006: staying put" in page and "YP-0002: tenancy ready, activity" in page
    assert "SCH-002: weekly rent, weekly support" in page


def test_staying_put_declined_in_a_file_is_not_given_through_the_web(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    with web_app.app_context():
        given = get_db().scalar(select(Proposal.scheme_id).where(Proposal.person_id == "YP-0006"))
    assert given == "SCH-007"  # agreed (empty in the file): their own carers' place
    people = _changed("young_people.csv", {("YP-0006", "staying_put"): "false"})
    assert import_files(officer, people, (EXAMPLE / "schemes.csv").read_bytes()).status_code == 303
    officer.post("/matching/run")
    with web_app.app_context():
        proposal = get_db().scalar(
            select(Proposal).where(Proposal.person_id == "YP-0006", Proposal.state == "proposed")
        )
    assert proposal is not None and proposal.scheme_id not in (None, "SCH-007")
