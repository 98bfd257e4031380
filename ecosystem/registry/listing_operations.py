"""Operations on listings: research results, technology needs, startups and investors.

Life cycle: draft → published → archived (and back to published by renewing). A published
listing expires ``LISTING_EXPIRY_DAYS`` after publication or renewal; an administrator can
hide one with a reason, which notifies the owners.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import select

from ecosystem.auth.models import MembershipStatus, OrgMembership, User
from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.mail import send_mail
from ecosystem.core.models import form_value, utcnow
from ecosystem.core.urls import external_url
from ecosystem.extensions import db
from ecosystem.registry.enums import Confidentiality, IPStatus, ListingState, StartupStage
from ecosystem.registry.models import LISTING_MODELS, ResearchField
from ecosystem.registry.search_index import index_record
from ecosystem.registry.signals import record_archived, record_saved

# What each kind stores from its form; the text part decides whether a change is
# "substantial" (dismissed matches come back only then).
FIELDS: dict[str, tuple[str, ...]] = {
    "result": (
        "title",
        "summary",
        "details",
        "field_code",
        "keywords",
        "trl",
        "ip_status",
        "confidentiality",
        "group_id",
        "language",
    ),
    "need": (
        "title",
        "problem",
        "expected_outcome",
        "field_code",
        "trl_wanted",
        "budget_min",
        "budget_max",
        "deadline",
    ),
    "startup": ("name", "stage", "funding_sought", "pitch"),
    "investor": ("name", "thesis", "stages", "ticket_min", "ticket_max"),
}
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "result": ("title", "summary", "details", "keywords"),
    "need": ("title", "problem", "expected_outcome"),
    "startup": ("name", "pitch"),
    "investor": ("name", "thesis"),
}
ENUMS = {"ip_status": IPStatus, "confidentiality": Confidentiality, "stage": StartupStage}
SUBSTANTIAL_SIMILARITY = 85.0


def _clean(kind: str, name: str, value: Any) -> Any:
    if name in ENUMS and value is not None:
        return ENUMS[name](value)
    if name == "group_id":
        return value or None
    if name == "stages":
        return [StartupStage(v).value for v in value or []]
    return form_value(LISTING_MODELS[kind], name, value)


def _snapshot(kind: str, listing: Any) -> dict[str, Any]:
    values = {name: getattr(listing, name) for name in FIELDS[kind]}
    if kind in ("startup", "investor"):
        values["sectors"] = sorted(f.code for f in listing.sectors)
    return values


def _text(kind: str, values: dict[str, Any]) -> str:
    return " ".join(str(values.get(name) or "") for name in TEXT_FIELDS[kind])


def is_substantial(kind: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
    facets = [n for n in after if n not in TEXT_FIELDS[kind]]
    if any(before.get(n) != after.get(n) for n in facets):
        return True
    return fuzz.token_set_ratio(_text(kind, before), _text(kind, after)) < SUBSTANTIAL_SIMILARITY


def _apply(kind: str, listing: Any, data: dict[str, Any]) -> None:
    for name in FIELDS[kind]:
        if name in data:
            setattr(listing, name, _clean(kind, name, data[name]))
    if "organisation_id" in data:
        listing.organisation_id = data["organisation_id"]
    if "sector_codes" in data:
        codes = data["sector_codes"] or []
        listing.sectors = (
            list(db.session.scalars(select(ResearchField).where(ResearchField.code.in_(codes))))
            if codes
            else []
        )


def _check_rules(kind: str, listing: Any) -> None:
    """Rules the database also enforces, checked first so the user gets a clear message."""
    if (
        kind == "need"
        and listing.budget_min is not None
        and listing.budget_max is not None
        and listing.budget_min > listing.budget_max
    ):
        raise UserError(
            _("Ngân sách tối thiểu không được lớn hơn ngân sách tối đa."), field="budget_max"
        )
    if (
        kind == "investor"
        and listing.ticket_min is not None
        and listing.ticket_max is not None
        and listing.ticket_min > listing.ticket_max
    ):
        raise UserError(_("Khoản đầu tư tối thiểu không được lớn hơn tối đa."), field="ticket_max")
    trl = (
        getattr(listing, "trl", None) if kind == "result" else getattr(listing, "trl_wanted", None)
    )
    if kind in ("result", "need") and (trl is None or not 1 <= trl <= 9):
        raise UserError(
            _("TRL phải từ 1 đến 9."), field="trl" if kind == "result" else "trl_wanted"
        )


def _announce(kind: str, listing: Any, substantial: bool) -> None:
    db.session.flush()
    index_record(kind, listing)
    record_saved.send(kind, obj=listing, substantial=substantial)


def create_listing(kind: str, data: dict[str, Any], user: Any, *, publish: bool = False) -> Any:
    model = LISTING_MODELS[kind]
    listing = model(
        organisation_id=data["organisation_id"], created_by_id=getattr(user, "id", None)
    )
    _apply(kind, listing, data)
    _check_rules(kind, listing)
    db.session.add(listing)
    db.session.flush()
    record_audit(f"{kind}.created", listing, actor=user, after=_snapshot(kind, listing))
    if publish:
        _publish(kind, listing, user)
    _announce(kind, listing, substantial=True)
    return listing


def update_listing(kind: str, listing: Any, data: dict[str, Any], user: Any) -> bool:
    before = _snapshot(kind, listing)
    _apply(kind, listing, data)
    _check_rules(kind, listing)
    after = _snapshot(kind, listing)
    changed = {k for k in after if before.get(k) != after[k]}
    if not changed:
        return False
    substantial = is_substantial(kind, before, after)
    record_audit(
        f"{kind}.updated",
        listing,
        actor=user,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        substantial=substantial,
    )
    _announce(kind, listing, substantial)
    return True


def expiry_period() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["LISTING_EXPIRY_DAYS"])


def _publish(kind: str, listing: Any, user: Any) -> None:
    now = utcnow()
    listing.state = ListingState.published
    listing.published_at = listing.published_at or now
    listing.expires_at = now + expiry_period()
    listing.expiry_reminded_at = None
    record_audit(f"{kind}.published", listing, actor=user, expires_at=listing.expires_at)


def publish_listing(kind: str, listing: Any, user: Any) -> None:
    if listing.state is ListingState.published and listing.is_public:
        raise UserError(_("Hồ sơ này đang được đăng."))
    _publish(kind, listing, user)
    _announce(kind, listing, substantial=True)


def renew_listing(kind: str, listing: Any, user: Any) -> None:
    """One click: another full period from today (also revives an expired listing)."""
    if listing.state is not ListingState.published:
        raise UserError(_("Chỉ gia hạn được hồ sơ đang đăng."))
    listing.expires_at = utcnow() + expiry_period()
    listing.expiry_reminded_at = None
    record_audit(f"{kind}.renewed", listing, actor=user, expires_at=listing.expires_at)
    _announce(kind, listing, substantial=False)


def archive_listing(kind: str, listing: Any, user: Any) -> None:
    if listing.state is ListingState.archived:
        raise UserError(_("Hồ sơ này đã được lưu trữ."))
    before = listing.state
    listing.state = ListingState.archived
    record_audit(f"{kind}.archived", listing, actor=user, before={"state": before})
    db.session.flush()
    index_record(kind, listing)
    record_archived.send(kind, obj=listing)


def hide_listing(kind: str, listing: Any, reason: str, admin: Any) -> None:
    if listing.hidden_at is not None:
        raise UserError(_("Hồ sơ này đang bị ẩn."))
    listing.hidden_at = utcnow()
    listing.hidden_reason = reason.strip()[:500]
    record_audit(f"{kind}.hidden", listing, actor=admin, reason=listing.hidden_reason)
    db.session.flush()
    index_record(kind, listing)
    record_archived.send(kind, obj=listing)
    notify_owners(
        listing,
        "emails/listing_hidden.txt",
        _l("Hồ sơ của bạn đã bị ẩn"),
        kind=kind,
        reason=listing.hidden_reason,
    )


def unhide_listing(kind: str, listing: Any, admin: Any) -> None:
    if listing.hidden_at is None:
        raise UserError(_("Hồ sơ này không bị ẩn."))
    listing.hidden_at = None
    listing.hidden_reason = ""
    record_audit(f"{kind}.unhidden", listing, actor=admin)
    _announce(kind, listing, substantial=False)


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
