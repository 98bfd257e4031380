"""Operations on listings: research results, technology needs, startups and investors.

Life cycle (``LISTING_WORKFLOW``): draft → published → archived, and archived → published
again; renewing a published listing gives it another ``LISTING_EXPIRY_DAYS`` (it expires
that long after publication or renewal); an administrator can hide one with a reason, which
notifies the owners, and show it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import select

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.core.models import form_value, utcnow
from ecosystem.core.transitions import Transition, Workflow
from ecosystem.extensions import db
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import (
    TRL_RANGE_MESSAGE,
    Confidentiality,
    IPStatus,
    ListingState,
    StartupStage,
    is_trl,
)
from ecosystem.registry.listing_owners import (  # noqa: F401 (callers import them from here)
    listing_title,
    notify_owners,
    owners,
)
from ecosystem.registry.models import LISTING_MODELS, ListingMixin, ResearchField
from ecosystem.registry.ownership import check_own_organisation
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
    if kind in ("result", "need") and not is_trl(trl):
        raise UserError(str(TRL_RANGE_MESSAGE), field="trl" if kind == "result" else "trl_wanted")


def _announce(kind: str, listing: Any, substantial: bool) -> None:
    db.session.flush()
    index_record(kind, listing)
    record_saved.send(kind, obj=listing, substantial=substantial)


def create_listing(kind: str, data: dict[str, Any], user: Any, *, publish: bool = False) -> Any:
    check_own_organisation(user, data["organisation_id"], perms.can_create_listing)
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
        change_listing_state(listing, "publish", user)  # announces it
    else:
        _announce(kind, listing, substantial=True)
    return listing


def update_listing(kind: str, listing: Any, data: dict[str, Any], user: Any) -> bool:
    if "organisation_id" in data:  # handing a record to an organisation that is not yours
        check_own_organisation(user, data["organisation_id"], perms.can_create_listing)
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


# The life cycle --------------------------------------------------------------------------

KIND_OF = {model: kind for kind, model in LISTING_MODELS.items()}
S = ListingState


def _kind(listing: Any) -> str:
    return KIND_OF[type(listing)]


def _publish(listing: Any, user: Any, *, expires_at: dt.datetime, **data: Any) -> None:
    listing.published_at = listing.published_at or utcnow()
    _renew(listing, user, expires_at=expires_at)


def _renew(listing: Any, user: Any, *, expires_at: dt.datetime, **data: Any) -> None:
    listing.expires_at = expires_at
    listing.expiry_reminded_at = None


def _hide(listing: Any, user: Any, *, reason: str, **data: Any) -> None:
    listing.hidden_at = utcnow()
    listing.hidden_reason = reason


def _unhide(listing: Any, user: Any, **data: Any) -> None:
    listing.hidden_at = None
    listing.hidden_reason = ""


def _not_hidden(listing: Any) -> str | None:
    return _("Hồ sơ này đang bị ẩn.") if listing.hidden_at is not None else None


def _hidden(listing: Any) -> str | None:
    return _("Hồ sơ này không bị ẩn.") if listing.hidden_at is None else None


def _announced(substantial: bool):
    def announce(listing: Any, user: Any, transition: Any, data: dict) -> None:
        _announce(_kind(listing), listing, substantial)

    return announce


def _withdrawn(listing: Any, user: Any, transition: Any, data: dict) -> None:
    """Out of every public channel: the search index, and the features that listen."""
    kind = _kind(listing)
    db.session.flush()
    index_record(kind, listing)
    record_archived.send(kind, obj=listing)


def _withdrawn_and_told(listing: Any, user: Any, transition: Any, data: dict) -> None:
    _withdrawn(listing, user, transition, data)
    notify_owners(
        listing,
        "emails/listing_hidden.txt",
        _l("Hồ sơ của bạn đã bị ẩn"),
        kind=_kind(listing),
        reason=listing.hidden_reason,
    )


def is_platform(user: Any, listing: Any = None) -> bool:
    """Seeding, imports and maintenance act without a person (``user`` None)."""
    return user is None


def _owners(name: str, sources: set, target: S | None, audit: str, wrong_state: Any, **kw: Any):
    return Transition(
        name,
        frozenset(sources),
        target,
        perms.can_edit_listing,
        audit,
        wrong_state=wrong_state,
        **kw,
    )


def _admins(name: str, audit: str, **kw: Any) -> Transition:
    # Hiding is beside the state: a hidden listing keeps it and comes back as it was.
    return Transition(name, frozenset(), None, perms.can_hide_listing, audit, **kw)


PLATFORM = "_by_platform"
_PEOPLE = [
    _owners(
        "publish",
        {S.draft, S.archived},
        S.published,
        "published",
        _l("Hồ sơ này đang được đăng."),
        label=_l("Đăng công khai"),
        effect=_publish,
        notify=_announced(True),
        style="success",
    ),
    # Also revives an expired listing: another full period from today.
    _owners(
        "renew",
        {S.published},
        None,
        "renewed",
        _l("Chỉ gia hạn được hồ sơ đang đăng."),
        label=_l("Gia hạn thêm"),
        effect=_renew,
        notify=_announced(False),
        style="outline-success",
    ),
    _owners(
        "archive",
        {S.draft, S.published},
        S.archived,
        "archived",
        _l("Hồ sơ này đã được lưu trữ."),
        label=_l("Lưu trữ"),
        notify=_withdrawn,
        style="outline-secondary",
    ),
    _admins(
        "hide",
        "hidden",
        label=_l("Ẩn hồ sơ"),
        guard=_not_hidden,
        effect=_hide,
        notify=_withdrawn_and_told,
        style="outline-danger",
    ),
    _admins(
        "unhide",
        "unhidden",
        label=_l("Hiển thị lại"),
        guard=_hidden,
        effect=_unhide,
        notify=_announced(False),
        style="outline-success",
    ),
]
LISTING_WORKFLOW = Workflow(
    ListingMixin,
    [
        *_PEOPLE,
        # The same steps taken by the platform itself, never offered on a page.
        *(replace(t, name=t.name + PLATFORM, permission=is_platform) for t in _PEOPLE),
    ],
    audit_prefix=lambda listing: f"{_kind(listing)}.",
)
STATE_ACTIONS = frozenset({"publish", "renew", "archive"})  # the owners' state form


def change_listing_state(listing: Any, name: str, user: Any, **data: Any) -> Transition:
    if name in ("publish", "renew"):
        data["expires_at"] = utcnow() + expiry_period()
    return LISTING_WORKFLOW.apply(
        listing, name if user is not None else name + PLATFORM, user, **data
    )


def publish_listing(kind: str, listing: Any, user: Any) -> None:
    change_listing_state(listing, "publish", user)


def renew_listing(kind: str, listing: Any, user: Any) -> None:
    change_listing_state(listing, "renew", user)


def archive_listing(kind: str, listing: Any, user: Any) -> None:
    change_listing_state(listing, "archive", user)


def hide_listing(kind: str, listing: Any, reason: str, admin: Any) -> None:
    change_listing_state(listing, "hide", admin, reason=reason.strip()[:500])


def unhide_listing(kind: str, listing: Any, admin: Any) -> None:
    change_listing_state(listing, "unhide", admin)
