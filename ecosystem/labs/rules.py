"""The rules a booking must satisfy before it takes a slot, each with its own message.

Times are judged in Asia/Ho_Chi_Minh: opening hours are minutes after local midnight per
weekday (the closing minute may be 1440, so a slot may end at 00:00 and, when the next day
opens at 00:00, run across midnight).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.errors import UserError
from ecosystem.core.formatting import LOCAL_TZ, format_datetime, to_local
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.models import Authorisation, Booking, Downtime, Equipment, Hold, Lab
from ecosystem.registry.enums import OrgKind

DAY = 24 * 60


def opening_intervals(
    lab: Lab, first: dt.date, last: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The lab's open periods from ``first`` to ``last`` (local days), touching ones merged."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    day = first
    while day <= last:
        hours = (lab.opening_hours or {}).get(str(day.weekday()))
        if hours:
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)
            start = midnight + dt.timedelta(minutes=int(hours[0]))
            end = midnight + dt.timedelta(minutes=int(hours[1]))
            if out and out[-1][1] >= start:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        day += dt.timedelta(days=1)
    return out


def within_opening_hours(lab: Lab, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    start, end = to_local(starts_at), to_local(ends_at)
    first = start.date() - dt.timedelta(days=1)
    return any(a <= start and end <= b for a, b in opening_intervals(lab, first, end.date()))


def valid_opening_hours(hours: dict[str, Any]) -> bool:
    for key, value in hours.items():
        if key not in {str(i) for i in range(7)}:
            return False
        if value is None:
            continue
        if not (isinstance(value, list | tuple) and len(value) == 2):
            return False
        opens, closes = value
        if not (isinstance(opens, int) and isinstance(closes, int) and 0 <= opens < closes <= DAY):
            return False
    return True


def user_kind_of(kind: OrgKind) -> str:
    if kind is OrgKind.startup:
        return "startup"
    if kind in {OrgKind.university, OrgKind.research_institute, OrgKind.lab_operator}:
        return "research"
    return "enterprise"


def check_times(equipment: Equipment, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Refuse an impossible or disallowed time, most basic reason first."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise UserError(_("Thời điểm cần có múi giờ."), field="starts_at")
    if ends_at <= starts_at:
        raise UserError(_("Thời điểm kết thúc phải sau thời điểm bắt đầu."), field="ends_at")
    now = utcnow()
    if starts_at < now:
        raise UserError(_("Không thể đặt lịch cho thời điểm đã qua."), field="starts_at")
    if starts_at < now + dt.timedelta(hours=equipment.lead_hours):
        raise UserError(
            _(
                "Thiết bị này cần đặt trước ít nhất %(hours)d giờ.",
                hours=equipment.lead_hours,
            ),
            field="starts_at",
        )
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < equipment.min_minutes:
        raise UserError(
            _("Mỗi lượt đặt dài ít nhất %(n)d phút.", n=equipment.min_minutes), field="ends_at"
        )
    if minutes > equipment.max_minutes:
        raise UserError(
            _("Mỗi lượt đặt dài nhiều nhất %(n)d phút.", n=equipment.max_minutes),
            field="ends_at",
        )
    if not within_opening_hours(equipment.lab, starts_at, ends_at):
        raise UserError(
            _("Khoảng thời gian này nằm ngoài giờ mở cửa của phòng thí nghiệm."),
            field="starts_at",
        )


def valid_authorisation(user: Any, equipment: Equipment, day: dt.date) -> Authorisation | None:
    found = db.session.scalar(
        sa.select(Authorisation).where(
            Authorisation.user_id == user.id, Authorisation.equipment_id == equipment.id
        )
    )
    return found if found is not None and found.valid_on(day) else None


def check_authorisation(user: Any, equipment: Equipment, ends_at: dt.datetime) -> None:
    if not equipment.training_required:
        return
    if valid_authorisation(user, equipment, to_local(ends_at).date()) is not None:
        return
    lab = equipment.lab
    contact = (lab.manager.email if lab.manager else "") or lab.contact_email
    raise UserError(
        _(
            "Thiết bị này chỉ dành cho người đã được đào tạo và cấp quyền sử dụng (còn hiệu lực"
            " đến ngày sử dụng). Hãy liên hệ người quản lý phòng thí nghiệm (%(contact)s) để"
            " đăng ký buổi đào tạo; sau đó người quản lý sẽ cấp quyền cho bạn.",
            contact=contact or lab.name_vi,
        ),
        field="equipment",
    )


def clashing_hold(equipment_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> Hold | None:
    return db.session.scalar(
        sa.select(Hold)
        .where(
            Hold.equipment_id == equipment_id,
            Hold.starts_at < ends_at,
            Hold.ends_at > starts_at,
        )
        .order_by(Hold.starts_at)
        .limit(1)
    )


class SlotTaken(UserError):
    """The slot is held by a booking or a downtime block; ``clash`` says which."""

    def __init__(self, message: str, clash: dict[str, Any]) -> None:
        super().__init__(message, field="starts_at", status=409)
        self.clash = clash


def slot_taken(hold: Hold) -> SlotTaken:
    if hold.downtime_id is not None:
        downtime = db.session.get(Downtime, hold.downtime_id)
        clash = {
            "kind": "downtime",
            "id": hold.downtime_id,
            "downtime_kind": downtime.kind.value if downtime else None,
        }
        message = _(
            "Thiết bị tạm ngừng phục vụ (bảo trì hoặc sự cố) từ %(start)s đến %(end)s; hãy chọn"
            " khoảng thời gian khác.",
            start=format_datetime(hold.starts_at),
            end=format_datetime(hold.ends_at),
        )
    else:
        booking = db.session.get(Booking, hold.booking_id)
        clash = {
            "kind": "booking",
            "id": hold.booking_id,
            "state": booking.state.value if booking else None,
        }
        message = _(
            "Khung giờ này vừa có người đặt (lượt đặt số %(id)d, từ %(start)s đến %(end)s). Hãy"
            " chọn khung giờ khác, hoặc đăng ký danh sách chờ để được báo khi khung giờ trống.",
            id=hold.booking_id,
            start=format_datetime(hold.starts_at),
            end=format_datetime(hold.ends_at),
        )
    clash |= {"starts_at": hold.starts_at.isoformat(), "ends_at": hold.ends_at.isoformat()}
    return SlotTaken(message, clash)
