"""Who may do what with accounts and memberships."""

from __future__ import annotations

from typing import Any

from ecosystem.auth.models import PlatformRole


def is_admin(user: Any) -> bool:
    return user is not None and user.is_admin


def has_role(user: Any, role: PlatformRole) -> bool:
    return user is not None and (user.has_role(role) or user.is_admin)


def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def can_request_membership(user: Any, organisation: Any) -> bool:
    if user is None or organisation is None or organisation.merged_into_id is not None:
        return False
    return organisation.id not in user.active_org_ids


def can_manage_members(user: Any, organisation: Any) -> bool:
    if user is None or organisation is None:
        return False
    return organisation.id in user.admin_org_ids or user.is_admin


def is_member(user: Any, organisation_id: int | None) -> bool:
    return (
        user is not None and organisation_id is not None and organisation_id in user.active_org_ids
    )
