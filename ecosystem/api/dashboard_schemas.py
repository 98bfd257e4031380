"""Field lists of the steering committee's API resources: tasks (public fields for
everyone, progress reports and history for the committee) and indicators."""

from __future__ import annotations

from typing import Any

from ecosystem.api.schemas import ID, UPDATED, Field, serialize_fields
from ecosystem.dashboard.models import TaskKind, TaskSource, TaskStatus
from ecosystem.dashboard.permissions import can_view_dashboard
from ecosystem.dashboard.shares import today


def _out(name: str, type_: str, **kwargs: Any) -> Field:
    return Field(name, type_, read_only=True, **kwargs)


def _values(enum_cls: type) -> tuple[str, ...]:
    return tuple(m.value for m in enum_cls)


def _reports(user: Any, task: Any) -> list[dict[str, Any]] | None:
    if not can_view_dashboard(user):
        return None
    return [
        {
            "reported_on": r.reported_on.isoformat(),
            "status": r.status.value,
            "text": r.text,
            "evidence_ref": r.evidence_ref,
            "files": [f.filename for f in r.files],
        }
        for r in task.reports
    ]


def _history(user: Any, task: Any) -> list[dict[str, Any]] | None:
    if not can_view_dashboard(user):
        return None
    return [
        {
            "changed_at": c.changed_at.isoformat().replace("+00:00", "Z"),
            "from": c.from_status.value if c.from_status else None,
            "to": c.to_status.value,
            "reason": c.reason,
        }
        for c in reversed(task.changes)
    ]


COMMITTEE = (
    "null unless the token belongs to the steering committee, its secretariat or an administrator"
)
TASK_FIELDS: tuple[Field, ...] = (
    ID,
    _out("code", "string"),
    _out("title", "string"),
    _out("source", "string", enum=_values(TaskSource)),
    _out("source_ref", "string"),
    _out("unit", "string", description="Responsible unit"),
    _out("deadline", "date", nullable=True),
    _out("kind", "string", enum=_values(TaskKind)),
    _out("status", "string", enum=_values(TaskStatus)),
    _out(
        "overdue",
        "boolean",
        get=lambda user, task: task.is_overdue(today()),
        description="Past its deadline and not done",
    ),
    _out(
        "note",
        "string",
        nullable=True,
        get=lambda user, task: task.note if can_view_dashboard(user) else None,
        description=COMMITTEE,
    ),
    _out("reports", "array", items="object", nullable=True, get=_reports, description=COMMITTEE),
    _out("history", "array", items="object", nullable=True, get=_history, description=COMMITTEE),
    UPDATED,
)


def serialize_task(task: Any, user: Any) -> dict[str, Any]:
    return serialize_fields(TASK_FIELDS, task, user)
