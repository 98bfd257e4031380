"""The waitlist: someone who wanted a taken slot is told when it is freed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import format_datetime
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import notify
from ecosystem.extensions import db
from ecosystem.labs.models import Equipment, WaitlistEntry


def join_waitlist(
    equipment: Equipment, user: Any, starts_at: dt.datetime, ends_at: dt.datetime
) -> WaitlistEntry:
    if ends_at <= starts_at:
        raise UserError(_("Thời điểm kết thúc phải sau thời điểm bắt đầu."), field="ends_at")
    if starts_at < utcnow():
        raise UserError(_("Không thể đặt lịch cho thời điểm đã qua."), field="starts_at")
    entry = WaitlistEntry(
        equipment_id=equipment.id, user_id=user.id, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(entry)
    db.session.flush()
    record_audit("lab_waitlist.joined", entry, actor=user, equipment_id=equipment.id)
    return entry


def offer_freed_slot(equipment_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    """Tell everyone waiting for a time overlapping the freed one (once each)."""
    now = utcnow()
    entries = db.session.scalars(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.equipment_id == equipment_id,
            WaitlistEntry.offered_at.is_(None),
            WaitlistEntry.starts_at < ends_at,
            WaitlistEntry.ends_at > starts_at,
            WaitlistEntry.ends_at > now,
        )
    ).all()
    if not entries:
        return 0
    equipment = db.session.get(Equipment, equipment_id)
    for entry in entries:
        entry.offered_at = now
        notify(
            [entry.user_id],
            "labs.slot_freed",
            {"equipment": equipment.name_vi, "start": format_datetime(starts_at)},
            f"/labs/equipment/{equipment_id}",
        )
    return len(entries)
