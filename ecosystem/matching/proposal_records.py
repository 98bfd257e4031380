"""Loading the two records of a proposal and naming them for people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from ecosystem.extensions import db
from ecosystem.matching.models import Match
from ecosystem.registry.enums import RecordKind
from ecosystem.registry.models import LISTING_MODELS, Organisation, ResearchGroup


def _model(kind: str) -> Any:
    return ResearchGroup if kind == RecordKind.group else LISTING_MODELS[kind]


def record(kind: str, object_id: int) -> Any:
    return db.session.get(_model(kind), object_id)


def preload_records(matches: Iterable[Match]) -> None:
    """Load the records of ``matches`` in one query per kind, so that ``record()`` finds
    them in the session instead of asking once per card (a page of 20 proposals cost 40
    queries)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for match in matches:
        wanted[match.source_kind].add(match.source_id)
        wanted[match.target_kind].add(match.target_id)
    loaded: list[Any] = []
    for kind, ids in wanted.items():
        if not ids:
            continue
        model = _model(kind)
        loaded.extend(db.session.scalars(select(model).where(model.id.in_(sorted(ids)))))
    if has_request_context():
        # The session's identity map holds objects weakly: the request keeps them alive
        # until its page is rendered.
        g.setdefault("_preloaded_records", []).extend(loaded)


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
