"""Signed, expiring, single-use links for e-mail verification and password reset.

Single use without a table: a verification link names the e-mail it verifies and is
refused once that address is verified; a reset link carries a fingerprint of the current
password hash, so it dies the moment the password changes.
"""

from __future__ import annotations

import enum
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ecosystem.auth.models import User
from ecosystem.extensions import db

VERIFY_MAX_AGE = 48 * 3600
RESET_MAX_AGE = 3600


class TokenProblem(enum.Enum):
    invalid = "invalid"
    expired = "expired"
    used = "used"


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    return _serializer("verify-email").dumps({"uid": user.id, "email": user.email_key})


def make_reset_token(user: User) -> str:
    return _serializer("reset-password").dumps({"uid": user.id, "fp": _fingerprint(user)})


def _load(salt: str, token: str, max_age: int) -> tuple[User, dict]:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(TokenProblem.expired) from None
    except BadSignature:
        raise TokenError(TokenProblem.invalid) from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None:
        raise TokenError(TokenProblem.invalid)
    return user, data


def user_for_verify_token(token: str) -> User:
    user, data = _load("verify-email", token, VERIFY_MAX_AGE)
    if data.get("email") != user.email_key:
        raise TokenError(TokenProblem.invalid)
    if user.email_verified_at is not None:
        raise TokenError(TokenProblem.used)
    return user


def user_for_reset_token(token: str) -> User:
    user, data = _load("reset-password", token, RESET_MAX_AGE)
    if data.get("fp") != _fingerprint(user):
        raise TokenError(TokenProblem.used)
    return user
