"""Account operations. They change and flush, write the audit row, and never commit."""

from __future__ import annotations

import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ecosystem.auth.models import (
    ApiToken,
    MembershipStatus,
    OidcIdentity,
    OrgMembership,
    OrgRole,
    PlatformRole,
    User,
    UserRole,
)
from ecosystem.auth.passwords import hash_password, password_problem
from ecosystem.auth.sessions import end_all_sessions
from ecosystem.auth.tokens import make_reset_token, make_verify_token
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.mail import send_mail
from ecosystem.core.models import utcnow
from ecosystem.core.notifications import notify, register_messages
from ecosystem.core.transitions import lock_current
from ecosystem.core.urls import external_url
from ecosystem.extensions import db

register_messages(
    {
        "membership.requested": _l(
            "%(name)s xin tham gia tổ chức %(organisation)s: hãy duyệt hoặc từ chối."
        ),
    }
)


def email_key(email: str) -> str:
    """The identity of an address: NFKC-normalised and case-folded."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == email_key(email)))


def _send_template_mail(user: User, template: str, subject: Any, **context: Any) -> None:
    """``subject`` is a lazy string (``_l``): marked for extraction, translated here."""
    with force_locale(user.locale or "vi"):
        body = render_template(f"emails/{template}.txt", user=user, **context)
        send_mail(user.email, str(subject), body)


def check_email_free(email: str) -> None:
    if find_user_by_email(email) is not None:
        raise UserError(
            _("Địa chỉ e-mail này đã được đăng ký. Hãy đăng nhập hoặc đặt lại mật khẩu."),
            field="email",
        )


def _new_user(data: dict[str, Any]) -> User:
    check_email_free(data["email"])
    user = User(
        email=unicodedata.normalize("NFKC", data["email"]).strip(),
        email_key=email_key(data["email"]),
        full_name=data["full_name"].strip(),
        password_hash=hash_password(data["password"]),
        locale=data.get("locale") or "vi",
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_user(data: dict[str, Any]) -> User | None:
    """A new account, or None when the e-mail is already registered. The sign-up page
    answers the same either way, so it cannot be used to learn who has an account; the
    owner of the address gets a mail saying so, with a way to sign in or reset."""
    existing = find_user_by_email(data["email"])
    if existing is not None:
        if existing.is_active:
            link = external_url("auth.reset_request")
            _send_template_mail(existing, "account_exists", _l("Bạn đã có tài khoản"), link=link)
        return None
    user = _new_user(data)
    record_audit("auth.register", user, actor=user)
    send_verification(user)
    return user


def check_new_account(email: str, password: str | None = None) -> None:
    """Refuse a malformed or taken e-mail (and a weak password, when given) before an
    operator's account is made. The sign-up form checks the same through its validators."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise UserError(_("Địa chỉ e-mail không hợp lệ."), field="email") from None
    check_email_free(email)
    problem = None if password is None else password_problem(password)
    if problem:
        raise UserError(problem, field="password")


def create_verified_user(
    data: dict[str, Any], roles: list[PlatformRole], admin: User | None = None
) -> User:
    """An account made by an operator (``flask user create``): active, e-mail verified, no
    mail sent. ``admin`` is None when no signed-in person made it (the command line)."""
    check_new_account(data["email"], data["password"])
    user = _new_user(data)
    user.email_verified_at = utcnow()
    record_audit("auth.register", user, actor=admin, via="operator")
    for role in roles:
        grant_role(user, role, admin)
    return user


def send_verification(user: User) -> None:
    link = external_url("auth.verify_email", token=make_verify_token(user))
    _send_template_mail(user, "verify_email", _l("Xác nhận địa chỉ e-mail"), link=link)


def verify_email(user: User) -> None:
    user.email_verified_at = utcnow()
    record_audit("auth.verify_email", user, actor=user)


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no enumeration)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("auth.reset_password", token=make_reset_token(user))
    _send_template_mail(user, "reset_password", _l("Đặt lại mật khẩu"), link=link)
    record_audit("auth.reset_requested", user, actor=user)


def _end_access(user: User) -> dict[str, int]:
    """End every way into the account that outlives a password: the sign-in sessions and
    the API tokens (a token taken along with the old password keeps working otherwise)."""
    tokens = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return {"sessions_ended": end_all_sessions(user), "tokens_revoked": tokens.rowcount or 0}


def set_password(user: User, password: str, *, reason: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    # A reset is what someone does who lost the password, or fears it was taken: nothing
    # opened with the old one survives it. A change by the signed-in owner ends the other
    # sessions and keeps the tokens the owner made on purpose.
    ended = _end_access(user) if reason == "reset" else {"sessions_ended": end_all_sessions(user)}
    record_audit("auth.password_changed", user, actor=user, reason=reason, **ended)


def update_profile(user: User, data: dict[str, Any]) -> None:
    before = {
        "full_name": user.full_name,
        "locale": user.locale,
        "digest_opt_out": user.digest_opt_out,
    }
    user.full_name = data["full_name"].strip()
    user.locale = data["locale"]
    user.digest_opt_out = bool(data.get("digest_opt_out"))
    after = {
        "full_name": user.full_name,
        "locale": user.locale,
        "digest_opt_out": user.digest_opt_out,
    }
    if before != after:
        record_audit("auth.profile_updated", user, before=before, after=after)


def opt_out_of_digest(user: User) -> bool:
    """The weekly digest's unsubscribe link: the signed token in the link stands for the
    user, who is the actor. Returns whether anything changed (a second click changes nothing)."""
    if user.digest_opt_out:
        return False
    user.digest_opt_out = True
    record_audit(
        "auth.digest_unsubscribed",
        user,
        actor=user,
        before={"digest_opt_out": False},
        after={"digest_opt_out": True},
    )
    return True


def set_active(user: User, active: bool, admin: User) -> None:
    if user.id == admin.id and not active:
        raise UserError(_("Bạn không thể tự khóa tài khoản của mình."))
    if user.is_active == active:
        return
    user.is_active = active
    # Re-enabling must not bring back what was open when the account was disabled.
    ended = {} if active else _end_access(user)
    record_audit("auth.enabled" if active else "auth.disabled", user, actor=admin, **ended)


def grant_role(user: User, role: PlatformRole, admin: User | None) -> None:
    """``admin`` is None for the command line: the audit row then names the system."""
    if user.has_role(role):
        return
    user.roles.append(UserRole(role=role, granted_by_id=admin.id if admin else None))
    db.session.flush()
    record_audit("auth.role_granted", user, actor=admin, role=role)


def revoke_role(user: User, role: PlatformRole, admin: User | None) -> None:
    if role is PlatformRole.admin and admin is not None and user.id == admin.id:
        raise UserError(_("Bạn không thể tự thu hồi quyền quản trị của mình."))
    for link in [r for r in user.roles if r.role is role]:
        user.roles.remove(link)
        record_audit("auth.role_revoked", user, actor=admin, role=role)


def request_membership(user: User, organisation: Any, message: str = "") -> OrgMembership:
    existing = db.session.scalar(
        select(OrgMembership).where(
            OrgMembership.user_id == user.id, OrgMembership.organisation_id == organisation.id
        )
    )
    if existing is not None and existing.status in (
        MembershipStatus.pending,
        MembershipStatus.active,
    ):
        raise UserError(_("Bạn đã là thành viên hoặc đã gửi yêu cầu tham gia tổ chức này."))
    link = existing or OrgMembership(user_id=user.id, organisation_id=organisation.id)
    link.status, link.role, link.message = MembershipStatus.pending, OrgRole.member, message[:500]
    link.decided_at = link.decided_by_id = None
    db.session.add(link)
    db.session.flush()
    record_audit("membership.requested", link, actor=user, organisation_id=organisation.id)
    # The organisation's administrators decide: they learn of it in the app at once.
    admins = db.session.scalars(
        select(OrgMembership.user_id).where(
            OrgMembership.organisation_id == organisation.id,
            OrgMembership.role == OrgRole.admin,
            OrgMembership.status == MembershipStatus.active,
        )
    ).all()
    notify(
        admins,
        "membership.requested",
        {"name": user.display_name, "organisation": organisation.name_vi},
        link=external_url("memberships.members", org_id=organisation.id),
    )
    return link


def decide_membership(link: OrgMembership, approve: bool, admin: User) -> None:
    lock_current(link)
    if link.status is not MembershipStatus.pending:
        raise UserError(_("Yêu cầu này đã được xử lý."))
    link.status = MembershipStatus.active if approve else MembershipStatus.refused
    link.decided_at, link.decided_by_id = utcnow(), admin.id
    record_audit("membership.approved" if approve else "membership.refused", link, actor=admin)
    with force_locale(link.user.locale or "vi"):
        subject = (
            _("Yêu cầu tham gia tổ chức đã được duyệt")
            if approve
            else _("Yêu cầu tham gia tổ chức bị từ chối")
        )
        body = render_template("emails/membership_decided.txt", link=link, approve=approve)
        send_mail(link.user.email, subject, body)


def set_membership_role(link: OrgMembership, role: OrgRole, admin: User) -> None:
    if link.status is not MembershipStatus.active:
        raise UserError(_("Chỉ thành viên đang hoạt động mới được đổi vai trò."))
    if link.role is role:
        return
    if link.user_id == admin.id and role is not OrgRole.admin:
        raise UserError(_("Bạn không thể tự bỏ quyền quản trị tổ chức của mình."))
    before = link.role
    link.role = role
    record_audit(
        "membership.role_changed", link, actor=admin, before={"role": before}, after={"role": role}
    )


def revoke_membership(link: OrgMembership, admin: User) -> None:
    if link.user_id == admin.id:
        raise UserError(_("Bạn không thể tự rời khỏi vai trò quản trị theo cách này."))
    link.status = MembershipStatus.revoked
    link.decided_at, link.decided_by_id = utcnow(), admin.id
    record_audit("membership.revoked", link, actor=admin)


def link_identity(user: User, issuer: str, subject: str, email: str) -> OidcIdentity:
    identity = OidcIdentity(
        user_id=user.id, issuer=issuer, subject=subject, email=email, last_used_at=utcnow()
    )
    db.session.add(identity)
    db.session.flush()
    record_audit("auth.oidc_linked", user, actor=user, issuer=issuer)
    return identity


def create_user_from_identity(issuer: str, subject: str, claims: dict[str, Any]) -> User:
    email = claims.get("email") or ""
    if not email:
        raise UserError(
            _(
                "Nhà cung cấp đăng nhập một lần không cho biết e-mail của bạn. Hãy đăng ký bằng e-mail, rồi liên kết tài khoản trong trang cá nhân."
            )
        )
    if find_user_by_email(email) is not None:
        # Never merge by e-mail alone: the owner of the existing account must link it.
        raise UserError(
            _(
                "Đã có tài khoản với e-mail này. Hãy đăng nhập bằng mật khẩu, rồi liên kết tài khoản trong trang cá nhân."
            )
        )
    user = User(
        email=email,
        email_key=email_key(email),
        full_name=claims.get("name") or email.split("@")[0],
        email_verified_at=utcnow() if claims.get("email_verified") else None,
    )
    db.session.add(user)
    db.session.flush()
    record_audit("auth.register", user, actor=user, via="oidc", issuer=issuer)
    link_identity(user, issuer, subject, email)
    return user
