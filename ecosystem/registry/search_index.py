"""The search index: one row per registry record, holding only what may be shown publicly.

Rows are written in the same transaction as the record (``index_record``), so search never
lags behind. Full-text structures live beside the table and are created by the migration:
an FTS5 table kept in step by triggers on SQLite, a generated ``tsvector`` column with a GIN
index on PostgreSQL. Confidential details are never indexed, so no search can reveal them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ecosystem.core.models import Base, utcnow
from ecosystem.core.text import fold
from ecosystem.extensions import db
from ecosystem.registry.enums import Confidentiality, ListingState


class SearchEntry(Base):
    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Small columns that every search filters on come first, long texts last (see the
    # migration): checking a row never has to read its overflow pages.
    kind: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[int] = mapped_column()
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    is_public: Mapped[bool] = mapped_column(index=True)
    # Listings stop being public when they expire, with no write at that moment: the
    # search checks this date, so an expired listing vanishes on time.
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    field_code: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    trl: Mapped[int | None] = mapped_column()
    province_folded: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    province: Mapped[str | None] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(300))
    subtitle: Mapped[str] = mapped_column(sa.String(300), default="")
    snippet: Mapped[str] = mapped_column(sa.Text, default="")
    title_folded: Mapped[str] = mapped_column(sa.Text, default="")
    body_folded: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id", name="kind_object"),
        # List pages without words browse one kind (or field) newest first; the visibility
        # columns make these indexes covering, so a count never reads the rows themselves.
        sa.Index(
            "ix_search_entries_kind_updated",
            "kind",
            "updated_at",
            "is_public",
            "expires_at",
            "organisation_id",
        ),
        sa.Index(
            "ix_search_entries_field_updated",
            "field_code",
            "updated_at",
            "is_public",
            "expires_at",
            "organisation_id",
        ),
    )


class SearchTerm(Base):
    """Vocabulary of folded words in titles and names, for forgiving typos."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


_WORDS = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORDS.findall(fold(text))


def _join(*parts: Any) -> str:
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if isinstance(part, list | tuple | set):
            out.extend(str(p) for p in part if p)
        else:
            out.append(str(part))
    return " ".join(out)


def _clip(text: str, size: int = 280) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"


def document_for(kind: str, obj: Any) -> dict[str, Any]:
    """The public, searchable view of a record."""
    builder = _BUILDERS[kind]
    return builder(obj)


def _organisation(org: Any) -> dict[str, Any]:
    return {
        "organisation_id": org.id,
        "is_public": org.merged_into_id is None,
        "title": org.name_vi,
        "subtitle": " · ".join(p for p in (org.short_name, org.name_en) if p),
        "snippet": _clip(org.description),
        "title_text": _join(org.name_vi, org.name_en, org.short_name),
        "body_text": _join(org.description, org.address, org.tax_code),
        "province": org.province,
    }


def _person(person: Any) -> dict[str, Any]:
    orgs = [m.organisation.name_vi for m in person.memberships if m.ended_on is None]
    return {
        "organisation_id": next(
            (m.organisation_id for m in person.memberships if m.ended_on is None), None
        ),
        "is_public": person.merged_into_id is None,
        "title": person.display_name,
        "subtitle": " · ".join(orgs),
        "snippet": _clip(", ".join(person.expertise or [])),
        "title_text": person.full_name,
        "body_text": _join(person.expertise, orgs, person.bio),
        "province": None,
    }


def _group(group: Any) -> dict[str, Any]:
    return {
        "organisation_id": group.organisation_id,
        "is_public": True,
        "title": group.name_vi,
        "subtitle": group.organisation.name_vi,
        "snippet": _clip(group.description),
        "title_text": _join(group.name_vi, group.name_en),
        "body_text": _join(
            group.description, [f.name_vi for f in group.fields], group.organisation.name_vi
        ),
        "field_code": group.fields[0].code if group.fields else None,
        "province": group.organisation.province,
    }


def _result(result: Any) -> dict[str, Any]:
    public_details = result.details if result.confidentiality is Confidentiality.public else ""
    return {
        "organisation_id": result.organisation_id,
        "is_public": result.state is ListingState.published and result.hidden_at is None,
        "expires_at": result.expires_at,
        "title": result.title,
        "subtitle": result.organisation.name_vi,
        "snippet": _clip(result.summary),
        "title_text": result.title,
        "body_text": _join(
            result.summary, result.keywords, public_details, result.organisation.name_vi
        ),
        "field_code": result.field_code,
        "trl": result.trl,
        "province": result.organisation.province,
    }


def _need(need: Any) -> dict[str, Any]:
    return {
        "organisation_id": need.organisation_id,
        "is_public": need.state is ListingState.published and need.hidden_at is None,
        "expires_at": need.expires_at,
        "title": need.title,
        "subtitle": need.organisation.name_vi,
        "snippet": _clip(need.problem),
        "title_text": need.title,
        "body_text": _join(need.problem, need.expected_outcome, need.organisation.name_vi),
        "field_code": need.field_code,
        "trl": need.trl_wanted,
        "province": need.organisation.province,
    }


def _startup(startup: Any) -> dict[str, Any]:
    return {
        "organisation_id": startup.organisation_id,
        "is_public": startup.state is ListingState.published and startup.hidden_at is None,
        "expires_at": startup.expires_at,
        "title": startup.name,
        "subtitle": startup.organisation.name_vi,
        "snippet": _clip(startup.pitch),
        "title_text": startup.name,
        "body_text": _join(startup.pitch, [f.name_vi for f in startup.sectors]),
        "field_code": startup.sectors[0].code if startup.sectors else None,
        "province": startup.organisation.province,
    }


def _investor(investor: Any) -> dict[str, Any]:
    return {
        "organisation_id": investor.organisation_id,
        "is_public": investor.state is ListingState.published and investor.hidden_at is None,
        "expires_at": investor.expires_at,
        "title": investor.name,
        "subtitle": investor.organisation.name_vi,
        "snippet": _clip(investor.thesis),
        "title_text": investor.name,
        "body_text": _join(investor.thesis, [f.name_vi for f in investor.sectors]),
        "field_code": investor.sectors[0].code if investor.sectors else None,
        "province": investor.organisation.province,
    }


_BUILDERS = {
    "organisation": _organisation,
    "person": _person,
    "group": _group,
    "result": _result,
    "need": _need,
    "startup": _startup,
    "investor": _investor,
}
KINDS = tuple(_BUILDERS)


def index_record(kind: str, obj: Any) -> None:
    """Insert or refresh the record's row (and vocabulary) in the current transaction."""
    db.session.flush()
    doc = document_for(kind, obj)
    title_text, body_text = doc.pop("title_text"), doc.pop("body_text")
    values = {
        **dict.fromkeys(("field_code", "trl", "province")),
        **doc,
        "title": doc["title"][:300],
        "subtitle": doc["subtitle"][:300],
        "title_folded": " ".join(words(title_text)),
        "body_folded": " ".join(words(body_text)),
        "province_folded": fold(doc.get("province")) or None,
        "updated_at": utcnow(),
    }
    entry = db.session.scalar(
        sa.select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == obj.id)
    )
    if entry is None:
        entry = SearchEntry(kind=kind, object_id=obj.id)
        db.session.add(entry)
    for key, value in values.items():
        setattr(entry, key, value)
    add_terms(values["title_folded"].split())
    invalidate_vocabulary()


def remove_record(kind: str, object_id: int) -> None:
    db.session.execute(
        sa.delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    )


def add_terms(terms: Iterable[str]) -> None:
    rows = [{"term": t} for t in {t[:64] for t in terms if len(t) >= 2}]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SearchTerm)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["term"]), rows)


# Other processes add words too; five minutes of staleness only delays typo forgiveness
# for brand-new names, never hides a record.
VOCABULARY_TTL = 300.0
_vocabulary_cache: dict[str, Any] = {"terms": None, "set": frozenset(), "loaded": 0.0}


def invalidate_vocabulary() -> None:
    _vocabulary_cache["terms"] = None


def vocabulary_set() -> frozenset[str]:
    vocabulary()
    return _vocabulary_cache["set"]


def vocabulary() -> list[str]:
    """All title words, cached per process."""
    now = time.monotonic()
    if _vocabulary_cache["terms"] is None or now - _vocabulary_cache["loaded"] > VOCABULARY_TTL:
        _vocabulary_cache["terms"] = list(db.session.scalars(sa.select(SearchTerm.term)))
        _vocabulary_cache["set"] = frozenset(_vocabulary_cache["terms"])
        _vocabulary_cache["loaded"] = now
    return _vocabulary_cache["terms"]
