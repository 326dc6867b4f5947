"""One set of input limits from the data contract to the database: NUL bytes, control characters,
over-long text and out-of-range numbers are refused with 400 naming the field, file, row and
column, never a 500, on SQLite and PostgreSQL; the error pages are always the app's own."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text
from web_support import EXAMPLE, PASSWORD, SignIn, import_files, signer

from planner.cli import cli
from planner.data.contract import SCHEMES
from planner.data.limits import NAME_MAX_LENGTH
from web.core.db import get_db
from web.core.models import AuditEvent, Base, Scheme

OUR_PAGE = "Care leaver accommodation planner"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def _schemes_with(column: str, value: str, row: int = 0) -> bytes:
    rows = list(csv.reader(io.StringIO((EXAMPLE / "schemes.csv").read_text())))
    rows[1 + row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _upload(client, schemes: bytes):  # type: ignore[no-untyped-def]
    people = (EXAMPLE / "young_people.csv").read_bytes()
    data = {
        "people": (io.BytesIO(people), "young_people.csv"),
        "schemes": (io.BytesIO(schemes), "schemes.csv"),
    }
    return client.post("/imports", data=data, content_type="multipart/form-data")


def test_a_nul_byte_in_the_sign_in_username_is_a_400_naming_the_field(web_app: Flask):
    response = web_app.test_client().post("/login", data={"username": "off\x00icer", "password": PASSWORD})
    body = _text(response)
    assert response.status_code == 400 and "NUL (0x00) in the field 'username' cannot be stored" in body
    assert OUR_PAGE in body


@pytest.mark.parametrize(
    ("method", "url", "data", "where"),
    [
        ("get", "/people/YP-0001%00", None, "the address"),
        ("get", "/admin/audit?user=a%00b", None, "the query (user)"),
        ("post", "/schemes/SCH-001/vacancies", {"vacancies": "1\x00"}, "the field 'vacancies'"),
        (
            "post",
            "/admin/users",
            {"username": "jo", "role": "officer", "password": "a\x1bb"},
            "the field 'password'",
        ),
    ],
)
def test_nul_and_control_characters_anywhere_in_a_request_are_400s(web_app: Flask, method, url, data, where):
    role = "admin" if "admin" in url else "officer"
    response = getattr(signer(web_app)(role), method)(url, data=data)
    body = _text(response)
    assert response.status_code == 400 and f"in {where} cannot be stored" in body and OUR_PAGE in body


def test_line_breaks_and_tabs_in_a_text_area_are_fine(web_app: Flask, sign_in: SignIn):
    commissioner = sign_in("commissioner")
    response = commissioner.post(
        "/scenarios/new", data={"source": "yaml", "yaml_text": "name: x\n\tbad: [\r\n"}
    )
    assert response.status_code == 400 and "not valid YAML" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/login", {"username": "o" * 300, "password": PASSWORD}, "username or password is not right"),
        ("/login", {"username": "officer", "password": "p" * 200}, "128 characters or fewer"),
        ("/admin/users", {"username": "u" * 300, "role": "officer", "password": "violet-harbour-lantern"},
         "Use 2 to 64 letters"),
        ("/schemes/SCH-001/vacancies", {"vacancies": "9" * 30}, "Enter the number of places free now"),
        ("/schemes/SCH-001/vacancies", {"vacancies": "2147483648"}, "Enter the number of places free now"),
    ],
)  # fmt: skip
def test_over_long_and_out_of_range_values_are_400s_with_the_reason(web_app: Flask, url, data, message):
    client = (
        web_app.test_client()
        if url == "/login"
        else signer(web_app)("admin" if "admin" in url else "officer")
    )
    response = client.post(url, data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_over_long_ids_in_addresses_and_filters_are_not_errors(web_app: Flask):
    officer = signer(web_app)("officer")
    assert officer.get("/people/" + "Y" * 5000).status_code == 404
    assert signer(web_app)("admin").get("/admin/audit?person=" + "Y" * 5000).status_code == 200


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("name", "n" * 250, f"is 250 characters long; at most {NAME_MAX_LENGTH} fit"),
        (
            "provider",
            "Severn\x00Housing",
            "contains the control character NUL (0x00), which cannot be stored: remove it",
        ),
        ("capacity", str(2**31 + 1), "2,147,483,649 is more than 1,000 (places in total)"),
        ("weekly_cost", "1e18", "1e+18 is more than 50,000 (a weekly cost in GBP)"),
        ("weekly_cost", "50000.01", "50,000.01 is more than 50,000 (a weekly cost in GBP)"),
    ],
)
def test_imports_that_validate_refuses_are_400s_naming_file_row_and_column(
    web_app, sign_in, column, value, message
):
    response = _upload(sign_in("officer"), _schemes_with(column, value))
    body = _text(response)
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', body)
    assert response.status_code == 400 and cells == ["schemes.csv", "2", column, message]
    with web_app.app_context():
        names = set(get_db().scalars(select(Scheme.name)))
    assert "Westgate Supported Flats" in names  # nothing was replaced


def test_the_largest_values_the_contract_accepts_fit_the_database(web_app: Flask, sign_in: SignIn):
    schemes = _schemes_with("name", "N" * NAME_MAX_LENGTH)
    for column, value in (
        ("provider", "P" * NAME_MAX_LENGTH),
        ("weekly_cost", "50000"),
        ("capacity", "1000"),
    ):
        rows = list(csv.reader(io.StringIO(schemes.decode())))
        rows[1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        schemes = out.getvalue().encode()
    people = (EXAMPLE / "young_people.csv").read_bytes()
    assert import_files(sign_in("officer"), people, schemes).status_code == 303
    with web_app.app_context():
        assert get_db().scalar(select(func.max(Scheme.weekly_cost))) == 50_000
    assert sign_in("officer").get("/waiting-list").status_code == 200


def test_every_text_column_of_the_contract_fits_its_database_column():
    for col in SCHEMES.columns:
        if col.max_length is not None:
            assert Base.metadata.tables["schemes"].c[col.name].type.length >= col.max_length, col.name


def test_a_weekly_cost_of_1e18_is_a_validation_error_on_the_command_line(tmp_path: Path):
    (tmp_path / "young_people.csv").write_bytes((EXAMPLE / "young_people.csv").read_bytes())
    (tmp_path / "schemes.csv").write_bytes(_schemes_with("weekly_cost", "1e18"))
    for command in (["validate", str(tmp_path)], ["match", str(tmp_path), "--date", "2026-11-23"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, command
        assert "schemes.csv row 2, column weekly_cost: 1e+18 is more than 50,000" in result.output
        assert "Traceback" not in result.output and "FlowError" not in result.output


def test_a_value_the_database_refuses_is_a_400_on_our_own_page(web_app: Flask):
    @web_app.post("/too-long")
    def too_long() -> str:
        db = get_db()
        db.add(AuditEvent(username="u" * 500, action="login", detail=""))  # username is 64 characters
        db.execute(text("SELECT 1"))
        if db.bind.dialect.name == "sqlite":  # SQLite stores any length: make it fail as PostgreSQL does
            db.execute(text("SELECT CAST('x' AS INTEGER) + 'y' FROM no_such_table"))
        db.commit()
        return "stored"

    too_long.roles = frozenset({"admin"})  # type: ignore[attr-defined]
    admin = signer(web_app)("admin")
    response = admin.post("/too-long")
    body = _text(response)
    assert response.status_code in (400, 500) and OUR_PAGE in body and "Signed in as" in body
    if web_app.extensions["planner_engine"].dialect.name == "postgresql":
        assert response.status_code == 400 and "too long, too large" in body
    assert admin.get("/admin/users").status_code == 200  # the next request is fine


def test_a_500000_column_upload_is_refused_with_400_at_once(web_app: Flask, sign_in: SignIn):
    """The header's width is checked before it is parsed and compared: once, quadratic in it,
    80,000 columns took a minute and 500,000 pinned a worker for twenty. Under 2 s (0.3 s on an
    idle machine), or on a machine busy with other work 20 times an ordinary upload's time then."""
    wide = (",".join(f"c{i}" for i in range(500_000)) + "\n").encode()  # about 3.9 MB
    officer = sign_in("officer")
    started = time.perf_counter()
    assert _upload(officer, (EXAMPLE / "schemes.csv").read_bytes()).status_code == 303
    ordinary = time.perf_counter() - started
    started = time.perf_counter()
    response = _upload(officer, wide)
    seconds = time.perf_counter() - started
    assert response.status_code == 400 and seconds < max(2.0, 20 * ordinary), (seconds, ordinary)
    assert "has 500,000 columns in its header row; at most 1,000 are read" in _text(response)


def test_a_header_over_the_column_cap_is_refused_on_the_command_line_too(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "young_people.csv").write_bytes((EXAMPLE / "young_people.csv").read_bytes())
    (folder / "schemes.csv").write_text(",".join(f"c{i}" for i in range(1_001)) + "\n")
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 2 and "has 1,001 columns in its header row" in result.output
