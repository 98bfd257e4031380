"""Who may see and change registry records.

Members of an organisation edit its records; platform administrators may do everything.
Confidential details of a research result are unlocked by rules other features register
(matching unlocks them after an accepted introduction) — the registry never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecosystem.registry.enums import Confidentiality

DetailsRule = Callable[[Any, Any], bool]
_details_rules: list[DetailsRule] = []


def register_details_rule(rule: DetailsRule) -> None:
    """Let another feature unlock confidential details (e.g. after an introduction)."""
    if rule not in _details_rules:
        _details_rules.append(rule)


def _admin(user: Any) -> bool:
    return user is not None and user.is_admin


def _member_of(user: Any, organisation_id: int | None) -> bool:
    return (
        user is not None and organisation_id is not None and organisation_id in user.active_org_ids
    )


# Organisations, people, groups -------------------------------------------------------


def can_create_organisation(user: Any) -> bool:
    return user is not None and user.email_verified_at is not None


def can_edit_organisation(user: Any, organisation: Any) -> bool:
    if user is None or organisation is None:
        return False
    return _admin(user) or organisation.id in user.admin_org_ids


def can_merge(user: Any, obj: Any = None) -> bool:
    return _admin(user)


def person_org_ids(person: Any) -> set[int]:
    return {m.organisation_id for m in person.memberships if m.ended_on is None}


def can_create_person(user: Any, organisation: Any = None) -> bool:
    """Members add people of their own organisations (a person of none would be nobody's
    to edit afterwards); administrators add anyone. Without ``organisation``: may the user
    add people at all?"""
    if user is None:
        return False
    if _admin(user):
        return True
    if organisation is None:
        return bool(user.active_org_ids)
    return _member_of(user, organisation.id)


def can_edit_person(user: Any, person: Any) -> bool:
    if user is None or person is None:
        return False
    if _admin(user) or person.user_id == user.id:
        return True
    return bool(person_org_ids(person) & user.active_org_ids)


def can_see_contact(user: Any, person: Any) -> bool:
    """E-mail and phone: the person, colleagues, admins, or whoever another rule allows."""
    if can_edit_person(user, person):
        return True
    return user is not None and any(rule(user, person) for rule in _details_rules)


def can_create_group(user: Any, organisation: Any = None) -> bool:
    if user is None:
        return False
    if organisation is None:
        return bool(user.active_org_ids) or _admin(user)
    return _admin(user) or _member_of(user, organisation.id)


def can_edit_group(user: Any, group: Any) -> bool:
    return group is not None and (_admin(user) or _member_of(user, group.organisation_id))


# Listings: results, needs, startups, investors -----------------------------------------


def can_create_listing(user: Any, organisation: Any = None) -> bool:
    return can_create_group(user, organisation)


def can_view_listing(user: Any, listing: Any) -> bool:
    if listing is None:
        return False
    if listing.is_public:
        return True
    return _admin(user) or _member_of(user, listing.organisation_id)


def can_edit_listing(user: Any, listing: Any) -> bool:
    return listing is not None and (_admin(user) or _member_of(user, listing.organisation_id))


def can_hide_listing(user: Any, listing: Any = None) -> bool:
    return _admin(user)


def can_view_details(user: Any, result: Any) -> bool:
    """The confidential part of a research result (details and attachments)."""
    if not can_view_listing(user, result):
        return False
    level = getattr(result, "confidentiality", Confidentiality.public)
    if level is Confidentiality.public:
        return True
    if _admin(user) or _member_of(user, result.organisation_id):
        return True
    if level is Confidentiality.members:
        return user is not None
    return user is not None and any(rule(user, result) for rule in _details_rules)


# Import and export --------------------------------------------------------------------


def can_import(user: Any, kind: str, organisation: Any = None) -> bool:
    """Organisation lists come from agencies (administrators); the rest from members, for
    their organisation. Without ``organisation``: may the user import this kind at all
    (the kinds the import form offers)?"""
    if user is None:
        return False
    if kind == "organisation":
        return _admin(user)
    if organisation is None:
        return _admin(user) or bool(user.active_org_ids)
    return _admin(user) or _member_of(user, organisation.id)


def can_view_import(user: Any, batch: Any) -> bool:
    return user is not None and (batch.created_by_id == user.id or _admin(user))
