"""Jinja helpers for registry pages: links, kind names, enum labels."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.registry.enums import (
    TRL_DEFINITIONS,
    RecordKind,
    StartupStage,
    label,
    province_label,
)
from ecosystem.registry.models import Organisation

KIND_LABELS = {
    RecordKind.organisation: _l("Tổ chức"),
    RecordKind.person: _l("Chuyên gia"),
    RecordKind.group: _l("Nhóm nghiên cứu"),
    RecordKind.result: _l("Kết quả nghiên cứu"),
    RecordKind.need: _l("Nhu cầu công nghệ"),
    RecordKind.startup: _l("Khởi nghiệp"),
    RecordKind.investor: _l("Nhà đầu tư"),
}
_ENDPOINTS = {
    RecordKind.organisation: ("registry.organisation", "org_id"),
    RecordKind.person: ("registry.person", "person_id"),
    RecordKind.group: ("registry.group", "group_id"),
    RecordKind.result: ("results.detail", "item_id"),
    RecordKind.need: ("needs.detail", "item_id"),
    RecordKind.startup: ("startups.detail", "item_id"),
    RecordKind.investor: ("investors.detail", "item_id"),
}


def record_url(kind: str, object_id: int, **kwargs: Any) -> str:
    endpoint, arg = _ENDPOINTS[kind]
    return url_for(endpoint, **{arg: object_id}, **kwargs)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def trl_label(level: int | None) -> str:
    return str(TRL_DEFINITIONS.get(level, "")) if level else ""


def stage_label(value: str) -> str:
    try:
        return label(StartupStage(value))
    except ValueError:
        return value


def helpers() -> dict[str, Any]:
    return {
        "record_url": record_url,
        "kind_label": kind_label,
        "enum_label": label,
        "trl_label": trl_label,
        "stage_label": stage_label,
        "province_label": province_label,
        "organisation_choices": organisation_choices,
    }


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of every organisation that was not merged away, by name: filters of pages
    outside the registry (the account administration) offer them without importing it."""
    return list(
        db.session.execute(
            select(Organisation.id, Organisation.name_vi)
            .where(Organisation.merged_into_id.is_(None))
            .order_by(Organisation.name_vi)
        ).tuples()
    )
