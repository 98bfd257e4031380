"""Translated names of the fund's states, for pages, letters and exports."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    CallState,
    MilestoneState,
    PartnerRole,
)

A = ApplicationState
LABELS: list[tuple[enum.Enum, object]] = [
    (CallState.draft, _l("Bản nháp")),
    (CallState.open, _l("Đang nhận hồ sơ")),
    (CallState.closed, _l("Đã đóng, đang xét chọn")),
    (CallState.decided, _l("Đã có kết quả")),
    (A.draft, _l("Bản nháp")),
    (A.submitted, _l("Đã nộp")),
    (A.screening, _l("Đang sơ loại")),
    (A.info_requested, _l("Chờ bổ sung")),
    (A.ineligible, _l("Không hợp lệ")),
    (A.under_review, _l("Đang thẩm định")),
    (A.committee, _l("Chờ Hội đồng")),
    (A.approved, _l("Được phê duyệt")),
    (A.rejected, _l("Không được phê duyệt")),
    (A.waitlisted, _l("Danh sách chờ")),
    (A.withdrawn, _l("Đã rút")),
    (A.contracted, _l("Đã ký hợp đồng")),
    (A.in_progress, _l("Đang thực hiện")),
    (A.closed, _l("Đã nghiệm thu")),
    (A.terminated, _l("Đã chấm dứt")),
    (AssignmentState.invited, _l("Được mời")),
    (AssignmentState.accepted, _l("Đã nhận thẩm định")),
    (AssignmentState.declined, _l("Từ chối (xung đột lợi ích)")),
    (AssignmentState.submitted, _l("Đã nộp nhận xét")),
    (MilestoneState.planned, _l("Chưa đến hạn báo cáo")),
    (MilestoneState.reported, _l("Đã báo cáo, chờ duyệt")),
    (MilestoneState.changes_requested, _l("Cần chỉnh sửa")),
    (MilestoneState.accepted, _l("Đã chấp nhận")),
    (MilestoneState.paid, _l("Đã giải ngân")),
    (PartnerRole.enterprise, _l("Doanh nghiệp")),
    (PartnerRole.research, _l("Tổ chức nghiên cứu")),
    (PartnerRole.other, _l("Khác")),
]

# Bootstrap badge colours by outcome, so a list reads at a glance.
_TONES: list[tuple[enum.Enum, str]] = [
    (A.approved, "success"),
    (A.contracted, "success"),
    (A.in_progress, "primary"),
    (A.closed, "success"),
    (A.rejected, "danger"),
    (A.ineligible, "danger"),
    (A.terminated, "danger"),
    (A.info_requested, "warning"),
    (A.waitlisted, "warning"),
    (CallState.open, "success"),
    (MilestoneState.changes_requested, "warning"),
    (MilestoneState.paid, "success"),
    (MilestoneState.accepted, "info"),
]


# The states are StrEnums: ApplicationState.submitted == AssignmentState.submitted ==
# "submitted" as dictionary keys, so look up by (enum class, value).
_BY_CLASS = {(type(k), k.value): v for k, v in LABELS}
_TONE_BY_CLASS = {(type(k), k.value): v for k, v in _TONES}


def fund_label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    return str(_BY_CLASS.get((type(value), value.value), value.value))


def fund_tone(value: enum.Enum | None) -> str:
    if value is None:
        return "secondary"
    return _TONE_BY_CLASS.get((type(value), value.value), "secondary")
