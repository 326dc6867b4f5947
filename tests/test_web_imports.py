"""Imports replace the waiting list and schemes all or nothing (after a preview: see
test_web_import_preview.py), listing every problem by row and column."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from web_support import EXAMPLE, ON, SignIn, import_files

from web.core.db import get_db
from web.core.models import AuditEvent, Import, Proposal, Scheme, YoungPerson
from web.core.vacancies import free_places


def _upload(client, people: bytes, schemes: bytes, names=("young_people.csv", "schemes.csv")):  # type: ignore[no-untyped-def]
    data = {"people": (io.BytesIO(people), names[0]), "schemes": (io.BytesIO(schemes), names[1])}
    return client.post("/imports", data=data, content_type="multipart/form-data")


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        db = get_db()
        return (
            db.scalar(select(func.count()).select_from(YoungPerson)),
            db.scalar(select(func.count()).select_from(Scheme)),
            db.scalar(select(func.sum(free_places(ON).c.free))),
        )


def _example(name: str) -> bytes:
    return (EXAMPLE / name).read_bytes()


def _fewer_people() -> bytes:
    lines = _example("young_people.csv").decode().splitlines()
    # The header, two people, and YP-0006, whom the staying-put place SCH-007 is reserved for.
    return ("\n".join(lines[:3] + lines[-1:]) + "\n").encode()


def test_a_valid_import_replaces_everything_and_is_recorded(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    officer.post("/matching/run")
    response = import_files(
        officer, _fewer_people(), _example("schemes.csv"), names=("yp nov.csv", "schemes.csv")
    )
    assert response.status_code == 303
    assert _counts(web_app)[:2] == (3, 7)
    with web_app.app_context():
        db = get_db()
        record = db.scalar(select(Import).order_by(Import.id.desc()))
        assert (record.people_file, record.people_count, record.schemes_count) == ("yp_nov.csv", 3, 7)
        assert db.scalar(select(func.count()).select_from(Proposal).where(Proposal.state == "proposed")) == 0
        assert "3 young people" in db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import"))
    page = officer.get("/imports").get_data(as_text=True)
    assert (
        "Imported 3 young people and 7 schemes: 3 waiting, 15 places free." in page and "yp_nov.csv" in page
    )


def test_a_bad_file_lists_every_problem_by_row_and_column_and_changes_nothing(
    web_app: Flask, sign_in: SignIn
):
    before = _counts(web_app)
    schemes = _example("schemes.csv").decode().replace("SCH-002,Cheltenham Foyer", "SCH-001,Cheltenham Foyer")
    schemes = schemes.replace(",8,2,16,21,", ",8,9,16,21,")  # SCH-001: vacancies 9 > capacity 8
    people = _fewer_people().decode().replace("2009-03-14", "2009-02-30")
    response = _upload(sign_in("officer"), people.encode(), schemes.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in html
    for file, row, column, message in [
        ("young_people.csv", 2, "date_of_birth", "&#39;2009-02-30&#39; is not a date that exists"),
        ("schemes.csv", 3, "scheme_id", "duplicate id &#39;SCH-001&#39; (first on row 2)"),
        ("schemes.csv", 2, "vacancies", "9 is more than capacity 8"),
    ]:
        cells = f'{file}</td>\n          <td class="govuk-table__cell govuk-table__cell--numeric">{row}</td>'
        assert cells in html, (file, row)
        assert f'<td class="govuk-table__cell">{column}</td>' in html and message in html
    assert _counts(web_app) == before


def test_a_missing_file_is_a_400_with_the_field_named(web_app: Flask, sign_in: SignIn):
    response = sign_in("admin").post(
        "/imports",
        data={"people": (io.BytesIO(_example("young_people.csv")), "young_people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose a schemes.csv file" in response.get_data(as_text=True)


def test_a_file_that_is_not_utf8_text_is_refused(web_app: Flask, sign_in: SignIn, tmp_path: Path):
    before = _counts(web_app)
    response = _upload(sign_in("officer"), b"\xff\xfe\x00junk", _example("schemes.csv"))
    assert response.status_code == 400 and "is not UTF-8 text" in response.get_data(as_text=True)
    assert _counts(web_app) == before


def _schemes_by_postcode(postcodes: dict[str, str]) -> bytes:
    """The example schemes with coordinates left empty and a postcode given (contract v1.1)."""
    lines = _example("schemes.csv").decode().splitlines()
    head = lines[0].split(",")
    at, lat, lon = head.index("longitude") + 1, head.index("latitude"), head.index("longitude")
    out = [",".join([*head[:at], "postcode", *head[at:]])]
    for line in lines[1:]:
        cells = line.split(",")
        cells[lat] = cells[lon] = ""
        out.append(",".join([*cells[:at], postcodes.get(cells[0], ""), *cells[at:]]))
    return ("\n".join(out) + "\n").encode()


POSTCODES = {"SCH-001": "GL1 2AB", "SCH-002": "GL50 1HX", "SCH-003": "GL5 3HT", "SCH-004": "GL16 8PT",
             "SCH-005": "GL20 5NB", "SCH-006": "GL1 1AA", "SCH-007": "GL7 1XY"}  # fmt: skip


def test_schemes_located_by_postcode_are_imported_with_their_coordinates(web_app: Flask, sign_in: SignIn):
    response = import_files(sign_in("officer"), _fewer_people(), _schemes_by_postcode(POSTCODES))
    assert response.status_code == 303
    with web_app.app_context():
        foyer = get_db().get(Scheme, "SCH-002")
        assert foyer.postcode == "GL50 1HX"
        assert (round(foyer.latitude, 3), round(foyer.longitude, 3)) == (51.899, -2.075)


def test_a_schemes_postcode_outside_its_district_is_a_400_naming_the_row(web_app: Flask, sign_in: SignIn):
    before = _counts(web_app)
    wrong = _schemes_by_postcode({**POSTCODES, "SCH-003": "GL50 1HX"})
    response = _upload(sign_in("officer"), _fewer_people(), wrong)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is in Cheltenham (E07000078), not in the row&#39;s district Stroud (E07000082)" in page
    assert _counts(web_app) == before
