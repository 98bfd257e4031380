"""Loading the two records of a proposal and naming them for people."""

from __future__ import annotations

from typing import Any

from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry.models import LISTING_MODELS, Organisation, ResearchGroup


def record(kind: str, object_id: int) -> Any:
    model = ResearchGroup if kind == "group" else LISTING_MODELS[kind]
    return db.session.get(model, object_id)


def record_title(obj: Any) -> str:
    if obj is None:
        return "?"
    for attribute in ("title", "name_vi", "name"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return "?"


def match_title(match: Match) -> str:
    source = record(match.source_kind, match.source_id)
    target = record(match.target_kind, match.target_id)
    return f"{record_title(source)} ↔ {record_title(target)}"


def org_name(org_id: int | None) -> str:
    org = db.session.get(Organisation, org_id) if org_id else None
    return org.name_vi if org else ""
