"""Awards: the contract, its milestones, the grantee's reports and the disbursements.

An approved application becomes contracted when the fund signs the contract: number, date,
amount (at most the approved amount), co-funding and milestones whose amounts add up to the
contract's. Each milestone: planned → reported (the grantee's report) → accepted, or back
to the grantee with changes requested; disbursements against an accepted milestone never
exceed its amount, and the milestone is paid when they reach it. Reminders before a
milestone falls due and an escalation to the fund managers when overdue run daily.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.formatting import format_vnd
from ecosystem.core.models import utcnow
from ecosystem.core.transitions import Transition, Workflow, lock_current
from ecosystem.extensions import db
from ecosystem.workflow import applications, ledger
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import (
    ApplicationState,
    Award,
    Decision,
    Disbursement,
    FundApplication,
    FundCycle,
    Milestone,
    MilestoneState,
    WriteOff,
)
from ecosystem.workflow.notices import fund_managers, tell_applicant, tell_users

M = MilestoneState
REMIND_DAYS_BEFORE = 7
RUNNING = frozenset({ApplicationState.contracted, ApplicationState.in_progress})


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    amount: int
    due_on: dt.date
    deliverables: str = ""


def award_of(application: FundApplication) -> Award | None:
    return db.session.scalar(sa.select(Award).where(Award.application_id == application.id))


# The contract ----------------------------------------------------------------------------


def sign_contract(
    application: FundApplication,
    user: Any,
    *,
    number: str,
    signed_on: dt.date,
    amount: int,
    cofunding: int,
    milestones: list[MilestonePlan],
) -> Award:
    number = number.strip()
    if not number:
        raise UserError(_("Hãy nhập số hợp đồng."), field="contract_number")
    # The transition locks the application and checks it is approved, so a double click or
    # two managers signing at once make one contract.
    applications.apply(application, "contract", user, contract_number=number)
    decision = db.session.scalar(
        sa.select(Decision).where(Decision.application_id == application.id)
    )
    granted = decision.amount if decision else 0
    if not 0 < amount <= granted:
        raise UserError(
            _(
                "Giá trị hợp đồng phải lớn hơn 0 và không vượt kinh phí phê duyệt (%(granted)s).",
                granted=format_vnd(granted),
            ),
            field="amount",
        )
    if db.session.scalar(sa.select(Award.id).where(Award.contract_number == number)):
        raise UserError(_("Số hợp đồng này đã được dùng."), field="contract_number")
    _check_plan(milestones, amount, signed_on)
    cycle = ledger.current_cycle(signed_on)
    award = Award(
        application_id=application.id,
        contract_number=number,
        signed_on=signed_on,
        amount=amount,
        cofunding_amount=cofunding,
        cycle_id=cycle.id if cycle else None,
        created_by_id=user.id,
        milestones=[
            Milestone(
                position=i,
                title=m.title,
                deliverables=m.deliverables,
                amount=m.amount,
                due_on=m.due_on,
            )
            for i, m in enumerate(milestones)
        ],
    )
    db.session.add(award)
    db.session.flush()
    record_audit(
        "fund_award.signed", award, actor=user, application_id=application.id, amount=amount
    )
    return award


def _check_plan(milestones: list[MilestonePlan], amount: int, signed_on: dt.date) -> None:
    if not milestones:
        raise UserError(_("Hợp đồng cần ít nhất một mốc giải ngân."), field="milestones")
    for plan in milestones:
        if not plan.title.strip() or plan.amount <= 0:
            raise UserError(_("Mỗi mốc cần nội dung và số tiền lớn hơn 0."), field="milestones")
        if plan.due_on < signed_on:
            raise UserError(
                _("Hạn của mốc “%(title)s” trước ngày ký hợp đồng.", title=plan.title),
                field="milestones",
            )
    total = sum(m.amount for m in milestones)
    if total != amount:
        raise UserError(
            _(
                "Tổng các mốc (%(sum)s) phải bằng giá trị hợp đồng (%(amount)s).",
                sum=format_vnd(total),
                amount=format_vnd(amount),
            ),
            field="milestones",
        )


# Milestones ------------------------------------------------------------------------------


def _grantee(user: Any, milestone: Milestone) -> bool:
    application = milestone.award.application
    return application.state in RUNNING and perms.is_applicant(user, application)


def _manager(user: Any, milestone: Milestone) -> bool:
    return perms.is_fund_manager(user)


def _report(milestone: Milestone, user: Any, *, report: str = "", **data: Any) -> None:
    if not report.strip():
        raise UserError(_("Hãy mô tả kết quả đạt được của mốc."), field="report")
    milestone.report = report.strip()[:20000]
    milestone.reported_at = utcnow()


def _review_note(milestone: Milestone, user: Any, *, note: str = "", **data: Any) -> None:
    milestone.review_note = note.strip()[:5000]
    milestone.reviewed_at = utcnow()


def _needs_note(milestone: Milestone, user: Any, *, note: str = "", **data: Any) -> None:
    if not note.strip():
        raise UserError(_("Hãy ghi rõ nội dung cần chỉnh sửa."), field="note")
    _review_note(milestone, user, note=note)


def _tell(milestone: Milestone, user: Any, transition: Transition, data: dict) -> None:
    application = milestone.award.application
    key = f"fund.milestone_{transition.name}"
    if transition.name == "report":
        tell_users(fund_managers(), application, key, actor=user, milestone=milestone.title)
    else:
        tell_applicant(application, key, actor=user, milestone=milestone.title)


MILESTONE_WORKFLOW = Workflow(
    Milestone,
    [
        Transition(
            "report",
            frozenset({M.planned, M.changes_requested}),
            M.reported,
            _grantee,
            "fund_milestone.report",
            label=_l("Gửi báo cáo"),
            effect=_report,
            notify=_tell,
        ),
        Transition(
            "accept",
            frozenset({M.reported}),
            M.accepted,
            _manager,
            "fund_milestone.accept",
            label=_l("Chấp nhận"),
            effect=_review_note,
            notify=_tell,
        ),
        Transition(
            "ask_changes",
            frozenset({M.reported}),
            M.changes_requested,
            _manager,
            "fund_milestone.ask_changes",
            label=_l("Yêu cầu chỉnh sửa"),
            effect=_needs_note,
            notify=_tell,
            style="secondary",
        ),
        Transition(
            "mark_paid",
            frozenset({M.accepted}),
            M.paid,
            _manager,
            "fund_milestone.paid",
            label=_l("Đã giải ngân đủ"),
            notify=None,
        ),
    ],
)


def paid_on(milestone: Milestone) -> int:
    return ledger.disbursed(Milestone.id == milestone.id)


def disburse(
    milestone: Milestone, user: Any, *, amount: int, paid: dt.date, reference: str
) -> Disbursement:
    """Record a payment against an accepted milestone, never above what is left of it."""
    if not perms.is_fund_manager(user):
        raise UserError(_("Chỉ cán bộ Quỹ ghi nhận giải ngân."), status=403)
    # Two payments recorded at once must not both fit in the same remainder.
    lock_current(milestone)
    if milestone.state is not M.accepted:
        raise UserError(_("Chỉ giải ngân cho mốc đã được chấp nhận."))
    reference = reference.strip()
    if not reference:
        raise UserError(_("Hãy nhập số chứng từ."), field="reference")
    left = milestone.amount - paid_on(milestone)
    if not 0 < amount <= left:
        raise UserError(
            _(
                "Số tiền giải ngân phải lớn hơn 0 và không vượt phần còn lại của mốc (%(left)s).",
                left=format_vnd(left),
            ),
            field="amount",
        )
    if db.session.scalar(
        sa.select(Disbursement.id).where(
            Disbursement.milestone_id == milestone.id, Disbursement.reference == reference
        )
    ):
        raise UserError(_("Chứng từ này đã được ghi nhận cho mốc."), field="reference")
    payment = Disbursement(
        milestone_id=milestone.id,
        amount=amount,
        paid_on=paid,
        reference=reference[:100],
        recorded_by_id=user.id,
    )
    db.session.add(payment)
    db.session.flush()
    record_audit(
        "fund_disbursement.recorded", milestone, actor=user, amount=amount, reference=reference
    )
    if amount == left:
        MILESTONE_WORKFLOW.apply(milestone, "mark_paid", user)
    tell_applicant(
        milestone.award.application,
        "fund.disbursed",
        actor=user,
        milestone=milestone.title,
        amount=format_vnd(amount),
    )
    return payment


@dataclass(frozen=True)
class Progress:
    amount: int
    disbursed: int

    @property
    def percent(self) -> float:
        return 100 * self.disbursed / self.amount if self.amount else 0.0


def award_progress(award: Award) -> Progress:
    return Progress(award.amount, ledger.disbursed(Award.id == award.id))


def call_progress(call_id: int) -> Progress:
    amount = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Award.amount), 0))
        .join(FundApplication, FundApplication.id == Award.application_id)
        .where(FundApplication.call_id == call_id)
    )
    return Progress(int(amount or 0), ledger.disbursed(FundApplication.call_id == call_id))


# Reminders (daily, Celery beat) ----------------------------------------------------------


def remind_milestones(today: dt.date | None = None) -> dict[str, int]:
    """Remind grantees a week before a milestone is due; tell the managers once it is overdue."""
    today = today or utcnow().date()
    open_states = (M.planned, M.changes_requested)
    running = sa.select(Award.id).join(FundApplication).where(FundApplication.state.in_(RUNNING))
    due = db.session.scalars(
        sa.select(Milestone).where(
            Milestone.state.in_(open_states),
            Milestone.award_id.in_(running),
            Milestone.due_on >= today,
            Milestone.due_on <= today + dt.timedelta(days=REMIND_DAYS_BEFORE),
            Milestone.reminded_at.is_(None),
        )
    ).all()
    for milestone in due:
        tell_applicant(
            milestone.award.application,
            "fund.milestone_due",
            milestone=milestone.title,
            due=milestone.due_on.strftime("%d/%m/%Y"),
        )
        milestone.reminded_at = utcnow()
    overdue = db.session.scalars(
        sa.select(Milestone).where(
            Milestone.state.in_(open_states),
            Milestone.award_id.in_(running),
            Milestone.due_on < today,
            Milestone.escalated_at.is_(None),
        )
    ).all()
    for milestone in overdue:
        application = milestone.award.application
        tell_users(
            fund_managers(),
            application,
            "fund.milestone_overdue",
            milestone=milestone.title,
            due=milestone.due_on.strftime("%d/%m/%Y"),
        )
        tell_applicant(
            application,
            "fund.milestone_overdue",
            milestone=milestone.title,
            due=milestone.due_on.strftime("%d/%m/%Y"),
        )
        milestone.escalated_at = utcnow()
    db.session.flush()
    return {"reminded": len(due), "escalated": len(overdue)}


# Losses (the risk the fund exists to take) ------------------------------------------------


def write_off(award: Award, user: Any, *, amount: int, reason: str, on: dt.date) -> WriteOff:
    """Accept a loss on an award: never more than was paid out on it, and never past the
    cycle's 50% ceiling (Decree 264/2025/NĐ-CP)."""
    if not perms.is_fund_manager(user):
        raise UserError(_("Chỉ cán bộ Quỹ ghi nhận tổn thất."), status=403)
    if not reason.strip():
        raise UserError(_("Hãy ghi rõ lý do."), field="reason")
    lock_current(award)
    paid = award_progress(award).disbursed
    already = ledger.written_off(Award.id == award.id)
    if not 0 < amount <= paid - already:
        raise UserError(
            _(
                "Tổn thất phải lớn hơn 0 và không vượt số đã giải ngân chưa ghi tổn thất (%(left)s).",
                left=format_vnd(paid - already),
            ),
            field="amount",
        )
    if award.cycle_id is None:
        raise UserError(_("Hợp đồng chưa thuộc chu kỳ đầu tư nào."))
    ledger.ensure_write_off_allowed(db.session.get(FundCycle, award.cycle_id), amount)
    loss = WriteOff(
        award_id=award.id,
        amount=amount,
        reason=reason.strip()[:5000],
        written_off_on=on,
        recorded_by_id=user.id,
    )
    db.session.add(loss)
    db.session.flush()
    record_audit("fund_award.written_off", award, actor=user, amount=amount, reason=loss.reason)
    return loss
