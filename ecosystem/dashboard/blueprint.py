"""The dashboard's blueprints and the helpers its templates use.

``bp`` holds the committee's pages (/dashboard), ``public_bp`` the public indicator pages
(/indicators) and ``open_data_bp`` the open-data catalogue (/open-data).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash

from ecosystem.core.errors import UserError
from ecosystem.dashboard.labels import TONES, dash_label
from ecosystem.dashboard.models import TaskStatus
from ecosystem.dashboard.permissions import can_view_dashboard

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
public_bp = Blueprint("indicators", __name__, url_prefix="/indicators")
open_data_bp = Blueprint("open_data", __name__, url_prefix="/open-data")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "dash_label": dash_label,
        "task_tone": lambda s: TONES.get(s, "secondary"),
        "S": TaskStatus,
        "can_view_dashboard": can_view_dashboard,
    }


def show_error(form: Any, error: UserError) -> None:
    if error.status == 403:
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "warning")
