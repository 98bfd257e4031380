"""The shared labs' indicators: utilisation (booked ÷ available hours of the published
equipment) and revenue at cost, per period, from the labs' own report functions, so the
dashboard and the labs' disclosures always show the same figures. Drill-down: per lab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.formatting import format_vnd
from ecosystem.dashboard.indicators.base import Bucket, Drill, Indicator, Value
from ecosystem.labs import queries, reports

LABS = _l("Phòng thí nghiệm dùng chung")


def _period(bucket: Bucket) -> reports.Period:
    last = bucket.end_date.toordinal() - 1
    return reports.Period(bucket.start_date, type(bucket.end_date).fromordinal(last), bucket.label)


def _per_lab(bucket: Bucket) -> list[reports.LabUse]:
    return reports.by_lab(reports.utilisation(queries.published_equipment(), _period(bucket)))


def utilisation(buckets: Sequence[Bucket]) -> list[Value]:
    values = []
    for bucket in buckets:
        rows = _per_lab(bucket)
        booked = sum(r.booked_hours for r in rows)
        available = sum(r.available_hours for r in rows)
        values.append(
            Value(100 * booked / available if available else None, round(booked), round(available))
        )
    return values


def revenue(buckets: Sequence[Bucket]) -> list[Value]:
    return [Value(float(sum(r.revenue for r in _per_lab(b)))) for b in buckets]


def _drill(bucket: Bucket, user: Any, page: int) -> Drill:
    rows = sorted(_per_lab(bucket), key=lambda r: r.lab.id)
    return Drill(
        [_("Phòng thí nghiệm"), _("Giờ đã đặt"), _("Giờ sẵn sàng"), _("Hiệu suất"), _("Doanh thu")],
        [
            [
                r.lab.name_vi,
                f"{r.booked_hours:.1f}",
                f"{r.available_hours:.1f}",
                f"{100 * r.utilisation:.2f}%",
                format_vnd(r.revenue),
            ]
            for r in rows
        ],
        len(rows),
        links=[url_for("labs.lab", lab_id=r.lab.id) for r in rows],
    )


def lab_indicators() -> list[Indicator]:
    return [
        Indicator(
            "lab_utilisation",
            _l("Hiệu suất sử dụng thiết bị dùng chung"),
            _l(
                "Tổng số giờ đã đặt (đã duyệt, đã nhận, đã dùng) ÷ tổng số giờ sẵn sàng (giờ mở cửa trừ thời gian bảo trì, sự cố) của các thiết bị công bố, trong kỳ."
            ),
            "percent",
            LABS,
            utilisation,
            _drill,
        ),
        Indicator(
            "lab_revenue",
            _l("Doanh thu dịch vụ thiết bị dùng chung"),
            _l(
                "Tổng số tiền thu theo các lần sử dụng đã hoàn tất trong kỳ (tính theo chi phí thực tế)."
            ),
            "vnd",
            LABS,
            revenue,
            _drill,
        ),
    ]
