"""Applications to a call: drafting, the checks at submission, and the life cycle.

draft → submitted → screening → (eligible) under_review → committee → approved / rejected /
waitlisted; ineligible or info_requested (back to the applicant until a reply deadline) from
screening; withdrawn by the applicant before a decision; approved → contracted → in_progress
→ closed / terminated. Every step is a ``Transition`` applied by ``Workflow.apply``, which
locks the row, so two managers deciding at once or a double submit leave one winner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.audit import AuditEvent, record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import format_vnd
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.models import Organisation
from ecosystem.workflow import ledger
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    BudgetLine,
    Decision,
    FundApplication,
    FundCall,
    PartnerRole,
)
from ecosystem.workflow.notices import tell_applicant

S = ApplicationState
ENTERPRISE_KINDS = frozenset({OrgKind.enterprise, OrgKind.startup})
RESEARCH_KINDS = frozenset({OrgKind.university, OrgKind.research_institute})
EDITABLE_FIELDS = frozenset(
    [
        "title",
        "summary",
        "field_code",
        "trl",
        "requested_amount",
        "cofunding_amount",
        "answers",
        "lead_person_id",
        "result_id",
        "need_id",
    ]
)


# Checks at submission ------------------------------------------------------------------


def submission_problems(application: FundApplication) -> list[tuple[str, str]]:
    """Every reason the application cannot be submitted yet, as (field, message)."""
    call = application.call
    problems: list[tuple[str, str]] = []
    problems += _amount_problems(application, call)
    problems += _budget_problems(application)
    problems += _eligibility_problems(application, call)
    problems += _answer_problems(application, call)
    return problems


def _amount_problems(application: FundApplication, call: FundCall) -> list[tuple[str, str]]:
    out = []
    amount = application.requested_amount
    if not call.min_amount <= amount <= call.max_amount:
        out.append(
            (
                "requested_amount",
                _(
                    "Kinh phí đề nghị phải từ %(low)s đến %(high)s.",
                    low=format_vnd(call.min_amount),
                    high=format_vnd(call.max_amount),
                ),
            )
        )
    total = amount + application.cofunding_amount
    if (
        call.cofunding_percent
        and application.cofunding_amount * 100 < call.cofunding_percent * total
    ):
        out.append(
            (
                "cofunding_amount",
                _(
                    "Vốn đối ứng phải đạt ít nhất %(share)d%% tổng kinh phí dự án.",
                    share=call.cofunding_percent,
                ),
            )
        )
    return out


def _budget_problems(application: FundApplication) -> list[tuple[str, str]]:
    lines = application.budget_lines
    if not lines:
        return [("budget", _("Hãy lập bảng dự toán kinh phí."))]
    fund = sum(line.fund_amount for line in lines)
    own = sum(line.cofunding_amount for line in lines)
    out = []
    if fund != application.requested_amount:
        out.append(
            (
                "budget",
                _(
                    "Tổng phần Quỹ trong dự toán (%(sum)s) không khớp kinh phí đề nghị (%(asked)s).",
                    sum=format_vnd(fund),
                    asked=format_vnd(application.requested_amount),
                ),
            )
        )
    if own != application.cofunding_amount:
        out.append(
            (
                "budget",
                _(
                    "Tổng phần đối ứng trong dự toán (%(sum)s) không khớp vốn đối ứng (%(own)s).",
                    sum=format_vnd(own),
                    own=format_vnd(application.cofunding_amount),
                ),
            )
        )
    return out


def _eligibility_problems(application: FundApplication, call: FundCall) -> list[tuple[str, str]]:
    out = []
    applicant = application.organisation
    if call.eligible_kinds and applicant.kind.value not in call.eligible_kinds:
        out.append(
            ("organisation_id", _("Loại tổ chức của bạn không thuộc đối tượng của đợt gọi."))
        )
    if application.trl is None or not call.trl_min <= application.trl <= call.trl_max:
        out.append(
            (
                "trl",
                _(
                    "Đợt gọi nhận dự án có TRL từ %(low)d đến %(high)d.",
                    low=call.trl_min,
                    high=call.trl_max,
                ),
            )
        )
    if call.field_codes and application.field_code not in call.field_codes:
        out.append(("field_code", _("Lĩnh vực của dự án không thuộc phạm vi đợt gọi.")))
    if call.three_party:
        kinds = {applicant.kind} | {p.organisation.kind for p in application.partners}
        if not kinds & ENTERPRISE_KINDS or not kinds & RESEARCH_KINDS:
            out.append(
                (
                    "partners",
                    _("Đợt gọi “3 nhà” cần ít nhất một doanh nghiệp và một tổ chức nghiên cứu."),
                )
            )
    return out


def _answer_problems(application: FundApplication, call: FundCall) -> list[tuple[str, str]]:
    out = []
    answers = application.answers or {}
    uploaded = {d.doc_key for d in application.documents}
    for doc in call.required_documents or ():
        if doc["key"] not in uploaded:
            out.append(
                (f"doc_{doc['key']}", _("Còn thiếu tài liệu: %(name)s.", name=doc["label_vi"]))
            )
    for question in call.questions or ():
        key, kind = question["key"], question.get("type", "text")
        value = answers.get(key)
        present = key in uploaded if kind == "file" else str(value or "").strip() != ""
        if not present:
            if question.get("required"):
                out.append((f"q_{key}", _("Chưa trả lời câu hỏi: %(q)s.", q=question["label_vi"])))
            continue
        if kind == "choice" and value not in question.get("choices", []):
            out.append((f"q_{key}", _("Lựa chọn không hợp lệ: %(q)s.", q=question["label_vi"])))
    return out


# Transitions ----------------------------------------------------------------------------


def _deadline(application: FundApplication) -> str | None:
    if not application.call.is_accepting():
        return _("Đợt gọi đã hết hạn nhận hồ sơ; không thể nộp nữa.")
    return None


def _submit(application: FundApplication, user: Any, **data: Any) -> None:
    problems = submission_problems(application)
    if problems:
        field, message = problems[0]
        raise UserError(message, field=field)
    application.submitted_at = utcnow()


def _needs_reason(
    application: FundApplication, user: Any, *, reason: str = "", **data: Any
) -> None:
    if not reason.strip():
        raise UserError(_("Hãy ghi rõ lý do."), field="reason")
    application.screening_note = reason.strip()


def _request_info(
    application: FundApplication,
    user: Any,
    *,
    reason: str = "",
    reply_due_at: Any = None,
    **data: Any,
) -> None:
    _needs_reason(application, user, reason=reason)
    if reply_due_at is None or reply_due_at <= utcnow():
        raise UserError(_("Hạn trả lời phải ở trong tương lai."), field="reply_due_at")
    application.reply_due_at = reply_due_at


def _reply_in_time(application: FundApplication) -> str | None:
    if application.reply_due_at and utcnow() > application.reply_due_at:
        return _("Đã quá hạn trả lời yêu cầu bổ sung.")
    return None


def _decider(outcome: ApplicationState):
    def effect(
        application: FundApplication,
        user: Any,
        *,
        reason: str = "",
        amount: int | None = None,
        **data: Any,
    ) -> None:
        if not reason.strip():
            raise UserError(_("Hãy ghi rõ lý do của quyết định."), field="reason")
        granted = application.requested_amount if amount is None else amount
        if outcome is S.approved:
            if not 0 < granted <= application.requested_amount:
                raise UserError(
                    _("Kinh phí phê duyệt phải lớn hơn 0 và không vượt kinh phí đề nghị."),
                    field="amount",
                )
            ledger.ensure_commitment_allowed(granted, exclude_application_id=application.id)
        else:
            granted = 0
        decision = db.session.scalar(db.select(Decision).filter_by(application_id=application.id))
        if decision is None:
            decision = Decision(application_id=application.id)
            db.session.add(decision)
        decision.outcome, decision.reason, decision.amount = outcome, reason.strip(), granted
        decision.decided_by_id, decision.decided_at = user.id, utcnow()

    return effect


def _needs_contract(
    application: FundApplication, user: Any, *, contract_number: str = "", **data: Any
) -> None:
    # Only awards.sign_contract performs it, with the contract that goes with it.
    if not contract_number:
        raise UserError(_("Hãy ký hợp đồng ở trang hợp đồng của hồ sơ."))


def _notify(application: FundApplication, user: Any, transition: Transition, data: dict) -> None:
    tell_applicant(application, f"fund.{transition.name}", actor=user)


def _t(name, sources, target, permission, label, **kw) -> Transition:
    return Transition(
        name,
        frozenset(sources),
        target,
        permission,
        f"fund_application.{name}",
        label=label,
        notify=kw.pop("notify", _notify),
        **kw,
    )


PRE_DECISION = perms.BEFORE_DECISION - {S.draft}
APPLICATION_WORKFLOW = Workflow(
    FundApplication,
    [
        _t(
            "submit",
            {S.draft},
            S.submitted,
            perms.can_edit_application,
            _l("Nộp hồ sơ"),
            guard=_deadline,
            effect=_submit,
        ),
        _t(
            "start_screening",
            {S.submitted},
            S.screening,
            perms.can_screen,
            _l("Bắt đầu sơ loại"),
            notify=None,
        ),
        _t(
            "mark_eligible",
            {S.submitted, S.screening},
            S.under_review,
            perms.can_screen,
            _l("Hợp lệ, chuyển thẩm định"),
        ),
        _t(
            "mark_ineligible",
            {S.submitted, S.screening},
            S.ineligible,
            perms.can_screen,
            _l("Không hợp lệ"),
            effect=_needs_reason,
            style="danger",
        ),
        _t(
            "request_info",
            {S.submitted, S.screening},
            S.info_requested,
            perms.can_screen,
            _l("Yêu cầu bổ sung"),
            effect=_request_info,
            style="secondary",
        ),
        _t(
            "reply",
            {S.info_requested},
            S.screening,
            perms.can_reply,
            _l("Gửi bổ sung"),
            guard=_reply_in_time,
        ),
        _t("to_committee", {S.under_review}, S.committee, perms.can_decide, _l("Chuyển Hội đồng")),
        _t(
            "approve",
            {S.committee, S.waitlisted},
            S.approved,
            perms.can_decide,
            _l("Phê duyệt"),
            effect=_decider(S.approved),
        ),
        _t(
            "waitlist",
            {S.committee},
            S.waitlisted,
            perms.can_decide,
            _l("Đưa vào danh sách chờ"),
            effect=_decider(S.waitlisted),
            style="secondary",
        ),
        _t(
            "reject",
            {S.committee, S.waitlisted},
            S.rejected,
            perms.can_decide,
            _l("Không phê duyệt"),
            effect=_decider(S.rejected),
            style="danger",
        ),
        _t(
            "withdraw",
            PRE_DECISION | {S.draft},
            S.withdrawn,
            perms.can_withdraw,
            _l("Rút hồ sơ"),
            style="outline-danger",
        ),
        # Awards (ecosystem/workflow/awards.py) perform these with the contract's data.
        _t(
            "contract",
            {S.approved},
            S.contracted,
            perms.can_decide,
            _l("Ký hợp đồng"),
            effect=_needs_contract,
        ),
        _t("start", {S.contracted}, S.in_progress, perms.can_decide, _l("Bắt đầu thực hiện")),
        _t("close", {S.in_progress}, S.closed, perms.can_decide, _l("Nghiệm thu, kết thúc")),
        _t(
            "terminate",
            {S.contracted, S.in_progress},
            S.terminated,
            perms.can_decide,
            _l("Chấm dứt hợp đồng"),
            effect=_needs_reason,
            style="danger",
        ),
    ],
)

# The transitions a page offers as plain buttons; the others need a form of their own.
FORM_TRANSITIONS = frozenset(
    {"mark_ineligible", "request_info", "approve", "waitlist", "reject", "terminate"}
)


AWARDED = frozenset({S.contracted, S.in_progress, S.closed, S.terminated})
DECIDED = AWARDED | {S.approved, S.rejected, S.waitlisted}

# Performed with data of their own (the contract's number, date, milestones) on the award page.
OWN_PAGE_TRANSITIONS = frozenset({"contract"})


def apply(application: FundApplication, name: str, user: Any, **data: Any) -> Transition:
    return APPLICATION_WORKFLOW.apply(application, name, user, **data)


# Drafting -------------------------------------------------------------------------------


def start_application(
    call: FundCall, organisation: Organisation, user: Any, data: dict[str, Any]
) -> FundApplication:
    if not perms.can_apply(user, call):
        raise UserError(_("Đợt gọi không nhận hồ sơ vào lúc này."), status=403)
    if organisation.id not in user.active_org_ids:
        raise UserError(_("Bạn chỉ có thể nộp hồ sơ thay cho tổ chức của mình."), status=403)
    application = FundApplication(
        call=call, organisation_id=organisation.id, created_by_id=user.id, title=data["title"]
    )
    db.session.add(application)
    _set_fields(application, data)
    db.session.flush()
    record_audit("fund_application.created", application, actor=user, call_id=call.id)
    return application


def update_application(application: FundApplication, data: dict[str, Any], user: Any) -> None:
    if not perms.can_edit_application(user, application):
        raise UserError(_("Hồ sơ này không thể sửa ở trạng thái hiện tại."), status=403)
    _set_fields(application, data)
    db.session.flush()
    record_audit("fund_application.updated", application, actor=user, changed=sorted(data))


def _set_fields(application: FundApplication, data: dict[str, Any]) -> None:
    for name in EDITABLE_FIELDS & data.keys():
        setattr(application, name, data[name])
    if "budget" in data:
        application.budget_lines = [
            BudgetLine(position=i, label=label, fund_amount=fund, cofunding_amount=own)
            for i, (label, fund, own) in enumerate(data["budget"])
        ]
    if "partners" in data:
        _set_partners(application, data["partners"])


def _set_partners(application: FundApplication, partners: list[tuple[int, PartnerRole]]) -> None:
    wanted = {org_id: role for org_id, role in partners if org_id != application.organisation_id}
    known = set(db.session.scalars(db.select(Organisation.id).where(Organisation.id.in_(wanted))))
    if known != set(wanted):
        raise UserError(_("Tổ chức đối tác không tồn tại."), field="partners")
    # Keep the rows of partners who stay: replacing them all would insert the same
    # (application, organisation) pair before the old row is deleted, which the unique
    # constraint refuses.
    kept = []
    for partner in application.partners:
        if partner.organisation_id in wanted:
            partner.role = wanted.pop(partner.organisation_id)
            kept.append(partner)
    application.partners = kept + [
        ApplicationPartner(organisation_id=org_id, role=role) for org_id, role in wanted.items()
    ]


def role_for(organisation: Organisation) -> PartnerRole:
    if organisation.kind in ENTERPRISE_KINDS:
        return PartnerRole.enterprise
    if organisation.kind in RESEARCH_KINDS:
        return PartnerRole.research
    return PartnerRole.other


def timeline(application: FundApplication) -> list[Any]:
    """The application's history, oldest first, from the audit log."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.object_type == FundApplication.__tablename__,
                AuditEvent.object_id == str(application.id),
            )
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def reply_deadline(days: int) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)
