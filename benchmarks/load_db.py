"""Put a waiting list and schemes of a given size into a database, with the four users and a
matching run, so that the web app's pages can be timed (`python -m benchmarks.pages`) or opened
at that scale. Rerun it to start again: it replaces what the database holds.

    python -m benchmarks.load_db --size england --url sqlite:///bench/england.sqlite
    DATABASE_URL=sqlite:///bench/england.sqlite SECRET_KEY=bench planner serve --date 2026-11-23

Sign in as officer, commissioner, analyst or admin with the password given (--password,
default `bench`). Sizes: county (the Gloucestershire demo, with its referral history), region
(5,000 people and 600 schemes over the South West) and england (20,000 x 2,000 over all 296
districts), as in `python -m benchmarks`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from benchmarks.generate import generate
from planner.data.contract import PEOPLE, SCHEMES, Dataset, load_folder
from planner.data.districts import districts
from planner.data.table import write_table
from web import create_app
from web.core.auth import hash_password
from web.core.db import get_db, make_engine, upgrade
from web.core.models import ROLES, User

ON = date(2026, 11, 23)


@dataclass(frozen=True, slots=True)
class Loaded:
    app: Flask
    people: int
    schemes: int
    seconds: dict[str, float]


def dataset(size: str, *, on: date = ON) -> Dataset:
    """`size`'s files, written and read back through the data contract, as an import reads them."""
    return _through_contract(_generated(size, on))


def _through_contract(data: Dataset) -> Dataset:
    with tempfile.TemporaryDirectory(prefix="load-db-") as tmp:
        write_table(data.people, PEOPLE, tmp)
        write_table(data.schemes, SCHEMES, tmp)
        return load_folder(tmp)


def _generated(size: str, on: date) -> Dataset:
    if size == "county":
        from planner.demo.county import generate as demo

        return demo("Gloucestershire", seed=1, on=on)
    if size == "region":
        d = districts()
        return generate(5000, 600, codes=list(d.index[d["region"] == "South West"]), seed=1, on=on)
    if size == "england":
        return generate(20000, 2000, seed=1, on=on)
    raise ValueError(f"size must be county, region or england, not {size!r}")


def load(url: str, size: str, *, on: date = ON, password: str = "bench", match: bool = True) -> Loaded:
    """Replace the database's waiting list and schemes with `size`'s, create the users, run matching."""
    from web.core.store import replace_all, replace_history

    # TESTING and no CSRF: matching is run by posting the form from here, as an officer would.
    config: dict[str, Any] = {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "TODAY": on, "TESTING": True,
                              "WTF_CSRF_ENABLED": False}  # fmt: skip
    upgrade(make_engine(url))  # as `planner db upgrade` does: the app itself never migrates
    app = create_app(config)
    seconds = {}
    with app.app_context():
        db = get_db()
        t = time.perf_counter()
        data = dataset(size, on=on)
        replace_all(db, data)
        if size == "county":  # the demo's referral history and cohort, for the forecast map
            from planner.demo import generate_history

            history = generate_history(county="Gloucestershire", seed=1, on=on)
            replace_history(db, history.referrals, history.cohort)
        for role in ROLES:
            user = db.scalar(select(User).where(User.username == role))
            if user is None:
                db.add(User(username=role, role=role, password_hash=hash_password(password)))
            else:
                user.role, user.active, user.password_hash = role, True, hash_password(password)
        db.commit()
        seconds["load"] = time.perf_counter() - t
    if match:  # as an officer does: sign in, press "Run matching"
        client = app.test_client()
        client.post("/login", data={"username": "officer", "password": password})
        t = time.perf_counter()
        response = client.post("/matching/run")
        seconds["run_matching"] = time.perf_counter() - t
        if response.status_code != 303:
            raise RuntimeError(f"running matching answered {response.status_code}")
    return Loaded(app, len(data.people), len(data.schemes), seconds)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load_db", description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="england", choices=["county", "region", "england"])
    ap.add_argument("--url", required=True, help="database URL, e.g. sqlite:///bench/england.sqlite")
    ap.add_argument("--password", default="bench", help="password of the four users")
    ap.add_argument("--date", default=ON.isoformat(), help="match date (the app's TODAY when served)")
    ap.add_argument("--no-match", action="store_true", help="do not run matching after loading")
    args = ap.parse_args()
    loaded = load(args.url, args.size, on=date.fromisoformat(args.date), password=args.password,
                  match=not args.no_match)  # fmt: skip
    times = ", ".join(f"{k} {v:.1f} s" for k, v in loaded.seconds.items())
    print(f"Loaded {loaded.people:,} young people and {loaded.schemes:,} schemes into {args.url} ({times}).")
    print(f"Serve: DATABASE_URL={args.url} SECRET_KEY=bench planner serve --date {args.date}")


if __name__ == "__main__":
    main()
