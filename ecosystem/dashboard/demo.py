"""Demo data of the steering committee: 168 tasks whose statuses reproduce the city's report
(105 done, 35 recurring, 23 in progress, 5 not started — 3 of them overdue), each with its
history and progress reports; the S&T budget figures; targets for the indicators."""

from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa

from ecosystem.dashboard import tracker
from ecosystem.dashboard.models import (
    BudgetFigure,
    IndicatorTarget,
    SteeringTask,
    TaskKind,
    TaskSource,
    TaskStatus,
)
from ecosystem.extensions import db

UNITS = (
    "Sở Khoa học và Công nghệ",
    "Sở Nội vụ",
    "Đại học Huế",
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Nông nghiệp và Môi trường",
    "Văn phòng UBND thành phố",
    "Trung tâm Giám sát, điều hành đô thị thông minh",
    "Ban Quản lý Khu kinh tế, công nghiệp",
    "Sở Văn hóa và Thể thao",
)
TOPICS = (
    "Rà soát, hoàn thiện cơ chế, chính sách về khoa học, công nghệ và đổi mới sáng tạo",
    "Xây dựng cơ sở dữ liệu dùng chung và chia sẻ dữ liệu mở",
    "Triển khai dịch vụ công trực tuyến toàn trình",
    "Đào tạo, bồi dưỡng nhân lực số cho cán bộ, công chức",
    "Hỗ trợ doanh nghiệp đổi mới công nghệ, chuyển đổi số",
    "Phát triển hệ sinh thái khởi nghiệp đổi mới sáng tạo",
    "Đầu tư hạ tầng số, trung tâm dữ liệu",
    "Thúc đẩy hợp tác nghiên cứu giữa viện, trường và doanh nghiệp",
    "Bảo đảm an toàn, an ninh mạng cho hệ thống thông tin",
    "Bố trí ngân sách cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "Phát triển phòng thí nghiệm, thiết chế khoa học dùng chung",
    "Số hóa di sản văn hóa Huế",
    "Ứng dụng trí tuệ nhân tạo trong quản lý đô thị",
    "Tuyên truyền, quán triệt Nghị quyết 57-NQ/TW",
)
SOURCES = (
    (TaskSource.resolution_57, "NQ57", "57-NQ/TW"),
    (TaskSource.plan_02, "KH02", "02-KH/BCĐTW"),
    (TaskSource.conclusion, "TB", "TB 45-TB/TU"),
)
# The city's report: of 168 tasks, 105 done, 35 recurring, 23 in progress (and 5 not started).
PLAN = (
    [TaskStatus.done] * 105
    + [TaskStatus.recurring] * 35
    + [TaskStatus.in_progress] * 23
    + [TaskStatus.not_started] * 5
)


def seed_dashboard() -> int:
    if db.session.scalar(sa.select(SteeringTask.id).limit(1)) is not None:
        return 0
    counters = dict.fromkeys((s for s, _p, _r in SOURCES), 0)
    units = itertools.cycle(UNITS)
    topics = itertools.cycle(TOPICS)
    not_started = 0
    for index, status in enumerate(PLAN):
        source, prefix, ref = SOURCES[index % 7 % 3]
        counters[source] += 1
        kind = TaskKind.recurring if status is TaskStatus.recurring else TaskKind.one_off
        deadline = _deadline(index, status, not_started)
        if status is TaskStatus.not_started:
            not_started += 1
        task = tracker.create_task(
            {
                "code": f"{prefix}-{counters[source]:03d}",
                "title": f"{next(topics)} ({next(units).replace('Sở ', '')})",
                "source": source.value,
                "source_ref": ref,
                "unit": UNITS[index % len(UNITS)],
                "deadline": deadline,
                "kind": kind.value,
                "reason": "Giao theo " + ref,
            },
            None,
        )
        _reports(task, status, index)
    db.session.add_all(
        [
            BudgetFigure(
                year=2025,
                st_spending=412_000_000_000,
                total_spending=19_600_000_000_000,
                source="Báo cáo quyết toán ngân sách năm 2025 (số liệu minh họa)",
            ),
            BudgetFigure(
                year=2026,
                st_spending=560_000_000_000,
                total_spending=21_000_000_000_000,
                source="Dự toán ngân sách năm 2026 (số liệu minh họa)",
            ),
            IndicatorTarget(indicator="cooperation_rate", year=2026, value=40),
            IndicatorTarget(indicator="budget_share", year=2025, value=3),
            IndicatorTarget(indicator="budget_share", year=2026, value=3),
            IndicatorTarget(indicator="startups", year=2026, value=20),
            IndicatorTarget(indicator="deals", year=2026, value=10),
        ]
    )
    db.session.flush()
    return len(PLAN)


def _deadline(index: int, status: TaskStatus, not_started: int) -> dt.date | None:
    if status is TaskStatus.recurring:
        return None
    if status is TaskStatus.done:
        return dt.date(2025, 6, 30) + dt.timedelta(days=7 * (index % 60))
    if status is TaskStatus.not_started and not_started < 3:
        return dt.date(2026, 9, 30) + dt.timedelta(days=10 * not_started)  # overdue
    return dt.date(2027, 3, 31) + dt.timedelta(days=14 * (index % 20))


def _reports(task: SteeringTask, status: TaskStatus, index: int) -> None:
    if status is TaskStatus.not_started:
        return
    start = dt.date(2025, 4, 1) + dt.timedelta(days=5 * (index % 80))
    first = TaskStatus.recurring if status is TaskStatus.recurring else TaskStatus.in_progress
    tracker.file_report(
        task,
        {"reported_on": start, "status": first.value, "text": "Đã ban hành kế hoạch triển khai."},
        [],
        _SYSTEM,
    )
    if status is TaskStatus.done:
        tracker.file_report(
            task,
            {
                "reported_on": start + dt.timedelta(days=90),
                "status": status.value,
                "text": "Đã hoàn thành, báo cáo kết quả gửi Ban Chỉ đạo.",
                "evidence_ref": f"Báo cáo số {index + 1}/BC-{task.code}",
            },
            [],
            _SYSTEM,
        )


class _System:
    """The demo loader acts as the secretariat."""

    id = None
    email = "system"
    is_admin = True

    def has_role(self, role: object) -> bool:
        return True


_SYSTEM = _System()
