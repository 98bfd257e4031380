"""Money and use: monthly statements per organisation, utilisation per piece of equipment
(booked hours / available hours), users by kind, revenue against cost, and the equipment
list with its fee basis that the 2025 Law requires operators to publish.

Periods are local (Asia/Ho_Chi_Minh) months and quarters.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.extensions import db
from ecosystem.labs import queries, rules
from ecosystem.labs.labels import lab_label
from ecosystem.labs.models import (
    Booking,
    BookingState,
    Equipment,
    Hold,
    Lab,
    UsageRecord,
    UserKind,
)

BOOKED = (BookingState.approved, BookingState.checked_in, BookingState.completed)


@dataclass(frozen=True)
class Period:
    first: dt.date  # inclusive
    last: dt.date  # inclusive
    label: str

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(0), tzinfo=LOCAL_TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(dt.date(year, month, 1), dt.date(year, month, last), f"{month:02d}/{year}")


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return Period(
        dt.date(year, first_month, 1),
        dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        _("Quý %(q)d/%(y)d", q=quarter, y=year),
    )


def parse_month(text: str | None, today: dt.date) -> Period:
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return month_period(year, month)
    except ValueError:
        pass
    return month_period(today.year, today.month)


def parse_quarter(text: str | None, today: dt.date) -> Period:
    try:
        year, q = (text or "").upper().split("-Q")
        if 2000 <= int(year) <= 2100 and 1 <= int(q) <= 4:
            return quarter_period(int(year), int(q))
    except ValueError:
        pass
    return quarter_period(today.year, (today.month - 1) // 3 + 1)


# Statements -----------------------------------------------------------------------------


@dataclass
class Statement:
    organisation: Any
    period: Period
    lines: list[UsageRecord] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def cost(self) -> int:
        return sum(line.cost_amount for line in self.lines)


def statements(
    period: Period, lab: Lab | None = None, organisation_ids: Any = None
) -> list[Statement]:
    """Completed use in ``period`` (by its start), one statement per paying organisation."""
    query = (
        sa.select(UsageRecord)
        .join(Equipment, Equipment.id == UsageRecord.equipment_id)
        .where(
            UsageRecord.ended_at.is_not(None),
            UsageRecord.started_at >= period.start,
            UsageRecord.started_at < period.end,
        )
        .order_by(UsageRecord.organisation_id, UsageRecord.started_at)
    )
    if lab is not None:
        query = query.where(Equipment.lab_id == lab.id)
    if organisation_ids is not None:
        query = query.where(UsageRecord.organisation_id.in_(sorted(organisation_ids)))
    out: dict[int, Statement] = {}
    for usage in db.session.scalars(query):
        statement = out.setdefault(usage.organisation_id, Statement(usage.organisation, period))
        statement.lines.append(usage)
    return list(out.values())


# Utilisation ----------------------------------------------------------------------------


@dataclass
class EquipmentUse:
    equipment: Equipment
    available_hours: float
    booked_hours: float
    used_hours: float
    bookings: int
    no_shows: int
    late_cancellations: int
    revenue: int
    cost: int
    by_kind: dict[str, int]

    @property
    def utilisation(self) -> float:
        return self.booked_hours / self.available_hours if self.available_hours else 0.0


def _overlap_hours(a0, a1, b0, b1) -> float:
    start, end = max(a0, b0), min(a1, b1)
    return max((end - start).total_seconds() / 3600, 0.0)


def available_hours(equipment: Equipment, period: Period, downtime: list[Hold]) -> float:
    total = 0.0
    for a, b in rules.opening_intervals(equipment.lab, period.first, period.last):
        a, b = max(a, period.start), min(b, period.end)
        if b <= a:
            continue
        total += (b - a).total_seconds() / 3600
        total -= sum(_overlap_hours(a, b, h.starts_at, h.ends_at) for h in downtime)
    return max(total, 0.0)


def utilisation(items: list[Equipment], period: Period) -> list[EquipmentUse]:
    ids = [i.id for i in items]
    downtime: dict[int, list[Hold]] = {}
    for hold in queries.holds_between(ids, period.start, period.end):
        if hold.downtime_id is not None:
            downtime.setdefault(hold.equipment_id, []).append(hold)
    bookings = queries.bookings_between(ids, period.start, period.end)
    usage = db.session.scalars(
        sa.select(UsageRecord).where(
            UsageRecord.equipment_id.in_(ids),
            UsageRecord.started_at >= period.start,
            UsageRecord.started_at < period.end,
            UsageRecord.ended_at.is_not(None),
        )
    ).all()
    out = []
    for item in items:
        own = [b for b in bookings if b.equipment_id == item.id]
        booked = [b for b in own if b.state in BOOKED]
        used = [u for u in usage if u.equipment_id == item.id]
        by_kind = {k.value: 0 for k in UserKind}
        for b in booked:
            by_kind[b.user_kind.value] += 1
        out.append(
            EquipmentUse(
                equipment=item,
                available_hours=available_hours(item, period, downtime.get(item.id, [])),
                booked_hours=sum(
                    _overlap_hours(b.starts_at, b.ends_at, period.start, period.end) for b in booked
                ),
                used_hours=sum((u.ended_at - u.started_at).total_seconds() / 3600 for u in used),
                bookings=len(booked),
                no_shows=sum(1 for b in own if b.state is BookingState.no_show),
                late_cancellations=sum(1 for b in own if b.late_cancellation),
                revenue=sum(u.amount for u in used),
                cost=sum(u.cost_amount for u in used),
                by_kind=by_kind,
            )
        )
    return out


@dataclass
class LabUse:
    lab: Lab
    available_hours: float = 0.0
    booked_hours: float = 0.0
    revenue: int = 0
    cost: int = 0

    @property
    def utilisation(self) -> float:
        return self.booked_hours / self.available_hours if self.available_hours else 0.0


def by_lab(uses: list[EquipmentUse]) -> list[LabUse]:
    """The equipment's figures added up per lab."""
    out: dict[int, LabUse] = {}
    for use in uses:
        row = out.setdefault(use.equipment.lab_id, LabUse(use.equipment.lab))
        row.available_hours += use.available_hours
        row.booked_hours += use.booked_hours
        row.revenue += use.revenue
        row.cost += use.cost
    return list(out.values())


def users_by_kind(items: list[Equipment], period: Period) -> dict[str, dict[str, int]]:
    """Bookings and distinct organisations by kind of user (research, enterprise, startup)."""
    rows = db.session.execute(
        sa.select(Booking.user_kind, Booking.organisation_id).where(
            Booking.equipment_id.in_([i.id for i in items]),
            Booking.state.in_(BOOKED),
            Booking.starts_at >= period.start,
            Booking.starts_at < period.end,
        )
    ).all()
    out = {k.value: {"bookings": 0, "organisations": 0} for k in UserKind}
    seen: set[tuple[str, int]] = set()
    for kind, org in rows:
        out[kind.value]["bookings"] += 1
        if (kind.value, org) not in seen:
            seen.add((kind.value, org))
            out[kind.value]["organisations"] += 1
    return out


# Tables for CSV / .xlsx ------------------------------------------------------------------


def equipment_list_table(items: list[Equipment]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Mã"),
        _("Thiết bị"),
        _("Phòng thí nghiệm"),
        _("Đơn vị vận hành"),
        _("Loại thiết bị"),
        _("Model"),
        _("Đơn vị tính phí"),
        _("Bảo trì (₫)"),
        _("Sửa chữa (₫)"),
        _("Vận hành (₫)"),
        _("Khấu hao (₫)"),
        _("Chi phí thực tế (₫)"),
        _("Đơn giá nghiên cứu (₫)"),
        _("Đơn giá doanh nghiệp (₫)"),
        _("Cần đào tạo"),
    ]
    rows = [
        [
            i.id,
            i.name_vi,
            i.lab.name_vi,
            i.lab.organisation.name_vi,
            i.category,
            i.model,
            lab_label(i.fee_unit),
            i.cost_maintenance,
            i.cost_repair,
            i.cost_operation,
            i.cost_depreciation,
            i.unit_cost,
            i.rate_for(UserKind.research),
            i.rate_for(UserKind.enterprise),
            _("Có") if i.training_required else _("Không"),
        ]
        for i in items
    ]
    return header, rows


def efficiency_sheets(lab: Lab, period: Period) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The quarterly usage-efficiency report of a lab, as the sheets of one workbook."""
    uses = utilisation(list(lab.equipment), period)
    header = [
        _("Thiết bị"),
        _("Giờ sẵn sàng"),
        _("Giờ được đặt"),
        _("Giờ sử dụng thực tế"),
        _("Hiệu suất (phần trăm)"),
        _("Số lượt"),
        _("Vắng mặt"),
        _("Hủy muộn"),
        _("Nghiên cứu"),
        _("Doanh nghiệp"),
        _("Khởi nghiệp"),
        _("Doanh thu (₫)"),
        _("Chi phí thực tế (₫)"),
    ]
    rows = [
        [
            u.equipment.name_vi,
            round(u.available_hours, 1),
            round(u.booked_hours, 1),
            round(u.used_hours, 1),
            round(100 * u.utilisation, 1),
            u.bookings,
            u.no_shows,
            u.late_cancellations,
            u.by_kind["research"],
            u.by_kind["enterprise"],
            u.by_kind["startup"],
            u.revenue,
            u.cost,
        ]
        for u in uses
    ]
    available = sum(u.available_hours for u in uses)
    booked = sum(u.booked_hours for u in uses)
    summary = [
        [_("Phòng thí nghiệm"), lab.name_vi],
        [_("Đơn vị vận hành"), lab.organisation.name_vi],
        [_("Kỳ báo cáo"), period.label],
        [_("Giờ sẵn sàng"), round(available, 1)],
        [_("Giờ được đặt"), round(booked, 1)],
        [
            _("Hiệu suất sử dụng (phần trăm)"),
            round(100 * booked / available, 1) if available else 0,
        ],
        [_("Doanh thu (₫)"), sum(u.revenue for u in uses)],
        [_("Chi phí thực tế (₫)"), sum(u.cost for u in uses)],
    ]
    return [
        (_("Tổng hợp"), [_("Chỉ tiêu"), _("Giá trị")], summary),
        (_("Theo thiết bị"), header, rows),
    ]
