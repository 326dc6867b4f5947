"""The commissioners' scenarios and commissioning plans, and their background runs (tables beside
`web.core.models`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.core.models import Base, utcnow


class ScenarioRecord(Base):
    """A commissioner's scenario or commissioning plan: its YAML (the format of data/scenarios/,
    without `data`: the app simulates the young people, schemes and referrals in its own database).

    A commissioning plan (`kind` "commission") is a scenario with a weekly `budget`: its runs
    choose where to buy places (`planner commission`), from the YAML's `candidates` or the
    defaults. The two share one list of names, and are copied, renamed and deleted alike."""

    __tablename__ = "scenarios"
    __table_args__ = (CheckConstraint("kind IN ('scenario','commission')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="scenario", server_default="scenario")
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)  # GBP a week, plans only
    description: Mapped[str] = mapped_column(Text, default="")
    yaml_text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioRun(Base):
    """One run in the background: a scenario with its baseline (`kind` "scenario"), a commissioning
    plan (`kind` "plan", with its `budget`) or the forecast the map and the forecast tables show
    (`kind` "forecast", no scenario: one per data version, date and horizon, its `job_key`).
    Status, progress and results are here, so any request from any worker process can show them
    and a run survives a restart (`web.commissioner.scenario_runs`).

    Results are kept as the CSV text `planner scenario`, `planner commission` and `planner forecast`
    write, so downloads are exactly those files, and as the chart, drawn once when the run finishes.
    A forecast keeps its table in `summary_csv`, its fan-chart quantiles in `by_district_csv`, its
    age bands in `by_month_csv` and its notes in `message`."""

    __tablename__ = "scenario_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed','cancelled')", name="status"),
        CheckConstraint("kind IN ('scenario','plan','forecast')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="scenario", server_default="scenario")
    job_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
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
    # A commissioning plan's run: what to buy, the simple rule's purchases, and what each saves
    # against buying nothing (per-run differences, so the intervals are of the saving itself).
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)  # a plan's, as run; None: a scenario
    plan_csv: Mapped[str] = mapped_column(Text, default="", server_default="")
    rule_csv: Mapped[str] = mapped_column(Text, default="", server_default="")
    savings_csv: Mapped[str] = mapped_column(Text, default="", server_default="")
