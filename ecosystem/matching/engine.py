"""The matching engine: documents in, ranked and explained matches out.

Pure library (numpy and scipy only; no Flask, no database, no scikit-learn).

Scoring. A document is a TF-IDF vector over the features of ecosystem.matching.text
(folded and accented unigrams, folded bigrams): ``tf' = 1 + ln(tf)`` (title and keywords count
``title_weight`` times), ``idf = ln((1 + N) / (1 + df)) + 1``, L2-normalised. The text score of
a document for a query is the cosine of their vectors; the final score multiplies it by the
facet fit (facets.py; exactly 1 when the two sides share no facet, so pure text ranking is plain
TF-IDF cosine). A profile (several documents) is the centroid of its members' normalised
vectors. A query keeps its ``max_query_terms`` heaviest features (weights.py).

Index. Each document has a slot. Rows (feature ids and ``tf'`` values) of the slots present at
the last (re)build form the *main* segment, stored twice: by document (CSR) and by feature
(inverted CSC) for fast queries. Later additions form a small *delta* segment scored by rows.
Removal marks a slot dead. Because idf depends on N and df, norms are kept as three sums per
slot, ``s0 = sum r^2``, ``s1 = sum r^2 b``, ``s2 = sum r^2 b^2`` with ``b = ln(1 + df)``, so
that ``|d|^2 = A^2 s0 - 2 A s1 + s2`` with ``A = ln(1 + N) + 1`` is exact after any update; an
update only touches the postings of the changed document's features. Scores after updates
equal those of a rebuild on the same documents (to float rounding); ``compact()`` folds the
delta and the dead slots into a fresh main segment.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.facets import FacetFit, FacetStore, QueryFacets, explain_facets
from ecosystem.matching.text import Analyzer
from ecosystem.matching.vectorize import Vocabulary, count_rows, tf_values
from ecosystem.matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = [
    "Document",
    "DuplicateIdError",
    "EmptyProfileError",
    "Explanation",
    "FacetFit",
    "Hit",
    "IndexFormatError",
    "MatchIndex",
    "MatchingError",
    "TermContribution",
    "UnknownDocumentError",
]


# ---------------------------------------------------------------------------- errors
class MatchingError(ValueError):
    """Bad input to the engine (message says what and where)."""


class DuplicateIdError(MatchingError):
    pass


class EmptyProfileError(MatchingError):
    pass


class UnknownDocumentError(MatchingError, KeyError):
    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0]) if self.args else ""


class IndexFormatError(MatchingError):
    """A saved index that is not ours, of another version or weights, or damaged."""


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Document:
    id: str
    kind: str = ""
    title: str = ""
    text: str = ""
    keywords: tuple[str, ...] = ()
    facets: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "keywords": list(self.keywords),
            "facets": dict(self.facets),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Document:
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind") or ""),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            keywords=tuple(str(k) for k in data.get("keywords") or ()),
            facets=dict(data.get("facets") or {}),
        )


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float  # text_score * facet_multiplier
    text_score: float  # TF-IDF cosine
    facet_multiplier: float
    kind: str = ""


@dataclass(frozen=True)
class TermContribution:
    term: str  # surface form as written in the document, e.g. "nuôi trồng thủy sản"
    contribution: float  # part of the text score; all of them add up to it
    features: tuple[str, ...]  # the index features behind it ("thuy san", "thủy", ...)


@dataclass(frozen=True)
class Explanation:
    doc_id: str
    score: float
    text_score: float
    facet_multiplier: float
    terms: tuple[TermContribution, ...]
    facets: tuple[FacetFit, ...]


QueryLike = Document | Sequence[Document]


@dataclass
class _Query:
    features: np.ndarray  # int64 ids in the vocabulary
    coef: np.ndarray  # float64: score(d) = inv_norm[d] * sum(coef * r_d)
    facets: QueryFacets


def _check_doc(doc: Document) -> None:
    if not isinstance(doc, Document):
        raise MatchingError(f"expected a Document, got {type(doc).__name__}")
    if not isinstance(doc.id, str):
        raise MatchingError(f"document id must be a string, got {type(doc.id).__name__}")
    if not doc.id.strip():
        raise MatchingError("document without an id")


def _check_top_k(top_k: int) -> None:
    if not isinstance(top_k, int | np.integer) or top_k < 0:
        raise MatchingError(f"top_k must be an integer >= 0, got {top_k!r}")


# ---------------------------------------------------------------------------- the index
class MatchIndex:
    """An incremental TF-IDF index of documents. Not thread-safe for writes."""

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS):
        self.weights = weights
        self.analyzer = Analyzer(weights.analyzer)
        self.vocabulary = Vocabulary(self.analyzer)
        self.df = np.zeros(1024, np.int64)
        self.slot_ids: list[str | None] = []
        self.slot_kinds: list[str] = []
        self.slot_docs: list[Document | None] = []
        self.id_to_slot: dict[str, int] = {}
        self.alive = np.zeros(0, bool)
        self.facets = FacetStore()
        self._kind_codes: dict[str, int] = {}
        self.kind_code = np.zeros(0, np.int32)
        # main segment
        self.n_main = 0
        self.main_vocab = 0
        self.fwd = sp.csr_matrix((0, 0), dtype=np.float32)
        self.inv_indptr = np.zeros(1, np.int64)
        self.inv_docs = np.zeros(0, np.int32)
        self.inv_vals = np.zeros(0, np.float32)
        self.s0 = np.zeros(0)
        self.s1 = np.zeros(0)
        self.s2 = np.zeros(0)
        # delta segment: rows of slots >= n_main
        self.delta_rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._delta_csr: sp.csr_matrix | None = None
        self._delta_stats: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._inv_norm: np.ndarray | None = None
        self._inv_mat: sp.csr_matrix | None = None
        self.compact_ratio = 0.25  # auto-compact when delta + dead exceed this share

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, documents: Iterable[Document], weights: Weights = DEFAULT_WEIGHTS):
        index = cls(weights)
        docs = list(documents)
        seen: set[str] = set()
        for i, d in enumerate(docs):
            _check_doc(d)
            if d.id in seen:
                raise DuplicateIdError(f"duplicate document id {d.id!r} (document {i + 1})")
            seen.add(d.id)
        mats = [index._rows(docs[i : i + 20000]) for i in range(0, len(docs), 20000)]
        nv = len(index.vocabulary)
        mats = [m if m.shape[1] == nv else _widen(m, nv) for m in mats]
        fwd = sp.vstack(mats, format="csr") if mats else sp.csr_matrix((0, nv))
        index._set_main(docs, fwd)
        return index

    def _set_main(self, docs: list[Document], fwd: sp.csr_matrix) -> None:
        n = len(docs)
        self.slot_ids = [d.id for d in docs]
        self.slot_docs = list(docs)
        self.slot_kinds = [d.kind for d in docs]
        self.id_to_slot = {d.id: i for i, d in enumerate(docs)}
        self.alive = np.ones(n, bool)
        self._kind_codes = {}
        self.kind_code = np.array([self._kind(d.kind) for d in docs], np.int32)
        self.facets = FacetStore(max(n, 16))
        for i, d in enumerate(docs):
            if d.facets:
                self.facets.set(i, d.facets)
        nv = len(self.vocabulary)
        fwd = fwd.tocsr()
        if not fwd.has_sorted_indices:
            fwd.sort_indices()
        self.fwd = sp.csr_matrix(
            (
                fwd.data.astype(np.float32, copy=False),
                fwd.indices.astype(np.int32, copy=False),
                fwd.indptr.astype(np.int64, copy=False),
            ),
            shape=(n, nv),
            copy=False,
        )
        self.df = np.zeros(max(nv, 1024), np.int64)
        self.df[:nv] = np.bincount(self.fwd.indices, minlength=nv)
        self.n_main = n
        self.main_vocab = nv
        self._build_inverted()
        self.delta_rows = []
        self._delta_csr = None
        self._delta_stats = None
        self._recompute_main_stats()

    def _build_inverted(self) -> None:
        self._inv_mat = None
        csc = self.fwd.tocsc()
        self.inv_indptr = csc.indptr.astype(np.int64, copy=False)
        self.inv_docs = csc.indices.astype(np.int32, copy=False)
        self.inv_vals = csc.data.astype(np.float32, copy=False)

    def _recompute_main_stats(self) -> None:
        b = np.log1p(self.df[: self.main_vocab].astype(np.float64))
        self.s0, self.s1, self.s2 = _row_stats(self.fwd, b)
        self._inv_norm = None

    def _kind(self, kind: str) -> int:
        code = self._kind_codes.get(kind)
        if code is None:
            code = self._kind_codes[kind] = len(self._kind_codes)
        return code

    # ------------------------------------------------------------------ analysis
    @property
    def vocab(self) -> dict[str, int]:
        return self.vocabulary.ids

    @property
    def feature_names(self) -> list[str]:
        """All feature names, by id (spells out every bigram: for tests and tools)."""
        return self.vocabulary.all_names()

    def _rows(self, docs: Sequence[Document], grow: bool = True) -> sp.csr_matrix:
        """r values (tf' times the feature-type multiplier), one row per document."""
        w = self.weights
        counts = count_rows(
            self.vocabulary,
            docs,
            w.title_weight,
            w.keyword_weight,
            grow,
            w.analyzer.bigrams,
        )
        return self._tf(counts)

    def _tf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        w = self.weights
        return tf_values(
            counts, self.vocabulary.kind, w.sublinear_tf, w.accent_weight, w.bigram_weight
        )

    def _row(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        m = self._rows([doc])
        m.sort_indices()
        return m.indices.astype(np.int64), m.data.astype(np.float64)

    # ------------------------------------------------------------------ sizes
    def __len__(self) -> int:
        return len(self.id_to_slot)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.id_to_slot

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    def get(self, doc_id: str) -> Document:
        slot = self.id_to_slot.get(doc_id)
        if slot is None:
            raise UnknownDocumentError(f"unknown document id {doc_id!r}")
        return self.slot_docs[slot]

    def documents(self) -> list[Document]:
        return [d for d in self.slot_docs if d is not None]

    # ------------------------------------------------------------------ updates
    def add(self, doc: Document) -> None:
        """Add a new document; DuplicateIdError if its id is present (see upsert)."""
        _check_doc(doc)
        if doc.id in self.id_to_slot:
            raise DuplicateIdError(f"duplicate document id {doc.id!r}")
        self._append(doc)
        self._maybe_compact()

    def upsert(self, doc: Document) -> None:
        """Add, or replace the document with the same id."""
        _check_doc(doc)
        if doc.id in self.id_to_slot:
            self._remove_slot(self.id_to_slot[doc.id])
        self._append(doc)
        self._maybe_compact()

    update = upsert

    def remove(self, doc_id: str) -> None:
        slot = self.id_to_slot.get(doc_id)
        if slot is None:
            raise UnknownDocumentError(f"unknown document id {doc_id!r}")
        self._remove_slot(slot)
        self._maybe_compact()

    def discard(self, doc_id: str) -> bool:
        """Remove if present; True when something was removed."""
        if doc_id not in self.id_to_slot:
            return False
        self.remove(doc_id)
        return True

    def _append(self, doc: Document) -> None:
        ids, vals = self._row(doc)
        slot = self.n_slots
        self.slot_ids.append(doc.id)
        self.slot_docs.append(doc)
        self.slot_kinds.append(doc.kind)
        self.id_to_slot[doc.id] = slot
        self.alive = np.append(self.alive, True)
        self.kind_code = np.append(self.kind_code, np.int32(self._kind(doc.kind)))
        self.facets.set(slot, doc.facets)
        self.delta_rows.append((ids, vals))
        if len(self.vocabulary) > len(self.df):
            grown = np.zeros(max(len(self.vocabulary), 2 * len(self.df)), np.int64)
            grown[: len(self.df)] = self.df
            self.df = grown
        self._change_df(ids, +1)

    def _remove_slot(self, slot: int) -> None:
        ids, _ = self._slot_row(slot)
        doc_id = self.slot_ids[slot]
        del self.id_to_slot[doc_id]
        self.slot_ids[slot] = None
        self.slot_docs[slot] = None
        self.alive[slot] = False
        self.facets.clear(slot)
        self._change_df(ids, -1)

    def _change_df(self, ids: np.ndarray, delta: int) -> None:
        """df += delta on these features, keeping s1/s2 of main slots exact."""
        old_b = np.log1p(self.df[ids].astype(np.float64))
        self.df[ids] += delta
        new_b = np.log1p(self.df[ids].astype(np.float64))
        in_main = ids < self.main_vocab
        if in_main.any():
            f = ids[in_main]
            d1 = (new_b - old_b)[in_main]
            d2 = (new_b**2 - old_b**2)[in_main]
            starts, ends = self.inv_indptr[f], self.inv_indptr[f + 1]
            lens = ends - starts
            if lens.sum():
                pos = _ranges(starts, lens)
                docs = self.inv_docs[pos]
                sq = self.inv_vals[pos].astype(np.float64) ** 2
                self.s1 += np.bincount(docs, sq * np.repeat(d1, lens), minlength=self.n_main)
                self.s2 += np.bincount(docs, sq * np.repeat(d2, lens), minlength=self.n_main)
        self._delta_stats = None
        self._delta_csr = None
        self._inv_norm = None

    def _slot_row(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        if slot < self.n_main:
            a, b = self.fwd.indptr[slot], self.fwd.indptr[slot + 1]
            return self.fwd.indices[a:b].astype(np.int64), self.fwd.data[a:b].astype(np.float64)
        return self.delta_rows[slot - self.n_main]

    def _maybe_compact(self) -> None:
        dead = self.n_slots - len(self.id_to_slot)
        if len(self.delta_rows) + dead > max(1000, self.compact_ratio * self.n_main):
            self.compact()

    def compact(self, force: bool = False) -> None:
        """Fold the delta segment and dead slots into a new main segment (no re-analysis)."""
        if not force and not self.delta_rows and len(self.id_to_slot) == self.n_slots:
            return
        slots = [s for s in range(self.n_slots) if self.alive[s]]
        docs = [self.slot_docs[s] for s in slots]
        rows = [self._slot_row(s) for s in slots]
        # drop features no live document has any more, renumbering the rest
        voc = self.vocabulary
        nv = len(voc)
        keep = self.df[:nv] > 0
        if not keep.all():
            remap = voc.prune(keep)
            rows = [(remap[ids], vals) for ids, vals in rows]
        nv = len(voc)
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
        if rows:
            idx = np.concatenate([r[0] for r in rows]).astype(np.int32)
            val = np.concatenate([r[1] for r in rows])
        else:
            idx, val = np.zeros(0, np.int32), np.zeros(0)
        self._set_main(docs, sp.csr_matrix((val, idx, indptr), shape=(len(rows), nv)))

    # ------------------------------------------------------------------ norms
    def _delta_matrix(self) -> sp.csr_matrix:
        if self._delta_csr is None:
            nv = len(self.vocabulary)
            rows = self.delta_rows
            indptr = np.zeros(len(rows) + 1, np.int64)
            np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
            if rows:
                idx = np.concatenate([r[0] for r in rows]).astype(np.int32)
                val = np.concatenate([r[1] for r in rows]).astype(np.float32)
            else:
                idx, val = np.zeros(0, np.int32), np.zeros(0, np.float32)
            self._delta_csr = sp.csr_matrix((val, idx, indptr), shape=(len(rows), nv))
        return self._delta_csr

    def inv_norms(self) -> np.ndarray:
        """1 / |d| per slot under the current idf (0 for dead or empty slots)."""
        if self._inv_norm is not None:
            return self._inv_norm
        a = math.log1p(len(self.id_to_slot)) + 1.0
        if self._delta_stats is None:
            m = self._delta_matrix()
            self._delta_stats = _row_stats(m, np.log1p(self.df[: m.shape[1]].astype(np.float64)))
        d0, d1, d2 = self._delta_stats
        s0 = np.concatenate([self.s0, d0])
        s1 = np.concatenate([self.s1, d1])
        s2 = np.concatenate([self.s2, d2])
        sq_norm = a * a * s0 - 2.0 * a * s1 + s2
        with np.errstate(divide="ignore"):
            inv = np.where((sq_norm > 1e-12) & self.alive, 1.0 / np.sqrt(np.abs(sq_norm)), 0.0)
        self._inv_norm = inv
        return inv

    def idf(self, ids: np.ndarray) -> np.ndarray:
        a = math.log1p(len(self.id_to_slot)) + 1.0
        df = np.where(ids < len(self.df), self.df[np.minimum(ids, len(self.df) - 1)], 0)
        return a - np.log1p(df.astype(np.float64))

    # ------------------------------------------------------------------ queries
    def _members(self, query: QueryLike) -> list[Document]:
        members = [query] if isinstance(query, Document) else list(query)
        if not members:
            raise EmptyProfileError("empty profile: a profile needs at least one document")
        for m in members:
            if not isinstance(m, Document):
                raise MatchingError(f"expected a Document, got {type(m).__name__}")
        return members

    def _query_matrix(self, queries: Sequence[QueryLike]) -> sp.csr_matrix:
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
            vec = self._tfidf_normalized(self._tf(agg @ counts))
        else:
            members = self._tfidf_normalized(self._rows(flat, grow=False))
            agg = sp.csr_matrix(
                (np.ones(len(flat)), (owner, np.arange(len(flat)))), shape=(len(groups), len(flat))
            )
            vec = self._tfidf_normalized(agg @ members, idf=False)
        vec = _widen(vec.tocsr(), nv)
        vec.data *= self.idf(vec.indices.astype(np.int64))
        return self._truncate(vec)

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

    def _truncate(self, m: sp.csr_matrix) -> sp.csr_matrix:
        """Bound the work of long queries (profiles); short ones are never cut.

        A row with more than ``max_query_terms`` features keeps its ``max_query_terms`` features
        of largest coefficient (weight x idf: the most a feature can add to any score), then
        further features in decreasing coefficient while the postings they read (their df)
        stay within ``max_query_postings``. The cut depends only on coefficients and df, never
        on feature numbering, so an updated index and a rebuild keep the same features.
        """
        w = self.weights
        limit, budget = w.max_query_terms, w.max_query_postings
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

    def _raw_scores(self, q: _Query) -> np.ndarray:
        """sum(coef * r_d) for every slot (main via postings, delta via rows)."""
        out = np.zeros(self.n_slots)
        f = q.features[q.features < self.main_vocab]
        c = q.coef[q.features < self.main_vocab]
        if len(f):
            starts = self.inv_indptr[f]
            lens = self.inv_indptr[f + 1] - starts
            if lens.sum():
                pos = _ranges(starts, lens)
                out[: self.n_main] = np.bincount(
                    self.inv_docs[pos], self.inv_vals[pos] * np.repeat(c, lens), self.n_main
                )
        if self.delta_rows and len(q.features):
            m = self._delta_matrix()
            cvec = np.zeros(m.shape[1])
            cvec[q.features] = q.coef
            out[self.n_main :] = m @ cvec
        return out

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
        if not len(q.features):
            return []
        text = self._raw_scores(q) * self.inv_norms()
        slots = np.flatnonzero((text > 0) & allowed)
        today_n = (today or dt.date.today()).toordinal()
        return self._rank(q, text[slots], slots, top_k, today_n, use_facets)

    def search_many(
        self,
        queries: Sequence[QueryLike | str | Sequence[str]],
        top_k: int = 10,
        *,
        kinds: Iterable[str] | None = None,
        exclude: Sequence[Iterable[str]] | None = None,
        use_facets: bool = True,
        today: dt.date | None = None,
        chunk_size: int = 256,
        processes: int = 1,
    ) -> list[list[Hit]]:
        """search() for many queries at once, identical results.

        A query is a Document, a profile (list of Documents), or - cheapest - the id of an
        indexed document or a list of ids (a profile of indexed documents: no text analysis;
        such a query never matches its own documents). Queries are scored by sparse matrix
        products over chunks of ``chunk_size`` rows (memory bounded). ``processes > 1`` splits
        the queries over forked worker processes (POSIX only; the index is shared
        copy-on-write): scipy's product holds the GIL, so threads do not help. ``exclude[i]``
        lists ids never returned for query i.
        """
        _check_top_k(top_k)
        if exclude is not None and len(exclude) != len(queries):
            raise MatchingError("exclude must give one list of ids per query")
        today_n = (today or dt.date.today()).toordinal()
        args = (queries, top_k, kinds, exclude, today_n, use_facets, chunk_size)
        if processes > 1 and len(queries) >= 2 * chunk_size and hasattr(os, "fork"):
            return self._fork_run(processes, *args)
        return self._batch(range(len(queries)), *args)

    def _batch(self, rows, queries, top_k, kinds, exclude, today_n, use_facets, chunk):
        """Parse and score queries[rows], a block at a time (bounded memory)."""
        base = self._allowed(kinds, None)
        inv = self.inv_norms()
        out: list[list[Hit]] = []
        block = max(chunk, 4096)
        for start in range(0, len(rows), block):
            part = [queries[i] for i in rows[start : start + block]]
            parsed, own = self._parse_many(part)
            excl = own
            if exclude is not None:
                given = [exclude[i] for i in rows[start : start + block]]
                excl = [list(e or ()) + o for e, o in zip(given, own, strict=True)]
            for a in range(0, len(part), chunk):
                sub = range(a, min(a + chunk, len(part)))
                out.extend(self._chunk(parsed, sub, top_k, base, inv, excl, today_n, use_facets))
        return out

    def _fork_run(self, processes, queries, *rest) -> list[list[Hit]]:
        import multiprocessing as mp

        self.inv_norms()  # computed once, inherited by the children
        self._inverted_matrix()
        if self.delta_rows:
            self._delta_matrix()
        n = len(queries)
        bounds = np.linspace(0, n, processes + 1).astype(int)
        ctx = mp.get_context("fork")
        global _FORK_STATE
        _FORK_STATE = (self, queries, rest)
        try:
            with ctx.Pool(processes) as pool:
                parts = pool.map(
                    _fork_worker, [(int(bounds[i]), int(bounds[i + 1])) for i in range(processes)]
                )
        finally:
            _FORK_STATE = None
        return [hits for part in parts for hits in part]

    def _parse_many(self, queries) -> tuple[list[_Query], list[list[str]]]:
        """Query rows; and per query the indexed ids it is made of (never returned)."""
        out: list[_Query | None] = [None] * len(queries)
        own: list[list[str]] = [[] for _ in queries]
        text_rows: list[int] = []
        for i, q in enumerate(queries):
            if isinstance(q, str) or (
                isinstance(q, list | tuple) and q and all(isinstance(x, str) for x in q)
            ):
                ids = [q] if isinstance(q, str) else list(q)
                out[i] = self._query_from_ids(ids)
                own[i] = ids
            else:
                text_rows.append(i)
        for start in range(0, len(text_rows), 4096):
            rows = text_rows[start : start + 4096]
            part = [queries[i] for i in rows]
            m = self._query_matrix(part)
            for r, i in enumerate(rows):
                a, b = m.indptr[r], m.indptr[r + 1]
                members = self._members(queries[i])
                qf = QueryFacets.from_mappings([d.facets for d in members])
                out[i] = _Query(m.indices[a:b].astype(np.int64), m.data[a:b], qf)
        return out, own

    def _query_from_ids(self, ids: list[str]) -> _Query:
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
            f, r = self._slot_row(s)
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
        vec = self._truncate(vec)
        qf = QueryFacets.from_mappings([self.slot_docs[s].facets for s in slots])
        return _Query(vec.indices.astype(np.int64), vec.data.astype(np.float64), qf)

    def _inverted_matrix(self) -> sp.csr_matrix:
        """The main segment's postings as a float64 CSR (features x slots), cached."""
        if self._inv_mat is None or self._inv_mat.shape != (self.main_vocab, self.n_main):
            self._inv_mat = sp.csr_matrix(
                (self.inv_vals.astype(np.float64), self.inv_docs, self.inv_indptr),
                shape=(self.main_vocab, self.n_main),
            )
        return self._inv_mat

    def _chunk(self, parsed, chunk, top_k, base, inv, exclude, today_n, use_facets):
        nv = len(self.vocabulary)
        qs = [parsed[i] for i in chunk]
        indptr = np.zeros(len(qs) + 1, np.int64)
        np.cumsum([len(q.features) for q in qs], out=indptr[1:])
        idx = np.concatenate([q.features for q in qs]) if qs else np.zeros(0, np.int64)
        val = np.concatenate([q.coef for q in qs]) if qs else np.zeros(0)
        qm = sp.csr_matrix((val, idx, indptr), shape=(len(qs), nv))
        in_main = idx < self.main_vocab
        if in_main.all():
            main_qm = sp.csr_matrix((val, idx, indptr), shape=(len(qs), self.main_vocab))
        else:
            main_qm = qm[:, : self.main_vocab]
        res = (main_qm @ self._inverted_matrix()).tocsr()
        dres = None
        if self.delta_rows:
            dres = (qm @ self._delta_matrix().T.astype(np.float64)).tocsr()
        if dres is not None:
            res = sp.hstack([res, dres], format="csr")
        # cosines of the whole chunk at once; dead slots have inv 0
        text_all = res.data * inv[res.indices]
        slots_all = res.indices
        restricted = not base.all()
        out = []
        for row, i in enumerate(chunk):
            a, b = res.indptr[row], res.indptr[row + 1]
            text, slots = text_all[a:b], slots_all[a:b]
            keep = text > 0
            if restricted:
                keep &= base[slots]
            if exclude is not None and exclude[i]:
                for doc_id in exclude[i]:
                    s = self.id_to_slot.get(doc_id)
                    if s is not None:
                        keep &= slots != s
            q = parsed[i]
            if not (use_facets and self.facets.applies(q.facets)) and top_k and b - a > 4 * top_k:
                # pre-select: the top_k best (ties included) are all _rank will look at
                cand = np.flatnonzero(keep)
                if len(cand) > top_k:
                    t = text[cand]
                    kth = t[np.argpartition(-t, top_k - 1)[top_k - 1]]
                    cand = cand[t >= kth]
                text, slots = text[cand], slots[cand]
            elif not keep.all():
                text, slots = text[keep], slots[keep]
            out.append(self._rank(q, text, slots.astype(np.int64), top_k, today_n, use_facets))
        return out

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
        from ecosystem.matching.explain_terms import group_contributions

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
        terms = group_contributions(
            self.analyzer, doc, self.weights, dict(zip(names, contrib.tolist(), strict=True))
        )
        return Explanation(doc_id, text_score * mult, text_score, mult, tuple(terms), tuple(fits))

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:
        from ecosystem.matching.persistence import save_index

        save_index(self, path)

    @classmethod
    def load(cls, path, weights: Weights = DEFAULT_WEIGHTS) -> MatchIndex:
        from ecosystem.matching.persistence import load_index

        return load_index(cls, path, weights)


_FORK_STATE = None


def _fork_worker(bounds: tuple[int, int]) -> list[list[Hit]]:
    index, queries, rest = _FORK_STATE
    return index._batch(range(*bounds), queries, *rest)


def _row_stats(m: sp.csr_matrix, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: sum r^2, sum r^2 b, sum r^2 b^2 (b = ln(1 + df) of each feature)."""
    n = m.shape[0]
    if m.nnz == 0:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    sq = m.data.astype(np.float64) ** 2
    bi = b[m.indices]
    sqb = sq * bi
    starts = m.indptr[:-1]
    nonempty = np.diff(m.indptr) > 0
    out = []
    for arr in (sq, sqb, sqb * bi):
        sums = np.zeros(n)
        sums[nonempty] = np.add.reduceat(arr, starts[nonempty])
        out.append(sums)
    return out[0], out[1], out[2]


def _widen(m: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    """The same rows with more (empty) columns: the vocabulary grew since m was made."""
    if m.shape[1] == n_cols:
        return m
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], n_cols))


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + l) for each (s, l), vectorised."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(lens)
    offsets = np.repeat(starts - (ends - lens), lens)
    return np.arange(total, dtype=np.int64) + offsets
