"""Translated names of the labs' values, for pages and exports."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ecosystem.labs.models import BookingState, DowntimeKind, FeeUnit, UserKind

B = BookingState
LABELS: dict[enum.Enum, object] = {
    B.requested: _l("Chờ phê duyệt"),
    B.approved: _l("Đã phê duyệt"),
    B.rejected: _l("Không được phê duyệt"),
    B.checked_in: _l("Đang sử dụng"),
    B.completed: _l("Đã hoàn thành"),
    B.cancelled: _l("Đã hủy"),
    B.no_show: _l("Vắng mặt"),
    DowntimeKind.maintenance: _l("Bảo trì"),
    DowntimeKind.breakdown: _l("Sự cố, hỏng hóc"),
    FeeUnit.hour: _l("giờ"),
    FeeUnit.sample: _l("mẫu"),
    UserKind.research: _l("Đơn vị nghiên cứu"),
    UserKind.enterprise: _l("Doanh nghiệp"),
    UserKind.startup: _l("Khởi nghiệp"),
}
TONES = {
    B.requested: "warning",
    B.approved: "primary",
    B.rejected: "secondary",
    B.checked_in: "info",
    B.completed: "success",
    B.cancelled: "secondary",
    B.no_show: "danger",
}


def lab_label(value: enum.Enum) -> str:
    return str(LABELS.get(value, value.value))


def lab_tone(value: enum.Enum) -> str:
    return TONES.get(value, "secondary")
