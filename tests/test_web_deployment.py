"""Deployment: migrations run once by `planner db upgrade`, never by the app's workers, so four
gunicorn workers start together on an empty database; /healthz reports the database and its
migrations; until they are current every page says the service is being upgraded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import inspect

from web import create_app
from web.core.db import head_revision, make_engine

BIN = Path(sys.executable).parent


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "deployment-test", "TRUSTED_HOSTS": "127.0.0.1"}


def _wait_for_workers(base: str, log: Path, workers: int) -> set[int]:
    """The statuses of /healthz once every worker has loaded the app (each logs its boot first,
    then imports the app: give them time on a busy machine)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.read_text().count("Booting worker") >= workers:
            try:
                return {_get(f"{base}/healthz")[0] for _ in range(3 * workers)}
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                pass
        time.sleep(0.5)
    raise AssertionError(log.read_text())


def test_the_app_never_migrates_and_says_the_service_is_being_upgraded_until_it_is(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/planner.sqlite"
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": url})
    assert inspect(make_engine(url)).get_table_names() == []  # nothing created at start
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 503 and "being upgraded" in page.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "unavailable", "database": "ok", "migrations": "pending",
                           "storage": "ok", "revision": None, "head": head_revision()}  # fmt: skip
    done = subprocess.run([BIN / "planner", "db", "upgrade"], env=_env(url), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert client.get("/healthz").status_code == 200
    app.extensions.pop("planner_schema_checked")  # rather than wait for the next look at the database
    assert client.get("/login").status_code == 200


def test_four_gunicorn_workers_start_together_on_an_empty_database(empty_database: str, tmp_path: Path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}", "web:create_app()"],
        env=_env(empty_database), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        answers = _wait_for_workers(base, log, workers=4)
        assert answers == {503}  # every worker up, none migrated anything: pending
        text_ = log.read_text()
        assert "Worker failed to boot" not in text_ and "Traceback" not in text_, text_
        assert server.poll() is None, text_
        status, _, body = _get(f"{base}/healthz")
        assert status == 503 and json.loads(body)["migrations"] == "pending"
        # Two upgrades at once (two deploy scripts, say) take turns; the second has nothing to do.
        command = [BIN / "planner", "db", "upgrade"]
        upgrades = [subprocess.Popen(command, env=_env(empty_database), stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]  # fmt: skip
        assert [u.wait(timeout=120) for u in upgrades] == [0, 0], [
            u.stderr.read() for u in upgrades if u.stderr
        ]
        status, headers, body = _get(f"{base}/healthz")
        assert status == 200 and json.loads(body)["migrations"] == "current"
        assert headers.get("Server") == "gunicorn"  # no version number
        deadline = time.monotonic() + 15
        while _get(f"{base}/login")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)  # each worker looks again within a few seconds
        assert all(_get(f"{base}/login")[0] == 200 for _ in range(8))
        assert _get(f"{base}/login".replace("127.0.0.1", "localhost"))[0] == 400  # not a trusted host
    finally:
        server.terminate()
        server.wait(timeout=30)
