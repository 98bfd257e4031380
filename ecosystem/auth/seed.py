"""Demo accounts, one for every role (listed in the README)."""

from __future__ import annotations

from sqlalchemy import select

from ecosystem.auth.models import User
from ecosystem.auth.operations import email_key
from ecosystem.auth.passwords import hash_password
from ecosystem.core.models import utcnow
from ecosystem.extensions import db

DEMO_PASSWORD = "Hue-demo-2026!"

DEMO_ACCOUNTS = [
    {"email": "admin@hue-innovation.local", "full_name": "Quản trị Sở KH&CN"},
]


def seed_accounts() -> int:
    created = 0
    password_hash = None
    for spec in DEMO_ACCOUNTS:
        key = email_key(spec["email"])
        if db.session.scalar(select(User.id).where(User.email_key == key)) is not None:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        db.session.add(
            User(
                email=spec["email"],
                email_key=key,
                full_name=spec["full_name"],
                password_hash=password_hash,
                email_verified_at=utcnow(),
            )
        )
        created += 1
    db.session.flush()
    return created
