"""Awards: the contract and its milestones, reports, disbursements within the milestone,
reminders and escalation, and progress per award and per call."""

from __future__ import annotations

import datetime as dt

import pytest

from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import Notification
from ecosystem.extensions import db
from ecosystem.workflow import applications as ops
from ecosystem.workflow import awards
from ecosystem.workflow.awards import MilestonePlan
from ecosystem.workflow.models import ApplicationState, Award, MilestoneState

S = ApplicationState
M = MilestoneState
TODAY = utcnow().date()


@pytest.fixture
def approved(make_application, make_cycle, people):
    make_cycle()
    application = make_application(org=people["_org"], state=S.committee)
    ops.apply(application, "approve", people["manager"], reason="Tốt", amount=600_000_000)
    return application


def _plan(*amounts: int) -> list[MilestonePlan]:
    return [
        MilestonePlan(f"Mốc {i + 1}", amount, TODAY + dt.timedelta(days=30 * (i + 1)))
        for i, amount in enumerate(amounts)
    ]


def _sign(application, user, *, amount=600_000_000, plan=None, number="HĐ-01/2026"):
    return awards.sign_contract(
        application,
        user,
        number=number,
        signed_on=TODAY,
        amount=amount,
        cofunding=250_000_000,
        milestones=plan if plan is not None else _plan(200_000_000, 400_000_000),
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"plan": _plan(200_000_000, 300_000_000)}, "milestones"),
        ({"plan": []}, "milestones"),
        ({"amount": 700_000_000, "plan": _plan(700_000_000)}, "amount"),
        ({"number": "  "}, "contract_number"),
    ],
)
def test_a_contract_that_does_not_add_up_is_refused(approved, people, kwargs, field):
    with pytest.raises(UserError) as refused:
        _sign(approved, people["manager"], **kwargs)
    assert refused.value.field == field


def test_signing_makes_the_award_and_its_milestones(approved, people):
    award = _sign(approved, people["manager"])
    assert approved.state is S.contracted
    assert [m.amount for m in award.milestones] == [200_000_000, 400_000_000]
    assert award.cycle_id is not None
    with pytest.raises(UserError):
        _sign(approved, people["manager"], number="HĐ-02/2026")
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 1


def test_the_contract_step_cannot_be_taken_without_a_contract(approved, people):
    with pytest.raises(UserError):
        ops.apply(approved, "contract", people["manager"])
    assert approved.state is S.approved


def test_the_applicant_cannot_sign(approved, people):
    with pytest.raises(UserError) as refused:
        _sign(approved, people["applicant"])
    assert refused.value.status == 403


@pytest.fixture
def milestone(approved, people):
    award = _sign(approved, people["manager"])
    return award.milestones[0]


def test_report_review_and_changes(milestone, people):
    flow = awards.MILESTONE_WORKFLOW
    with pytest.raises(UserError):
        flow.apply(milestone, "report", people["outsider"], report="Xong")
    with pytest.raises(UserError) as refused:
        flow.apply(milestone, "report", people["applicant"], report=" ")
    assert refused.value.field == "report"
    flow.apply(milestone, "report", people["applicant"], report="Đã lắp đặt hệ thống lọc")
    assert milestone.state is M.reported and milestone.reported_at is not None
    with pytest.raises(UserError) as refused:
        flow.apply(milestone, "ask_changes", people["manager"], note="")
    assert refused.value.field == "note"
    flow.apply(milestone, "ask_changes", people["manager"], note="Thiếu biên bản nghiệm thu")
    assert milestone.state is M.changes_requested
    flow.apply(milestone, "report", people["applicant"], report="Bổ sung biên bản")
    flow.apply(milestone, "accept", people["manager"])
    assert milestone.state is M.accepted


def test_disbursement_stays_within_the_milestone(milestone, people):
    flow = awards.MILESTONE_WORKFLOW
    with pytest.raises(UserError):  # not accepted yet
        awards.disburse(milestone, people["manager"], amount=1, paid=TODAY, reference="UNC-1")
    flow.apply(milestone, "report", people["applicant"], report="Xong")
    flow.apply(milestone, "accept", people["manager"])
    with pytest.raises(UserError) as refused:
        awards.disburse(
            milestone, people["manager"], amount=200_000_001, paid=TODAY, reference="UNC-1"
        )
    assert refused.value.field == "amount" and "200.000.000" in refused.value.message
    awards.disburse(milestone, people["manager"], amount=50_000_000, paid=TODAY, reference="UNC-1")
    with pytest.raises(UserError) as refused:
        awards.disburse(milestone, people["manager"], amount=1, paid=TODAY, reference="UNC-1")
    assert refused.value.field == "reference"
    assert milestone.state is M.accepted
    awards.disburse(milestone, people["manager"], amount=150_000_000, paid=TODAY, reference="UNC-2")
    assert milestone.state is M.paid
    progress = awards.award_progress(milestone.award)
    assert (progress.disbursed, round(progress.percent)) == (200_000_000, 33)
    assert awards.call_progress(milestone.award.application.call_id).disbursed == 200_000_000
    with pytest.raises(UserError):
        awards.disburse(milestone, people["manager"], amount=1, paid=TODAY, reference="UNC-3")


def test_reminders_and_escalation_are_sent_once(approved, people):
    plan = [
        MilestonePlan("Sắp đến hạn", 200_000_000, TODAY + dt.timedelta(days=5)),
        MilestonePlan("Còn xa", 400_000_000, TODAY + dt.timedelta(days=60)),
    ]
    award = _sign(approved, people["manager"], plan=plan)
    assert awards.remind_milestones(TODAY) == {"reminded": 1, "escalated": 0}
    assert awards.remind_milestones(TODAY) == {"reminded": 0, "escalated": 0}
    later = TODAY + dt.timedelta(days=6)
    assert awards.remind_milestones(later) == {"reminded": 0, "escalated": 1}
    assert awards.remind_milestones(later) == {"reminded": 0, "escalated": 0}
    keys = set(
        db.session.scalars(db.select(Notification.key).filter_by(user_id=people["manager"].id))
    )
    assert "fund.milestone_overdue" in keys
    assert award.milestones[1].reminded_at is None


def test_a_write_off_stays_within_what_was_paid_and_the_ceiling(milestone, people):
    flow = awards.MILESTONE_WORKFLOW
    flow.apply(milestone, "report", people["applicant"], report="Xong")
    flow.apply(milestone, "accept", people["manager"])
    awards.disburse(milestone, people["manager"], amount=200_000_000, paid=TODAY, reference="UNC-1")
    award = milestone.award
    with pytest.raises(UserError) as refused:
        awards.write_off(award, people["manager"], amount=200_000_001, reason="Thất bại", on=TODAY)
    assert refused.value.field == "amount"
    with pytest.raises(UserError) as refused:
        awards.write_off(award, people["applicant"], amount=1, reason="x", on=TODAY)
    assert refused.value.status == 403
    awards.write_off(
        award, people["manager"], amount=150_000_000, reason="Thất bại kỹ thuật", on=TODAY
    )
    with pytest.raises(UserError):
        awards.write_off(award, people["manager"], amount=50_000_001, reason="Thêm", on=TODAY)


def test_the_loss_ceiling_is_half_the_charter_capital(make_application, make_cycle, people):
    make_cycle(capital=300_000_000, state_share=0)  # ceiling: 150M
    application = make_application(org=people["_org"], state=S.committee)
    ops.apply(application, "approve", people["manager"], reason="Tốt", amount=200_000_000)
    award = _sign(application, people["manager"], amount=200_000_000, plan=_plan(200_000_000))
    first = award.milestones[0]
    awards.MILESTONE_WORKFLOW.apply(first, "report", people["applicant"], report="Xong")
    awards.MILESTONE_WORKFLOW.apply(first, "accept", people["manager"])
    awards.disburse(first, people["manager"], amount=200_000_000, paid=TODAY, reference="UNC-1")
    with pytest.raises(UserError) as refused:
        awards.write_off(award, people["manager"], amount=160_000_000, reason="Mất trắng", on=TODAY)
    assert "50%" in refused.value.message
    awards.write_off(award, people["manager"], amount=150_000_000, reason="Mất phần lớn", on=TODAY)
