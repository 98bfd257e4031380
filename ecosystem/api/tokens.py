"""Personal access tokens for the JSON API: shown once, stored as SHA-256, revocable.

Format: ``hue_<8-char prefix>_<secret>``; the prefix lets a user recognise a token in
their list without the platform keeping the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select, update

from ecosystem.auth.models import ApiToken, User
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import utcnow
from ecosystem.core.uow import housekeeping
from ecosystem.extensions import db

MAX_TOKENS = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, can_write: bool, days: int | None) -> tuple[ApiToken, str]:
    active = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_TOKENS:
        raise UserError(_("Bạn đã có quá nhiều khóa truy cập. Hãy thu hồi bớt khóa không dùng."))
    prefix = secrets.token_hex(4)
    plain = f"hue_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=prefix,
        token_hash=_hash(plain),
        can_write=can_write,
        expires_at=utcnow() + dt.timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record_audit("api.token_created", token, actor=user, name=token.name, can_write=can_write)
    return token, plain


def revoke_token(token: ApiToken, user: User | None) -> None:
    """``user`` is who revokes it; None for the command line (the audit row names the system)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit("api.token_revoked", token, actor=user, name=token.name)


USE_RECORD_INTERVAL = dt.timedelta(minutes=5)


def authenticate(header: str | None) -> tuple[User | None, ApiToken | None]:
    """The user and token named by an ``Authorization: Bearer`` header, if valid."""
    if not header or not header.startswith("Bearer "):
        return None, None
    plain = header[len("Bearer ") :].strip()
    if not plain.startswith("hue_") or len(plain) > 200:
        return None, None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at and token.expires_at <= now)
    ):
        return None, None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None, None
    if token.last_used_at is None or now - _aware(token.last_used_at) > USE_RECORD_INTERVAL:
        # Reads must not write on every request (20 parallel reads on SQLite would queue
        # on the lock): the last use is recorded at most every few minutes, by the unit of
        # work's housekeeping step, whatever the request's outcome.
        token_id = token.id
        housekeeping(
            lambda: db.session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
        )
    return user, token


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
