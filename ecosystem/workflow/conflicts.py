"""Conflicts of interest between an expert and an application, found in the registry.

An expert is conflicted with an application when they belong to an organisation involved
in it (the applicant or a partner), share a research group with its people, belong to a
group that produced a result of an involved organisation (a joint result), or when one of
their organisations was introduced to, or made a deal with, an involved organisation on
this platform. The expert's organisations are their active memberships as a user and the
current affiliations of their person record. The same list is shown to the fund manager
when assigning, and written as ``ConflictOfInterest`` rows that close every channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ecosystem.extensions import db
from ecosystem.matching.models import Match, MatchState
from ecosystem.registry.models import (
    Membership,
    Organisation,
    Person,
    ResearchGroup,
    ResearchResult,
    group_members,
)
from ecosystem.workflow.models import ConflictOfInterest, FundApplication

REASONS = {
    "same_org": _l("Cùng tổ chức với bên nộp hoặc bên phối hợp"),
    "shared_group": _l("Cùng nhóm nghiên cứu với người của bên nộp"),
    "joint_result": _l("Có kết quả nghiên cứu chung với bên nộp"),
    "earlier_match": _l("Tổ chức của chuyên gia đã được kết nối hoặc hợp tác với bên nộp"),
    "declared": _l("Chuyên gia tự khai báo xung đột lợi ích"),
    "manual": _l("Cán bộ Quỹ ghi nhận xung đột lợi ích"),
}
_LINKED = (MatchState.introduced, MatchState.deal_reported)


@dataclass(frozen=True)
class Conflict:
    reason: str
    detail: str

    @property
    def label(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


def person_of(user: Any) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.user_id == user.id))


def expert_org_ids(user: Any, person: Person | None = None) -> set[int]:
    person = person if person is not None else person_of(user)
    orgs = set(user.active_org_ids)
    if person is not None:
        orgs |= {m.organisation_id for m in person.memberships if m.ended_on is None}
    return orgs


def _group_ids(person: Person | None) -> set[int]:
    if person is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(group_members.c.research_group_id).where(
                group_members.c.person_id == person.id
            )
        )
    )


def _names(org_ids: set[int]) -> str:
    names = db.session.scalars(
        sa.select(Organisation.name_vi)
        .where(Organisation.id.in_(org_ids))
        .order_by(Organisation.name_vi)
    )
    return ", ".join(names)


def detect(application: FundApplication, user: Any) -> list[Conflict]:
    """Every registry reason why ``user`` must not review ``application``."""
    person = person_of(user)
    involved = application.involved_org_ids
    found: list[Conflict] = []
    same = expert_org_ids(user, person) & involved
    if same:
        found.append(Conflict("same_org", _names(same)))
    groups = _group_ids(person)
    if groups:
        found += _group_conflicts(application, groups, involved)
    orgs = expert_org_ids(user, person)
    if orgs:
        linked = _linked_orgs(orgs, involved)
        if linked:
            found.append(Conflict("earlier_match", _names(linked)))
    return found


def _group_conflicts(
    application: FundApplication, groups: set[int], involved: set[int]
) -> list[Conflict]:
    out = []
    # People of the involved organisations (and the lead) who sit in one of the expert's groups.
    involved_people = sa.select(Membership.person_id).where(
        Membership.organisation_id.in_(involved), Membership.ended_on.is_(None)
    )
    shared = db.session.scalars(
        sa.select(ResearchGroup.name_vi)
        .join(group_members, group_members.c.research_group_id == ResearchGroup.id)
        .where(
            ResearchGroup.id.in_(groups),
            sa.or_(
                ResearchGroup.organisation_id.in_(involved),
                group_members.c.person_id.in_(involved_people),
                group_members.c.person_id == (application.lead_person_id or -1),
            ),
        )
        .distinct()
    ).all()
    if shared:
        out.append(Conflict("shared_group", ", ".join(sorted(shared))))
    joint = db.session.scalars(
        sa.select(ResearchResult.title).where(
            ResearchResult.group_id.in_(groups),
            sa.or_(
                ResearchResult.organisation_id.in_(involved),
                ResearchResult.id == (application.result_id or -1),
            ),
        )
    ).all()
    if joint:
        out.append(Conflict("joint_result", ", ".join(sorted(joint))))
    return out


def _linked_orgs(orgs: set[int], involved: set[int]) -> set[int]:
    rows = db.session.execute(
        sa.select(Match.source_org_id, Match.target_org_id).where(
            Match.state.in_(_LINKED),
            sa.or_(
                sa.and_(Match.source_org_id.in_(orgs), Match.target_org_id.in_(involved)),
                sa.and_(Match.target_org_id.in_(orgs), Match.source_org_id.in_(involved)),
            ),
        )
    )
    return {org for pair in rows for org in pair} & involved - orgs


def record(application: FundApplication, user: Any, conflicts: list[Conflict]) -> None:
    """Write the conflicts (once per reason), closing every channel to the application."""
    known = set(
        db.session.scalars(
            sa.select(ConflictOfInterest.reason).where(
                ConflictOfInterest.application_id == application.id,
                ConflictOfInterest.reviewer_id == user.id,
            )
        )
    )
    for conflict in conflicts:
        if conflict.reason not in known:
            db.session.add(
                ConflictOfInterest(
                    application_id=application.id,
                    reviewer_id=user.id,
                    reason=conflict.reason,
                    detail=conflict.detail[:2000],
                )
            )
            known.add(conflict.reason)
    db.session.flush()
