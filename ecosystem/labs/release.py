"""The scheduled release (Celery beat, or ``flask labs release``): the slots of approved
bookings nobody checked in within the grace time go back to the calendar and the waitlist
(recorded as no-shows), and requests whose start passed unapproved expire."""

from __future__ import annotations

import datetime as dt

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.labs.bookings import S, apply, checkin_grace_minutes
from ecosystem.labs.models import Booking


def release_unclaimed(now: dt.datetime | None = None) -> dict[str, int]:
    """Give back the slots of approved bookings nobody checked in within the grace time,
    and of requests whose start passed unapproved. Idempotent: a booking released once is
    no longer approved or requested."""
    now = now or utcnow()
    grace = dt.timedelta(minutes=checkin_grace_minutes())
    counts = {"released": 0, "expired": 0}
    late = db.session.scalars(
        db.select(Booking).where(Booking.state == S.approved, Booking.starts_at <= now - grace)
    ).all()
    for booking in late:
        apply(booking, "release", None)
        counts["released"] += 1
    stale = db.session.scalars(
        db.select(Booking).where(Booking.state == S.requested, Booking.starts_at <= now)
    ).all()
    for booking in stale:
        apply(booking, "expire", None)
        counts["expired"] += 1
    return counts
