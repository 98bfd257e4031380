"""Scheduled registry work: remind owners before their listings expire."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ecosystem.core.audit import record_audit
from ecosystem.core.models import utcnow
from ecosystem.core.uow import transaction
from ecosystem.extensions import db
from ecosystem.registry.enums import ListingState
from ecosystem.registry.listing_owners import notify_owners
from ecosystem.registry.models import LISTING_MODELS, Organisation

REMIND_DAYS_BEFORE = 14


def remind_expiring_listings(now: dt.datetime | None = None) -> int:
    """E-mail the owners of listings that expire within two weeks, once per period."""
    now = now or utcnow()
    horizon = now + dt.timedelta(days=REMIND_DAYS_BEFORE)
    sent = 0
    for kind, model in LISTING_MODELS.items():
        due = db.session.scalars(
            select(model).where(
                model.state == ListingState.published,
                model.hidden_at.is_(None),
                model.expires_at.is_not(None),
                model.expires_at > now,
                model.expires_at <= horizon,
                model.expiry_reminded_at.is_(None),
            )
        ).all()
        for listing in due:
            notify_owners(
                listing, "emails/listing_expiring.txt", _l("Hồ sơ sắp hết hạn đăng"), kind=kind
            )
            listing.expiry_reminded_at = now
            record_audit(f"{kind}.expiry_reminded", listing, expires_at=listing.expires_at)
            sent += 1
    return sent


@shared_task(name="registry.remind_expiring")
def remind_expiring() -> dict:
    sent = remind_expiring_listings()
    db.session.commit()
    return {"reminded": sent}


@shared_task(name="registry.reindex_organisation")
def reindex_organisation(organisation_id: int) -> int:
    """After a rename or a move to another province: its records' search entries."""
    # The operations enqueue this task, so they are imported when it runs (a cycle otherwise).
    from ecosystem.registry.operations import reindex_organisation_records  # noqa: PLC0415

    with transaction():
        org = db.session.get(Organisation, organisation_id)
        if org is None:
            return 0
        reindex_organisation_records(org)
        return 1
