"""Translated names of the dashboard's controlled values."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ecosystem.dashboard.models import TaskKind, TaskSource, TaskStatus

# Per enum: string enums with equal values (TaskKind.recurring == TaskStatus.recurring)
# would collide as keys of one dict.
LABELS: dict[type[enum.Enum], dict[enum.Enum, object]] = {
    TaskSource: {
        TaskSource.resolution_57: _l("Nghị quyết 57-NQ/TW"),
        TaskSource.plan_02: _l("Kế hoạch 02-KH/BCĐTW"),
        TaskSource.conclusion: _l("Thông báo kết luận"),
    },
    TaskKind: {
        TaskKind.one_off: _l("Có thời hạn"),
        TaskKind.recurring: _l("Thường xuyên"),
    },
    TaskStatus: {
        TaskStatus.not_started: _l("Chưa triển khai"),
        TaskStatus.in_progress: _l("Đang triển khai"),
        TaskStatus.done: _l("Đã hoàn thành"),
        TaskStatus.recurring: _l("Thường xuyên, đang thực hiện"),
    },
}
TONES = {
    TaskStatus.not_started: "secondary",
    TaskStatus.in_progress: "warning",
    TaskStatus.done: "success",
    TaskStatus.recurring: "info",
}


def dash_label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    return str(LABELS.get(type(value), {}).get(value, value.value))


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(member.value, dash_label(member)) for member in enum_cls]
