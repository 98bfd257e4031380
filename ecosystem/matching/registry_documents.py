"""Registry records as matching documents.

Only what anybody may read goes in: a result's confidential details never reach the index,
so no explanation can quote them before an introduction.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ecosystem.core.text import has_invalid_characters
from ecosystem.extensions import db
from ecosystem.matching.engine import Document, field_roots
from ecosystem.registry.enums import Confidentiality, RecordKind
from ecosystem.registry.models import (
    LISTING_MODELS,
    Person,
    ResearchField,
    ResearchGroup,
    ResearchResult,
)

log = logging.getLogger(__name__)
INDEXED_KINDS = (RecordKind.result, RecordKind.need, RecordKind.startup, RecordKind.investor)


def doc_id(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def parse_doc_id(value: str) -> tuple[str, int]:
    kind, _, object_id = value.partition(":")
    return kind, int(object_id)


def _parents() -> dict[str, str | None]:
    """Taxonomy code -> parent code, read once per request or task (a rebuild asks per record)."""

    parents = g.get("_matching_field_parents")
    if parents is None:
        rows = db.session.execute(select(ResearchField.code, ResearchField.parent_code))
        parents = g._matching_field_parents = dict(rows.all())
    return parents


def _fields(codes) -> dict[str, list[str]]:
    """The fields facet and its top-level branches (related fields fit partly, facets.py)."""
    codes = [c for c in codes if c]
    return {"fields": codes, "field_roots": field_roots(codes, _parents())}


def _province(listing: Any) -> str:
    return listing.organisation.province or ""


def result_document(result: ResearchResult) -> Document:
    public_details = result.details if result.confidentiality is Confidentiality.public else ""
    return Document(
        id=doc_id(RecordKind.result, result.id),
        kind=RecordKind.result,
        title=result.title,
        text=f"{result.summary}\n{public_details}".strip(),
        keywords=tuple(result.keywords or ()),
        facets={**_fields([result.field_code]), "trl": result.trl, "province": _province(result)},
    )


def need_document(need: Any) -> Document:
    return Document(
        id=doc_id(RecordKind.need, need.id),
        kind=RecordKind.need,
        title=need.title,
        text=f"{need.problem}\n{need.expected_outcome or ''}".strip(),
        facets={
            **_fields([need.field_code]),
            "trl_wanted": need.trl_wanted,
            "deadline": need.deadline.isoformat() if need.deadline else None,
            "province": _province(need),
        },
    )


def startup_document(startup: Any) -> Document:
    return Document(
        id=doc_id(RecordKind.startup, startup.id),
        kind=RecordKind.startup,
        title=startup.name,
        text=startup.pitch,
        facets={
            **_fields([f.code for f in startup.sectors]),
            "stage": startup.stage.value,
            "funding_sought": startup.funding_sought,
            "province": _province(startup),
        },
    )


def investor_document(investor: Any) -> Document:
    return Document(
        id=doc_id(RecordKind.investor, investor.id),
        kind=RecordKind.investor,
        title=investor.name,
        text=investor.thesis,
        keywords=tuple(f.name_vi for f in investor.sectors),
        facets={
            **_fields([f.code for f in investor.sectors]),
            "stages": list(investor.stages or []),
            "ticket_min": investor.ticket_min,
            "ticket_max": investor.ticket_max,
            "province": _province(investor),
        },
    )


BUILDERS = {
    RecordKind.result: result_document,
    RecordKind.need: need_document,
    RecordKind.startup: startup_document,
    RecordKind.investor: investor_document,
}


def document_for(kind: str, listing: Any) -> Document | None:
    """The record's document, or None when it must not be matched (not public)."""
    if kind not in BUILDERS or not listing.is_public:
        return None
    doc = BUILDERS[kind](listing)
    if any(has_invalid_characters(t) for t in (doc.title, doc.text, *doc.keywords)):
        # The saved index is UTF-8: one such document would make saving fail for all.
        raise ValueError(f"{doc.id} holds text that cannot be encoded")
    return doc


@contextmanager
def skipped_on_failure(kind: str, object_id: int, step: str, *, writes: bool = True):
    """One record's failure is logged and skipped, so it never stops the index update or
    the rebuild of all the others; the record is picked up again by its next change or the
    nightly rebuild. A block that ``writes`` runs in a savepoint, so a failure undoes its
    own writes only (and leaves the transaction usable on PostgreSQL)."""
    try:
        if writes:
            with db.session.begin_nested():
                yield
        else:
            yield
    except Exception:
        log.exception("matching: %s of %s:%s failed; skipped", step, kind, object_id)


def all_documents() -> list[Document]:
    docs: list[Document] = []
    for kind in INDEXED_KINDS:
        model = LISTING_MODELS[kind]
        statement = select(model).options(selectinload(model.organisation))
        if hasattr(model, "sectors"):
            statement = statement.options(selectinload(model.sectors))
        for listing in db.session.scalars(statement).all():
            doc = None
            with skipped_on_failure(kind, listing.id, "document", writes=False):
                doc = document_for(kind, listing)
            if doc is not None:
                docs.append(doc)
    return docs


def group_profile(group: ResearchGroup) -> list[Document]:
    """A research group = its public results + its members' expertise (+ its description)."""
    docs = []
    for result in db.session.scalars(
        select(ResearchResult).where(ResearchResult.group_id == group.id)
    ).all():
        with skipped_on_failure(RecordKind.result, result.id, "group profile", writes=False):
            doc = document_for(RecordKind.result, result)
            if doc is not None:
                docs.append(doc)
    expertise = [kw for person in group.members for kw in (person.expertise or [])]
    about = f"{group.description}\n{', '.join(expertise)}".strip()
    fields = [f.code for f in group.fields]
    if about or not docs:
        docs.append(
            Document(
                id=f"group:{group.id}",
                kind=RecordKind.group,
                title=group.name_vi,
                text=about,
                facets=_fields(fields),
            )
        )
    return docs


def groups_with_profiles() -> list[ResearchGroup]:
    return list(
        db.session.scalars(
            select(ResearchGroup).options(
                selectinload(ResearchGroup.members).selectinload(Person.memberships),
                selectinload(ResearchGroup.fields),
            )
        )
    )
