"""Read-only questions the fund's pages ask: which calls, which applications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ecosystem.extensions import db
from ecosystem.registry.queries import organisation_choices
from ecosystem.workflow import permissions as perms
from ecosystem.workflow.models import CallState, FundApplication, FundCall

__all__ = ["calls_for", "my_applications", "organisation_choices", "applications_of_call"]

_CALL_ORDER = {CallState.open: 0, CallState.draft: 1, CallState.closed: 2, CallState.decided: 3}


def calls_for(user: Any) -> list[FundCall]:
    """Open calls first (soonest deadline first), then drafts for managers, then past calls."""
    statement = sa.select(FundCall)
    if not perms.is_fund_manager(user):
        statement = statement.where(FundCall.state != CallState.draft)
    calls = db.session.scalars(statement).all()
    return sorted(calls, key=lambda c: (_CALL_ORDER[c.state], c.closes_at))


def my_applications(user: Any) -> list[FundApplication]:
    """The applications a user may see, newest first: own organisation's, partner's,
    assigned reviews; all for managers."""
    return list(
        db.session.scalars(
            sa.select(FundApplication)
            .where(perms.visible_applications(user))
            .options(selectinload(FundApplication.call), selectinload(FundApplication.organisation))
            .order_by(FundApplication.updated_at.desc(), FundApplication.id.desc())
        )
    )


def applications_of_call(call: FundCall, user: Any) -> list[FundApplication]:
    return list(
        db.session.scalars(
            sa.select(FundApplication)
            .where(FundApplication.call_id == call.id, perms.visible_applications(user))
            .options(selectinload(FundApplication.organisation))
            .order_by(FundApplication.id)
        )
    )
