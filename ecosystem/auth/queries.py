"""Read-side helpers for account pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ecosystem.auth.models import ApiToken, OidcIdentity, OrgMembership, User
from ecosystem.extensions import db


def profile_context(user: User) -> dict[str, Any]:
    memberships = db.session.scalars(
        select(OrgMembership)
        .where(OrgMembership.user_id == user.id)
        .options(selectinload(OrgMembership.organisation))
        .order_by(OrgMembership.created_at.desc())
    ).all()
    identities = db.session.scalars(
        select(OidcIdentity).where(OidcIdentity.user_id == user.id)
    ).all()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return {"memberships": memberships, "identities": identities, "api_tokens": tokens}
