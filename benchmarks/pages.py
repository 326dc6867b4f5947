"""Web pages at county, region and England scale: each size is loaded into a fresh SQLite database
(`benchmarks.load_db`: the waiting list, the schemes, the four users and a matching run), then
each page is requested as its user would (Flask's test client: the server's whole time, no
network), once to warm up and then best of three. Beside each page, in the same run: the app's
lightest page that still reads the database (`/healthz`), and for a person's page the batch solve
it no longer does. The forecast map is timed on the county, the size with a referral history.

    python -m benchmarks.pages [--sizes county,region,england]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from benchmarks.load_db import ON, load

SIZES = ("county", "region", "england")
PAGES = (
    ("officer", "/waiting-list", "waiting list"),
    ("officer", "/waiting-list?urgency=due&page=2", "waiting list, due, page 2"),
    ("officer", "/proposals", "proposals"),
    ("officer", "/schemes", "schemes"),
    ("commissioner", "/map", "map"),
    ("commissioner", "/map/boundaries.geojson", "map's boundaries (once per browser)"),
)


def _best(get: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        get()
        times.append(time.perf_counter() - t)
    return min(times)


def _timed(client: FlaskClient, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - t, len(response.data)


def measure(size: str) -> dict:
    """Page times for one size, in a database of its own."""
    from planner.match.options import batch_answer
    from web.commissioner.map import forecast as map_forecast
    from web.core.db import engine_of, get_db
    from web.core.models import Proposal, YoungPerson
    from web.core.store import people_frame, schemes_frame
    from web.officer import queues

    with tempfile.TemporaryDirectory(prefix=f"pages-{size}-") as tmp:
        loaded = load(f"sqlite:///{Path(tmp) / 'planner.sqlite'}", size)
        app = loaded.app
        clients = {}
        for role in ("officer", "commissioner"):
            clients[role] = app.test_client()
            clients[role].post("/login", data={"username": role, "password": "bench"})
        out: dict = {"size": size, "people": loaded.people, "schemes": loaded.schemes, "pages": {}}
        out["healthz"] = _best(lambda: clients["officer"].get("/healthz"))
        for role, url, name in PAGES:
            _timed(clients[role], url)
            out["pages"][name] = (
                _best(lambda c=clients[role], u=url: _timed(c, u)),
                _timed(clients[role], url)[1],
            )
        with app.app_context():  # the waiting list's first view after a change: the order worked out
            t = time.perf_counter()
            queues.ranked(get_db(), [YoungPerson.status == "waiting"], on=ON, horizon_days=28)
            out["order"] = time.perf_counter() - t
        with app.app_context():
            person = get_db().scalar(select(Proposal.person_id).where(Proposal.state == "proposed").limit(1))
        url = f"/people/{person}"
        app.extensions.pop("planner_batch_answers", None)  # the first view reads the run's answer
        out["person_first"] = _timed(clients["officer"], url)
        out["pages"]["a person's page"] = (
            _best(lambda: _timed(clients["officer"], url)),
            out["person_first"][1],
        )
        search = f"{url}?why_q=-"  # every scheme id holds a "-": the search with the most matches
        out["pages"]['a person\'s page, "why not" search'] = (
            _best(lambda: _timed(clients["officer"], search)),
            _timed(clients["officer"], search)[1],
        )
        with app.app_context():  # what the page did before it kept answers: the whole batch again
            db = get_db()
            t = time.perf_counter()
            batch_answer(people_frame(db), schemes_frame(db), on=ON)
            out["solve"] = time.perf_counter() - t
        if size == "county":
            t = time.perf_counter()
            with app.test_request_context():
                map_forecast.forecast_table(get_db(), on=ON, month="2027-06", support_level=None)
            out["forecast_first"] = time.perf_counter() - t
            out["forecast_month"] = _best(lambda: _timed(clients["commissioner"], "/map?month=2028-03"))
        if "planner_forecaster" in app.extensions:
            app.extensions["planner_forecaster"].shutdown()
        engine_of(app).dispose()
    return out


def table(rows: list[dict]) -> str:
    names = [name for _, _, name in PAGES] + ["a person's page", 'a person\'s page, "why not" search']
    head = " | ".join(f"{r['size']} ({r['people']:,} x {r['schemes']:,})" for r in rows)
    out = [f"| page | {head} |", "|---|" + "---|" * len(rows)]
    for name in names:
        cells = [f"{r['pages'][name][0]:.3f} s ({r['pages'][name][1] / 1024:,.0f} kB)" for r in rows]
        out.append(f"| {name} | {' | '.join(cells)} |")
    out.append(
        "| reference: `/healthz` (sign-in, one query) | "
        + " | ".join(f"{r['healthz']:.3f} s" for r in rows)
        + " |"
    )
    out.append(
        "| the waiting list's order worked out (its first view after a change; then kept) | "
        + " | ".join(f"{r['order']:.3f} s" for r in rows)
        + " |"
    )
    out.append(
        "| a person's page, first view after matching (reads the run's answer) | "
        + " | ".join(f"{r['person_first'][0]:.3f} s" for r in rows)
        + " |"
    )
    out.append(
        "| reference: the batch solve a person's page used to do | "
        + " | ".join(f"{r['solve']:.2f} s" for r in rows)
        + " |"
    )
    for r in rows:
        if "forecast_first" in r:
            out.append(
                f"\nForecast map ({r['size']}): all 24 months worked out in {r['forecast_first']:.2f} s "
                "(first view; the page shows progress meanwhile), "
                f"then any month in {r['forecast_month']:.3f} s."
            )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES))
    print(table([measure(s) for s in ap.parse_args().sizes.split(",")]))


if __name__ == "__main__":
    main()
