"""The commissioners' scenarios and their background runs (tables beside `web.core.models`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.core.models import Base, utcnow


class ScenarioRecord(Base):
    """A commissioner's scenario: its YAML (the format of data/scenarios/, without `data`:
    the app simulates the young people, schemes and referrals in its own database)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    yaml_text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioRun(Base):
    """One run of a scenario with its baseline, in the background: status, progress, results.

    Results are kept as the CSV text `planner scenario` writes, so downloads are exactly those
    files, and as the chart, drawn once when the run finishes."""

    __tablename__ = "scenario_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed','cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    yaml_text: Mapped[str] = mapped_column(Text)  # as run, even if the scenario is edited later
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Who runs it ("host:pid:start"), so a restarted service knows a run whose process is gone.
    runner: Mapped[str] = mapped_column(String(100), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # starts, counting restarts
    summary_csv: Mapped[str] = mapped_column(Text, default="")
    by_district_csv: Mapped[str] = mapped_column(Text, default="")
    by_month_csv: Mapped[str] = mapped_column(Text, default="")
    chart_svg: Mapped[str] = mapped_column(Text, default="")
