"""The shared labs in the JSON API: labs and equipment (public), the caller's bookings, and
POST /bookings, which makes a booking request under the same rules as the pages.

A taken slot answers 409 with the booking or downtime it clashes with (its number and
times, never who holds it). A time without a time zone is Huế time (Asia/Ho_Chi_Minh), as
the OpenAPI document says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _

from ecosystem.api.labs_schemas import serialize_labs
from ecosystem.api.views import bp, error
from ecosystem.core.db import serialise_writes
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import LOCAL_TZ
from ecosystem.core.models import MAX_ID
from ecosystem.core.pagination import int_arg, paginate
from ecosystem.core.text import has_invalid_characters
from ecosystem.core.uow import atomic
from ecosystem.extensions import db, limiter
from ecosystem.labs import bookings as booking_ops
from ecosystem.labs import permissions as perms
from ecosystem.labs.models import Booking, Equipment, Lab
from ecosystem.labs.rules import SlotTaken


def _page(kind: str, statement: sa.Select):
    page = paginate(statement)
    return jsonify(
        items=[serialize_labs(kind, obj, g.user) for obj in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )


def _get(model: type, item_id: int) -> Any:
    return db.session.get(model, item_id) if 0 < item_id <= MAX_ID else None


@bp.get("/labs")
@limiter.limit("120 per minute")
def list_labs():
    statement = sa.select(Lab).where(Lab.is_published.is_(True)).order_by(Lab.name_vi, Lab.id)
    return _page("lab", statement)


@bp.get("/labs/<bigint:item_id>")
def get_lab(item_id: int):
    lab = _get(Lab, item_id)
    if lab is None or not lab.is_published:
        return error(404, _("Không tìm thấy phòng thí nghiệm."))
    return jsonify(serialize_labs("lab", lab, g.user))


@bp.get("/equipment")
@limiter.limit("120 per minute")
def list_equipment():
    statement = (
        sa.select(Equipment)
        .join(Lab)
        .where(Lab.is_published.is_(True), Equipment.is_active.is_(True))
        .order_by(Equipment.lab_id, Equipment.name_vi, Equipment.id)
    )
    lab_id = int_arg("lab", 0)
    if lab_id:
        statement = statement.where(Equipment.lab_id == lab_id)
    return _page("equipment", statement)


@bp.get("/equipment/<bigint:item_id>")
def get_equipment(item_id: int):
    item = _get(Equipment, item_id)
    if item is None or not item.lab.is_published:
        return error(404, _("Không tìm thấy thiết bị."))
    return jsonify(serialize_labs("equipment", item, g.user))


@bp.get("/bookings")
@limiter.limit("120 per minute")
def list_bookings():
    if g.user is None:
        return error(401, _("Cần khóa truy cập."))
    statement = (
        sa.select(Booking)
        .where(Booking.user_id == g.user.id)
        .order_by(Booking.starts_at.desc(), Booking.id.desc())
    )
    return _page("booking", statement)


@bp.get("/bookings/<bigint:item_id>")
def get_booking(item_id: int):
    if g.user is None:
        return error(401, _("Cần khóa truy cập."))
    booking = _get(Booking, item_id)
    if booking is None or not perms.can_view_booking(g.user, booking):
        return error(404, _("Không tìm thấy lượt đặt."))
    return jsonify(serialize_labs("booking", booking, g.user))


def _moment(value: Any) -> dt.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    moment = dt.datetime.fromisoformat(value.strip())
    # No time zone given: Huế time, as the OpenAPI document states.
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def _integer(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(value)
    return value


def _booking_input(body: Any) -> tuple[dict[str, Any], dict[str, str]]:
    problems: dict[str, str] = {}
    data: dict[str, Any] = {}
    if not isinstance(body, dict):
        return data, {"body": _("Cần một đối tượng JSON.")}
    for name in ("equipment_id", "starts_at", "ends_at"):
        if body.get(name) is None:
            problems[name] = _("Vui lòng điền thông tin này.")
    for name in ("starts_at", "ends_at"):
        if name in problems:
            continue
        try:
            data[name] = _moment(body[name])
        except (ValueError, TypeError):
            problems[name] = _(
                "Thời điểm không hợp lệ; dùng ISO 8601, ví dụ 2026-12-07T09:00:00+07:00."
            )
    for name, low, high in (
        ("equipment_id", 1, MAX_ID),
        ("organisation_id", 1, MAX_ID),
        ("award_id", 1, MAX_ID),
        ("result_id", 1, MAX_ID),
        ("samples", 0, 100_000),
    ):
        if body.get(name) is None or name in problems:
            continue
        try:
            data[name] = _integer(body[name], low, high)
        except ValueError:
            problems[name] = _("Giá trị không hợp lệ.")
    purpose = body.get("purpose")
    if purpose is not None:
        if not isinstance(purpose, str) or len(purpose) > 500 or has_invalid_characters(purpose):
            problems["purpose"] = _("Giá trị không hợp lệ.")
        else:
            data["purpose"] = purpose
    return data, problems


@bp.post("/bookings")
@limiter.limit("60 per minute")
def create_booking():
    data, problems = _booking_input(request.get_json(silent=True))
    if problems:
        return error(422, _("Dữ liệu không hợp lệ."), problems)
    # One writer at a time on SQLite while the slot is checked and taken (core.db).
    serialise_writes(db.session)
    item = _get(Equipment, data.pop("equipment_id"))
    if item is None or not item.lab.is_published:
        return error(404, _("Không tìm thấy thiết bị."))
    try:
        with atomic():
            booking = booking_ops.request_booking(item, g.user, data)
    except SlotTaken as exc:
        response, code = error(409, exc.message)
        body = response.get_json()
        body["error"]["clash"] = {
            **exc.clash,
            "starts_at": _utc(exc.clash["starts_at"]),
            "ends_at": _utc(exc.clash["ends_at"]),
        }
        return jsonify(body), 409
    except UserError as exc:
        if exc.status in (400, 403):
            return error(exc.status, exc.message)
        field = {"organisation_id": "organisation_id", "equipment": "equipment_id"}.get(
            exc.field or "", exc.field
        )
        return error(422, exc.message, {field: exc.message} if field else None)
    return jsonify(serialize_labs("booking", booking, g.user)), 201


def _utc(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
