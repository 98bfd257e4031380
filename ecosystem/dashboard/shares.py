"""Task shares in the form the city reports them: "of 168 tasks, 105 done (62.5%), …",
computed live with the counts behind them, and the filtered task list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.formatting import format_date, to_local
from ecosystem.core.models import utcnow
from ecosystem.dashboard.labels import dash_label
from ecosystem.dashboard.models import SteeringTask, TaskSource, TaskStatus
from ecosystem.extensions import db

OPEN_STATUSES = (TaskStatus.not_started, TaskStatus.in_progress)


def today() -> dt.date:
    return to_local(utcnow()).date()


@dataclass(frozen=True)
class Shares:
    total: int
    counts: dict[TaskStatus, int]
    overdue: int

    def percent(self, status: TaskStatus) -> float:
        return 100 * self.counts.get(status, 0) / self.total if self.total else 0.0

    @property
    def overdue_percent(self) -> float:
        return 100 * self.overdue / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "overdue": self.overdue,
            "statuses": [
                {
                    "status": status.value,
                    "count": self.counts.get(status, 0),
                    "percent": round(self.percent(status), 2),
                }
                for status in TaskStatus
            ],
        }


def task_filter(
    unit: str = "", source: str = "", status: str = "", overdue: bool = False
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if unit:
        where.append(SteeringTask.unit == unit)
    if source in TaskSource.__members__:
        where.append(SteeringTask.source == TaskSource(source))
    if status in TaskStatus.__members__:
        where.append(SteeringTask.status == TaskStatus(status))
    if overdue:
        where.extend(overdue_condition())
    return where


def overdue_condition(on: dt.date | None = None) -> list[sa.ColumnElement[bool]]:
    return [
        SteeringTask.deadline < (on or today()),
        SteeringTask.status.in_(OPEN_STATUSES),
    ]


def compute_shares(*where: sa.ColumnElement[bool], on: dt.date | None = None) -> Shares:
    rows = db.session.execute(
        sa.select(SteeringTask.status, sa.func.count()).where(*where).group_by(SteeringTask.status)
    ).all()
    counts = {TaskStatus(status): n for status, n in rows}
    overdue = db.session.scalar(
        sa.select(sa.func.count()).select_from(SteeringTask).where(*where, *overdue_condition(on))
    )
    return Shares(total=sum(counts.values()), counts=counts, overdue=overdue or 0)


def units() -> list[str]:
    return list(
        db.session.scalars(sa.select(SteeringTask.unit).distinct().order_by(SteeringTask.unit))
    )


def task_rows(tasks: list[SteeringTask]) -> tuple[list[str], list[list[Any]]]:
    """The task list as a table (for CSV/xlsx), in the user's language."""

    header = [
        _("Mã"),
        _("Nội dung nhiệm vụ"),
        _("Văn bản giao"),
        _("Số, ký hiệu văn bản"),
        _("Đơn vị chủ trì"),
        _("Thời hạn"),
        _("Loại nhiệm vụ"),
        _("Tình trạng"),
        _("Quá hạn"),
    ]
    now = today()
    rows = [
        [
            t.code,
            t.title,
            dash_label(t.source),
            t.source_ref,
            t.unit,
            format_date(t.deadline) if t.deadline else "",
            dash_label(t.kind),
            dash_label(t.status),
            _("Có") if t.is_overdue(now) else "",
        ]
        for t in tasks
    ]
    return header, rows
