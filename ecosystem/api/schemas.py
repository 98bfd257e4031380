"""Field lists of the API's resources: one declaration drives output, input and OpenAPI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecosystem.registry import permissions as perms
from ecosystem.registry.enums import (
    TRL_MAX,
    TRL_MIN,
    Confidentiality,
    IPStatus,
    ListingState,
    OrgKind,
    RecordKind,
    StartupStage,
)
from ecosystem.registry.forms import PROVINCES


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, integer, boolean, date, date-time, array, object
    required: bool = False  # on create
    read_only: bool = False
    nullable: bool = False
    enum: tuple[str, ...] | None = None
    items: str = "string"  # or integer, object
    items_enum: tuple[str, ...] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""
    get: Callable[[Any, Any], Any] | None = None  # (user, obj) -> value, when not an attribute


def _values(enum_cls: type) -> tuple[str, ...]:
    return tuple(m.value for m in enum_cls)


ID = Field("id", "integer", read_only=True)
CREATED = Field("created_at", "date-time", read_only=True)
UPDATED = Field("updated_at", "date-time", read_only=True)
STATE = Field("state", "string", read_only=True, enum=_values(ListingState))
PUBLISHED = Field("published_at", "date-time", read_only=True, nullable=True)
EXPIRES = Field("expires_at", "date-time", read_only=True, nullable=True)
OWNER = Field(
    "organisation_id", "integer", required=True, minimum=1, description="Owning organisation"
)
MONEY = {"type": "integer", "nullable": True, "minimum": 0, "maximum": 10**15}
LISTING_META = (STATE, PUBLISHED, EXPIRES, CREATED, UPDATED)


def _codes(relation: str) -> Callable[[Any, Any], Any]:
    return lambda user, obj: [f.code for f in getattr(obj, relation)]


def _details(user: Any, result: Any) -> str | None:
    return result.details if perms.can_view_details(user, result) else None


def _contact(attribute: str) -> Callable[[Any, Any], Any]:
    return lambda user, person: (
        getattr(person, attribute) if perms.can_see_contact(user, person) else None
    )


RESOURCES: dict[str, tuple[Field, ...]] = {
    RecordKind.organisation: (
        ID,
        Field("kind", "string", required=True, enum=_values(OrgKind)),
        Field("name_vi", "string", required=True, max_length=300),
        Field("name_en", "string", max_length=300),
        Field("short_name", "string", max_length=50),
        Field(
            "tax_code",
            "string",
            nullable=True,
            max_length=14,
            description="Vietnamese tax code, checksum validated",
        ),
        Field("ror_id", "string", nullable=True, max_length=40),
        Field("province", "string", enum=tuple(PROVINCES)),
        Field("address", "string", max_length=300),
        Field("website", "string", max_length=300),
        Field("description", "string", max_length=5000),
        CREATED,
        UPDATED,
    ),
    RecordKind.person: (
        ID,
        Field(
            "honorific",
            "string",
            enum=("", "GS.TS.", "PGS.TS.", "TS.", "ThS.", "KS.", "BS.", "CN."),
        ),
        Field("full_name", "string", required=True, max_length=200),
        Field(
            "email",
            "string",
            nullable=True,
            max_length=254,
            get=_contact("email"),
            description="Only for those who may contact the person",
        ),
        Field("phone", "string", nullable=True, max_length=30, get=_contact("phone")),
        Field(
            "orcid",
            "string",
            nullable=True,
            max_length=40,
            description="ORCID iD, checksum validated",
        ),
        Field("expertise", "array", max_length=80),
        Field("bio", "string", max_length=5000),
        Field(
            "organisation_id",
            "integer",
            nullable=True,
            minimum=0,
            get=lambda u, p: next(
                (m.organisation_id for m in p.memberships if m.ended_on is None), None
            ),
        ),
        Field(
            "position",
            "string",
            max_length=200,
            get=lambda u, p: next((m.position for m in p.memberships if m.ended_on is None), ""),
        ),
        CREATED,
        UPDATED,
    ),
    RecordKind.group: (
        ID,
        OWNER,
        Field("name_vi", "string", required=True, max_length=300),
        Field("name_en", "string", max_length=300),
        Field("description", "string", max_length=5000),
        Field("field_codes", "array", max_length=64, get=_codes("fields")),
        Field("leader_id", "integer", read_only=True, nullable=True),
        Field(
            "member_ids",
            "array",
            items="integer",
            read_only=True,
            get=lambda u, g: [p.id for p in g.members],
        ),
        CREATED,
        UPDATED,
    ),
    RecordKind.result: (
        ID,
        OWNER,
        Field("group_id", "integer", nullable=True, minimum=0),
        Field("title", "string", required=True, max_length=300),
        Field("summary", "string", required=True, max_length=3000),
        Field(
            "details",
            "string",
            nullable=True,
            max_length=20000,
            get=_details,
            description="null when confidential for you",
        ),
        Field("field_code", "string", required=True, max_length=64),
        Field("keywords", "array", max_length=80),
        Field("trl", "integer", required=True, minimum=TRL_MIN, maximum=TRL_MAX),
        Field("ip_status", "string", enum=_values(IPStatus)),
        Field("confidentiality", "string", enum=_values(Confidentiality)),
        *LISTING_META,
    ),
    RecordKind.need: (
        ID,
        OWNER,
        Field("title", "string", required=True, max_length=300),
        Field("problem", "string", required=True, max_length=5000),
        Field("expected_outcome", "string", max_length=3000),
        Field("field_code", "string", required=True, max_length=64),
        Field("trl_wanted", "integer", required=True, minimum=TRL_MIN, maximum=TRL_MAX),
        Field("budget_min", **MONEY),
        Field("budget_max", **MONEY),
        Field("deadline", "date", nullable=True),
        *LISTING_META,
    ),
    RecordKind.startup: (
        ID,
        OWNER,
        Field("name", "string", required=True, max_length=200),
        Field("stage", "string", required=True, enum=_values(StartupStage)),
        Field("sector_codes", "array", max_length=64, get=_codes("sectors")),
        Field("funding_sought", **MONEY),
        Field("pitch", "string", required=True, max_length=5000),
        *LISTING_META,
    ),
    RecordKind.investor: (
        ID,
        OWNER,
        Field("name", "string", required=True, max_length=200),
        Field("thesis", "string", required=True, max_length=5000),
        Field("sector_codes", "array", max_length=64, get=_codes("sectors")),
        Field("stages", "array", items_enum=_values(StartupStage)),
        Field("ticket_min", **MONEY),
        Field("ticket_max", **MONEY),
        *LISTING_META,
    ),
}
COLLECTIONS = {
    "organisations": RecordKind.organisation,
    "people": RecordKind.person,
    "groups": RecordKind.group,
    "results": RecordKind.result,
    "needs": RecordKind.need,
    "startups": RecordKind.startup,
    "investors": RecordKind.investor,
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def serialize(kind: str, obj: Any, user: Any) -> dict[str, Any]:
    return serialize_fields(RESOURCES[kind], obj, user)


def serialize_fields(fields: tuple[Field, ...], obj: Any, user: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields:
        value = spec.get(user, obj) if spec.get else getattr(obj, spec.name, None)
        if spec.type == "string" and value is None and not spec.nullable:
            value = ""
        out[spec.name] = _plain(value)
    return out


@dataclass
class Problems:
    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)
