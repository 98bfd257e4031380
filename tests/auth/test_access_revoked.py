"""A password reset and a disabled account close every way in: the sign-in sessions and
the API tokens (the sessions part: test_accounts.py)."""

from __future__ import annotations

from ecosystem.api.tokens import create_token
from ecosystem.extensions import db
from tests.auth.support import audit_rows
from tests.auth.test_accounts import NEW_PASSWORD, reset_link, set_new_password
from tests.auth_helpers import login
from tests.builders import PASSWORD


def _token(user, name: str = "Phần mềm của Sở") -> str:
    _row, plain = create_token(user, name, can_write=True, days=None)
    db.session.commit()
    return plain


def _works(client, plain: str) -> bool:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    return response.status_code == 200


def test_a_password_reset_revokes_the_api_tokens(client, mailbox, make_user):
    user = make_user()
    plain, other = _token(user), _token(user, "Tập lệnh báo cáo")
    assert _works(client, plain)
    set_new_password(client, reset_link(client, mailbox, user))
    assert not _works(client, plain) and not _works(client, other)
    (event,) = audit_rows("auth.password_changed", object_id=str(user.id))
    assert event.summary["tokens_revoked"] == 2


def test_a_password_change_by_the_owner_keeps_the_tokens(client, make_user):

    user = make_user()
    plain = _token(user)
    login(client, user)
    client.post(
        "/auth/account/password",
        data={"pw-current": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert audit_rows("auth.password_changed", object_id=str(user.id))
    assert _works(client, plain)


def test_disabling_an_account_revokes_its_tokens_for_good(client, new_client, make_user, admin):
    user = make_user()
    plain = _token(user)
    login(client, admin)
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    api = new_client()
    assert not _works(api, plain)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert not _works(api, plain)  # enabled again, but the old token stays revoked
    (event,) = audit_rows("auth.disabled", object_id=str(user.id))
    assert event.summary["tokens_revoked"] == 1
