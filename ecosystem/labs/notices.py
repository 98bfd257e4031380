"""What the labs tell bookers and lab managers (in-app notifications, in the reader's language)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from ecosystem.auth.models import MembershipStatus, OrgMembership, OrgRole
from ecosystem.core.formatting import format_datetime
from ecosystem.core.notifications import notify, register_messages
from ecosystem.extensions import db
from ecosystem.labs.models import Booking

register_messages(
    {
        "labs.requested": _l("Có yêu cầu đặt “%(equipment)s” lúc %(start)s cần phê duyệt."),
        "labs.booked": _l("“%(equipment)s” đã được đặt lúc %(start)s (không cần phê duyệt)."),
        "labs.approve": _l("Lượt đặt “%(equipment)s” lúc %(start)s đã được phê duyệt."),
        "labs.reject": _l("Lượt đặt “%(equipment)s” lúc %(start)s không được phê duyệt."),
        "labs.cancel": _l("Lượt đặt “%(equipment)s” lúc %(start)s đã bị hủy."),
        "labs.no_show": _l("Lượt đặt “%(equipment)s” lúc %(start)s được ghi nhận là vắng mặt."),
        "labs.release": _l(
            "Lượt đặt “%(equipment)s” lúc %(start)s đã được giải phóng vì không nhận thiết bị đúng giờ."
        ),
        "labs.expire": _l(
            "Yêu cầu đặt “%(equipment)s” lúc %(start)s đã hết hạn vì chưa được phê duyệt."
        ),
        "labs.check_out": _l("Đã ghi nhận kết thúc sử dụng “%(equipment)s” (%(start)s)."),
        "labs.slot_freed": _l(
            "Khung giờ bạn chờ trên “%(equipment)s” lúc %(start)s vừa trống; hãy đặt ngay."
        ),
        "labs.authorised": _l("Bạn đã được cấp quyền sử dụng “%(equipment)s” đến ngày %(until)s."),
    }
)


def _params(booking: Booking) -> dict[str, Any]:
    return {"equipment": booking.equipment.name_vi, "start": format_datetime(booking.starts_at)}


def _link(booking: Booking) -> str:
    try:
        return url_for("labs.booking", booking_id=booking.id)
    except RuntimeError:  # outside a request (a task): the page is found from the list
        return ""


def managers_of(booking: Booking) -> list[int]:

    lab = booking.equipment.lab
    ids = [lab.manager_id] if lab.manager_id else []
    ids += db.session.scalars(
        db.select(OrgMembership.user_id).where(
            OrgMembership.organisation_id == lab.organisation_id,
            OrgMembership.role == OrgRole.admin,
            OrgMembership.status == MembershipStatus.active,
        )
    ).all()
    return ids


def tell_booker(booking: Booking, key: str, actor: Any = None) -> None:
    if actor is not None and actor.id == booking.user_id:
        return
    notify([booking.user_id], key, _params(booking), _link(booking))


def tell_managers(booking: Booking, key: str, actor: Any = None) -> None:
    ids = [i for i in managers_of(booking) if actor is None or i != actor.id]
    notify(ids, key, _params(booking), _link(booking))
