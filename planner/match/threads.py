"""A few threads for numpy work: most of numpy's array operations and OR-Tools' solves release
the GIL, so on a machine with two or more cores blocks of arrays can be worked on side by side.

`PLANNER_THREADS` (environment) caps them; 1 turns threading off. Default: the cores this process
may use, at most 2 (a third thread gained nothing on the England instance's blocks and costs
memory: each block in flight holds its temporaries).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def threads() -> int:
    """How many threads numpy work may use: PLANNER_THREADS, else the usable cores (at most 2)."""
    given = os.environ.get("PLANNER_THREADS", "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    return max(
        1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


def in_order(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """`fn` of each item, in the items' order, with at most `workers` running at once (and so at
    most that many results held): memory stays that of a few blocks whatever the number of items.
    With one worker, plainly in this thread."""
    items = list(items)
    workers = min(len(items), threads() if workers is None else workers)
    if workers <= 1:  # one block (a county's weekly panel): no pool to start
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planner") as pool:
        running: deque[Future[R]] = deque()
        for item in items:
            running.append(pool.submit(fn, item))
            if len(running) >= workers:
                yield running.popleft().result()
        while running:
            yield running.popleft().result()


SPAN_MIN = 200_000  # elements below which one thread does it all (starting threads costs more)


def by_span(fn: Callable[[slice], R], n: int) -> list[R]:
    """`fn` of each of a few equal spans of 0..n, side by side in threads: for array work over
    millions of arcs (each span's gathers and arithmetic release the GIL)."""
    parts = threads() if n >= SPAN_MIN else 1
    step = max(1, -(-n // parts))
    return list(in_order(fn, [slice(a, min(a + step, n)) for a in range(0, max(n, 1), step)]))


def in_background(fn: Callable[[], R]) -> Future[R]:
    """`fn` started in a thread of its own while the caller goes on; `.result()` waits for it and
    raises what it raised. For work that writes files or sorts arrays (I/O and numpy release the
    GIL) beside work that does not need its result."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-background")
    try:
        return pool.submit(fn)
    finally:
        pool.shutdown(wait=False)  # the thread ends when `fn` does
