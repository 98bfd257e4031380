"""Builders for test data: ``make_user(...)`` and friends, each flushing what it creates."""

from __future__ import annotations

import itertools

import pytest

from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db

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
