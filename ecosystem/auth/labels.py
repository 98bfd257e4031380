"""Translated names of platform roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ecosystem.auth.models import PlatformRole

ROLE_LABELS = {
    PlatformRole.admin: _l("Quản trị nền tảng (Sở KH&CN)"),
    PlatformRole.fund_manager: _l("Cán bộ quản lý quỹ"),
    PlatformRole.reviewer: _l("Chuyên gia phản biện"),
    PlatformRole.lab_manager: _l("Quản lý phòng thí nghiệm"),
    PlatformRole.steering: _l("Ban chỉ đạo"),
    PlatformRole.secretariat: _l("Tổ giúp việc Ban chỉ đạo"),
}


def role_label(role: PlatformRole) -> str:
    return str(ROLE_LABELS.get(role, role.value))
