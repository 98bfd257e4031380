"""Rules that used to live in views, now in operations and permissions: the digest's
unsubscribe (audited), marking notifications read (only one's own), revoking API tokens."""

from __future__ import annotations

from sqlalchemy import select

from ecosystem.api.permissions import can_revoke_token
from ecosystem.api.tokens import create_token
from ecosystem.auth.operations import opt_out_of_digest
from ecosystem.core.audit import AuditEvent
from ecosystem.core.notifications import Notification, mark_read, notify
from ecosystem.extensions import db
from ecosystem.matching.tasks import unsubscribe_token
from tests.auth_helpers import login


def audit_of(action: str, user) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(user.id)
            )
        )
    )


def test_unsubscribing_writes_an_audit_row_once(client, world):
    researcher = world.users["researcher"]
    path = f"/matches/unsubscribe/{unsubscribe_token(researcher)}"
    assert client.post(path).status_code == 302
    rows = audit_of("auth.digest_unsubscribed", researcher)
    assert len(rows) == 1
    assert rows[0].actor_id == researcher.id
    assert rows[0].summary["after"] == {"digest_opt_out": True}
    # A second click (the link is in every old digest) changes nothing and says nothing new.
    assert client.post(path).status_code == 302
    assert len(audit_of("auth.digest_unsubscribed", researcher)) == 1


def test_opt_out_operation_reports_whether_it_changed_anything(world):
    user = world.users["enterprise"]
    assert opt_out_of_digest(user) is True
    assert user.digest_opt_out is True
    assert opt_out_of_digest(user) is False


def _unread(user) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Notification.id).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
    )


def test_marking_read_touches_only_the_users_own_notifications(world):
    mine, theirs = world.users["researcher"], world.users["enterprise"]
    notify([mine.id, theirs.id], "match.interest", {"org": "A", "title": "B"})
    notify([mine.id], "match.dismissed", {"org": "A", "title": "B"})
    db.session.flush()
    their_ids = _unread(theirs)
    assert mark_read(mine, their_ids) == []  # somebody else's ids: nothing happens
    assert len(_unread(mine)) == 2
    assert len(mark_read(mine)) == 2
    assert _unread(mine) == set()
    assert _unread(theirs) == their_ids
    assert mark_read(None) == []


def test_mark_all_read_page_marks_only_mine(client, world):
    mine, theirs = world.users["researcher"], world.users["enterprise"]
    notify([mine.id, theirs.id], "match.interest", {"org": "A", "title": "B"})
    db.session.flush()
    login(client, mine)
    assert client.post("/notifications/read").status_code == 302
    assert _unread(mine) == set()
    assert len(_unread(theirs)) == 1


def test_who_may_revoke_a_token(client, world):
    owner, other, admin = world.users["enterprise"], world.users["outsider"], world.users["admin"]
    token, _plain = create_token(owner, "thử nghiệm", False, None)
    db.session.flush()
    assert can_revoke_token(owner, token)
    assert can_revoke_token(admin, token)
    assert not can_revoke_token(other, token)
    assert not can_revoke_token(None, token)
    assert not can_revoke_token(owner, None)
    login(client, other)
    assert client.post(f"/auth/account/tokens/{token.id}/revoke").status_code == 403
    db.session.expire_all()
    assert db.session.get(type(token), token.id).revoked_at is None
