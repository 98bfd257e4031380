"""Demo accounts: one for every role, created by seed-demo, each able to sign in."""

from __future__ import annotations

from sqlalchemy import select

from ecosystem.auth.models import MembershipStatus, OrgRole, PlatformRole, User
from ecosystem.auth.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_accounts
from ecosystem.extensions import db
from ecosystem.matching.signals import paused
from ecosystem.registry.demo import org_ids_by_key, seed_registry
from tests.auth_helpers import login, logout


def demo_users() -> list[User]:
    emails = [row[0] for row in DEMO_ACCOUNTS]
    db.session.expire_all()
    return list(db.session.scalars(select(User).where(User.email.in_(emails))))


def test_seed_gives_an_account_for_every_role(db_session):

    with paused():
        seed_registry()  # the organisations the demo accounts belong to
        assert seed_accounts(org_ids_by_key()) == len(DEMO_ACCOUNTS)
        assert seed_accounts(org_ids_by_key()) == 0
    users = demo_users()
    assert len(users) == len(DEMO_ACCOUNTS)
    missing = [role for role in PlatformRole if not any(u.has_role(role) for u in users)]
    assert missing == []
    links = [link for user in users for link in user.org_links]
    assert len(links) == sum(1 for row in DEMO_ACCOUNTS if row[3])
    assert all(link.status is MembershipStatus.active for link in links)
    assert any(link.role is OrgRole.admin for link in links)


def test_every_demo_account_signs_in(client):
    seed_accounts(org_ids_by_key())
    for user in demo_users():
        assert user.email_verified_at is not None and user.is_active
        login(client, user, DEMO_PASSWORD)
        expected = 200 if user.is_admin else 403
        assert client.get("/admin/users").status_code == expected, user.email
        logout(client)
