"""The batch answer behind "others displaced" on a person's page (`planner.match.options`).

The latest matching run keeps its answer; it is used while the data (`web.core.versions`), the date
and the horizon are those it was solved for. Otherwise (after a confirmation, an edit or an
import, or on another day) the batch is solved for the data as they are now, once: the answer is
kept in this process for that data version, so only the first page after a change waits for it.
Answers read or solved are held for the last few keys (an England-scale answer is about 15 MB).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from planner.match.options import batch_answer
from planner.match.solution import BatchAnswer
from web.core import versions
from web.core.store import people_frame, schemes_frame
from web.officer.decisions import latest_run

KEEP: Final = 2


def for_today(db: Session, *, on: date, horizon_days: int) -> BatchAnswer:
    """The batch answer for the waiting list and schemes as they are now."""
    version = versions.current(db)  # before the data: see web.core.versions
    run = latest_run(db)
    usable = run is not None and (run.data_version, run.match_date, run.horizon_days, run.objective) == (
        version,
        on,
        horizon_days,
        "default",
    )

    def make() -> BatchAnswer:
        if usable and run is not None and run.answer is not None:  # the deferred column loads here
            answer = BatchAnswer.from_bytes(run.answer)
            if answer is not None:  # else kept in a format this release does not read: solved
                return answer
        people, schemes = people_frame(db), schemes_frame(db, with_vacancies_only=True, on=on)
        return batch_answer(people, schemes, on=on, horizon_days=horizon_days)

    key = ("run", run.id) if usable and run is not None else ("solved", on, horizon_days)
    return versions.kept(db, "batch_answers", key, make, keep=KEEP, version=version)
