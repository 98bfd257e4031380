"""Queries of a MatchIndex: parsing documents and profiles into query vectors, single
searches and explanations (a mixin of engine.MatchIndex)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.engine.datatypes import (
    Document,
    EmptyProfileError,
    Explanation,
    Hit,
    MatchingError,
    QueryLike,
    TermContribution,
    UnknownDocumentError,
    _check_top_k,
    _Query,
)
from ecosystem.matching.engine.expansion import bridge_shares, expansion_parts, member_rows
from ecosystem.matching.engine.explanations import display_terms, group_contributions
from ecosystem.matching.engine.facets import QueryFacets, explain_facets
from ecosystem.matching.engine.scoring import candidates
from ecosystem.matching.engine.vectorize import _widen, count_rows


class QueryingMixin:
    # ------------------------------------------------------------------ queries
    def _members(self, query: QueryLike) -> list[Document]:
        members = [query] if isinstance(query, Document) else list(query)
        if not members:
            raise EmptyProfileError("empty profile: a profile needs at least one document")
        for m in members:
            if not isinstance(m, Document):
                raise MatchingError(f"expected a Document, got {type(m).__name__}")
        return members

    def _query_matrix(self, queries: Sequence[QueryLike], bound=None) -> sp.csr_matrix:
        """Query coefficients, one row per query: score = inv_norm[d] * (row . r_d)."""
        groups = [self._members(q) for q in queries]
        flat = [m for g in groups for m in g]
        owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        nv = len(self.vocabulary)
        w = self.weights
        if w.profile_mode == "sum":
            counts = count_rows(
                self.vocabulary, flat, w.title_weight, w.keyword_weight, False, w.analyzer.bigrams
            )
            agg = sp.csr_matrix(
                (np.ones(len(flat)), (owner, np.arange(len(flat)))), shape=(len(groups), len(flat))
            )
            summed = _widen(self._tf(agg @ counts).tocsr(), nv)
            parts = expansion_parts(self, flat)
            if parts is not None:
                rows, bridge_owner, _ = parts
                to_query = sp.csr_matrix(
                    (
                        np.ones(len(bridge_owner)),
                        (owner[bridge_owner], np.arange(len(rows.indptr) - 1)),
                    ),
                    shape=(len(groups), rows.shape[0]),
                )
                summed = summed + to_query @ rows
            vec = self._tfidf_normalized(summed)
        else:
            members = self._tfidf_normalized(member_rows(self, flat)[0])
            agg = sp.csr_matrix(
                (np.ones(len(flat)), (owner, np.arange(len(flat)))), shape=(len(groups), len(flat))
            )
            vec = self._tfidf_normalized(agg @ members, idf=False)
        vec = _widen(vec.tocsr(), nv)
        vec.data *= self.idf(vec.indices.astype(np.int64))
        return self._truncate(vec, bound)

    def _tfidf_normalized(self, m: sp.csr_matrix, idf: bool = True) -> sp.csr_matrix:
        m = m.tocsr().astype(np.float64)
        nv = len(self.vocabulary)
        m = _widen(m, nv)
        live = self.df[m.indices] > 0
        if not live.all():  # features of no live document: not in the index
            m.data[~live] = 0.0
            m.eliminate_zeros()
        if idf:
            m.data *= self.idf(m.indices.astype(np.int64))
        sq = np.bincount(
            np.repeat(np.arange(m.shape[0]), np.diff(m.indptr)), m.data**2, minlength=m.shape[0]
        )
        norms = np.sqrt(sq)
        inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        m.data *= np.repeat(inv, np.diff(m.indptr))
        return m

    def _truncate(self, m: sp.csr_matrix, bound=None) -> sp.csr_matrix:
        """Bound the work of long queries (profiles); short ones are never cut.

        A row with more than ``max_query_terms`` features keeps its ``max_query_terms`` features
        of largest coefficient (weight x idf: the most a feature can add to any score), then
        further features in decreasing coefficient while the postings they read (their df)
        stay within ``max_query_postings``. The cut depends only on coefficients and df, never
        on feature numbering, so an updated index and a rebuild keep the same features.
        """
        w = self.weights
        limit, budget = bound or (w.max_query_terms, w.max_query_postings)
        lens = np.diff(m.indptr)
        if not limit or not (lens > limit).any():
            return m
        keep = np.ones(len(m.data), bool)
        for r in np.flatnonzero(lens > limit):
            a, b = m.indptr[r], m.indptr[r + 1]
            coef = m.data[a:b]
            df = self.df[m.indices[a:b]]
            if df.sum() <= budget:
                continue
            # features with equal (coefficient, df) are kept or dropped together
            key = np.round(coef, 12)
            order = np.lexsort((df, -key))
            k, d = key[order], df[order]
            new_group = np.ones(len(k), bool)
            new_group[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
            group = np.cumsum(new_group) - 1
            group_cost = np.bincount(group, d)
            first = np.flatnonzero(new_group)  # position of each group's first feature
            within = np.cumsum(group_cost) <= budget
            head = first < limit
            kept_groups = head | within
            row_keep = np.zeros(len(k), bool)
            row_keep[order] = kept_groups[group]
            keep[a:b] = row_keep
        m.data[~keep] = 0.0
        m.eliminate_zeros()
        return m

    def _query(self, query: QueryLike, facets: Mapping | None = None) -> _Query:
        members = self._members(query)
        row = self._query_matrix([members])
        qf = QueryFacets.from_mappings(
            [facets] if facets is not None else [m.facets for m in members]
        )
        return _Query(row.indices.astype(np.int64), row.data.astype(np.float64), qf)

    def _delta_postings(self) -> tuple[np.ndarray, ...]:
        """The delta segment inverted like the main one (slot numbers), over its own features
        only: (indptr, slots, values, feature ids), postings of compact feature i belonging to
        feature ``ids[i]``. Cached per delta; rebuilding it after an update costs the size of
        the delta, not of the vocabulary (17M features at 1M documents)."""
        m = self._delta_matrix()
        if self._delta_inv is None or self._delta_inv[0] is not m:
            ids, compact = np.unique(m.indices, return_inverse=True)
            csc = sp.csr_matrix((m.data, compact.ravel(), m.indptr), (m.shape[0], len(ids))).tocsc()
            docs = (csc.indices.astype(np.int64) + self.n_main).astype(np.int32)
            self._delta_inv = (
                m,
                csc.indptr.astype(np.int64),
                docs,
                csc.data.astype(np.float32),
                ids.astype(np.int64),
            )
        return self._delta_inv[1:]

    def _allowed(self, kinds: Iterable[str] | None, exclude: Iterable[str] | None) -> np.ndarray:
        mask = self.alive.copy()
        if kinds is not None:
            codes = [self._kind_codes[k] for k in set(kinds) if k in self._kind_codes]
            mask &= np.isin(self.kind_code, codes)
        for doc_id in exclude or ():
            slot = self.id_to_slot.get(doc_id)
            if slot is not None:
                mask[slot] = False
        return mask

    def _rank(self, q, text, slots, top_k, today, use_facets) -> list[Hit]:
        """Top hits among candidate ``slots`` (all with text score > 0) and their scores."""
        if use_facets and self.facets.applies(q.facets):
            mult = self.facets.multiplier(q.facets, slots, self.weights, today)
            final = text * mult
            keep = final > 0
            slots, text, mult, final = slots[keep], text[keep], mult[keep], final[keep]
        else:
            mult, final = None, text
        if top_k and len(final) > top_k:
            kth = -np.partition(-final, top_k - 1)[top_k - 1]
            sel = np.flatnonzero(final >= kth)  # ties at the cut all kept, then ordered by id
            slots, text, final = slots[sel], text[sel], final[sel]
            mult = mult[sel] if mult is not None else None
        ids = self.slot_ids
        order = sorted(range(len(slots)), key=lambda i: (-final[i], ids[slots[i]]))
        if top_k:
            order = order[:top_k]
        kinds = self.slot_kinds
        return [
            Hit(
                ids[slots[i]],
                float(final[i]),
                float(text[i]),
                1.0 if mult is None else float(mult[i]),
                kinds[slots[i]],
            )
            for i in order
        ]

    def search(
        self,
        query: QueryLike | str | Sequence[str],
        top_k: int = 10,
        *,
        kinds: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        facets: Mapping | None = None,
        use_facets: bool = True,
        today: dt.date | None = None,
    ) -> list[Hit]:
        """Best matches for a document, a profile (list of documents), or the id (or list of
        ids) of indexed documents - "more like these", never returning them - best first.

        ``top_k=0`` ranks every document with a score above 0 (documents sharing no feature
        with the query are not ranked). ``kinds`` limits the targets; ``exclude`` drops ids;
        ``facets`` overrides the query's facets (default: taken from its documents).
        """
        _check_top_k(top_k)
        q, own = self._parse_one(query, facets)
        exclude = [*(exclude or ()), *own]
        return self._search_one(q, top_k, self._allowed(kinds, exclude), today, use_facets)

    def _parse_one(self, query, facets: Mapping | None) -> tuple[_Query, list[str]]:
        """A query and the indexed ids it is made of (for queries given by id)."""
        if isinstance(query, str) or (
            isinstance(query, list | tuple) and query and all(isinstance(x, str) for x in query)
        ):
            ids = [query] if isinstance(query, str) else list(query)
            q = self._query_from_ids(ids)
            if facets is not None:
                q.facets = QueryFacets.from_mappings([facets])
            return q, ids
        return self._query(query, facets), []

    def _search_one(self, q, top_k, allowed, today, use_facets) -> list[Hit]:
        k = 0 if use_facets and self.facets.applies(q.facets) else top_k
        ((text, slots),) = candidates(self, [q], k, allowed)
        today_n = (today or dt.date.today()).toordinal()
        return self._rank(q, text, slots, top_k, today_n, use_facets)

    def _parse_many(self, queries, bound=None) -> tuple[list[_Query], list[list[str]]]:
        """Query rows; and per query the indexed ids it is made of (never returned)."""
        out: list[_Query | None] = [None] * len(queries)
        own: list[list[str]] = [[] for _ in queries]
        text_rows: list[int] = []
        for i, q in enumerate(queries):
            if isinstance(q, str) or (
                isinstance(q, list | tuple) and q and all(isinstance(x, str) for x in q)
            ):
                ids = [q] if isinstance(q, str) else list(q)
                out[i] = self._query_from_ids(ids, bound)
                own[i] = ids
            else:
                text_rows.append(i)
        for start in range(0, len(text_rows), 4096):
            rows = text_rows[start : start + 4096]
            part = [queries[i] for i in rows]
            m = self._query_matrix(part, bound)
            for r, i in enumerate(rows):
                a, b = m.indptr[r], m.indptr[r + 1]
                members = self._members(queries[i])
                qf = QueryFacets.from_mappings([d.facets for d in members])
                out[i] = _Query(m.indices[a:b].astype(np.int64), m.data[a:b], qf)
        return out, own

    def _query_from_ids(self, ids: list[str], bound=None) -> _Query:
        """A query (profile) made of indexed documents, from their stored rows."""
        slots = []
        for doc_id in ids:
            slot = self.id_to_slot.get(doc_id)
            if slot is None:
                raise UnknownDocumentError(f"unknown document id {doc_id!r}")
            slots.append(slot)
        if not slots:
            raise EmptyProfileError("empty profile: a profile needs at least one document")
        feats, vals = [], []
        for s in slots:
            f, r = self._with_bridges(s, *self._slot_row(s))
            w = r * self.idf(f)
            norm = float(np.sqrt((w * w).sum()))
            if norm > 0:
                feats.append(f)
                vals.append(w / norm)
        if feats:
            uniq, inverse = np.unique(np.concatenate(feats), return_inverse=True)
            summed = np.bincount(inverse, np.concatenate(vals))
            summed /= float(np.sqrt((summed * summed).sum()))
        else:
            uniq, summed = np.zeros(0, np.int64), np.zeros(0)
        vec = sp.csr_matrix(
            (summed * self.idf(uniq), uniq, np.array([0, len(uniq)])),
            shape=(1, len(self.vocabulary)),
        )
        vec = self._truncate(vec, bound)
        qf = QueryFacets.from_mappings([self.slot_docs[s].facets for s in slots])
        return _Query(vec.indices.astype(np.int64), vec.data.astype(np.float64), qf)

    def _with_bridges(self, slot: int, f: np.ndarray, r: np.ndarray):
        """An indexed document's stored row plus its dictionary bridges (as in _query_matrix),
        so a query by id scores like the same document given as a query."""
        parts = expansion_parts(self, [self.slot_docs[slot]])
        if parts is None:
            return f, r
        rows = parts[0]
        extra = np.asarray(rows.sum(axis=0)).ravel()
        row = np.zeros(len(extra))
        row[f] = r
        row += extra
        keep = np.flatnonzero(row)
        return keep.astype(np.int64), row[keep]

    # ------------------------------------------------------------------ explanations
    def explain(
        self,
        query: QueryLike | str | Sequence[str],
        doc_id: str,
        *,
        facets: Mapping | None = None,
        use_facets: bool = True,
        today: dt.date | None = None,
    ) -> Explanation:
        """Why ``doc_id`` scores what it does for ``query``: the shared terms (surface forms
        from the document) with contributions adding up to the text score, and the facets."""
        slot = self.id_to_slot.get(doc_id)
        if slot is None:
            raise UnknownDocumentError(f"unknown document id {doc_id!r}")
        q, _ = self._parse_one(query, facets)
        ids, vals = self._slot_row(slot)
        shared, qi, di = np.intersect1d(q.features, ids, assume_unique=True, return_indices=True)
        inv = self.inv_norms()[slot]
        contrib = q.coef[qi] * vals[di] * inv
        names = [self.vocabulary.name(int(i)) for i in shared]
        text_score = float(contrib.sum())
        today_n = (today or dt.date.today()).toordinal()
        doc = self.slot_docs[slot]
        if use_facets and self.facets.applies(q.facets):
            fits = explain_facets(q.facets, doc.facets, self.weights, today_n)
            mult = float(
                self.facets.multiplier(q.facets, np.array([slot]), self.weights, today_n)[0]
            )
        else:
            fits, mult = [], 1.0
        members = self._members(query) if not _is_ids(query) else []
        terms = self._explained_terms(members, doc, shared, names, contrib)
        return Explanation(doc_id, text_score * mult, text_score, mult, tuple(terms), tuple(fits))

    def _explained_terms(self, members, doc, shared, names, contrib) -> list:
        """The document's terms with their contributions; what a dictionary bridge brought is
        split off (exactly: bridge_shares) into terms labelled "query words ≈ document words"."""

        bridges, shares = bridge_shares(self, members, shared) if members else ([], None)
        own = contrib.copy()
        by_label: dict[tuple[str, str], list] = {}
        for b, share in zip(bridges, shares if shares is not None else [], strict=True):
            part = contrib * share
            if not (part > 0).any():
                continue
            own -= part
            found = group_contributions(
                self.analyzer,
                doc,
                self.weights,
                {n: float(v) for n, v, keep in zip(names, part, part > 0, strict=True) if keep},
            )
            if not found:
                continue
            key = (b.source, found[0].term)
            total, feats = by_label.get(key, (0.0, set()))
            by_label[key] = (
                total + sum(t.contribution for t in found),
                feats | {f for t in found for f in t.features},
            )
        terms = group_contributions(
            self.analyzer, doc, self.weights, dict(zip(names, own.tolist(), strict=True))
        )
        terms = [t for t in terms if abs(t.contribution) > 1e-15]
        terms += [
            TermContribution(term, total, tuple(sorted(feats)), via=source)
            for (source, term), (total, feats) in by_label.items()
        ]
        return display_terms(self, doc, terms)


def _is_ids(query) -> bool:
    return isinstance(query, str) or (
        isinstance(query, list | tuple) and bool(query) and all(isinstance(x, str) for x in query)
    )
