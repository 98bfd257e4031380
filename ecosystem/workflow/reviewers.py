"""Which experts should review an application: the matching engine, asked the fund's question.

Each expert is one document: their expertise keywords and bio, the public results of the
research groups they belong to, and those groups' descriptions and fields. The application
is the query (title, summary, field). The same TF-IDF engine that proposes partnerships
ranks the experts and explains each proposal by the shared terms. Experts with a conflict of
interest (detected from the registry or on record) never appear; experts over the call's
load limit appear flagged, since the manager may override with a reason.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ecosystem.auth.models import PlatformRole, User, UserRole
from ecosystem.extensions import db
from ecosystem.matching.engine import Document, MatchIndex
from ecosystem.matching.term_operations import platform_dictionary
from ecosystem.registry.models import Person, ResearchGroup, ResearchResult, group_members
from ecosystem.workflow import conflicts
from ecosystem.workflow.models import ConflictOfInterest, FundApplication, ReviewAssignment
from ecosystem.workflow.reviews import load_of

EXPERT_KIND = "expert"
TOP_TERMS = 5


@dataclass(frozen=True)
class Suggestion:
    user: User
    score: float
    terms: list[tuple[str, float]] = field(default_factory=list)  # (term, share of the score)
    load: int = 0
    over_limit: bool = False


def reviewers() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == PlatformRole.reviewer, User.is_active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def expert_documents(users: Iterable[User]) -> list[Document]:
    """One document per expert, built with a fixed number of queries whatever their count."""
    users = list(users)
    people = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(Person).where(Person.user_id.in_([u.id for u in users]))
        )
    }
    person_groups: dict[int, list[int]] = defaultdict(list)
    for group_id, person_id in db.session.execute(
        sa.select(group_members.c.research_group_id, group_members.c.person_id).where(
            group_members.c.person_id.in_([p.id for p in people.values()])
        )
    ):
        person_groups[person_id].append(group_id)
    all_groups = {g for ids in person_groups.values() for g in ids}
    groups = {
        g.id: g
        for g in db.session.scalars(
            sa.select(ResearchGroup)
            .where(ResearchGroup.id.in_(all_groups))
            .options(selectinload(ResearchGroup.fields))
        )
    }
    results: dict[int, list[ResearchResult]] = defaultdict(list)
    for result in db.session.scalars(
        sa.select(ResearchResult).where(ResearchResult.group_id.in_(all_groups))
    ):
        if result.is_public:
            results[result.group_id].append(result)
    docs = []
    for user in users:
        person = people.get(user.id)
        my_groups = [groups[g] for g in person_groups.get(person.id, ())] if person else []
        docs.append(_document(user, person, my_groups, results))
    return docs


def _document(
    user: User,
    person: Person | None,
    groups: list[ResearchGroup],
    results: dict[int, list[ResearchResult]],
) -> Document:
    keywords = list(person.expertise or []) if person else []
    parts = [person.bio] if person and person.bio else []
    fields: set[str] = set()
    for group in groups:
        parts.append(group.description or "")
        fields |= {f.code for f in group.fields}
        for result in results.get(group.id, ()):
            parts.append(f"{result.title}. {result.summary}")
            keywords += list(result.keywords or ())
            if result.field_code:
                fields.add(result.field_code)
    return Document(
        id=f"{EXPERT_KIND}:{user.id}",
        kind=EXPERT_KIND,
        title=person.full_name if person else user.display_name,
        text="\n".join(p for p in parts if p).strip(),
        keywords=tuple(dict.fromkeys(k for k in keywords if k)),
        facets={"fields": sorted(fields)},
    )


def application_document(application: FundApplication) -> Document:
    return Document(
        id=f"application:{application.id}",
        kind="application",
        title=application.title,
        text=application.summary or "",
        facets={"fields": [application.field_code] if application.field_code else []},
    )


def build_index(users: Iterable[User] | None = None) -> MatchIndex | None:
    docs = [
        d for d in expert_documents(reviewers() if users is None else users) if d.text or d.keywords
    ]
    if not docs:
        return None
    # the platform's term dictionary (shipped groups plus the admins' edits): an English
    # application finds the expert whose publications are Vietnamese, and the other way round
    return MatchIndex.build(docs, dictionary=platform_dictionary())


# The expert index of every reviewer takes a second to build for 2,000 experts: the
# assignment page reuses it until the registry behind it changes (one cheap query says so).
_cache: dict[tuple, MatchIndex | None] = {}
_cache_lock = threading.Lock()


def _signature() -> tuple:
    reviewer_ids = sa.select(UserRole.user_id).where(UserRole.role == PlatformRole.reviewer)
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(reviewer_ids.subquery()).scalar_subquery(),
            sa.select(sa.func.max(Person.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(ResearchGroup.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(ResearchResult.updated_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(group_members).scalar_subquery(),
            sa.select(sa.func.count(User.id)).where(User.is_active.is_(False)).scalar_subquery(),
        )
    ).one()
    return (str(db.engine.url), *row)


def expert_index() -> MatchIndex | None:
    """The index of every active reviewer, rebuilt only when the registry behind it changed."""
    key = _signature()
    with _cache_lock:
        if key not in _cache:
            _cache.clear()  # one current index per process is enough
            _cache[key] = build_index()
        index = _cache[key]
    if index is not None:
        index.dictionary = platform_dictionary()  # edits apply without a rebuild
    return index


def _excluded(application: FundApplication) -> set[int]:
    """Experts already asked or on record as conflicted."""
    assigned = db.session.scalars(
        sa.select(ReviewAssignment.reviewer_id).where(
            ReviewAssignment.application_id == application.id
        )
    )
    conflicted = db.session.scalars(
        sa.select(ConflictOfInterest.reviewer_id).where(
            ConflictOfInterest.application_id == application.id
        )
    )
    return set(assigned) | set(conflicted)


def suggest(
    application: FundApplication, *, limit: int = 5, index: MatchIndex | None = None
) -> list[Suggestion]:
    """The best experts for ``application``, conflicted ones left out, best first."""
    index = index if index is not None else expert_index()
    if index is None:
        return []
    query = application_document(application)
    excluded = _excluded(application)
    # Ask for more than needed: conflicts are checked only on the best hits.
    hits = index.search(query, top_k=limit * 4 + len(excluded), kinds=[EXPERT_KIND])
    wanted = [int(h.doc_id.split(":", 1)[1]) for h in hits]
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_(wanted), User.is_active.is_(True))
        )
    }
    out: list[Suggestion] = []
    for hit in hits:
        user = users.get(int(hit.doc_id.split(":", 1)[1]))
        if user is None or user.id in excluded or hit.score <= 0:
            continue
        if not user.has_role(PlatformRole.reviewer):
            continue  # the role was withdrawn since the index was built
        if conflicts.detect(application, user):
            continue
        load = load_of(user.id, application.call_id)
        out.append(
            Suggestion(
                user=user,
                score=hit.score,
                terms=_terms(index, query, hit.doc_id),
                load=load,
                over_limit=load >= application.call.reviewer_load_limit,
            )
        )
        if len(out) == limit:
            break
    return out


def _terms(index: MatchIndex, query: Document, doc_id: str) -> list[tuple[str, float]]:
    explanation = index.explain(query, doc_id)
    total = explanation.text_score or 1.0
    ranked = sorted(explanation.terms, key=lambda t: -t.contribution)[:TOP_TERMS]
    return [(t.term, t.contribution / total) for t in ranked]


__all__ = ["Suggestion", "application_document", "build_index", "expert_documents", "suggest"]
