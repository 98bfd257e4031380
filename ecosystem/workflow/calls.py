"""Calls for proposals: their rules, and the life cycle draft → open → closed → decided."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.workflow.models import ApplicationState, CallState, FundCall
from ecosystem.workflow.permissions import can_manage_fund

QUESTION_TYPES = ("text", "number", "choice", "file")
UNDECIDED = frozenset(
    {
        ApplicationState.submitted,
        ApplicationState.screening,
        ApplicationState.info_requested,
        ApplicationState.under_review,
        ApplicationState.committee,
    }
)


def _undecided_left(call: FundCall) -> str | None:
    waiting = [a for a in call.applications if a.state in UNDECIDED]
    if waiting:
        return _("Còn %(n)d hồ sơ chưa có quyết định.", n=len(waiting))
    return None


def _not_before_close(call: FundCall) -> str | None:
    if utcnow() < call.closes_at:
        return _("Đợt gọi chưa đến hạn đóng.")
    return None


def _mark_decided(call: FundCall, user: Any, **data: Any) -> None:
    call.decided_at = utcnow()


CALL_WORKFLOW = Workflow(
    FundCall,
    [
        Transition(
            "open",
            frozenset({CallState.draft}),
            CallState.open,
            can_manage_fund,
            "fund_call.opened",
            label=_l("Mở nhận hồ sơ"),
        ),
        Transition(
            "close",
            frozenset({CallState.open}),
            CallState.closed,
            can_manage_fund,
            "fund_call.closed",
            label=_l("Đóng nhận hồ sơ"),
            guard=_not_before_close,
            style="secondary",
        ),
        Transition(
            "decide",
            frozenset({CallState.closed}),
            CallState.decided,
            can_manage_fund,
            "fund_call.decided",
            label=_l("Kết thúc xét chọn"),
            guard=_undecided_left,
            effect=_mark_decided,
        ),
    ],
)


def _clean_rules(data: dict[str, Any]) -> dict[str, Any]:
    """Check a call's rules; the message names what is wrong."""
    errors: dict[str, str] = {}
    if data["opens_at"] >= data["closes_at"]:
        errors["closes_at"] = _("Thời điểm đóng phải sau thời điểm mở.")
    if data["min_amount"] > data["max_amount"]:
        errors["max_amount"] = _("Mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")
    if data["max_amount"] > data["budget"]:
        errors["max_amount"] = _("Mức tối đa cho một hồ sơ không được vượt tổng kinh phí.")
    if data["trl_min"] > data["trl_max"]:
        errors["trl_max"] = _("Khoảng TRL không hợp lệ.")
    unknown = set(data.get("eligible_kinds") or ()) - {k.value for k in OrgKind}
    if unknown:
        errors["eligible_kinds"] = _("Loại tổ chức không hợp lệ.")
    for question in data.get("questions") or ():
        if question.get("type") not in QUESTION_TYPES:
            errors["questions"] = _("Loại câu hỏi không hợp lệ.")
    weights = [float(c.get("weight", 0)) for c in data.get("rubric") or ()]
    if any(w <= 0 for w in weights):
        errors["rubric"] = _("Trọng số của mỗi tiêu chí phải lớn hơn 0.")
    if errors:
        field, message = next(iter(errors.items()))
        raise UserError(message, field=field)
    return data


def create_call(data: dict[str, Any], user: Any) -> FundCall:
    if not can_manage_fund(user):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    call = FundCall(**_clean_rules(data), created_by_id=user.id)
    db.session.add(call)
    db.session.flush()
    record_audit("fund_call.created", call, actor=user, after={"title": call.title_vi})
    return call


def update_call(call: FundCall, data: dict[str, Any], user: Any) -> None:
    if not can_manage_fund(user):
        raise UserError(_("Bạn không có quyền thực hiện thao tác này."), status=403)
    if call.state is not CallState.draft:
        # Applicants rely on the published rules: after opening only the text may change.
        data = {k: v for k, v in data.items() if k in {"description_vi", "description_en"}}
        if "closes_at" in data:
            raise UserError(_("Không thể đổi hạn nộp sau khi đã mở nhận hồ sơ."))
    _clean_rules({**_rules_of(call), **data})
    for name, value in data.items():
        setattr(call, name, value)
    db.session.flush()
    record_audit("fund_call.updated", call, actor=user, changed=sorted(data))


def _rules_of(call: FundCall) -> dict[str, Any]:
    names = [
        "opens_at",
        "closes_at",
        "min_amount",
        "max_amount",
        "budget",
        "trl_min",
        "trl_max",
        "eligible_kinds",
        "questions",
        "rubric",
    ]
    return {name: getattr(call, name) for name in names}


def close_due_calls(now: dt.datetime | None = None) -> int:
    """The beat task's work: open calls whose deadline passed are closed (idempotent)."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(FundCall).where(FundCall.state == CallState.open, FundCall.closes_at <= now)
    ).all()
    for call in due:
        call.state = CallState.closed
        record_audit("fund_call.closed", call, before={"state": "open"}, after={"state": "closed"})
    db.session.flush()
    return len(due)
