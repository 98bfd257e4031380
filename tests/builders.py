"""Builders for test data: ``make_user(...)`` and friends, each flushing what it creates."""

from __future__ import annotations

import itertools

import pytest

from ecosystem.auth.models import (
    MembershipStatus,
    OrgMembership,
    OrgRole,
    PlatformRole,
    User,
    UserRole,
)
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture
def make_user(db_session):
    def _make(email: str | None = None, *, verified: bool = True, **fields) -> User:
        email = email or f"user{next(_counter)}@example.vn"
        user = User(
            email=email,
            email_key=email_key(email),
            full_name=fields.pop("full_name", "Nguyễn Văn Thử"),
            password_hash=fields.pop("password_hash", _PASSWORD_HASH),
            email_verified_at=utcnow() if verified else None,
            **fields,
        )
        db.session.add(user)
        db.session.flush()
        return user

    return _make


@pytest.fixture
def make_org(db_session):

    def _make(
        name: str | None = None, *, kind: OrgKind = OrgKind.enterprise, **fields
    ) -> Organisation:
        number = next(_counter)
        name = name or f"Công ty TNHH Thử nghiệm {number}"
        org = Organisation(
            kind=kind,
            name_vi=name,
            name_key=organisation_name_key(name),
            name_en=fields.pop("name_en", ""),
            short_name=fields.pop("short_name", f"T{number}"),
            **fields,
        )
        db.session.add(org)
        db.session.flush()
        return org

    return _make


@pytest.fixture
def make_member(db_session, make_user):
    """A verified user with an active membership (``role`` member or admin) in ``org``."""

    def _make(org, *, role: str = "member", user: User | None = None, **user_fields) -> User:
        user = user or make_user(**user_fields)
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org.id,
                role=OrgRole(role),
                status=MembershipStatus.active,
            )
        )
        db.session.flush()
        db.session.refresh(user)
        return user

    return _make


@pytest.fixture
def make_platform_user(db_session, make_user):
    """A user holding a platform role: admin, fund_manager, reviewer, lab_manager, steering."""

    def _make(role: str, **user_fields) -> User:
        user = make_user(**user_fields)
        db.session.add(UserRole(user_id=user.id, role=PlatformRole(role)))
        db.session.flush()
        db.session.refresh(user)
        return user

    return _make
