"""Who owns a listing, and telling them: every active member of its organisation."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from ecosystem.auth.models import MembershipStatus, OrgMembership, User
from ecosystem.core.mail import send_mail
from ecosystem.core.urls import external_url
from ecosystem.extensions import db


def owners(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(OrgMembership, OrgMembership.user_id == User.id)
            .where(
                OrgMembership.organisation_id == organisation_id,
                OrgMembership.status == MembershipStatus.active,
                User.is_active.is_(True),
            )
        )
    )


def listing_title(listing: Any) -> str:
    return getattr(listing, "title", None) or getattr(listing, "name", "")


def notify_owners(listing: Any, template: str, subject: Any, **context: Any) -> None:
    """E-mail every active member of the owning organisation, each in their language.

    ``subject`` is a lazy string, so it is translated per recipient.
    """
    kind = context.get("kind")
    link = external_url(f"{kind}s.detail", item_id=listing.id) if kind else ""
    for user in owners(listing.organisation_id):
        with force_locale(user.locale or "vi"):
            body = render_template(
                template,
                user=user,
                listing=listing,
                title=listing_title(listing),
                link=link,
                **context,
            )
            send_mail(user.email, str(subject), body)
