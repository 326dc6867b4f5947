"""Fixtures for the web tests: a real app on a real database, SQLite always and PostgreSQL when
PLANNER_TEST_POSTGRES_URL is set (.ci/run sets it). Imported by conftest.py.

Each PostgreSQL test session works in a schema of its own, dropped at the end, so repeated
runs never see each other's rows; each test starts from empty tables.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from planner.data.contract import load_folder
from web import create_app
from web.core.auth import hash_password
from web.core.db import engine_of, get_db
from web.core.models import ROLES, Base, User
from web.core.store import replace_all

ON = date(2026, 11, 23)
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
POSTGRES_URL = os.environ.get("PLANNER_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PASSWORD = "demo-password"

SignIn = Callable[[str], FlaskClient]


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """DATABASE_URL of a new schema on the test PostgreSQL server; dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh schema for this session's web tests (each test empties its tables)."""
    with _postgres_schema() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a new, empty database of its own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/planner.sqlite"
        return
    with _postgres_schema() as url:
        yield url


def _empty_postgres(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine_of(app).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def build_app(
    backend: str, folder: Path, request: pytest.FixtureRequest, *, data: bool = True, **config: object
) -> Flask:
    """An app on an empty database of `backend`, with one user per role and the example data."""
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{folder}/planner.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": url,
            "TODAY": ON,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; scrypt in use
            "MIGRATE_ON_START": True,  # as `planner db upgrade` does before a deployment starts
            # Not runs another test left in the shared PostgreSQL schema, before it is emptied.
            "RESUME_SCENARIO_RUNS": False,
            **config,
        }
    )
    if backend == "postgresql":
        _empty_postgres(app)
    with app.app_context():
        db = get_db()
        for role in ROLES:
            db.add(User(username=role, role=role, password_hash=hash_password(PASSWORD)))
        if data:
            replace_all(db, load_folder(EXAMPLE))
        db.commit()
    return app


def demo_app(backend: str, folder: Path, request: pytest.FixtureRequest, **config: object) -> Flask:
    """An app on an empty database of `backend` with the demo county (`planner demo`, seed 1) and
    its referral history and cohort: what the forecast, scenarios and plans run on."""
    from planner.demo import generate_history
    from web.core.seed import demo_dataset
    from web.core.store import replace_history

    app = build_app(backend, folder, request, data=False, **config)
    with app.app_context():
        db = get_db()
        data, _ = demo_dataset(ON)
        replace_all(db, data)
        history = generate_history(county="Gloucestershire", seed=1, on=ON)
        replace_history(db, history.referrals, history.cohort)
        db.commit()
    return app


@pytest.fixture(params=BACKENDS)
def web_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    app = build_app(request.param, tmp_path, request)
    yield app
    engine_of(app).dispose()


def signer(app: Flask) -> SignIn:
    def sign_in(role: str) -> FlaskClient:
        client = app.test_client()
        response = client.post("/login", data={"username": role, "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
        return client

    return sign_in


@pytest.fixture
def sign_in(web_app: Flask) -> SignIn:
    """`sign_in("officer")`: a test client signed in with that role."""
    return signer(web_app)


def import_files(client: FlaskClient, people: bytes, schemes: bytes, *, confirm_empty: bool = False,
                 names: tuple[str, str] = ("young_people.csv", "schemes.csv")):  # type: ignore[no-untyped-def]  # fmt: skip
    """Upload both files, look at the preview and confirm it, as an officer does: the response
    to the confirmation (303 when imported)."""
    data = {"people": (io.BytesIO(people), names[0]), "schemes": (io.BytesIO(schemes), names[1])}
    uploaded = client.post("/imports", data=data, content_type="multipart/form-data")
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)[:2000]
    preview = client.get(uploaded.headers["Location"])
    assert preview.status_code == 200
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', preview.get_data(as_text=True))
    assert fingerprint is not None
    form = {"fingerprint": fingerprint[1]} | ({"confirm_empty": "yes"} if confirm_empty else {})
    return client.post(uploaded.headers["Location"] + "/confirm", data=form)


def save_vacancies(client: FlaskClient, scheme_id: str, vacancies: str):  # type: ignore[no-untyped-def]
    """Open a scheme's vacancies form and save a count from it, as an officer does: the response
    (303 when saved)."""
    form = client.get(f"/schemes/{scheme_id}/vacancies").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"', form)
    assert seen is not None
    return client.post(f"/schemes/{scheme_id}/vacancies", data={"vacancies": vacancies, "seen": seen[1]})
