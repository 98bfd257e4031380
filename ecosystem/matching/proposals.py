"""Turning the index into stored proposals: result↔need, group↔need, startup↔investor.

A source keeps its best ``TOP_K`` targets above ``MIN_SCORE`` as proposals. Proposals that
fall out are deleted; anything a person acted on (interest, introduction, deal, dismissal)
stays. A dismissed pair comes back only after a substantial change of one of its records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import delete, select

from ecosystem.core.models import utcnow
from ecosystem.extensions import db
from ecosystem.matching.engine import Document, Explanation, Hit, MatchIndex, MatchingError
from ecosystem.matching.models import Match, MatchState
from ecosystem.matching.registry_documents import (
    all_documents,
    doc_id,
    document_for,
    group_profile,
    groups_with_profiles,
    parse_doc_id,
    skipped_on_failure,
)
from ecosystem.matching.term_operations import platform_dictionary
from ecosystem.registry.enums import RecordKind
from ecosystem.registry.listing_operations import SUBSTANTIAL_SIMILARITY
from ecosystem.registry.models import LISTING_MODELS, ResearchGroup

TOP_K = 10
# Below this TF-IDF-times-facets score a pair shares too little to be worth anyone's time
# (measured on the demo data: intended pairs score 0.08–0.6, unrelated ones below 0.05).
MIN_SCORE = 0.05
MAX_TERMS = 8
TARGET_OF = {
    RecordKind.need: RecordKind.result,
    RecordKind.group: RecordKind.need,
    RecordKind.startup: RecordKind.investor,
}
SOURCES_OF = {
    RecordKind.result: (RecordKind.need,),
    RecordKind.need: (RecordKind.group,),
    RecordKind.investor: (RecordKind.startup,),
}


def _source_query(kind: str, obj: Any) -> Any:
    if kind == RecordKind.group:
        return group_profile(obj)
    return document_for(kind, obj)


def _load(kind: str, object_id: int) -> Any:
    model = ResearchGroup if kind == RecordKind.group else LISTING_MODELS[kind]
    return db.session.get(model, object_id)


def explanation_data(explanation: Explanation) -> dict[str, Any]:
    """What a proposal stores of its explanation: the readable terms (a dictionary bridge as
    "nuôi tôm ≈ shrimp farming") with their share of the text score, and what the terms not
    shown (numbers, function words, fragments, the tail) add up to, so the shares sum to 1."""
    total = explanation.text_score or 1.0
    shown = sorted((t for t in explanation.terms if t.shown), key=lambda t: -t.contribution)
    terms = [
        {
            "term": t.label,
            "share": round(t.contribution / total, 4),
            "contribution": round(t.contribution, 6),
            **({"via": t.via, "target": t.term} if t.via else {}),
        }
        for t in shown[:MAX_TERMS]
    ]
    listed = sum(t.contribution for t in shown[:MAX_TERMS])
    other = round(max(0.0, (explanation.text_score - listed) / total), 4)
    facets = [
        {
            "name": f.name,
            "ok": bool(f.ok),
            "fit": round(float(f.fit), 4),
            "query": _plain(f.query_value),
            "doc": _plain(f.doc_value),
        }
        for f in explanation.facets
    ]
    return {"terms": terms, "other_share": other, "facets": facets}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def recompute_source(index: MatchIndex, kind: str, obj: Any) -> int:
    """Store the best targets of one source; returns how many proposals it now has."""
    target_kind = TARGET_OF[kind]
    existing = {
        m.target_id: m
        for m in db.session.scalars(
            select(Match).where(Match.source_kind == kind, Match.source_id == obj.id)
        )
    }
    query = _source_query(kind, obj)
    hits: list[Hit] = []
    if query:
        try:
            hits = [
                h
                for h in index.search(query, top_k=TOP_K, kinds=[target_kind])
                if h.score >= MIN_SCORE
            ]
        except MatchingError:
            hits = []
    kept: set[int] = set()
    now = utcnow()
    for hit in hits:
        _, target_id = parse_doc_id(hit.doc_id)
        target = _load(target_kind, target_id)
        if target is None or not target.is_public:
            continue  # expired since it was indexed: the nightly rebuild drops it
        if target.organisation_id == obj.organisation_id:
            continue  # never propose an organisation to itself
        kept.add(target_id)
        rank = len(kept)
        match = existing.get(target_id)
        if match is None:
            match = Match(
                source_kind=kind, source_id=obj.id, target_kind=target_kind, target_id=target_id
            )
            db.session.add(match)
        match.source_org_id, match.target_org_id = obj.organisation_id, target.organisation_id
        match.rank, match.score, match.text_score = rank, hit.score, hit.text_score
        match.facet_multiplier = hit.facet_multiplier
        match.explanation = explanation_data(index.explain(query, hit.doc_id))
        match.computed_at = now
    stale = [m.id for t, m in existing.items() if t not in kept and m.state is MatchState.proposed]
    if stale:
        db.session.execute(delete(Match).where(Match.id.in_(stale)))
    db.session.flush()
    return len(kept)


def sources_affected(index: MatchIndex, kind: str, object_id: int) -> set[tuple[str, int]]:
    """Sources whose proposals may change when this record changes."""
    affected: set[tuple[str, int]] = set()
    if kind in TARGET_OF:
        affected.add((kind, object_id))
    for source_kind in SOURCES_OF.get(kind, ()):
        for match in db.session.scalars(
            select(Match).where(Match.target_kind == kind, Match.target_id == object_id)
        ):
            affected.add((match.source_kind, match.source_id))
        if source_kind == RecordKind.group:
            affected.update(
                (RecordKind.group, g.id) for g in db.session.scalars(select(ResearchGroup))
            )
            continue
        if doc_id(kind, object_id) in index:
            # Pure text similarity is symmetric: the sources this record resembles most are
            # the ones whose top proposals it can enter.
            for hit in index.search(
                doc_id(kind, object_id), top_k=3 * TOP_K, kinds=[source_kind], use_facets=False
            ):
                affected.add(parse_doc_id(hit.doc_id))
    if kind == RecordKind.result:
        result = _load(RecordKind.result, object_id)
        if result is not None and result.group_id:
            affected.add((RecordKind.group, result.group_id))
    return affected


def recompute_sources(index: MatchIndex, sources: Iterable[tuple[str, int]]) -> int:
    total = 0
    for kind, object_id in sorted(sources):
        with skipped_on_failure(kind, object_id, "proposals"):
            obj = _load(kind, object_id)
            if obj is not None:
                total += recompute_source(index, kind, obj)
    return total


def recompute_all(index: MatchIndex, progress: Any = None) -> int:
    sources: list[tuple[str, Any]] = []
    for kind in (RecordKind.need, RecordKind.startup):
        sources.extend((kind, obj) for obj in db.session.scalars(select(LISTING_MODELS[kind])))
    sources.extend((RecordKind.group, g) for g in groups_with_profiles())
    total = 0
    for done, (kind, obj) in enumerate(sources, start=1):
        with skipped_on_failure(kind, obj.id, "proposals"):
            total += recompute_source(index, kind, obj)
        if progress is not None and (done % 25 == 0 or done == len(sources)):
            progress(done, len(sources))
    return total


def build_index_documents() -> MatchIndex:

    return MatchIndex.build(all_documents(), dictionary=platform_dictionary())


def refresh_document(index: MatchIndex, kind: str, object_id: int) -> bool:
    """Put the record's current document in the index, or take it out if not public.

    Returns True when the text the matching sees changed substantially. The registry
    judges a change on the whole record, confidential details included; a rewritten public
    summary next to long unchanged details must still count, as it changes every score.
    """
    obj = _load(kind, object_id)
    key = doc_id(kind, object_id)
    try:
        doc = document_for(kind, obj) if obj is not None else None
    except Exception:
        index.discard(key)  # never keep matching on a version the record no longer has
        raise
    before = index.get(key) if key in index else None
    if doc is None:
        index.discard(key)
        return False
    index.upsert(doc)
    return before is not None and _text_changed(before, doc)


def _text_changed(before: Document, after: Document) -> bool:

    def text(doc: Document) -> str:
        return " ".join([doc.title, doc.text, *doc.keywords])

    return fuzz.token_set_ratio(text(before), text(after)) < SUBSTANTIAL_SIMILARITY
