"""Who may see and act on a proposed partnership."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from ecosystem.auth.models import PlatformRole
from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState, Side
from ecosystem.matching.proposal_records import record
from ecosystem.registry.enums import RecordKind
from ecosystem.registry.models import LISTING_MODELS
from ecosystem.registry.permissions import can_view_listing

UNLOCKED = (MatchState.introduced, MatchState.deal_reported)


def side_of(user: Any, match: Match) -> Side | None:
    if user is None:
        return None
    orgs = user.active_org_ids
    if match.source_org_id in orgs:
        return Side.source
    if match.target_org_id in orgs:
        return Side.target
    return None


def can_view_all_matches(user: Any) -> bool:
    """The city's administrators and steering committee follow every proposal."""
    return user is not None and (user.is_admin or user.has_role(PlatformRole.steering))


def can_view_match(user: Any, match: Match | None) -> bool:
    """The two organisations, the administrators and the steering committee — as long as
    they may see both records: a need archived, hidden or expired takes its proposals
    out of sight of the other side. Once introduced, the two sides keep their match (they
    report the deal after the need is solved and archived)."""
    if user is None or match is None:
        return False
    if user.is_admin:
        return True
    side = side_of(user, match)
    if side is None and not can_view_all_matches(user):
        return False
    if side is not None and match.state in UNLOCKED:
        return True
    return _records_visible(user, match)


def _records_visible(user: Any, match: Match) -> bool:

    for kind, object_id in (
        (match.source_kind, match.source_id),
        (match.target_kind, match.target_id),
    ):
        if kind == RecordKind.group:
            continue  # research groups are public pages
        if not can_view_listing(user, record(kind, object_id)):
            return False
    return True


def visible_matches(user: Any) -> Any:
    """``can_view_match`` as an SQL condition, for lists that page in the database."""
    if user.is_admin:
        return sa.true()
    orgs = sorted(user.active_org_ids) or [-1]
    party = Match.source_org_id.in_(orgs) | Match.target_org_id.in_(orgs)
    allowed = party if not can_view_all_matches(user) else sa.true()
    both_visible = sa.and_(
        _side_visible(Match.source_kind, Match.source_id, orgs),
        _side_visible(Match.target_kind, Match.target_id, orgs),
    )
    return allowed & ((party & Match.state.in_(UNLOCKED)) | both_visible)


def _side_visible(kind_column: Any, id_column: Any, orgs: list[int]) -> Any:
    conditions = []
    for kind, model in LISTING_MODELS.items():
        visible = select(model.id).where(
            model.id == id_column, model.is_public | model.organisation_id.in_(orgs)
        )
        conditions.append((kind_column != kind) | visible.exists())
    return sa.and_(*conditions)


def can_act_on_match(user: Any, match: Match | None) -> bool:
    return match is not None and side_of(user, match) is not None


def contacts_unlocked(user: Any, match: Match | None) -> bool:
    """Once both sides agreed, each side sees the other's contacts (and may apply to the
    fund together)."""
    return can_act_on_match(user, match) and match.state in UNLOCKED


def can_rebuild_index(user: Any) -> bool:
    return user is not None and user.is_admin


def introduced_with(user: Any, organisation_id: int) -> bool:
    """Has one of the user's organisations been introduced to this organisation?"""
    orgs = sorted(user.active_org_ids) if user is not None else []
    if not orgs:
        return False
    pair = (Match.source_org_id.in_(orgs) & (Match.target_org_id == organisation_id)) | (
        Match.target_org_id.in_(orgs) & (Match.source_org_id == organisation_id)
    )
    return (
        db.session.scalar(select(Match.id).where(pair, Match.state.in_(UNLOCKED)).limit(1))
        is not None
    )


def details_unlocked(user: Any, record: Any) -> bool:
    """Registry rule: confidential details of a result, or a person's contact details,
    open up for the organisations introduced to its organisation."""
    if hasattr(record, "confidentiality"):
        return _result_introduced(user, record)
    org_ids = {m.organisation_id for m in getattr(record, "memberships", []) if m.ended_on is None}
    return any(introduced_with(user, org_id) for org_id in org_ids)


def _result_introduced(user: Any, result: Any) -> bool:
    orgs = sorted(user.active_org_ids) if user is not None else []
    if not orgs:
        return False
    as_target = (
        (Match.target_kind == RecordKind.result)
        & (Match.target_id == result.id)
        & Match.source_org_id.in_(orgs)
    )
    group_pair = (
        (Match.source_kind == RecordKind.group)
        & (Match.source_id == result.group_id)
        & Match.target_org_id.in_(orgs)
        if result.group_id
        else None
    )
    condition = as_target if group_pair is None else (as_target | group_pair)
    return (
        db.session.scalar(select(Match.id).where(condition, Match.state.in_(UNLOCKED)).limit(1))
        is not None
    )


def can_edit_terms(user: Any) -> bool:
    """The term dictionary is the platform's: its admins edit it."""
    return user is not None and user.is_admin
