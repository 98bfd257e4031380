"""The labs' blueprint and the lookups its views share (404 for what the user may not see)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g

from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.labs import permissions as perms
from ecosystem.labs.labels import lab_label, lab_tone
from ecosystem.labs.models import Booking, Equipment, Lab

bp = Blueprint("labs", __name__, url_prefix="/labs")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"lab_label": lab_label, "lab_tone": lab_tone}


def lab_or_404(lab_id: int) -> Lab:
    lab = db.session.get(Lab, lab_id)
    if lab is None or not perms.can_view_lab(g.user, lab):
        abort(404)
    return lab


def equipment_or_404(equipment_id: int) -> Equipment:
    item = db.session.get(Equipment, equipment_id)
    if item is None or not perms.can_view_lab(g.user, item.lab):
        abort(404)
    return item


def booking_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    # Someone else's booking answers like a missing one.
    if booking is None or not perms.can_view_booking(g.user, booking):
        abort(404)
    return booking


def show_error(form: Any, error: UserError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "warning")
