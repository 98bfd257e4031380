"""iCalendar feeds: a user's own bookings, or one piece of equipment's taken times.

A feed is reached by a secret URL (calendar programs cannot sign in); only the SHA-256 of
the secret is stored, and revoking the token ends the feed at once. An equipment feed shows
who holds a slot only to the lab's managers, like the calendar pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import icalendar
import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.auth.models import User
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs import permissions as perms
from ecosystem.labs.labels import lab_label
from ecosystem.labs.models import HOLDING, Booking, Equipment, FeedToken, Hold

WINDOW_BACK = dt.timedelta(days=92)
WINDOW_AHEAD = dt.timedelta(days=366)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_feed(user: Any, equipment: Equipment | None = None) -> tuple[FeedToken, str]:
    if user is None:
        raise UserError(_("Vui lòng đăng nhập để tiếp tục."), status=403)
    secret = secrets.token_urlsafe(24)
    token = FeedToken(
        token_hash=_hash(secret),
        user_id=user.id,
        equipment_id=equipment.id if equipment else None,
    )
    db.session.add(token)
    db.session.flush()
    record_audit("lab_feed.created", token, actor=user, equipment_id=token.equipment_id)
    return token, secret


def revoke_feed(token: FeedToken, user: Any) -> None:
    if user is None or token.user_id != user.id:
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record_audit("lab_feed.revoked", token, actor=user)


def token_for(secret: str) -> FeedToken | None:
    token = db.session.scalar(sa.select(FeedToken).where(FeedToken.token_hash == _hash(secret)))
    return token if token is not None and token.revoked_at is None else None


def my_feeds(user: Any) -> list[FeedToken]:
    return list(
        db.session.scalars(
            sa.select(FeedToken)
            .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
            .order_by(FeedToken.created_at)
        )
    )


def _event(uid: str, start: dt.datetime, end: dt.datetime, summary: str, **extra: Any):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    for key, value in extra.items():
        if value:
            event.add(key, value)
    return event


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Hue innovation ecosystem//labs//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    return cal


def _booking_event(booking: Booking, named: bool) -> icalendar.Event:
    equipment = booking.equipment
    summary = equipment.name_vi if named else _("Đã đặt: %(e)s", e=equipment.name_vi)
    if named and booking.user is not None:
        summary = f"{summary} – {booking.user.display_name}"
    return _event(
        f"lab-booking-{booking.id}@hue-ecosystem",
        booking.starts_at,
        booking.ends_at,
        summary,
        location=f"{equipment.lab.name_vi}, {equipment.location}".strip(", "),
        description=lab_label(booking.state),
        status="TENTATIVE" if booking.state.value == "requested" else "CONFIRMED",
    )


def render_feed(token: FeedToken) -> bytes:
    now = utcnow()
    lo, hi = now - WINDOW_BACK, now + WINDOW_AHEAD
    if token.equipment_id is None:
        owner = db.session.get(User, token.user_id)
        cal = _calendar(_("Lượt đặt thiết bị của %(n)s", n=owner.display_name))
        bookings = db.session.scalars(
            sa.select(Booking)
            .where(
                Booking.user_id == token.user_id,
                Booking.state.in_(list(HOLDING)),
                Booking.ends_at > lo,
                Booking.starts_at < hi,
            )
            .order_by(Booking.starts_at)
        )
        for booking in bookings:
            cal.add_component(_booking_event(booking, named=True))
        return cal.to_ical()
    equipment = db.session.get(Equipment, token.equipment_id)

    owner = db.session.get(User, token.user_id)
    named = perms.manages_lab(owner, equipment.lab)
    cal = _calendar(equipment.name_vi)
    holds = db.session.scalars(
        sa.select(Hold)
        .where(Hold.equipment_id == equipment.id, Hold.ends_at > lo, Hold.starts_at < hi)
        .order_by(Hold.starts_at)
    )
    for hold in holds:
        if hold.booking_id is not None:
            cal.add_component(_booking_event(db.session.get(Booking, hold.booking_id), named))
        else:
            cal.add_component(
                _event(
                    f"lab-downtime-{hold.downtime_id}@hue-ecosystem",
                    hold.starts_at,
                    hold.ends_at,
                    _("Ngừng phục vụ: %(e)s", e=equipment.name_vi),
                )
            )
    return cal.to_ical()
