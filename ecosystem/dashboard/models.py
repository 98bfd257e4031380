"""The steering committee's records: tasks assigned to the city, their progress reports and
status history, targets per indicator and year, and the S&T budget figures.

Indicators themselves are not stored: they are computed from the other features' records
(``dashboard.indicators``). Amounts are whole đồng; datetimes UTC.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecosystem.core.models import Base, TimestampMixin, enum_column, utcnow


class TaskSource(enum.StrEnum):
    resolution_57 = "resolution_57"  # Nghị quyết 57-NQ/TW
    plan_02 = "plan_02"  # Kế hoạch 02-KH/BCĐTW
    conclusion = "conclusion"  # a conclusion notice (thông báo kết luận)


class TaskKind(enum.StrEnum):
    one_off = "one_off"
    recurring = "recurring"


class TaskStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    recurring = "recurring"  # a recurring task being carried out on schedule


class SteeringTask(TimestampMixin, Base):
    __tablename__ = "steering_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    source: Mapped[TaskSource] = mapped_column(enum_column(TaskSource), index=True)
    source_ref: Mapped[str] = mapped_column(sa.String(200), default="")  # e.g. "TB 123-TB/TU"
    unit: Mapped[str] = mapped_column(sa.String(200), index=True)  # the responsible unit
    deadline: Mapped[dt.date | None] = mapped_column(index=True)
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind), default=TaskKind.one_off)
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus), default=TaskStatus.not_started, index=True
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    reports: Mapped[list[TaskReport]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="TaskReport.reported_on.desc(), TaskReport.id.desc()",
    )
    changes: Mapped[list[TaskStatusChange]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="TaskStatusChange.changed_at.desc(), TaskStatusChange.id.desc()",
    )

    __table_args__ = (
        # A one-off task has a deadline; a recurring one may run without an end date.
        sa.CheckConstraint("kind = 'recurring' OR deadline IS NOT NULL", name="one_off_deadline"),
    )

    def is_overdue(self, today: dt.date) -> bool:
        return (
            self.deadline is not None
            and self.deadline < today
            and self.status in (TaskStatus.not_started, TaskStatus.in_progress)
        )


class TaskReport(Base):
    """A progress report on a task: what was done, by when, with its evidence."""

    __tablename__ = "steering_task_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("steering_tasks.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[dt.date] = mapped_column()
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus, name="report_status"))
    text: Mapped[str] = mapped_column(sa.Text)
    # A document number or address when the evidence is not a file (e.g. "BC 12/BC-SKHCN").
    evidence_ref: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    task: Mapped[SteeringTask] = relationship(back_populates="reports")
    files: Mapped[list[TaskEvidence]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin"
    )


class TaskEvidence(Base):
    __tablename__ = "steering_task_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("steering_task_reports.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[TaskReport] = relationship(back_populates="files")


class TaskStatusChange(Base):
    """The history of a task's status: every change, who made it and why."""

    __tablename__ = "steering_task_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("steering_tasks.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[TaskStatus | None] = mapped_column(
        enum_column(TaskStatus, name="change_from")
    )
    to_status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus, name="change_to"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("steering_task_reports.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")

    task: Mapped[SteeringTask] = relationship(back_populates="changes")


class TaskImport(Base):
    """A task spreadsheet checked row by row (dry run); written only when confirmed, and only
    when every row passed."""

    __tablename__ = "steering_task_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default="ready")  # ready, applied, cancelled
    total_rows: Mapped[int] = mapped_column(default=0)
    # [{"row": 2, "data": {...}}] and [{"row": 3, "errors": {"status": "..."}}]
    valid_rows: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    rejected_rows: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (
        sa.CheckConstraint("state IN ('ready', 'applied', 'cancelled')", name="state"),
    )


class IndicatorTarget(TimestampMixin, Base):
    __tablename__ = "indicator_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(sa.String(64))
    year: Mapped[int] = mapped_column()
    value: Mapped[float] = mapped_column(sa.Float)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("indicator", "year", name="indicator_year"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )


class BudgetFigure(TimestampMixin, Base):
    """The city's spending on S&T, innovation and digital transformation in one year,
    against its total budget spending, as the secretariat entered them with their source."""

    __tablename__ = "st_budget_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    st_spending: Mapped[int] = mapped_column(sa.BigInteger)
    total_spending: Mapped[int] = mapped_column(sa.BigInteger)
    source: Mapped[str] = mapped_column(sa.String(500))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint("total_spending > 0", name="total_positive"),
        sa.CheckConstraint(
            "st_spending >= 0 AND st_spending <= total_spending", name="share_at_most_all"
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    @property
    def share_percent(self) -> float:
        return 100 * self.st_spending / self.total_spending
