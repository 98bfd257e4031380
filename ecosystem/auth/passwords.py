"""Password hashing with Argon2id (RFC 9106 parameters from argon2-cffi's defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing of a wrong e-mail
# and a wrong password alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")

MIN_PASSWORD_LENGTH = 12


def password_problem(password: str) -> str | None:
    """Why a new password is refused (translated), or None. The one policy for the forms and
    the operator commands."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH)
    if len(set(password)) < 4:
        return _("Mật khẩu quá đơn giản: hãy dùng nhiều ký tự khác nhau.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
