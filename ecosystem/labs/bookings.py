"""Bookings: the request (every rule, then the slot), and the life cycle as transitions.

requested → approved / rejected → checked in → completed; requested or approved →
cancelled (late when close to the start); approved → no-show (the manager, or the
scheduled release when nobody checked in in time); requested → expired-as-cancelled when
its start passed unapproved. A booking holds its slot (a row of ``lab_holds``) while it is
requested, approved, checked in or completed; the other states give the slot back and tell
the waitlist.

The slot is the database's to guard (see models): the rules are checked first so the user
gets the precise reason, and an insert that loses a race at the last moment is answered
with the booking or downtime it clashes with, just like the check before it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.extensions import db
from ecosystem.labs import permissions as perms
from ecosystem.labs import rules
from ecosystem.labs.links import check_links
from ecosystem.labs.models import (
    Booking,
    BookingState,
    Equipment,
    FeeUnit,
    Hold,
    UsageRecord,
    UserKind,
)
from ecosystem.labs.notices import tell_booker, tell_managers
from ecosystem.labs.waitlist import offer_freed_slot
from ecosystem.registry.models import Organisation

S = BookingState


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def late_cancel_hours() -> int:
    return _setting("LAB_LATE_CANCEL_HOURS", 24)


def checkin_grace_minutes() -> int:
    return _setting("LAB_CHECKIN_GRACE_MINUTES", 30)


# The request ----------------------------------------------------------------------------


def booking_organisation(user: Any, organisation_id: int | None) -> Organisation:
    orgs = sorted(user.active_org_ids)
    if not orgs:
        raise UserError(
            _(
                "Bạn cần thuộc một tổ chức (đã được tổ chức xác nhận) để đặt thiết bị: phí sử"
                " dụng được tính cho tổ chức. Hãy đề nghị tham gia tổ chức của mình trước."
            ),
            field="organisation_id",
        )
    if organisation_id is None:
        organisation_id = orgs[0]
    if organisation_id not in orgs:
        raise UserError(
            _("Bạn chỉ có thể đặt thiết bị thay cho tổ chức của mình."), field="organisation_id"
        )
    return db.session.get(Organisation, organisation_id)


def request_booking(equipment: Equipment, user: Any, data: dict[str, Any]) -> Booking:
    """Check every rule, then take the slot. On SQLite the caller has already called
    ``core.db.serialise_writes`` (before its savepoint), so check and insert are one step."""
    if user is None:
        raise UserError(_("Vui lòng đăng nhập để tiếp tục."), status=403)
    if not equipment.is_active or not equipment.lab.is_published:
        raise UserError(_("Thiết bị này hiện không nhận đặt lịch."), field="equipment")
    organisation = booking_organisation(user, data.get("organisation_id"))
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    rules.check_times(equipment, starts_at, ends_at)
    starts_at, ends_at = starts_at.astimezone(dt.UTC), ends_at.astimezone(dt.UTC)
    samples = int(data.get("samples") or 0)
    if samples < 0:
        raise UserError(_("Số mẫu không được âm."), field="samples")
    if equipment.fee_unit is FeeUnit.sample and samples == 0:
        raise UserError(_("Thiết bị tính phí theo mẫu: hãy nhập số mẫu."), field="samples")
    rules.check_authorisation(user, equipment, ends_at)
    check_links(organisation.id, data)
    taken = rules.clashing_hold(equipment.id, starts_at, ends_at)
    if taken is not None:
        raise rules.slot_taken(taken)
    approved = not equipment.approval_required
    booking = Booking(
        equipment=equipment,
        user_id=user.id,
        organisation_id=organisation.id,
        user_kind=UserKind(rules.user_kind_of(organisation.kind)),
        starts_at=starts_at,
        ends_at=ends_at,
        samples=samples,
        purpose=(data.get("purpose") or "")[:500],
        award_id=data.get("award_id"),
        result_id=data.get("result_id"),
        state=S.approved if approved else S.requested,
        decided_at=utcnow() if approved else None,
    )
    db.session.add(booking)
    _take_slot(booking)
    record_audit(
        "lab_booking.requested",
        booking,
        actor=user,
        after={"state": booking.state},
        equipment_id=equipment.id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    tell_managers(booking, "labs.booked" if approved else "labs.requested", actor=user)
    return booking


def _take_slot(booking: Booking) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
            db.session.add(
                Hold(
                    equipment_id=booking.equipment_id,
                    booking_id=booking.id,
                    starts_at=booking.starts_at,
                    ends_at=booking.ends_at,
                )
            )
            db.session.flush()
    except IntegrityError:
        # Someone took the slot between our check and our insert (PostgreSQL waited for
        # their commit, then refused ours): say whose booking it is, as the check would.
        taken = rules.clashing_hold(booking.equipment_id, booking.starts_at, booking.ends_at)
        if taken is not None:
            raise rules.slot_taken(taken) from None
        raise UserError(
            _("Khung giờ này vừa có người đặt. Hãy chọn khung giờ khác."), status=409
        ) from None


def release_slot(booking: Booking) -> None:
    hold = db.session.scalar(db.select(Hold).where(Hold.booking_id == booking.id))
    if hold is not None:
        db.session.delete(hold)
        db.session.flush()

    offer_freed_slot(booking.equipment_id, booking.starts_at, booking.ends_at)


# Effects -------------------------------------------------------------------------------


def _decided(booking: Booking, user: Any, *, reason: str = "", **data: Any) -> None:
    booking.decided_by_id = getattr(user, "id", None)
    booking.decided_at = utcnow()
    booking.reason = (reason or "")[:500]


def _reject(booking: Booking, user: Any, *, reason: str = "", **data: Any) -> None:
    if not (reason or "").strip():
        raise UserError(_("Hãy nêu lý do không phê duyệt."), field="reason")
    _decided(booking, user, reason=reason)
    release_slot(booking)


def _cancel(booking: Booking, user: Any, *, reason: str = "", **data: Any) -> None:
    now = data.get("_at") or utcnow()
    booking.cancelled_at = now
    booking.reason = (reason or "")[:500]
    booking.late_cancellation = booking.starts_at - now < dt.timedelta(hours=late_cancel_hours())
    release_slot(booking)


def _release(booking: Booking, user: Any, **data: Any) -> None:
    booking.reason = booking.reason or "auto-release"
    release_slot(booking)


def _check_in(booking: Booking, user: Any, **data: Any) -> None:
    now = data.get("_at") or utcnow()
    db.session.add(
        UsageRecord(
            booking=booking,
            equipment_id=booking.equipment_id,
            organisation_id=booking.organisation_id,
            user_kind=booking.user_kind,
            started_at=now,
            samples=booking.samples,
            fee_unit=booking.equipment.fee_unit,
            unit_rate=booking.equipment.rate_for(booking.user_kind),
            unit_cost=booking.equipment.unit_cost,
        )
    )


def _check_out(booking: Booking, user: Any, *, samples: int | None = None, **data: Any) -> None:
    usage = booking.usage
    now = data.get("_at") or utcnow()
    if samples is not None:
        if samples < 0:
            raise UserError(_("Số mẫu không được âm."), field="samples")
        usage.samples = samples
    usage.ended_at = max(now, usage.started_at)
    usage.units = usage_units(usage)
    usage.amount = round(usage.unit_rate * usage.units)
    usage.cost_amount = round(usage.unit_cost * usage.units)


def usage_units(usage: UsageRecord) -> float:
    """Hours (rounded up to the quarter hour) or samples, as the fee basis says."""
    if usage.fee_unit is FeeUnit.sample:
        return float(usage.samples)
    minutes = (usage.ended_at - usage.started_at).total_seconds() / 60
    return math.ceil(max(minutes, 1) / 15) * 15 / 60


# Guards --------------------------------------------------------------------------------


def _check_in_window(booking: Booking) -> str | None:
    now = utcnow()
    if now < booking.starts_at - dt.timedelta(minutes=checkin_grace_minutes()):
        return _(
            "Chưa đến giờ nhận thiết bị (sớm nhất %(n)d phút trước giờ đặt).",
            n=checkin_grace_minutes(),
        )
    if now >= booking.ends_at:
        return _("Lượt đặt đã hết giờ; không thể nhận thiết bị.")
    return None


def _started(booking: Booking) -> str | None:
    if utcnow() < booking.starts_at:
        return _("Chưa đến giờ bắt đầu; chưa thể ghi nhận vắng mặt.")
    return None


def _notify(booking: Booking, user: Any, transition: Transition, data: dict) -> None:
    key = f"labs.{transition.name}"
    if transition.name == "cancel" and user is not None and user.id == booking.user_id:
        tell_managers(booking, key, actor=user)
    else:
        tell_booker(booking, key, actor=user)


def _t(name, sources, target, permission, label, **kw) -> Transition:
    return Transition(
        name,
        frozenset(sources),
        target,
        permission,
        f"lab_booking.{name}",
        label=label,
        notify=kw.pop("notify", _notify),
        **kw,
    )


BOOKING_WORKFLOW = Workflow(
    Booking,
    [
        _t(
            "approve",
            {S.requested},
            S.approved,
            perms.can_decide_booking,
            _l("Phê duyệt"),
            effect=_decided,
        ),
        _t(
            "reject",
            {S.requested},
            S.rejected,
            perms.can_decide_booking,
            _l("Không phê duyệt"),
            effect=_reject,
            style="danger",
        ),
        _t(
            "check_in",
            {S.approved},
            S.checked_in,
            perms.can_decide_booking,
            _l("Nhận thiết bị (bắt đầu sử dụng)"),
            guard=_check_in_window,
            effect=_check_in,
        ),
        _t(
            "check_out",
            {S.checked_in},
            S.completed,
            perms.can_decide_booking,
            _l("Trả thiết bị (kết thúc sử dụng)"),
            effect=_check_out,
        ),
        _t(
            "no_show",
            {S.approved},
            S.no_show,
            perms.can_decide_booking,
            _l("Ghi nhận vắng mặt"),
            guard=_started,
            effect=_release,
            style="outline-danger",
        ),
        _t(
            "cancel",
            {S.requested, S.approved},
            S.cancelled,
            perms.can_cancel_booking,
            _l("Hủy lượt đặt"),
            effect=_cancel,
            style="outline-danger",
        ),
        # The scheduled release (tasks.py): no person performs these.
        _t("release", {S.approved}, S.no_show, perms.is_system, _l("Giải phóng"), effect=_release),
        _t("expire", {S.requested}, S.cancelled, perms.is_system, _l("Hết hạn"), effect=_release),
    ],
)

# Transitions a page offers with a form of their own (a reason, the samples).
FORM_TRANSITIONS = frozenset({"reject", "check_out", "cancel"})


def apply(booking: Booking, name: str, user: Any, **data: Any) -> Transition:
    return BOOKING_WORKFLOW.apply(booking, name, user, **data)
