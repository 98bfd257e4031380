"""The fund in the JSON API: calls (public), applications (the caller's organisation's and
those they may see), review assignments (the expert's own), and submitting one's own draft.

Visibility is the fund's own rule, not a copy of it: ``visible_applications`` filters the
lists and ``can_view_application`` guards one record, so a conflicted reviewer gets the
answer for a missing id on every path; an invitation not yet declared shows the number and
the call only, as on the reviewer's pages (``workflow.review_views``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _

from ecosystem.api.fund_schemas import CALL_STATES, serialize_fund
from ecosystem.api.views import bp, error
from ecosystem.core.errors import UserError
from ecosystem.core.models import MAX_ID
from ecosystem.core.pagination import int_arg, paginate
from ecosystem.core.uow import atomic
from ecosystem.extensions import db, limiter
from ecosystem.workflow import applications as application_ops
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import (
    AssignmentState,
    CallState,
    ConflictOfInterest,
    FundApplication,
    FundCall,
    ReviewAssignment,
)

_CALL_ORDER = sa.case(
    {CallState.open.value: 0, CallState.closed.value: 1},
    value=FundCall.state,
    else_=2,
)


def _page(kind: str, statement: sa.Select):
    page = paginate(statement)
    return jsonify(
        items=[serialize_fund(kind, obj, g.user) for obj in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )


def _get(model: type, item_id: int) -> Any:
    return db.session.get(model, item_id) if 0 < item_id <= MAX_ID else None


def _token_required():
    return error(401, _("Cần khóa truy cập.")) if g.user is None else None


# Calls: public, open ones first (soonest deadline first), then past ones; never drafts.


@bp.get("/calls")
@limiter.limit("120 per minute")
def list_calls():
    state = request.args.get("state")
    if state is not None and state not in CALL_STATES:
        message = _("Giá trị không thuộc danh sách cho phép.")
        return error(422, _("Dữ liệu không hợp lệ."), {"state": message})
    statement = sa.select(FundCall).where(FundCall.state != CallState.draft)
    if state is not None:
        statement = statement.where(FundCall.state == CallState(state))
    return _page("call", statement.order_by(_CALL_ORDER, FundCall.closes_at, FundCall.id))


@bp.get("/calls/<bigint:item_id>")
def get_call(item_id: int):
    call = _get(FundCall, item_id)
    if call is None or call.state is CallState.draft:
        return error(404, _("Không tìm thấy đợt gọi."))
    return jsonify(serialize_fund("call", call, g.user))


# Applications: what the fund's pages would show the caller.


def _visible_application(item_id: int) -> FundApplication | None:
    application = _get(FundApplication, item_id)
    if application is None or not perms.can_view_application(g.user, application):
        return None
    return application


@bp.get("/applications")
@limiter.limit("120 per minute")
def list_applications():
    refusal = _token_required()
    if refusal is not None:
        return refusal
    statement = sa.select(FundApplication).where(perms.visible_applications(g.user))
    call_id = int_arg("call", 0)
    if call_id:
        statement = statement.where(FundApplication.call_id == call_id)
    return _page(
        "application",
        statement.order_by(FundApplication.updated_at.desc(), FundApplication.id.desc()),
    )


@bp.get("/applications/<bigint:item_id>")
def get_application(item_id: int):
    refusal = _token_required()
    if refusal is not None:
        return refusal
    application = _visible_application(item_id)
    if application is None:
        return error(404, _("Không tìm thấy hồ sơ."))
    return jsonify(serialize_fund("application", application, g.user))


@bp.post("/applications/<bigint:item_id>/submit")
@limiter.limit("60 per minute")
def submit_application(item_id: int):
    application = _visible_application(item_id)
    if application is None:
        return error(404, _("Không tìm thấy hồ sơ."))
    try:
        with atomic():
            application_ops.apply(application, "submit", g.user)
    except UserError as exc:
        if exc.status in (400, 403):
            return error(exc.status, exc.message)
        return error(422, exc.message, {exc.field: exc.message} if exc.field else None)
    return jsonify(serialize_fund("application", application, g.user))


# Review assignments: the expert's own, never one they declined or are conflicted on.


def _my_assignments() -> sa.Select:
    return sa.select(ReviewAssignment).where(
        ReviewAssignment.reviewer_id == g.user.id,
        ReviewAssignment.state != AssignmentState.declined,
        ~sa.exists().where(
            ConflictOfInterest.application_id == ReviewAssignment.application_id,
            ConflictOfInterest.reviewer_id == g.user.id,
        ),
    )


@bp.get("/reviews")
@limiter.limit("120 per minute")
def list_reviews():
    refusal = _token_required()
    if refusal is not None:
        return refusal
    return _page(
        "review",
        _my_assignments().order_by(ReviewAssignment.created_at.desc(), ReviewAssignment.id.desc()),
    )


@bp.get("/reviews/<bigint:item_id>")
def get_review(item_id: int):
    refusal = _token_required()
    if refusal is not None:
        return refusal
    assignment = (
        db.session.scalar(_my_assignments().where(ReviewAssignment.id == item_id))
        if 0 < item_id <= MAX_ID
        else None
    )
    if assignment is None:
        return error(404, _("Không tìm thấy lời mời thẩm định."))
    return jsonify(serialize_fund("review", assignment, g.user))
