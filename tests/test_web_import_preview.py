# ruff: noqa: E501  (the messages are kept whole, as the officer reads them)
"""An import shows what it will change before anything is replaced: people and schemes added,
changed and removed, and its conflicts with what officers decided; the officer confirms or
cancels; emptying the waiting list asks twice; a preview gone stale is shown again."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import EXAMPLE, ON, SignIn

from web.core.db import get_db
from web.core.models import Import, PendingImport, Scheme, YoungPerson
from web.core.vacancies import free_on

PEOPLE = (EXAMPLE / "young_people.csv").read_bytes()
SCHEMES = (EXAMPLE / "schemes.csv").read_bytes()


def _upload(client: FlaskClient, people: bytes = PEOPLE, schemes: bytes = SCHEMES) -> str:
    data = {
        "people": (io.BytesIO(people), "young_people.csv"),
        "schemes": (io.BytesIO(schemes), "schemes.csv"),
    }
    response = client.post("/imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    return str(response.headers["Location"])


def _fingerprint(page: str) -> str:
    found = re.search(r'name="fingerprint" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _lines(text: str, keep: set[str]) -> str:
    return "\n".join(line for line in text.splitlines() if any(k in line for k in keep))


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        db = get_db()
        return (
            db.scalar(select(func.count()).select_from(YoungPerson)) or 0,
            db.scalar(select(func.count()).select_from(Scheme)) or 0,
            db.scalar(select(func.count()).select_from(Import)) or 0,
        )


def _edited() -> tuple[bytes, bytes]:
    """YP-0002 leaves the file, YP-0001 changes need, a new YP-0007; SCH-005 leaves, SCH-004's
    capacity changes, a new SCH-008."""
    people = PEOPLE.decode().splitlines()
    people = [line for line in people if not line.startswith("YP-0002,")]
    people = [line.replace(",medium,", ",high,") if line.startswith("YP-0001,") else line for line in people]
    people.append("YP-0007,2005-04-04,M,E07000081,,,low,false,false,false,,2026-12-01,,false,,,,false,")
    schemes = [line for line in SCHEMES.decode().splitlines() if not line.startswith("SCH-005,")]
    schemes = [
        line.replace(",4,1,17,25,", ",5,1,17,25,") if line.startswith("SCH-004,") else line
        for line in schemes
    ]
    schemes.append(
        "SCH-008,Severn Foyer,YMCA,T,E07000081,51.8643,-2.2503,12,4,16,25,any,medium,false,false,false,,true,430,,,"
    )
    return ("\n".join(people) + "\n").encode(), ("\n".join(schemes) + "\n").encode()


def test_the_preview_lists_the_changes_and_nothing_changes_until_confirmed(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    before = _counts(web_app)
    where = _upload(officer, *_edited())
    page = officer.get(where).get_data(as_text=True)
    assert "Check what the import changes" in page and "Nothing has changed yet" in page
    assert "1 added, 1 changed, 1 removed from the list" in page
    assert "1 added, 1 changed, 1 removed" in page  # schemes
    assert "6 now → 6 after" in page  # YP-0002 out, YP-0007 in
    assert "YP-0001: support need" in page and "SCH-004: capacity" in page
    assert _counts(web_app) == before
    assert officer.post(where + "/confirm", data={"fingerprint": _fingerprint(page)}).status_code == 303
    with web_app.app_context():
        db = get_db()
        assert db.get(YoungPerson, "YP-0002") is None and db.get(YoungPerson, "YP-0007") is not None
        assert db.get(YoungPerson, "YP-0001").support_need == "high"
        assert db.get(Scheme, "SCH-005") is None and db.get(Scheme, "SCH-004").capacity == 5
        assert db.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_conflicts_with_decisions_are_listed_and_the_decisions_kept(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    assert officer.post("/people/YP-0001/place", data={"scheme_id": "SCH-002"}).status_code == 303
    assert officer.post("/people/YP-0004/place", data={"scheme_id": "SCH-001"}).status_code == 303
    schemes = SCHEMES.decode().splitlines()
    schemes = [line for line in schemes if not line.startswith("SCH-001,")]  # YP-0004 lives there
    schemes = [line.replace(",30,3,", ",30,30,") if line.startswith("SCH-002,") else line for line in schemes]
    where = _upload(officer, PEOPLE, ("\n".join(schemes) + "\n").encode())
    page = officer.get(where).get_data(as_text=True)
    assert "Conflicts with what officers decided" in page
    assert (
        "YP-0001 is placed at Cheltenham Foyer since 23 Nov 2026, but the file lists them as needing a place: they stay placed"
        in page
    )
    assert (
        "Westgate Supported Flats (SCH-001) is not in the file, but 1 young person placed there holds a place (YP-0004): it stays on record for them"
        in page
    )
    assert (
        "Cheltenham Foyer (SCH-002): the file says 30 of 30 places are free, but 1 young person placed there holds a place, so at most 29 can be: 29 free after this import"
        in page
    )
    assert officer.post(where + "/confirm", data={"fingerprint": _fingerprint(page)}).status_code == 303
    with web_app.app_context():
        db = get_db()
        assert db.get(YoungPerson, "YP-0001").status == "placed"
        assert db.get(Scheme, "SCH-001").withdrawn and free_on(db, "SCH-001", ON) == 0
        assert free_on(db, "SCH-002", ON) == 29
    schemes_page = officer.get("/schemes").get_data(as_text=True)
    assert "Withdrawn" in schemes_page and "Westgate Supported Flats" in schemes_page.split("Withdrawn")[1]


def test_cancel_imports_nothing(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    before = _counts(web_app)
    where = _upload(officer, *_edited())
    response = officer.post(where + "/cancel", follow_redirects=True)
    assert "Import cancelled: nothing was changed." in response.get_data(as_text=True)
    assert _counts(web_app) == before and officer.get(where).status_code == 404


def test_a_file_emptying_the_waiting_list_needs_a_second_confirmation(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    header = PEOPLE.decode().splitlines()[0] + "\n"
    schemes = SCHEMES.decode().replace(
        ",1,1,18,20,any,low,false,false,false,,false,250.00,YP-0006",
        ",1,0,18,20,any,low,false,false,false,,false,250.00,YP-0006",
    )
    where = _upload(officer, header.encode(), schemes.encode())
    page = officer.get(where).get_data(as_text=True)
    assert "This import empties the waiting list" in page and "6 now → 0 after" in page
    once = officer.post(where + "/confirm", data={"fingerprint": _fingerprint(page)})
    assert once.status_code == 400 and "Confirm that you mean to empty the waiting list" in once.get_data(
        as_text=True
    )
    assert _counts(web_app)[0] == 6
    twice = officer.post(where + "/confirm", data={"fingerprint": _fingerprint(page), "confirm_empty": "yes"})
    assert twice.status_code == 303 and _counts(web_app)[0] == 0


def test_a_preview_gone_stale_is_shown_again_and_nothing_imported(web_app: Flask, sign_in: SignIn):
    officer = sign_in("officer")
    where = _upload(officer)
    page = officer.get(where).get_data(as_text=True)
    officer.post("/people/YP-0001/place", data={"scheme_id": "SCH-002"})  # decided meanwhile
    stale = officer.post(where + "/confirm", data={"fingerprint": _fingerprint(page)})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "things changed since the preview" in body
    assert "YP-0001 is placed at Cheltenham Foyer" in body and _counts(web_app)[2] == 0
    assert officer.post(where + "/confirm", data={"fingerprint": _fingerprint(body)}).status_code == 303


def test_an_upload_is_only_for_whoever_made_it(web_app: Flask, sign_in: SignIn):
    where = _upload(sign_in("officer"))
    admin = sign_in("admin")
    assert admin.get(where).status_code == 404 and admin.post(where + "/confirm").status_code == 404


def test_every_problem_is_listed_in_one_round_beyond_twenty(web_app: Flask, sign_in: SignIn):
    lines = PEOPLE.decode().splitlines()
    bad = [lines[0]] + [line.replace(",F,", ",Female,").replace(",M,", ",Male,").replace(",X,", ",Other,")
                        .replace("2026-", "2026/") for line in lines[1:]] * 4  # fmt: skip
    bad = [line.replace("YP-000", f"YP-{i:02d}") if i else line for i, line in enumerate(bad)]
    data = {"people": (io.BytesIO(("\n".join(bad) + "\n").encode()), "young_people.csv"),
            "schemes": (io.BytesIO(SCHEMES), "schemes.csv")}  # fmt: skip
    response = sign_in("officer").post("/imports", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # 24 genders, 24 dates (4 rows are needed in 2027; YP-0003's current_until is one more) and
    # SCH-007's YP-0006, renamed away.
    assert "fix these 49 problems" in page and "Checking stopped" not in page
    assert "&#39;YP-0006&#39; is not in young_people.csv" in page
