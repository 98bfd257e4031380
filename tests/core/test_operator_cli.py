"""Operator commands: ``flask user create|role`` and ``flask token create|list|revoke``.

Each success is checked in the database (and, for tokens, against the API); each refusal
must exit non-zero with one clear line, no traceback, and nothing written.
"""

from __future__ import annotations

import contextvars
import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from ecosystem.auth import cli as auth_cli
from ecosystem.auth import operations as ops
from ecosystem.auth.models import ApiToken, PlatformRole, User
from ecosystem.auth.passwords import password_problem, verify_password
from ecosystem.core.audit import AuditEvent
from ecosystem.core.errors import UserError
from ecosystem.extensions import db
from tests.api.conftest import bearer
from tests.auth.support import separate_app

GOOD_PASSWORD = "Sông Hương 2026 xanh"


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return ops.find_user_by_email(email)


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(ApiToken.id))),
    )


def audit(action: str, user: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    )


def refused(result, message: str) -> None:
    """Exit 1, one line naming the problem, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert "Traceback" not in result.output


def printed_password(result) -> str:
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("password")]
    return line.rsplit(" ", 1)[1]


# --- user create -----------------------------------------------------------------------


def test_create_user_without_terminal_generates_and_prints_a_password(cli):
    result = cli(
        "user", "create", "Van.Hanh@Hue.gov.vn", "--role", "admin", "--role", "reviewer",
        "--name", "Trần Vận Hành",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    password = printed_password(result)
    assert len(password) >= 12
    user = user_by_email("van.hanh@hue.gov.vn")
    assert user is not None and user.is_active and user.email_verified_at is not None
    assert user.email == "Van.Hanh@Hue.gov.vn" and user.full_name == "Trần Vận Hành"
    assert {r.role for r in user.roles} == {PlatformRole.admin, PlatformRole.reviewer}
    assert verify_password(user.password_hash, password)
    assert password not in user.password_hash
    (registered,) = audit("auth.register", user)
    assert registered.actor_id is None and registered.summary["via"] == "operator"
    assert len(audit("auth.role_granted", user)) == 2
    assert f"created account {user.id} Van.Hanh@Hue.gov.vn" in result.stdout


def test_create_user_reads_the_password_from_stdin_and_prints_none(cli):
    result = cli(
        "user", "create", "lab@hue.gov.vn", "--role", "lab_manager", "--password-stdin",
        input=GOOD_PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = user_by_email("lab@hue.gov.vn")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert user.has_role(PlatformRole.lab_manager) and user.full_name == "lab"
    assert "password" not in result.stdout and GOOD_PASSWORD not in result.output


def test_create_user_prompts_twice_and_applies_the_policy_when_interactive(cli, monkeypatch):
    monkeypatch.setattr(auth_cli, "interactive", lambda: True)
    typed = ["short", "short", GOOD_PASSWORD, "mismatch-mismatch", GOOD_PASSWORD, GOOD_PASSWORD]
    result = cli("user", "create", "bcd@hue.gov.vn", input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "at least 12 characters" in result.output
    assert "values do not match" in result.output
    user = user_by_email("bcd@hue.gov.vn")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert user.roles == [] and "password (shown once" not in result.output


def test_generated_passwords_pass_the_policy_and_differ():

    passwords = {auth_cli.generate_password() for _ in range(20)}
    assert len(passwords) == 20
    assert all(password_problem(p) is None for p in passwords)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-email", "--role", "admin"], None, "Invalid e-mail address."),
        (["an@hue"], None, "Invalid e-mail address."),
        (
            ["an@hue.gov.vn", "--role", "superuser"],
            None,
            "unknown role 'superuser'; valid roles: admin, fund_manager, reviewer, "
            "lab_manager, steering, secretariat",
        ),
        (
            ["an@hue.gov.vn", "--password-stdin"],
            "short\n",
            "The password needs at least 12 characters.",
        ),
        (
            ["an@hue.gov.vn", "--password-stdin"],
            "aaaaaaaaaaaaaaaa\n",
            "The password is too simple: use more different characters.",
        ),
        (
            ["an@hue.gov.vn", "--password-stdin"],
            "",
            "--password-stdin given but no password on stdin",
        ),
        (["an@hue.gov.vn", "--name", "N" * 201], None, "--name is longer than 200 characters"),
    ],
    ids=[
        "bad-email",
        "no-tld",
        "unknown-role",
        "short-password",
        "simple-password",
        "empty-stdin",
        "long-name",
    ],
)
def test_create_user_refusals_write_nothing(cli, args, stdin, message):
    before = counts()
    refused(cli("user", "create", *args, input=stdin), message)
    assert counts() == before
    assert user_by_email("an@hue.gov.vn") is None


def test_create_user_refuses_an_existing_email_in_any_case(cli, make_user):
    existing = make_user("an@hue.gov.vn")
    before = counts()
    result = cli("user", "create", "AN@HUE.gov.vn", "--role", "admin")
    refused(result, "This e-mail address is already registered. Sign in or reset your password.")
    assert counts() == before
    assert not user_by_email(existing.email).is_admin


def test_create_user_rolls_back_everything_when_a_later_step_fails(cli, monkeypatch):
    """The account is flushed before its roles are granted: a refusal then must undo it."""

    def refuse(user, role, admin):
        raise UserError("refused for the test")

    monkeypatch.setattr(ops, "grant_role", refuse)
    before = counts()
    result = cli("user", "create", "an@hue.gov.vn", "--role", "admin")
    refused(result, "refused for the test")
    assert counts() == before
    assert "password" not in result.output


# --- user role -------------------------------------------------------------------------


def test_role_is_granted_and_removed_with_audit_rows(cli, make_user):
    user = make_user("chuyengia@hue.edu.vn")
    result = cli("user", "role", "CHUYENGIA@hue.edu.vn", "reviewer")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "granted role reviewer to chuyengia@hue.edu.vn"
    assert user_by_email(user.email).has_role(PlatformRole.reviewer)
    (granted,) = audit("auth.role_granted", user)
    assert granted.actor_id is None and granted.summary["role"] == "reviewer"

    again = cli("user", "role", user.email, "reviewer")
    assert again.exit_code == 0 and "already has role reviewer" in again.stdout
    assert len(audit("auth.role_granted", user)) == 1

    removed = cli("user", "role", user.email, "reviewer", "--remove")
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.strip() == "removed role reviewer from chuyengia@hue.edu.vn"
    assert not user_by_email(user.email).has_role(PlatformRole.reviewer)
    (revoked,) = audit("auth.role_revoked", user)
    assert revoked.actor_id is None and revoked.summary["role"] == "reviewer"


def test_role_can_remove_the_admin_role_of_the_last_admin(cli, make_platform_user):
    """Unlike the admin page (no one removes their own role), the operator may: the
    command line can grant it back."""
    admin = make_platform_user("admin")
    result = cli("user", "role", admin.email, "admin", "--remove")
    assert result.exit_code == 0, result.output
    assert not user_by_email(admin.email).is_admin


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@hue.gov.vn", "admin"], "no account with e-mail 'nobody@hue.gov.vn'"),
        (
            ["known@hue.gov.vn", "boss"],
            "unknown role 'boss'; valid roles: admin, fund_manager, reviewer, lab_manager, steering, secretariat",
        ),
        (
            ["known@hue.gov.vn", "boss", "--remove"],
            "unknown role 'boss'; valid roles: admin, fund_manager, reviewer, lab_manager, steering, secretariat",
        ),
    ],
    ids=["unknown-user", "unknown-role", "unknown-role-remove"],
)
def test_role_refusals_write_nothing(cli, make_user, args, message):
    make_user("known@hue.gov.vn")
    before = counts()
    refused(cli("user", "role", *args), message)
    assert counts() == before


# --- tokens ----------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["read", "write"])
def test_token_is_printed_once_stored_hashed_and_authenticates(cli, client, make_user, scope):
    user = make_user("api@hue.gov.vn")
    result = cli("token", "create", user.email, "--scope", scope, "--name", "Cổng dữ liệu mở")
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert plain.startswith("hue_") and plain.count("\n") == 0
    assert "shown once" in result.stderr
    db.session.expire_all()
    (token,) = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    stored = [str(getattr(token, c.key)) for c in ApiToken.__table__.columns]
    assert not any(plain in value for value in stored)
    assert token.name == "Cổng dữ liệu mở" and token.can_write is (scope == "write")

    me = client.get("/api/v1/me", headers=bearer(plain))
    assert me.status_code == 200, me.get_data(as_text=True)
    assert me.json["email"] == "api@hue.gov.vn" and me.json["can_write"] is (scope == "write")


def test_revoked_token_is_refused_by_the_api(cli, client, make_user):
    user = make_user("api@hue.gov.vn")
    plain = cli("token", "create", user.email, "--scope", "read").stdout.strip()
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))

    listed = cli("token", "list", user.email)
    assert listed.exit_code == 0 and f"{token_id:6d}  hue_{plain[4:12]}_" in listed.stdout
    assert "active" in listed.stdout

    result = cli("token", "revoke", str(token_id))
    assert result.exit_code == 0, result.output
    assert f"revoked token {token_id}" in result.stdout
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401
    (row,) = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "api.token_revoked", AuditEvent.object_id == str(token_id)
        )
    ).all()
    assert row.actor_id is None
    assert "revoked" in cli("token", "list", user.email).stdout

    again = cli("token", "revoke", str(token_id))
    assert again.exit_code == 0 and "already revoked" in again.stdout


def test_token_is_revoked_by_owner_and_name(cli, client, make_user):
    user = make_user("api@hue.gov.vn")
    kept = cli("token", "create", user.email, "--scope", "read", "--name", "giữ").stdout.strip()
    gone = cli("token", "create", user.email, "--scope", "read", "--name", "bỏ").stdout.strip()
    result = cli("token", "revoke", "--email", user.email, "--name", "bỏ")
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers=bearer(gone)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(kept)).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["create", "nobody@hue.gov.vn", "--scope", "read"],
            "no account with e-mail 'nobody@hue.gov.vn'",
        ),
        (["revoke", "999999"], "no token with id 999999"),
        (
            ["revoke", "--email", "api@hue.gov.vn", "--name", "không có"],
            "api@hue.gov.vn has no active token named 'không có'",
        ),
        (["list", "nobody@hue.gov.vn"], "no account with e-mail 'nobody@hue.gov.vn'"),
    ],
    ids=["create-unknown-user", "revoke-unknown-id", "revoke-unknown-name", "list-unknown-user"],
)
def test_token_refusals_write_nothing(cli, make_user, args, message):
    make_user("api@hue.gov.vn")
    before = counts()
    refused(cli("token", *args), message)
    assert counts() == before


def test_token_create_needs_a_known_scope(cli, make_user):
    user = make_user("api@hue.gov.vn")
    before = counts()
    result = cli("token", "create", user.email, "--scope", "admin")
    assert result.exit_code == 2 and "'admin' is not one of 'read', 'write'" in result.output
    assert "Traceback" not in result.output and counts() == before


def test_token_for_a_disabled_account_warns_and_does_not_authenticate(cli, client, make_user):
    user = make_user("locked@hue.gov.vn", is_active=False)
    result = cli("token", "create", user.email, "--scope", "read")
    assert result.exit_code == 0, result.output
    assert "the account is disabled" in result.stderr
    assert client.get("/api/v1/me", headers=bearer(result.stdout.strip())).status_code == 401


def test_a_database_problem_is_one_clear_line(tmp_path):
    with separate_app(tmp_path) as other:
        with other.app_context():
            db.session.execute(sa.text("DROP TABLE api_tokens"))
            db.session.commit()
        runner = other.test_cli_runner()
        result = contextvars.Context().run(runner.invoke, args=["token", "revoke", "5"])
    assert result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: database error: ") and "api_tokens" in line
    assert line.endswith("run `flask --app ecosystem setup`)")
