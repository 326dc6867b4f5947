"""planner.match.threads: work handed to a few threads comes back in order, a few at a time."""

from __future__ import annotations

import threading
import time

import pytest

from planner.match import threads as threads_module
from planner.match.threads import by_span, in_order, threads


def test_results_come_back_in_the_items_order_whoever_finishes_first() -> None:
    def slow_first(i: int) -> int:
        time.sleep(0.02 if i % 3 == 0 else 0)
        return i * i

    assert list(in_order(slow_first, range(12), workers=3)) == [i * i for i in range(12)]


def test_no_more_than_the_workers_run_at_once() -> None:
    running, most, lock = [0], [0], threading.Lock()

    def work(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1
        return i

    assert list(in_order(work, range(20), workers=2)) == list(range(20))
    assert most[0] == 2


def test_an_error_in_one_item_reaches_the_caller() -> None:
    def work(i: int) -> int:
        if i == 5:
            raise ValueError("item 5")
        return i

    with pytest.raises(ValueError, match="item 5"):
        list(in_order(work, range(10), workers=2))


def test_one_thread_or_one_item_runs_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    here = threading.get_ident()
    assert list(in_order(lambda i: threading.get_ident(), range(3), workers=1)) == [here] * 3
    assert list(in_order(lambda i: threading.get_ident(), range(1), workers=4)) == [here]
    monkeypatch.setenv("PLANNER_THREADS", "1")
    assert threads() == 1
    assert list(in_order(lambda i: threading.get_ident(), range(3))) == [here] * 3
    monkeypatch.setenv("PLANNER_THREADS", "3")
    assert threads() == 3
    monkeypatch.setenv("PLANNER_THREADS", "none")  # not a count: the machine's cores, at most 2
    assert 1 <= threads() <= 2


@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_spans_cover_every_element_once_in_order(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    monkeypatch.setattr(threads_module, "SPAN_MIN", 1)
    monkeypatch.setenv("PLANNER_THREADS", "3")
    spans = by_span(lambda span: list(range(n))[span], n)
    assert [i for part in spans for i in part] == list(range(n))
    assert len(spans) == (min(3, n) if n else 1)
