"""Two managers deciding the same application, an applicant submitting ten times at once,
two approvals competing for the last of the cycle's capital, two payments for the same
milestone: one wins, the others are told why, and the data stays consistent. Real
concurrent requests on PostgreSQL (row locks); the sequential twins run everywhere
(tests/workflow/test_applications.py, test_awards.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ecosystem.auth.models import User
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.uow import transaction
from ecosystem.extensions import db
from ecosystem.workflow import applications as ops
from ecosystem.workflow import awards
from ecosystem.workflow.models import (
    ApplicationState,
    BudgetLine,
    CallState,
    Decision,
    Disbursement,
    FundApplication,
    FundCall,
    FundCycle,
    Milestone,
)
from tests.auth.support import separate_app
from tests.races import add_org, add_user, needs_row_locks, race, signed_in_clients

S = ApplicationState


def _fund(state: ApplicationState, n: int = 1, capital: int = 20_000_000_000) -> list[int]:
    now = utcnow()
    org = add_org("Công ty TNHH Đầm Phá Xanh")
    add_user("applicant@example.vn", org=org)
    for i in range(2):
        add_user(f"manager{i}@example.vn", platform_role="fund_manager")
    call = FundCall(
        title_vi="Đợt gọi",
        budget=5_000_000_000,
        max_amount=1_000_000_000,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
        state=CallState.open,
    )
    db.session.add(call)
    db.session.add(
        FundCycle(
            name="Chu kỳ",
            starts_on=now.date() - dt.timedelta(days=9),
            ends_on=now.date() + dt.timedelta(days=300),
            charter_capital=capital,
        )
    )
    ids = []
    for i in range(n):
        application = FundApplication(
            call=call,
            organisation_id=org.id,
            title=f"Dự án {i}",
            trl=5,
            requested_amount=600_000_000,
            state=state,
            submitted_at=None if state is S.draft else now,
            budget_lines=[BudgetLine(label="Thiết bị", fund_amount=600_000_000)],
        )
        db.session.add(application)
        db.session.flush()
        ids.append(application.id)
    db.session.commit()
    return ids


def _audits(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    )


@needs_row_locks
def test_two_managers_deciding_at_once_leave_one_decision(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            (app_id,) = _fund(S.committee)
        clients = signed_in_clients(application, "manager0@example.vn", 1) + signed_in_clients(
            application, "manager1@example.vn", 1
        )
        forms = [
            {"action": "approve", "reason": "Xếp hạng cao", "amount": "600.000.000"},
            {"action": "reject", "reason": "Không khả thi"},
        ]
        responses = race(
            [
                lambda c=c, f=f: c.post(f"/fund/applications/{app_id}/state", data=f)
                for c, f in zip(clients, forms, strict=True)
            ]
        )
        assert [r.status_code for r in responses] == [302, 302]
        with application.app_context():
            item = db.session.get(FundApplication, app_id)
            decisions = db.session.scalars(sa.select(Decision)).all()
            assert len(decisions) == 1 and decisions[0].outcome is item.state
            assert _audits("fund_application.approve") + _audits("fund_application.reject") == 1


@needs_row_locks
def test_ten_submits_at_once_submit_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            (app_id,) = _fund(S.draft)
        clients = signed_in_clients(application, "applicant@example.vn", 10)
        responses = race(
            [
                lambda c=c: c.post(f"/fund/applications/{app_id}/state", data={"action": "submit"})
                for c in clients
            ]
        )
        assert [r.status_code for r in responses] == [302] * 10
        with application.app_context():
            assert db.session.get(FundApplication, app_id).state is S.submitted
            assert _audits("fund_application.submit") == 1


def _in_context(application, work):
    def run():
        with application.app_context():
            try:
                with transaction():
                    return work()
            except UserError as error:
                return error

    return run


@needs_row_locks
def test_two_approvals_cannot_both_take_the_last_of_the_capital(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            ids = _fund(S.committee, n=2, capital=1_000_000_000)  # room for one of 600M

        def approve(app_id: int, email: str):

            manager = db.session.scalar(sa.select(User).filter_by(email=email))
            item = db.session.get(FundApplication, app_id)
            return ops.apply(item, "approve", manager, reason="Tốt").name

        results = race(
            [
                _in_context(application, lambda: approve(ids[0], "manager0@example.vn")),
                _in_context(application, lambda: approve(ids[1], "manager1@example.vn")),
            ]
        )
        assert sorted(type(r).__name__ for r in results) == ["UserError", "str"]
        with application.app_context():
            committed = db.session.scalar(sa.select(sa.func.sum(Decision.amount)))
            assert committed == 600_000_000


@needs_row_locks
def test_two_payments_for_the_same_remainder_pay_once(tmp_path):
    with separate_app(tmp_path) as application:
        with application.app_context():
            (app_id,) = _fund(S.committee)
            manager = db.session.scalar(sa.select(User).filter_by(email="manager0@example.vn"))
            applicant = db.session.scalar(sa.select(User).filter_by(email="applicant@example.vn"))
            item = db.session.get(FundApplication, app_id)
            ops.apply(item, "approve", manager, reason="Tốt")
            award = awards.sign_contract(
                item,
                manager,
                number="HĐ-1",
                signed_on=utcnow().date(),
                amount=600_000_000,
                cofunding=0,
                milestones=[
                    awards.MilestonePlan("Mốc", 600_000_000, utcnow().date() + dt.timedelta(days=9))
                ],
            )
            milestone = award.milestones[0]
            awards.MILESTONE_WORKFLOW.apply(milestone, "report", applicant, report="Xong")
            awards.MILESTONE_WORKFLOW.apply(milestone, "accept", manager)
            db.session.commit()
            milestone_id = milestone.id

        def pay(reference: str):

            manager = db.session.scalar(sa.select(User).filter_by(email="manager1@example.vn"))
            target = db.session.get(Milestone, milestone_id)
            return awards.disburse(
                target, manager, amount=600_000_000, paid=utcnow().date(), reference=reference
            ).id

        results = race(
            [_in_context(application, lambda r=r: pay(r)) for r in ("UNC-1", "UNC-2", "UNC-3")]
        )
        assert sorted(type(r).__name__ for r in results) == ["UserError", "UserError", "int"]
        with application.app_context():
            assert db.session.scalar(sa.select(sa.func.sum(Disbursement.amount))) == 600_000_000
