"""Who may see and do what in the fund.

The fund is run by fund managers (and platform administrators). Applicants are the active
members of the applying organisation; partners' members may read an application they are
named in. An expert reviewer reaches an application only through an assignment they
accepted by declaring no conflict, and never when a conflict of interest is recorded — the
same rule guards the page, the API, exports and notifications, so a conflicted reviewer
has no channel to it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ecosystem.auth.models import PlatformRole
from ecosystem.extensions import db
from ecosystem.workflow.models import (
    ApplicationPartner,
    ApplicationState,
    AssignmentState,
    CallState,
    ConflictOfInterest,
    FundApplication,
    FundCall,
    ReviewAssignment,
)

EDITABLE = frozenset({ApplicationState.draft, ApplicationState.info_requested})
BEFORE_DECISION = frozenset(
    {
        ApplicationState.draft,
        ApplicationState.submitted,
        ApplicationState.screening,
        ApplicationState.info_requested,
        ApplicationState.under_review,
        ApplicationState.committee,
        ApplicationState.waitlisted,
    }
)
OPEN_TO_REVIEWERS = frozenset({AssignmentState.accepted, AssignmentState.submitted})


def is_fund_manager(user: Any) -> bool:
    return user is not None and (user.is_admin or user.has_role(PlatformRole.fund_manager))


def can_manage_fund(user: Any, obj: Any = None) -> bool:
    return is_fund_manager(user)


def can_view_call(user: Any, call: FundCall) -> bool:
    return call.state is not CallState.draft or is_fund_manager(user)


def can_apply(user: Any, call: FundCall) -> bool:
    return user is not None and bool(user.active_org_ids) and call.is_accepting()


def is_applicant(user: Any, application: FundApplication) -> bool:
    return user is not None and application.organisation_id in user.active_org_ids


def is_partner(user: Any, application: FundApplication) -> bool:
    return user is not None and bool(application.partner_org_ids & user.active_org_ids)


def has_conflict(user: Any, application: FundApplication) -> bool:
    return user is not None and bool(
        db.session.scalar(
            sa.select(sa.func.count(ConflictOfInterest.id)).where(
                ConflictOfInterest.application_id == application.id,
                ConflictOfInterest.reviewer_id == user.id,
            )
        )
    )


def assignment_of(user: Any, application: FundApplication) -> ReviewAssignment | None:
    if user is None or application.id is None:
        return None
    return db.session.scalar(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
        )
    )


def can_review(user: Any, application: FundApplication) -> bool:
    """An assigned expert who declared no conflict, with no conflict on record."""
    assignment = assignment_of(user, application)
    return (
        assignment is not None
        and assignment.state in OPEN_TO_REVIEWERS
        and not has_conflict(user, application)
    )


def can_view_application(user: Any, application: FundApplication) -> bool:
    if user is None:
        return False
    if is_fund_manager(user) or is_applicant(user, application):
        return True
    if application.state is ApplicationState.draft:
        return False
    return is_partner(user, application) or can_review(user, application)


def can_edit_application(user: Any, application: FundApplication) -> bool:
    return application.state in EDITABLE and is_applicant(user, application)


def can_submit_application(user: Any, application: FundApplication) -> bool:
    return (
        application.state is ApplicationState.draft
        and is_applicant(user, application)
        and application.call.is_accepting()
    )


def can_reply(user: Any, application: FundApplication) -> bool:
    return application.state is ApplicationState.info_requested and is_applicant(user, application)


def can_withdraw(user: Any, application: FundApplication) -> bool:
    return application.state in BEFORE_DECISION and is_applicant(user, application)


def can_screen(user: Any, application: FundApplication) -> bool:
    return is_fund_manager(user)


def can_decide(user: Any, application: FundApplication) -> bool:
    return is_fund_manager(user)


def visible_applications(user: Any) -> sa.ColumnElement[bool]:
    """A filter for lists, search and exports: the applications ``user`` may see."""
    if user is None:
        return sa.false()
    if is_fund_manager(user):
        return sa.true()
    orgs = sorted(user.active_org_ids)
    partner = sa.select(ApplicationPartner.application_id).where(
        ApplicationPartner.organisation_id.in_(orgs)
    )
    reviewing = sa.select(ReviewAssignment.application_id).where(
        ReviewAssignment.reviewer_id == user.id,
        ReviewAssignment.state.in_(OPEN_TO_REVIEWERS),
        ~sa.exists().where(
            ConflictOfInterest.application_id == ReviewAssignment.application_id,
            ConflictOfInterest.reviewer_id == user.id,
        ),
    )
    return sa.or_(
        FundApplication.organisation_id.in_(orgs),
        sa.and_(
            FundApplication.state != ApplicationState.draft,
            sa.or_(FundApplication.id.in_(partner), FundApplication.id.in_(reviewing)),
        ),
    )


def can_view_ledger(user: Any, obj: Any = None) -> bool:
    """The risk ledger: the fund, the platform administrators and the steering committee."""
    return is_fund_manager(user) or (user is not None and user.has_role(PlatformRole.steering))
