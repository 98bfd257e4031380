"""Controlled values of the registry. Members are lowercase; labels are translated."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class RecordKind(enum.StrEnum):
    """The kinds of registry record. A StrEnum: it equals its value, so URLs, JSON, stored
    ``kind`` columns and task arguments (plain strings) meet it without conversion."""

    organisation = "organisation"
    person = "person"
    group = "group"
    result = "result"
    need = "need"
    startup = "startup"
    investor = "investor"


LISTING_KINDS = (RecordKind.result, RecordKind.need, RecordKind.startup, RecordKind.investor)


class OrgKind(enum.StrEnum):
    university = "university"
    research_institute = "research_institute"
    enterprise = "enterprise"
    startup = "startup"
    investor = "investor"
    fund = "fund"
    government_agency = "government_agency"
    lab_operator = "lab_operator"


class ListingState(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class IPStatus(enum.StrEnum):
    none = "none"
    patent_pending = "patent_pending"
    patent_granted = "patent_granted"
    utility_solution = "utility_solution"
    copyright = "copyright"
    trade_secret = "trade_secret"


class Confidentiality(enum.StrEnum):
    public = "public"  # everything visible to everyone
    members = "members"  # details visible to signed-in members of the platform
    after_introduction = "after_introduction"  # details only after an accepted introduction


class StartupStage(enum.StrEnum):
    idea = "idea"
    pre_seed = "pre_seed"
    seed = "seed"
    series_a = "series_a"
    growth = "growth"


LABELS: dict[enum.Enum, object] = {
    OrgKind.university: _l("Trường đại học"),
    OrgKind.research_institute: _l("Viện, trung tâm nghiên cứu"),
    OrgKind.enterprise: _l("Doanh nghiệp"),
    OrgKind.startup: _l("Khởi nghiệp"),
    OrgKind.investor: _l("Nhà đầu tư"),
    OrgKind.fund: _l("Quỹ"),
    OrgKind.government_agency: _l("Cơ quan nhà nước"),
    OrgKind.lab_operator: _l("Đơn vị vận hành phòng thí nghiệm"),
    ListingState.draft: _l("Bản nháp"),
    ListingState.published: _l("Đã đăng"),
    ListingState.archived: _l("Đã lưu trữ"),
    IPStatus.none: _l("Chưa đăng ký"),
    IPStatus.patent_pending: _l("Đang nộp đơn sáng chế"),
    IPStatus.patent_granted: _l("Đã được cấp bằng sáng chế"),
    IPStatus.utility_solution: _l("Giải pháp hữu ích"),
    IPStatus.copyright: _l("Quyền tác giả"),
    IPStatus.trade_secret: _l("Bí mật kinh doanh"),
    Confidentiality.public: _l("Công khai toàn bộ"),
    Confidentiality.members: _l("Chi tiết chỉ dành cho thành viên đã đăng nhập"),
    Confidentiality.after_introduction: _l("Chi tiết chỉ sau khi được giới thiệu"),
    StartupStage.idea: _l("Ý tưởng"),
    StartupStage.pre_seed: _l("Tiền hạt giống"),
    StartupStage.seed: _l("Hạt giống"),
    StartupStage.series_a: _l("Vòng A"),
    StartupStage.growth: _l("Tăng trưởng"),
}

# The EU definitions of technology readiness levels, shown next to the TRL field.
# Technology readiness levels: one range, one message, wherever a level is entered.
TRL_LEVELS = range(1, 10)
TRL_MIN, TRL_MAX = TRL_LEVELS[0], TRL_LEVELS[-1]
TRL_RANGE_MESSAGE = _l("TRL phải từ 1 đến 9.")


def is_trl(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in TRL_LEVELS


TRL_DEFINITIONS: dict[int, object] = {
    1: _l("TRL 1 – Nguyên lý cơ bản đã được quan sát"),
    2: _l("TRL 2 – Khái niệm công nghệ đã được hình thành"),
    3: _l("TRL 3 – Chứng minh khái niệm bằng thực nghiệm"),
    4: _l("TRL 4 – Công nghệ được kiểm chứng trong phòng thí nghiệm"),
    5: _l("TRL 5 – Công nghệ được kiểm chứng trong môi trường liên quan"),
    6: _l("TRL 6 – Công nghệ được trình diễn trong môi trường liên quan"),
    7: _l("TRL 7 – Trình diễn nguyên mẫu hệ thống trong môi trường vận hành"),
    8: _l("TRL 8 – Hệ thống hoàn chỉnh và đạt chuẩn"),
    9: _l("TRL 9 – Hệ thống thực tế đã được chứng minh trong môi trường vận hành"),
}


def label(value: enum.Enum | None) -> str:
    return "" if value is None else str(LABELS.get(value, value.value))


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_cls]


# Stored as these Vietnamese names (the records' data); shown through the catalogue.
PROVINCE_LABELS = {
    "Thành phố Huế": _l("Thành phố Huế"),
    "Thành phố Đà Nẵng": _l("Thành phố Đà Nẵng"),
    "Quảng Trị": _l("Quảng Trị"),
    "Quảng Ngãi": _l("Quảng Ngãi"),
    "Hà Tĩnh": _l("Hà Tĩnh"),
    "Nghệ An": _l("Nghệ An"),
    "Thành phố Hà Nội": _l("Thành phố Hà Nội"),
    "Thành phố Hồ Chí Minh": _l("Thành phố Hồ Chí Minh"),
    "Thành phố Cần Thơ": _l("Thành phố Cần Thơ"),
    "Thành phố Hải Phòng": _l("Thành phố Hải Phòng"),
    "Khác": _l("Khác (tỉnh/thành khác)"),
}
PROVINCES = list(PROVINCE_LABELS)


def province_label(value: str | None) -> str:
    return str(PROVINCE_LABELS.get(value, value or ""))
