"""What each API resource does: loading, visibility, permissions and writes.

Writes go through the registry's operations and forms, exactly like the pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ecosystem.core.models import MAX_ID
from ecosystem.extensions import db
from ecosystem.registry import forms
from ecosystem.registry import listing_operations as listing_ops
from ecosystem.registry import operations as ops
from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import RecordKind
from ecosystem.registry.models import LISTING_MODELS, Organisation, Person, ResearchGroup

MODELS: dict[str, type] = {
    RecordKind.organisation: Organisation,
    RecordKind.person: Person,
    RecordKind.group: ResearchGroup,
    **LISTING_MODELS,
}
FORMS: dict[str, type] = {
    RecordKind.organisation: forms.OrganisationForm,
    RecordKind.person: forms.PersonForm,
    RecordKind.group: forms.GroupForm,
    RecordKind.result: forms.ResultForm,
    RecordKind.need: forms.NeedForm,
    RecordKind.startup: forms.StartupForm,
    RecordKind.investor: forms.InvestorForm,
}


def load(kind: str, item_id: int) -> Any:
    if not 0 < item_id <= MAX_ID:
        return None
    return db.session.get(MODELS[kind], item_id)


def can_view(user: Any, kind: str, obj: Any) -> bool:
    if obj is None:
        return False
    if kind in LISTING_MODELS:
        return perms.can_view_listing(user, obj)
    return getattr(obj, "merged_into_id", None) is None


def can_create(user: Any, kind: str, organisation: Any) -> bool:
    if kind == RecordKind.organisation:
        return perms.can_create_organisation(user)
    if kind == RecordKind.person:
        return perms.can_create_person(user, organisation)
    return organisation is not None and perms.can_create_group(user, organisation)


def can_edit(user: Any, kind: str, obj: Any) -> bool:
    checks = {
        RecordKind.organisation: perms.can_edit_organisation,
        RecordKind.person: perms.can_edit_person,
        RecordKind.group: perms.can_edit_group,
    }
    return checks.get(kind, perms.can_edit_listing)(user, obj)


def make_form(kind: str, formdata: Any, organisation_id: int | None) -> Any:
    """The page's form, with choices narrowed to what the request may use."""
    form = FORMS[kind](formdata=formdata, meta={"csrf": False})
    if "organisation_id" in form:
        form.organisation_id.choices = [(0, "—")] + (
            [(organisation_id, "")] if organisation_id else []
        )
    if "group_id" in form:
        groups = db.session.scalars(
            select(ResearchGroup.id).where(ResearchGroup.organisation_id == (organisation_id or -1))
        )
        form.group_id.choices = [(0, "—"), *((gid, "") for gid in groups)]
        if form.group_id.data is None:
            form.group_id.data = 0
    return form


def create(kind: str, data: dict[str, Any], user: Any, publish: bool) -> Any:
    if kind == RecordKind.organisation:
        return ops.create_organisation(data, user)
    if kind == RecordKind.person:
        return ops.create_person(data, user)
    if kind == RecordKind.group:
        return ops.save_group(None, data, user)
    return listing_ops.create_listing(kind, data, user, publish=publish)


def update(kind: str, obj: Any, data: dict[str, Any], user: Any) -> None:
    if kind == RecordKind.organisation:
        ops.update_organisation(obj, data, user)
    elif kind == RecordKind.person:
        ops.update_person(obj, data, user)
    elif kind == RecordKind.group:
        ops.save_group(obj, data, user)
    else:
        listing_ops.update_listing(kind, obj, data, user)
