"""Short notes officers add to a young person's record: to a decision (its audit entry) or to the
record as a whole. Kept apart from the audit log, which records what was done and is never
edited; a note says why, or what happened next, in the officer's words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.core.models import Base, utcnow

NOTE_MAX = 500  # characters: a short note, not a case file


class Note(Base):
    """A note on a decision about a young person (`event_id`: the decision's audit entry)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("audit_events.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
