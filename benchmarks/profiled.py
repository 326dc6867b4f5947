"""The web app with its SQL counted per request, for `python -m benchmarks.load --profile DIR`
only (gunicorn serves `benchmarks.profiled:create_app()` instead of `web:create_app()`).

Every request's statements are counted and timed through SQLAlchemy's cursor events, by route
(the URL rule, so every young person's page is one row); each worker writes its totals to
`$PLANNER_PROFILE_DIR/sql-<pid>.json` every few seconds and as it stops. `summarise()` adds the
workers' files together. The product itself carries none of this: a hook on every statement is
for finding where the time goes, not for serving.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, request
from sqlalchemy import event

_local = threading.local()
_lock = threading.Lock()
# route -> [requests, statements, seconds in SQL, seconds in all]
_routes: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
# a statement with its literals taken out -> [executions, seconds]
_statements: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_NUMBERS = re.compile(r"\b\d+\b")
_keys: dict[str, str] = {}
WRITE_EVERY_SECONDS = 5.0


def create_app() -> Flask:
    from web import create_app as product
    from web.core.db import engine_of

    app = product()
    engine = engine_of(app)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        _local.started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        spent = time.perf_counter() - getattr(_local, "started", time.perf_counter())
        if getattr(_local, "counting", False):
            _local.statements += 1
            _local.sql_seconds += spent
        key = _keys.get(statement)
        if key is None:  # the regular expression once per text, not per execution
            key = _keys[statement] = _NUMBERS.sub("?", " ".join(statement.split()))[:400]
        with _lock:
            _statements[key][0] += 1
            _statements[key][1] += spent

    @app.before_request
    def _start() -> None:
        _local.counting, _local.statements, _local.sql_seconds = True, 0, 0.0
        _local.request_started = time.perf_counter()

    @app.teardown_request
    def _end(_exc: BaseException | None) -> None:
        if not getattr(_local, "counting", False):
            return
        _local.counting = False
        route = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
        with _lock:
            row = _routes[route]
            row[0] += 1
            row[1] += _local.statements
            row[2] += _local.sql_seconds
            row[3] += time.perf_counter() - _local.request_started
        _write_now_and_then()

    atexit.register(_write)
    return app


_written = [0.0]


def _write_now_and_then() -> None:
    if time.monotonic() - _written[0] >= WRITE_EVERY_SECONDS:
        _written[0] = time.monotonic()
        _write()


def _write() -> None:
    folder = os.environ.get("PLANNER_PROFILE_DIR")
    if not folder:
        return
    with _lock:
        body = {"routes": dict(_routes), "statements": dict(_statements)}
    path = Path(folder) / f"sql-{os.getpid()}.json"
    path.with_suffix(".tmp").write_text(json.dumps(body))
    path.with_suffix(".tmp").replace(path)


def summarise(folder: Path, print_: Callable[[str], Any] = print, top: int = 15) -> None:
    """The workers' SQL files added together: statements per request by route, then the
    statements run most often and those taking longest in all."""
    routes: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    statements: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in sorted(folder.glob("sql-*.json")):
        body = json.loads(path.read_text())
        _add(routes, body["routes"].items())
        _add(statements, body["statements"].items())
    print_("| route | requests | statements a request | ms in SQL a request | ms in the app a request |")
    print_("|---|---|---|---|---|")
    for route, (n, count, sql, total) in sorted(routes.items(), key=lambda r: -r[1][3]):
        print_(f"| {route} | {n:.0f} | {count / n:.1f} | {1000 * sql / n:.1f} | {1000 * total / n:.1f} |")
    for title, order in (("most often", 0), ("longest in all", 1)):
        print_(f"\nStatements run {title}:\n")
        print_("| executions | seconds | statement |")
        print_("|---|---|---|")
        for text, (n, seconds) in sorted(statements.items(), key=lambda s: -s[1][order])[:top]:
            print_(f"| {n:.0f} | {seconds:.2f} | `{text[:160]}` |")


def _add(into: dict[str, list[float]], rows: Iterable[tuple[str, list[float]]]) -> None:
    for key, values in rows:
        into[key] = [a + b for a, b in zip(into[key], values, strict=True)]


def summarise_stacks(path: Path, print_: Callable[[str], Any] = print, top: int = 40) -> None:
    """py-spy's raw stacks (`--format raw`: frames joined by `;`, then the samples) as the
    functions holding the workers' CPU: in their stack (inclusive) and at its top (self)."""
    inclusive: dict[str, int] = defaultdict(int)
    own: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = [_frame(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    print_(f"{total:,} samples of the workers' busy threads\n")
    print_("| function | in its stack | at its top |")
    print_("|---|---|---|")
    for frame, n in sorted(inclusive.items(), key=lambda f: -f[1])[:top]:
        print_(f"| `{frame}` | {100 * n / total:.1f}% | {100 * own[frame] / total:.1f}% |")


_SITE = re.compile(r".*/(site-packages|lib/python3\.\d+)/")


def _frame(frame: str) -> str:
    """`function (path:line)` as `function (module path)`: one row per function, not per line."""
    name, _, where = frame.partition(" (")
    file = _SITE.sub("", where.rsplit(":", 1)[0])
    file = re.sub(r".*/(web|planner|benchmarks)/", r"\1/", file)
    return f"{name} ({file})"
