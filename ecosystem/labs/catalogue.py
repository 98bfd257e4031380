"""The catalogue's operations: labs, equipment (fees at cost), downtime, authorisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import MAX_VND, format_date
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import notify
from ecosystem.extensions import db
from ecosystem.labs import permissions as perms
from ecosystem.labs import rules
from ecosystem.labs.bookings import apply
from ecosystem.labs.models import (
    Authorisation,
    Booking,
    Downtime,
    DowntimeKind,
    Equipment,
    FeeUnit,
    Hold,
    Lab,
)

LAB_FIELDS = (
    "name_vi",
    "name_en",
    "field_code",
    "address",
    "opening_hours",
    "rules_vi",
    "rules_en",
    "contact_email",
    "is_published",
    "manager_id",
)
COSTS = ("cost_maintenance", "cost_repair", "cost_operation", "cost_depreciation")
EQUIPMENT_FIELDS = (
    "name_vi",
    "name_en",
    "category",
    "field_code",
    "model",
    "specifications",
    "photo_url",
    "location",
    "fee_unit",
    *COSTS,
    "research_rate",
    "enterprise_rate",
    "training_required",
    "approval_required",
    "min_minutes",
    "max_minutes",
    "lead_hours",
    "is_active",
)


def save_lab(lab: Lab | None, data: dict[str, Any], user: Any) -> Lab:
    if lab is None:
        if not perms.can_create_lab(user):
            raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
        if not user.is_admin and data.get("organisation_id") not in user.admin_org_ids:
            raise UserError(
                _("Phòng thí nghiệm phải thuộc một tổ chức mà bạn quản trị."),
                field="organisation_id",
            )
        lab = Lab(organisation_id=data["organisation_id"])
        db.session.add(lab)
        action = "lab.created"
    else:
        if not perms.can_manage_lab(user, lab):
            raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
        action = "lab.updated"
    hours = data.get("opening_hours")
    if hours is not None and not rules.valid_opening_hours(hours):
        raise UserError(_("Giờ mở cửa không hợp lệ."), field="opening_hours")
    for name in LAB_FIELDS:
        if name in data:
            setattr(lab, name, data[name])
    db.session.flush()
    record_audit(action, lab, actor=user, changed=sorted(data))
    return lab


def check_fees(data: dict[str, Any]) -> None:
    """Fees are whole đồng, never negative, and a rate never above the actual cost."""
    for name in (*COSTS, "research_rate", "enterprise_rate"):
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or value < 0:
            raise UserError(_("Đơn giá không được âm."), field=name)
        if value > MAX_VND:
            raise UserError(_("Số tiền quá lớn."), field=name)
    cost = sum(data.get(name) or 0 for name in COSTS)
    for name in ("research_rate", "enterprise_rate"):
        if data.get(name) is not None and data[name] > cost:
            raise UserError(
                _(
                    "Theo Luật Khoa học, Công nghệ và Đổi mới sáng tạo 2025, giá sử dụng không"
                    " được vượt chi phí thực tế (bảo trì, sửa chữa, vận hành, khấu hao)."
                ),
                field=name,
            )
    low, high = data.get("min_minutes"), data.get("max_minutes")
    if low is not None and low <= 0:
        raise UserError(_("Thời lượng tối thiểu phải lớn hơn 0."), field="min_minutes")
    if low is not None and high is not None and high < low:
        raise UserError(
            _("Thời lượng tối đa không được nhỏ hơn thời lượng tối thiểu."), field="max_minutes"
        )
    if (data.get("lead_hours") or 0) < 0:
        raise UserError(_("Thời gian đặt trước không được âm."), field="lead_hours")


def save_equipment(
    equipment: Equipment | None, lab: Lab, data: dict[str, Any], user: Any
) -> Equipment:
    if not perms.can_manage_lab(user, lab):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    current = {n: getattr(equipment, n) for n in EQUIPMENT_FIELDS} if equipment else {}
    check_fees({**current, **data})
    if equipment is None:
        equipment = Equipment(lab=lab)
        db.session.add(equipment)
    for name in EQUIPMENT_FIELDS:
        if name in data:
            value = data[name]
            setattr(equipment, name, FeeUnit(value) if name == "fee_unit" else value)
    db.session.flush()
    record_audit("lab_equipment.saved", equipment, actor=user, lab_id=lab.id, changed=sorted(data))
    return equipment


def add_downtime(
    equipment: Equipment,
    user: Any,
    *,
    kind: DowntimeKind,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
) -> Downtime:
    """Block the equipment; open bookings in that time are cancelled and their holders told."""
    if not perms.can_manage_lab(user, equipment.lab):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    if ends_at <= starts_at:
        raise UserError(_("Thời điểm kết thúc phải sau thời điểm bắt đầu."), field="ends_at")
    overlapping = db.session.scalars(
        sa.select(Booking)
        .join(Hold, Hold.booking_id == Booking.id)
        .where(
            Hold.equipment_id == equipment.id,
            Hold.starts_at < ends_at,
            Hold.ends_at > starts_at,
        )
    ).all()
    in_use = [b for b in overlapping if b.state not in perms.OPEN_STATES]
    if in_use:
        raise UserError(
            _(
                "Khoảng thời gian này trùng lượt sử dụng số %(id)d đã diễn ra hoặc đang diễn ra.",
                id=in_use[0].id,
            ),
            field="starts_at",
        )

    for booking in overlapping:
        apply(booking, "cancel", user, reason=_("Thiết bị tạm ngừng phục vụ"))
    downtime = Downtime(
        equipment_id=equipment.id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note[:500],
        created_by_id=user.id,
    )
    db.session.add(downtime)
    db.session.flush()
    db.session.add(
        Hold(
            equipment_id=equipment.id,
            downtime_id=downtime.id,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    )
    db.session.flush()
    record_audit("lab_downtime.added", downtime, actor=user, equipment_id=equipment.id)
    return downtime


def remove_downtime(downtime: Downtime, user: Any) -> None:
    if not perms.can_manage_lab(user, downtime.equipment.lab):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    record_audit("lab_downtime.removed", downtime, actor=user)
    db.session.execute(sa.delete(Hold).where(Hold.downtime_id == downtime.id))
    db.session.delete(downtime)
    db.session.flush()


def grant_authorisation(
    equipment: Equipment, person: Any, user: Any, *, expires_on: dt.date, note: str = ""
) -> Authorisation:
    if not perms.can_manage_lab(user, equipment.lab):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    if expires_on < utcnow().date():
        raise UserError(_("Ngày hết hạn phải từ hôm nay trở đi."), field="expires_on")
    found = db.session.scalar(
        sa.select(Authorisation).where(
            Authorisation.user_id == person.id, Authorisation.equipment_id == equipment.id
        )
    )
    if found is None:
        found = Authorisation(user_id=person.id, equipment_id=equipment.id)
        db.session.add(found)
    found.expires_on = expires_on
    found.granted_by_id = user.id
    found.granted_at = utcnow()
    found.revoked_at = None
    found.note = note[:300]
    db.session.flush()
    record_audit(
        "lab_authorisation.granted",
        found,
        actor=user,
        user_id=person.id,
        equipment_id=equipment.id,
        expires_on=expires_on,
    )

    notify(
        [person.id],
        "labs.authorised",
        {"equipment": equipment.name_vi, "until": format_date(expires_on)},
        f"/labs/equipment/{equipment.id}",
    )
    return found


def revoke_authorisation(authorisation: Authorisation, user: Any) -> None:
    if not perms.can_manage_lab(user, authorisation.equipment.lab):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    authorisation.revoked_at = utcnow()
    db.session.flush()
    record_audit("lab_authorisation.revoked", authorisation, actor=user)
