"""One search box over every kind of record: ranked, filtered, paginated, visibility-aware.

Queries are folded like the index ("dai hoc hue" and "Đại học Huế" are the same query);
every word must match, the last one as a prefix (search as you type). When nothing
matches, each word is widened to the title words one edit away (rapidfuzz), so a
one-letter typo in a name still finds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ecosystem.core.cache import TableCache
from ecosystem.core.models import utcnow
from ecosystem.core.text import fold
from ecosystem.extensions import db
from ecosystem.registry.search_index import KINDS, SearchEntry, vocabulary, vocabulary_set, words

MAX_WORDS = 8
# A list's total counts every visible entry of its kind (56,000 results at 100,000 records:
# tens of milliseconds for each page view); another worker's change shows within 30 s.
_totals = TableCache({"search_entries"}, ttl=30)


@dataclass
class SearchQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()
    field_code: str | None = None
    trl_min: int | None = None
    province: str | None = None
    organisation_id: int | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class SearchResults:
    entries: list[SearchEntry]
    total: int
    page: int
    per_page: int
    corrected: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search(query: SearchQuery, user: Any = None) -> SearchResults:
    terms = words(query.text)[:MAX_WORDS]
    groups = [[t] for t in terms]
    results = _run(query, user, groups)
    if results.total == 0 and terms:
        known = vocabulary_set()
        # Only words that are no title word at all are widened: a correct word stays
        # exact, so a typo in one word does not flood the results with near-misses.
        widened = [[t] if t in known else _near_terms(t) for t in terms]
        if any(len(g) > 1 for g in widened):
            results = _run(query, user, widened)
            # "Did you mean" names only words of titles this user is shown: the vocabulary
            # also holds words of drafts, hidden and archived records.
            shown = {w for entry in results.entries for w in entry.title_folded.split()}
            results.corrected = {
                t: [w for w in g[1:] if w in shown]
                for t, g in zip(terms, widened, strict=True)
                if any(w in shown for w in g[1:])
            }
    return results


def _near_terms(term: str) -> list[str]:
    """The term itself, then title words one edit away (only for words of 3+ letters)."""
    if len(term) < 3:
        return [term]
    # Optimal string alignment: swapping two neighbouring letters ("xnah" for "xanh") is
    # one edit, as a reader counts it, not two.
    matches = process.extract(term, vocabulary(), scorer=OSA.distance, score_cutoff=1, limit=8)
    return [term, *[m[0] for m in matches if m[0] != term]]


def public_condition() -> Any:
    """Entries anybody may see: public and not expired."""
    return sa.and_(
        SearchEntry.is_public.is_(True),
        sa.or_(SearchEntry.expires_at.is_(None), SearchEntry.expires_at > utcnow()),
    )


def _visibility(user: Any) -> Any:
    if user is not None and user.is_admin:
        return sa.true()
    public = public_condition()
    org_ids = sorted(user.active_org_ids) if user is not None else []
    if org_ids:
        return sa.or_(public, SearchEntry.organisation_id.in_(org_ids))
    return public


def _filters(query: SearchQuery, user: Any) -> list[Any]:
    conditions = [_visibility(user)]
    kinds = [k for k in query.kinds if k in KINDS]
    if kinds:
        conditions.append(SearchEntry.kind.in_(kinds))
    if query.field_code:
        conditions.append(SearchEntry.field_code == query.field_code)
    if query.trl_min:
        conditions.append(SearchEntry.trl >= query.trl_min)
    if query.province:
        conditions.append(SearchEntry.province_folded == fold(query.province))
    if query.organisation_id:
        conditions.append(SearchEntry.organisation_id == query.organisation_id)
    return conditions


def _run(query: SearchQuery, user: Any, groups: list[list[str]]) -> SearchResults:
    conditions = _filters(query, user)
    if not groups:
        return _newest(query, user, conditions)
    backend = _BACKENDS[db.session.get_bind().dialect.name]
    base, key = backend(groups)
    base = base.where(*conditions)
    # Rank on narrow rows: the inner query yields only (id, sort key) — the score is
    # computed there, once per match — and the outer one sorts, pages and counts them with a
    # window (one pass; a second count only for a page past the end). Sorting or windowing
    # whole rows, long texts and all, cost most of the time.
    hits = (
        base.with_only_columns(
            SearchEntry.id.label("id"), key.label("key"), maintain_column_froms=True
        )
        .cte("ranked")
        .prefix_with("MATERIALIZED")  # keeps PostgreSQL from merging it into the outer query
    )
    ranked = db.session.execute(
        sa.select(hits.c.id, sa.func.count().over().label("total"))
        .order_by(hits.c.key.desc(), hits.c.id)
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    if ranked:
        total, entries = ranked[0].total, _entries([r.id for r in ranked])
    else:
        counted = base.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
        total, entries = db.session.scalar(counted) or 0, []
    return SearchResults(entries, total, query.page, query.per_page)


def _newest(query: SearchQuery, user: Any, conditions: list[Any]) -> SearchResults:
    """No words: a list, newest first. The page is read in index order (kind, updated_at)
    and stops after its rows; ranking them all in a window to get the total, as a search
    does, sorted every visible entry on each page view. The total comes from ``_totals``."""
    ids = db.session.scalars(
        sa.select(SearchEntry.id)
        .where(*conditions)
        .order_by(SearchEntry.updated_at.desc(), SearchEntry.id.desc())
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    total = _totals.get(
        _total_key(query, user),
        lambda: db.session.scalar(sa.select(sa.func.count(SearchEntry.id)).where(*conditions)),
    )
    return SearchResults(_entries(list(ids)), total or 0, query.page, query.per_page)


def _total_key(query: SearchQuery, user: Any) -> tuple:
    if user is not None and user.is_admin:
        seen: Any = "all"
    else:
        seen = tuple(sorted(user.active_org_ids)) if user is not None else ()
    filters = (query.kinds, query.field_code, query.trl_min, query.province)
    return (*filters, query.organisation_id, seen)


def _entries(ids: list[int]) -> list[SearchEntry]:
    found = {
        e.id: e for e in db.session.scalars(sa.select(SearchEntry).where(SearchEntry.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


_FTS = sa.table("search_fts", sa.column("rowid"))


def _sqlite_ranked(groups: list[list[str]]) -> tuple[Any, Any]:
    """FTS5 over (title, body), bm25 with titles weighing ten times more."""
    match = " AND ".join(_fts5_group(g, last=i == len(groups) - 1) for i, g in enumerate(groups))
    fts = sa.literal_column("search_fts")
    # bm25 is lower for better matches. The hits are materialised first, so the planner
    # cannot turn the join around and run the MATCH once per entry (seconds at 100k).
    hits = (
        sa.select(_FTS.c.rowid.label("id"), (-sa.func.bm25(fts, 10.0, 1.0)).label("score"))
        .where(fts.op("MATCH")(match))
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    base = sa.select(SearchEntry).select_from(hits).join(SearchEntry, SearchEntry.id == hits.c.id)
    return base, hits.c.score


def _fts5_group(group: list[str], *, last: bool) -> str:
    alternatives = [f'"{t}"' + ("*" if last and i == 0 else "") for i, t in enumerate(group)]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _postgres_ranked(groups: list[list[str]]) -> tuple[Any, Any]:
    """The generated tsvector (titles weight A, bodies B) with its GIN index, ranked by ts_rank."""
    parts = []
    for i, group in enumerate(groups):
        alternatives = [
            t + (":*" if i == len(groups) - 1 and j == 0 else "") for j, t in enumerate(group)
        ]
        parts.append("(" + " | ".join(alternatives) + ")")
    tsquery = sa.func.to_tsquery("simple", " & ".join(parts))
    vector = sa.literal_column("search_entries.search_vector")
    return sa.select(SearchEntry).where(vector.op("@@")(tsquery)), sa.func.ts_rank(vector, tsquery)


_BACKENDS = {"sqlite": _sqlite_ranked, "postgresql": _postgres_ranked}
