"""The fund's blueprint and the helpers its templates use (pages: views, review_views)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g
from flask_babel import lazy_gettext as _l

from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind, label
from ecosystem.workflow import applications as ops
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.labels import fund_label, fund_tone
from ecosystem.workflow.models import FundApplication, FundCall

bp = Blueprint("workflow", __name__, url_prefix="/fund")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "fund_label": fund_label,
        "fund_tone": fund_tone,
        "org_kind_label": lambda value: label(OrgKind(value)),
        "audit_label": _audit_label,
    }


def _audit_label(action: str) -> str:
    """A timeline line: the transition's button text, or what the edit did."""
    name = action.rsplit(".", 1)[-1]
    transition = ops.APPLICATION_WORKFLOW.by_name.get(name)
    if transition is not None:
        return str(transition.label)
    return str(_EDIT_LABELS.get(name, name))


_EDIT_LABELS = {
    "created": _l("Tạo hồ sơ"),
    "updated": _l("Cập nhật hồ sơ"),
    "started_from_match": _l("Tạo hồ sơ từ một kết nối đã được hai bên chấp nhận"),
}


def call_or_404(call_id: int) -> FundCall:
    call = db.session.get(FundCall, call_id)
    if call is None or not perms.can_view_call(g.user, call):
        abort(404)
    return call


def application_or_404(application_id: int) -> FundApplication:
    application = db.session.get(FundApplication, application_id)
    if application is None:
        abort(404)
    # A conflicted reviewer, another organisation: the same answer as for a missing id,
    # so not even the existence of an application leaks.
    if not perms.can_view_application(g.user, application):
        abort(404)
    return application


def show_error(form: Any, error: UserError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "warning")
