"""Running the same state change several times at the same moment, as double clicks,
retries and two administrators do.

Row locks only exist on PostgreSQL: SQLite lets one writer in at a time and gives the
others "database is locked", so the race tests run where DATABASE_URL is set (CI) and are
skipped elsewhere; each such test has a sequential twin that runs everywhere.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

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
from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.registry.enums import OrgKind
from ecosystem.registry.identifiers import organisation_name_key
from ecosystem.registry.models import Organisation
from tests.auth_helpers import login
from tests.builders import _PASSWORD_HASH

needs_row_locks = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="row locks: PostgreSQL (set DATABASE_URL); SQLite serialises writers instead",
)


def race(calls: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Start ``calls`` together in threads; their results (or the exception each raised),
    in order."""
    start = threading.Barrier(len(calls), timeout=timeout)
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[i] = call()
        except BaseException as exc:  # reported to the test through the results
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing call never finished"
    return results


# Builders for an application of its own (tests.auth.support.separate_app), whose records
# must be committed for the other threads to see them: the fixtures' builders work in the
# rolled-back test transaction instead.


def add_org(name: str, kind: str = "enterprise"):

    org = Organisation(kind=OrgKind(kind), name_vi=name, name_key=organisation_name_key(name))
    db.session.add(org)
    db.session.flush()
    return org


def add_user(
    email: str,
    *,
    org=None,
    role: str = "member",
    status: str = "active",
    platform_role: str | None = None,
    **fields,
):

    user = User(
        email=email,
        email_key=email_key(email),
        full_name=fields.pop("full_name", email.split("@")[0]),
        password_hash=_PASSWORD_HASH,
        email_verified_at=utcnow(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    if org is not None:
        db.session.add(
            OrgMembership(
                user_id=user.id,
                organisation_id=org.id,
                role=OrgRole(role),
                status=MembershipStatus(status),
            )
        )
        db.session.flush()
    if platform_role is not None:
        db.session.add(UserRole(user_id=user.id, role=PlatformRole(platform_role)))
        db.session.flush()
    return user


def signed_in_clients(application, email: str, n: int) -> list:
    """``n`` browsers of the same person, each signed in through the real form."""

    clients = []
    for _ in range(n):
        client = application.test_client()
        login(client, SimpleNamespace(email=email))
        clients.append(client)
    return clients
