"""`python -m benchmarks.load`: the web app under gunicorn, as the README's operations section
deploys it, with N signed-in users going over the main pages for S seconds.

A small load generator of our own (threads, `http.client` with keep-alive, one connection per
user): each user signs in through the real form with its CSRF token, like a person, then asks
for its role's pages in turn without pausing (a harsher load than people reading pages). No
extra dependency, and per-page percentiles come out directly; locust or wrk would add a
dependency (locust brings gevent) or could not sign in through a form (wrk).

The database is a fresh SQLite file (or --database-url, e.g. PostgreSQL) migrated with
`planner db upgrade`, loaded with the demo county and its referral history, with real users
made by `planner users create`, and matching run once. Officers confirm the proposals of that
run as they go (every fifth request, each officer its own share, through the check page and its
form): placements are written under load, and a place another took first is a 409, not an
error. Prints requests a second, p50/p95/p99, errors and placements written, overall and by
page, as Markdown for benchmarks/README.md.

    python -m benchmarks.load [--users 20] [--seconds 60] [--workers 2] [--threads 4] [--contest]
                              [--profile DIR]

With --contest every proposal is confirmed by two officers within moments of each other:
placements written must still be one per proposal, the other refused (409). Every run ends by
counting places given beyond those free and young people placed twice (both must be 0).

With --profile DIR, gunicorn serves `benchmarks.profiled:create_app()` (the same app with every
request's SQL counted by route) and py-spy samples the workers for the whole run: DIR gets the
raw stacks and the SQL files, and their summaries are printed after the timings. The profiled
run's own timings are a little slower; compare fixes on runs without it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
PASSWORD = "load-test-passphrase-2026"
CONFIRM = "/proposals/{id}/confirm"
CONFIRM_EVERY = 5  # an officer's requests: one confirmation in this many
Connection = http.client.HTTPConnection
PAGES = {
    "officer": ["/waiting-list", "/proposals", "/schemes", "/people/{person}"],
    "commissioner": ["/map", "/map?support_level=high", "/scenarios", "/schemes"],
}


class User(threading.Thread):
    """One signed-in person asking for pages until `until`; latencies by page, errors."""

    def __init__(
        self, port: int, role: str, until: float, people: list[str], n: int, proposals: list[int]
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.role, self.until, self.people, self.n = port, role, until, people, n
        self.proposals = proposals  # this officer's share of the proposals to confirm
        self.cookies: dict[str, str] = {}
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.placed = self.taken = 0  # confirmed; refused as the place was taken first (409)

    def _request(
        self, conn: http.client.HTTPConnection, method: str, path: str, body: str = ""
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        status, page = self._request(conn, "GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if status != 200 or token is None:
            self.errors.append(f"sign-in page {status}")
            return
        form = f"csrf_token={token.group(1)}&username={self.role}&password={PASSWORD}"
        status, _ = self._request(conn, "POST", "/login", form)
        if status != 302:
            self.errors.append(f"sign in {status}")
            return
        i = self.n
        while time.monotonic() < self.until:
            if self.role == "officer" and self.proposals and i % CONFIRM_EVERY == 0:
                conn = self._confirm(conn, self.proposals.pop())
                i += 1
                continue
            template = PAGES[self.role][i % len(PAGES[self.role])]
            path = template.format(person=self.people[i % len(self.people)])
            start = time.perf_counter()
            try:
                status, _ = self._request(conn, "GET", path)
            except (OSError, http.client.HTTPException) as e:
                self.errors.append(f"{template}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                continue
            self.timings[template].append(time.perf_counter() - start)
            if status != 200:
                self.errors.append(f"{template}: {status}")
            i += 1

    def _confirm(self, conn: http.client.HTTPConnection, proposal: int) -> http.client.HTTPConnection:
        """Confirm a proposal as an officer does: the check page, then its form (moving in today)."""
        path, today = f"/proposals/{proposal}/confirm", date.today()
        start = time.perf_counter()
        try:
            status, page = self._request(conn, "GET", path)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            if status == 409:  # another officer confirmed it first (--contest): refused, as it must be
                self.taken += 1
                return conn
            if status != 200 or token is None:
                self.errors.append(f"{CONFIRM}: check page {status}")
                return conn
            form = (f"csrf_token={token.group(1)}&start-day={today.day}&start-month={today.month}"
                    f"&start-year={today.year}")  # fmt: skip
            status, _ = self._request(conn, "POST", path, form)
        except (OSError, http.client.HTTPException) as e:
            self.errors.append(f"{CONFIRM}: {e}")
            conn.close()
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.timings[CONFIRM].append(time.perf_counter() - start)
        if status == 303:
            self.placed += 1
        elif status == 409:
            self.taken += 1
        else:
            self.errors.append(f"{CONFIRM}: {status}")
        return conn


def _prepare(url: str, on: date) -> tuple[list[str], list[int]]:
    """Migrate, load the demo county and its history, make the two users, run matching; the
    people's ids and the proposals of suitable places."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([BIN / "planner", "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    for role in PAGES:
        subprocess.run([BIN / "planner", "users", "create", role, "--role", role, "--password-stdin"],
                       env=env, input=PASSWORD, text=True, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    from sqlalchemy import select

    from planner.demo import generate_history
    from web import create_app
    from web.core.db import get_db
    from web.core.models import Proposal
    from web.core.models import User as Account
    from web.core.seed import demo_dataset
    from web.core.store import replace_all, replace_history
    from web.officer.decisions import run_matching

    app = create_app({"SECRET_KEY": "load", "DATABASE_URL": url, "RESUME_SCENARIO_RUNS": False, "TODAY": on})
    with app.app_context():
        db = get_db()
        data, _ = demo_dataset(on)
        history = generate_history(county="Gloucestershire", seed=1, on=on)
        replace_all(db, data)
        replace_history(db, history.referrals, history.cohort)
        db.commit()
    with app.test_request_context():  # as the officer pressing "Run matching" (its audit entry names them)
        from flask_login import login_user

        db = get_db()
        officer = db.scalar(select(Account).where(Account.username == "officer"))
        login_user(officer)
        run_matching(db, officer, on=on)
        placed = db.scalars(
            select(Proposal.id).where(Proposal.state == "proposed", Proposal.outcome == "placed")
        )
        proposals = list(placed)
    return list(data.people["person_id"][:50]), proposals


def ledger_now(url: str, on: date) -> tuple[dict[str, int], int]:
    """Each scheme's free places by the ledger's rule, as the pages count them, and the last
    placement's id: what the run starts from."""
    from sqlalchemy import func, select

    from web import create_app
    from web.core.db import get_db
    from web.core.models import Placement
    from web.core.store import schemes_frame

    app = create_app({"SECRET_KEY": "load", "DATABASE_URL": url, "RESUME_SCENARIO_RUNS": False, "TODAY": on})
    with app.app_context():
        db = get_db()
        frame = schemes_frame(db, on=on)
        last = db.scalar(select(func.max(Placement.id))) or 0
    return dict(zip(frame["scheme_id"], frame["vacancies"].astype(int), strict=True)), int(last)


def double_booked(url: str, before: tuple[dict[str, int], int]) -> tuple[int, int]:
    """After the run: places confirmed in a scheme during it beyond those it had free before,
    and young people holding two live placements at once. Both must be 0: what is tested is the
    ledger's locks, with officers confirming at the same moment."""
    from sqlalchemy import create_engine, func, select

    from web.core.models import Placement

    free, last = before
    engine = create_engine(url)
    live = Placement.undone_at.is_(None)
    with engine.connect() as conn:
        new = select(Placement.scheme_id, func.count()).where(live, Placement.id > last)
        placed = conn.execute(new.group_by(Placement.scheme_id))
        over = sum(max(0, n - free.get(s, 0)) for s, n in placed)
        holding = select(Placement.person_id).where(live, Placement.end_date.is_(None))
        doubled = holding.group_by(Placement.person_id).having(func.count() > 1).subquery()
        twice = conn.scalar(select(func.count()).select_from(doubled))
    engine.dispose()
    return over, int(twice or 0)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--contest", action="store_true", help="two officers confirm each proposal at once")
    parser.add_argument(
        "--profile", type=Path, default=None, help="folder for py-spy's stacks and SQL counts"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planner-load-"))
    url = args.database_url or f"sqlite:///{folder}/planner.sqlite"
    people, proposals = _prepare(url, date.today())
    before = ledger_now(url, date.today())
    port = _port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test", "TRUSTED_HOSTS": "127.0.0.1"}
    app = "web:create_app()"
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        env["PLANNER_PROFILE_DIR"], app = str(args.profile), "benchmarks.profiled:create_app()"
    command = [BIN / "gunicorn", "--workers", str(args.workers), "--threads", str(args.threads),
               "--bind", f"127.0.0.1:{port}", "--timeout", "120", app]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=(folder / "gunicorn.log").open("w")
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # every worker has loaded the app when several answers come back
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.5)
        time.sleep(5)
        load_before = os.getloadavg()
        sampler = _sample(server.pid, args) if args.profile else None
        until = time.monotonic() + args.seconds
        roles = list(PAGES)
        officers = (args.users + 1) // 2
        shares = [_share(proposals, k, officers, args.contest) for k in range(officers)]
        users = [
            User(port, roles[i % len(roles)], until, people, i, shares[i // 2]) for i in range(args.users)
        ]
        started = time.monotonic()
        for u in users:
            u.start()
        for u in users:
            u.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
        if sampler is not None:
            sampler.wait(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=60)
    _report(users, elapsed, args)
    over, twice = double_booked(url, before)
    print(f"Double-booked: {over} places given beyond those free; {twice} young people placed twice.")
    print(f"Load average (1 min) before / after the run: {load_before[0]:.1f} / {load_after[0]:.1f}")
    if args.profile:
        from benchmarks.profiled import summarise, summarise_stacks

        print()
        summarise(args.profile)
        print()
        summarise_stacks(args.profile / "stacks.txt")


def _share(proposals: list[int], k: int, officers: int, contest: bool) -> list[int]:
    """Officer k's proposals to confirm. With `contest` officers work in twos on the same list
    in the same order, so two officers confirm each proposal within moments of each other: one
    must be placed and the other refused (409), never both."""
    if not contest or officers < 2:
        return proposals[k::officers]
    pairs = (officers + 1) // 2
    return proposals[k // 2 :: pairs]


def _sample(pid: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """py-spy sampling gunicorn's workers (its subprocesses) for the run, non-blocking: only the
    thread holding the GIL, so the samples are the CPU work (a thread waiting for the GIL after
    a write or a query is not work)."""
    command = [BIN / "py-spy", "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--gil",
               "--format", "raw", "--rate", "50", "--duration", str(int(args.seconds)),
               "--output", str(args.profile / "stacks.txt")]  # fmt: skip
    log = (args.profile / "py-spy.log").open("w")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)


def _report(users: list[User], elapsed: float, args: argparse.Namespace) -> None:
    by_page: dict[str, list[float]] = defaultdict(list)
    for u in users:
        for page, times in u.timings.items():
            by_page[page] += times
    errors = [e for u in users for e in u.errors]
    every = [t for times in by_page.values() for t in times]
    setup = f"gunicorn --workers {args.workers} --threads {args.threads}, {os.cpu_count()} cores"
    print(f"{args.users} users for {args.seconds:.0f} s, {setup}: {len(every):,} requests in {elapsed:.1f} s")
    print()
    print("| page | requests | per second | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for page, times in [*sorted(by_page.items()), ("all pages", every)]:
        failed = len(errors) if page == "all pages" else sum(e.startswith(page + ":") for e in errors)
        p50, p95, p99 = (1000 * _percentile(times, q) for q in (50, 95, 99))
        rate = len(times) / elapsed
        print(f"| {page} | {len(times):,} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {failed} |")
    placed, taken = sum(u.placed for u in users), sum(u.taken for u in users)
    print()
    print(f"Placements written: {placed:,}; refused as another took the place first (409): {taken:,}.")
    if errors:
        print("Errors:", "; ".join(sorted(set(errors))[:10]))


if __name__ == "__main__":
    main()
