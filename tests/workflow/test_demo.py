"""The fund's demo: every state an applicant or manager meets, made by the real operations."""

from __future__ import annotations

import sqlalchemy as sa

from ecosystem.extensions import db
from ecosystem.seed import seed_demo
from ecosystem.workflow.models import (
    ApplicationState,
    AssignmentState,
    CallState,
    Disbursement,
    FundApplication,
    FundCall,
    Milestone,
    MilestoneState,
    ReviewAssignment,
)

S = ApplicationState


def _states(model) -> set:
    return set(db.session.scalars(sa.select(model.state)))


def test_the_demo_fund_is_believable_and_seeded_once(app, db_session):
    assert seed_demo() > 0
    db.session.flush()
    assert {
        S.draft,
        S.submitted,
        S.screening,
        S.info_requested,
        S.ineligible,
        S.under_review,
        S.committee,
        S.withdrawn,
        S.in_progress,
        S.rejected,
        S.waitlisted,
    } <= _states(FundApplication)
    assert _states(FundCall) == {CallState.open, CallState.decided}
    assert _states(Milestone) == set(MilestoneState)
    assert {AssignmentState.invited, AssignmentState.submitted} <= _states(ReviewAssignment)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(FundApplication.id)).where(
                FundApplication.match_id.is_not(None)
            )
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.sum(Disbursement.amount))) == 300_000_000
    before = db.session.scalar(sa.select(sa.func.count(FundApplication.id)))
    assert seed_demo() == 0
    assert db.session.scalar(sa.select(sa.func.count(FundApplication.id))) == before
