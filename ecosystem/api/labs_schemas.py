"""Field lists of the labs' API resources: labs, equipment (public) and bookings (own).

Fees are whole đồng (VND) per unit (an hour or a sample), broken down as the 2025 Law
lists the actual cost; datetimes are ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Any

from ecosystem.api.schemas import CREATED, ID, UPDATED, Field, serialize_fields
from ecosystem.labs.models import BookingState, FeeUnit, UserKind

VND = "Whole đồng (VND) per unit"


def _out(name: str, type_: str, **kwargs: Any) -> Field:
    return Field(name, type_, read_only=True, **kwargs)


def _fee(user: Any, booking: Any) -> int | None:
    usage = booking.usage
    return usage.amount if usage is not None and usage.ended_at is not None else None


LABS_RESOURCES: dict[str, tuple[Field, ...]] = {
    "lab": (
        ID,
        _out("organisation_id", "integer", description="The operator"),
        _out("name_vi", "string"),
        _out("name_en", "string"),
        _out("field_code", "string", nullable=True),
        _out("address", "string"),
        _out(
            "opening_hours",
            "object",
            description='Weekday ("0" = Monday) → [opening, closing] minutes after midnight in '
            "Asia/Ho_Chi_Minh (closing may be 1440), or null when closed",
        ),
        _out("rules_vi", "string"),
        _out("rules_en", "string"),
        _out("contact_email", "string"),
        CREATED,
        UPDATED,
    ),
    "equipment": (
        ID,
        _out("lab_id", "integer"),
        _out("name_vi", "string"),
        _out("name_en", "string"),
        _out("category", "string"),
        _out("field_code", "string", nullable=True),
        _out("model", "string"),
        _out("specifications", "string"),
        _out("photo_url", "string"),
        _out("location", "string"),
        _out("fee_unit", "string", enum=tuple(u.value for u in FeeUnit)),
        _out("cost_maintenance", "integer", description=VND),
        _out("cost_repair", "integer", description=VND),
        _out("cost_operation", "integer", description=VND),
        _out("cost_depreciation", "integer", description=VND),
        _out("unit_cost", "integer", description=f"The actual cost, the sum of the four. {VND}"),
        _out(
            "research_rate",
            "integer",
            get=lambda user, item: item.rate_for(UserKind.research),
            description=f"What research organisations pay (never above cost). {VND}",
        ),
        _out(
            "enterprise_rate",
            "integer",
            get=lambda user, item: item.rate_for(UserKind.enterprise),
            description=f"What enterprises and startups pay (never above cost). {VND}",
        ),
        _out("training_required", "boolean"),
        _out("approval_required", "boolean"),
        _out("min_minutes", "integer"),
        _out("max_minutes", "integer"),
        _out("lead_hours", "integer", description="Least notice before the start, in hours"),
        CREATED,
        UPDATED,
    ),
    "booking": (
        ID,
        _out("equipment_id", "integer"),
        _out("organisation_id", "integer", description="The paying organisation"),
        _out("user_kind", "string", enum=tuple(k.value for k in UserKind)),
        _out("state", "string", enum=tuple(s.value for s in BookingState)),
        _out("starts_at", "date-time"),
        _out("ends_at", "date-time"),
        _out("samples", "integer"),
        _out("purpose", "string"),
        _out("award_id", "integer", nullable=True, description="A fund award it serves"),
        _out("result_id", "integer", nullable=True, description="A research result it serves"),
        _out("reason", "string"),
        _out("late_cancellation", "boolean"),
        _out(
            "fee",
            "integer",
            nullable=True,
            get=_fee,
            description="The fee once used and checked out, whole đồng (VND)",
        ),
        CREATED,
        UPDATED,
    ),
}
LABS_TITLES = {"lab": "Lab", "equipment": "Equipment", "booking": "Booking"}


def serialize_labs(kind: str, obj: Any, user: Any) -> dict[str, Any]:
    return serialize_fields(LABS_RESOURCES[kind], obj, user)
