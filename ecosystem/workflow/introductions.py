"""The chain match → application: an introduction both sides accepted becomes a draft
application to an open call, pre-filled from both profiles.

The applicant is the side the user belongs to, the other side a partner; the research
result and the technology need of the match are linked; title, summary, field and TRL come
from the result (the need's problem completes the summary). Everything stays editable.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.models import Organisation, ResearchResult, TechnologyNeed
from ecosystem.workflow import applications
from ecosystem.workflow.models import CallState, FundApplication, FundCall

INTRODUCED = (MatchState.introduced, MatchState.deal_reported)


def own_side(user: Any, match: Match) -> tuple[int, int] | None:
    """(the user's organisation, the other side's) in an introduction, or None."""
    if user is None or match.state not in INTRODUCED:
        return None
    orgs = user.active_org_ids
    if match.source_org_id in orgs:
        return match.source_org_id, match.target_org_id
    if match.target_org_id in orgs:
        return match.target_org_id, match.source_org_id
    return None


def accepting_calls() -> list[FundCall]:
    calls = db.session.scalars(sa.select(FundCall).where(FundCall.state == CallState.open)).all()
    return sorted((c for c in calls if c.is_accepting()), key=lambda c: c.closes_at)


def _records(match: Match) -> tuple[ResearchResult | None, TechnologyNeed | None]:
    found: dict[str, Any] = {}
    for kind, object_id in (
        (match.source_kind, match.source_id),
        (match.target_kind, match.target_id),
    ):
        model = {"result": ResearchResult, "need": TechnologyNeed}.get(kind)
        if model is not None:
            found[kind] = db.session.get(model, object_id)
    return found.get("result"), found.get("need")


def start_from_match(match: Match, call: FundCall, user: Any) -> FundApplication:
    sides = own_side(user, match)
    if sides is None:
        raise UserError(
            _("Chỉ hai bên của một kết nối đã được chấp nhận mới lập hồ sơ từ kết nối đó."),
            status=403,
        )
    existing = db.session.scalar(
        sa.select(FundApplication.id).where(
            FundApplication.match_id == match.id, FundApplication.call_id == call.id
        )
    )
    if existing:
        raise UserError(
            _("Kết nối này đã có hồ sơ trong đợt gọi này (hồ sơ số %(n)s).", n=existing)
        )
    mine, other = sides
    result, need = _records(match)
    summary = "\n\n".join(
        part
        for part in (
            result.summary if result else "",
            _("Nhu cầu của bên đặt hàng: %(problem)s", problem=need.problem) if need else "",
        )
        if part
    )
    title = result.title if result else (need.title if need else _("Dự án hợp tác"))
    application = applications.start_application(
        call,
        db.session.get(Organisation, mine),
        user,
        {
            "title": title[:300],
            "summary": summary,
            "field_code": (result.field_code if result else None)
            or (need.field_code if need else None),
            "trl": result.trl if result else None,
            "result_id": result.id if result else None,
            "need_id": need.id if need else None,
            "partners": [(other, applications.role_for(db.session.get(Organisation, other)))],
        },
    )
    application.match_id = match.id
    db.session.flush()
    record_audit("fund_application.started_from_match", application, actor=user, match_id=match.id)
    return application
