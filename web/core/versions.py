"""The data version: a number raised in the same transaction as any change to the young people,
the schemes, the placement ledger (placements and providers' vacancy figures), the referral
history or the cohort, whichever code makes it (session events catch both ORM changes and bulk
statements), so that what is worked out from them (the batch answer a matching run keeps, the
forecast map) is reused exactly while they are unchanged.

Read the version before the data it keys: a change committed in between then makes a result look
older than it is (it is worked out again next time), never newer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from web.core.models import DataVersion, utcnow

TRACKED: Final = frozenset(
    {"young_people", "schemes", "placements", "vacancy_figures", "referrals", "cohort"}
)
_CHANGED: Final = "planner_data_changed"
T = TypeVar("T")
_KEPT_LOCK = threading.Lock()


def current(db: Session) -> int:
    return db.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


def kept(
    db: Session, name: str, key: Hashable, make: Callable[[], T], *, keep: int = 4, version: int | None = None
) -> T:
    """`make()`, worked out once in this process per data version and `key` (what else it
    depends on: the date, the horizon, a filter) and reused while the data are unchanged; the
    `keep` latest of `name` are kept. What is kept is shared between requests: never change it.

    A session that has changed tracked data and not yet committed reads its own changes, which
    no version names yet: it always works `make()` out afresh. `version`: `current(db)`, when
    the caller has read it already (before the data it keys)."""
    if version is None:
        version = current(db)  # before the data `make` reads; flushes this session's own changes
    if db.info.get(_CHANGED):
        return make()
    full = (version, key)
    store: OrderedDict[Hashable, Any] = current_app.extensions.setdefault(f"kept_{name}", OrderedDict())
    with _KEPT_LOCK:
        if full in store:
            store.move_to_end(full)
            return store[full]  # type: ignore[no-any-return]
    value = make()  # outside the lock: two threads may both work it out, never wait on each other
    with _KEPT_LOCK:
        store[full] = value
        while len(store) > keep:
            store.popitem(last=False)
    return value


def _touches(instance: Any) -> bool:
    return getattr(instance, "__tablename__", None) in TRACKED


def track(sessions: sessionmaker[Session]) -> None:
    """Raise the version in every transaction of `sessions` that changes a tracked table."""

    @event.listens_for(sessions, "do_orm_execute")
    def _statement(state: ORMExecuteState) -> None:
        table = getattr(state.statement, "table", None)  # INSERT, UPDATE and DELETE name one
        if (state.is_insert or state.is_update or state.is_delete) and getattr(
            table, "name", None
        ) in TRACKED:
            state.session.info[_CHANGED] = True

    @event.listens_for(sessions, "before_flush")
    def _unit_of_work(session: Session, _context: Any, _instances: Any) -> None:
        changed = any(_touches(o) for o in (*session.new, *session.deleted)) or any(
            _touches(o) and session.is_modified(o) for o in session.dirty
        )
        if changed:
            session.info[_CHANGED] = True

    @event.listens_for(sessions, "before_commit")
    def _raise(session: Session) -> None:
        session.flush()  # pending changes go through before_flush first
        if session.info.pop(_CHANGED, False):
            done = session.execute(
                update(DataVersion)
                .where(DataVersion.id == 1)
                .values(version=DataVersion.version + 1, changed_at=utcnow())  # fmt: skip
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]  # the row was removed (an emptied database)
                session.execute(insert(DataVersion).values(id=1, version=1, changed_at=utcnow()))

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_CHANGED, None)
