"""Builders for test data: ``make_user(...)`` and friends, each flushing what it creates."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

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
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation
from ecosystem.registry.search_index import SearchEntry

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


# Listings: each test folder gives its own default texts; building, bringing a listing into
# a state and choosing the builder by kind are written once, here.


def expire_listing(kind: str, listing: Any) -> None:
    """As if the clock had moved past ``expires_at``: the record and its index row keep the
    same date (no operation runs when a listing expires), and that date is now past."""
    past = utcnow() - dt.timedelta(days=1)
    listing.expires_at = past
    db.session.flush()
    db.session.execute(
        sa.update(SearchEntry)
        .where(SearchEntry.kind == kind, SearchEntry.object_id == listing.id)
        .values(expires_at=past)
    )


def finish_listing(kind: str, listing: Any, state: str, user: Any) -> Any:
    """Bring a listing created as draft or published into ``state``."""
    if state == "archived":
        listing_ops.archive_listing(kind, listing, user)
    elif state == "hidden":
        # Hiding e-mails the owners a link to the listing: it needs a request to build it.
        with current_app.test_request_context():
            listing_ops.hide_listing(kind, listing, "Nội dung trùng lặp", user)
    elif state == "expired":
        expire_listing(kind, listing)
    return listing


def listing_builder(kind: str, defaults: Callable[[], dict[str, Any]]) -> Callable[..., Any]:
    """``make(org, state="published", user=None, **fields)`` for one kind of listing."""

    def _make(org: Organisation, *, state: str = "published", user: Any = None, **data: Any):
        values = {**defaults(), **data, "organisation_id": org.id}
        listing = listing_ops.create_listing(
            kind, values, user, publish=state in ("published", "archived", "hidden", "expired")
        )
        return finish_listing(kind, listing, state, user)

    return _make


def by_kind(**builders: Callable[..., Any]) -> Callable[..., Any]:
    """``make(kind, org, **kwargs)`` over the builders of each kind."""
    return lambda kind, org, **kwargs: builders[kind](org, **kwargs)
