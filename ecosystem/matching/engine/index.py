"""The matching engine: documents in, ranked and explained matches out.

Pure library (numpy, scipy, numba; no Flask, no database, no scikit-learn).

Scoring. A document is a TF-IDF vector over the features of ecosystem.matching.engine.text
(folded and accented unigrams, folded bigrams): ``tf' = 1 + ln(tf)`` (title and keywords count
``title_weight`` times), ``idf = ln((1 + N) / (1 + df)) + 1``, L2-normalised. The text score of
a document for a query is the cosine of their vectors; the final score multiplies it by the
facet fit (facets.py; exactly 1 when the two sides share no facet, so pure text ranking is plain
TF-IDF cosine). A profile (several documents) is the centroid of its members' normalised
vectors. Queries are scored exactly, one at a time by a compiled postings loop (_kernels.py),
large batches by a matrix product for their frequent features and exact rescoring (dense.py),
with the same results; an all-pairs run may bound the work of long profiles (weights.py,
``search_many(bound=...)``).

Index. Each document has a slot. Rows (feature ids and ``tf'`` values) of the slots present at
the last (re)build form the *main* segment, stored twice: by document (CSR) and by feature
(inverted CSC) for fast queries. Later additions form a small *delta* segment scored by rows.
Removal marks a slot dead. Because idf depends on N and df, norms are kept as three sums per
slot, ``s0 = sum r^2``, ``s1 = sum r^2 b``, ``s2 = sum r^2 b^2`` with ``b = ln(1 + df)``, so
that ``|d|^2 = A^2 s0 - 2 A s1 + s2`` with ``A = ln(1 + N) + 1`` is exact after any update; an
update only touches the postings of the changed document's features. Scores after updates
equal those of a rebuild on the same documents (to float rounding); ``compact()`` folds the
delta and the dead slots into a fresh main segment (automatically once they exceed a quarter
of the index; a scheduled rebuild can call it earlier).

API (what the web layer calls)::

    index = MatchIndex.build(documents, weights=DEFAULT_WEIGHTS)   # DuplicateIdError, ...
    index.add(doc); index.upsert(doc); index.remove(doc_id); index.discard(doc_id)
    index.search(query, top_k=10, kinds=None, exclude=None, facets=None, use_facets=True,
                 today=None) -> list[Hit]          # query: Document, [Document], id or [ids]
    index.search_many(queries, top_k=10, ..., processes=1, bound=None) -> list[list[Hit]]
    index.explain(query, doc_id, facets=None, use_facets=True, today=None) -> Explanation
    index.save(path); MatchIndex.load(path, weights=DEFAULT_WEIGHTS)   # IndexFormatError

Reads may run in several threads at once; writes (add, upsert, remove, compact) need the
caller's lock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.engine._kernels import shift_norm_sums
from ecosystem.matching.engine.batch import BatchMixin
from ecosystem.matching.engine.datatypes import (
    Document,
    DuplicateIdError,
    UnknownDocumentError,
    _check_doc,
)
from ecosystem.matching.engine.facets import FacetStore
from ecosystem.matching.engine.persistence import load_index, save_index
from ecosystem.matching.engine.querying import QueryingMixin
from ecosystem.matching.engine.terms import shipped_dictionary
from ecosystem.matching.engine.text import Analyzer
from ecosystem.matching.engine.vectorize import (
    Vocabulary,
    _row_stats,
    count_rows,
    inverted,
    stacked_rows,
    tf_values,
    tokenize_batches,
)
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS, Weights

SHIPPED = object()  # the default dictionary: data/terms.csv

# Documents tokenised and counted at a time by build(): bounds the memory of the token arrays;
# feature ids depend on it (bigram ids are numbered per batch), so it is fixed.
BUILD_BATCH = 20000

__all__ = ["BUILD_BATCH", "MatchIndex"]  # the other public names: the package's __init__


# ---------------------------------------------------------------------------- the index
class MatchIndex(QueryingMixin, BatchMixin):
    """An incremental TF-IDF index of documents. Not thread-safe for writes.

    Building, updates, compaction and norms live here; queries, searches and explanations in
    querying.py; many queries at once in batch.py.
    """

    def __init__(self, weights: Weights = DEFAULT_WEIGHTS, dictionary=SHIPPED):
        self.weights = weights
        # the term dictionary used to expand queries (terms.py); None: no expansion. It only
        # acts on queries, so it can be replaced at any time (the web layer does on updates).
        self.dictionary = shipped_dictionary() if dictionary is SHIPPED else dictionary
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
        self._delta_inv: tuple | None = None  # see QueryingMixin._delta_postings
        self._dense = None  # see dense.scorer_for
        self.compact_ratio = 0.25  # auto-compact when delta + dead exceed this share

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        weights: Weights = DEFAULT_WEIGHTS,
        processes: int = 1,
        dictionary=SHIPPED,
    ):
        """An index of these documents. ``processes > 1`` tokenises on forked workers (large
        corpora, POSIX, main thread; the same index as a serial build)."""
        index = cls(weights, dictionary)
        docs = list(documents)
        seen: set[str] = set()
        for i, d in enumerate(docs):
            _check_doc(d)
            if d.id in seen:
                raise DuplicateIdError(f"duplicate document id {d.id!r} (document {i + 1})")
            seen.add(d.id)
        w = weights
        batches = tokenize_batches(
            docs, BUILD_BATCH, w.title_weight, w.keyword_weight, processes if docs else 1
        )
        fwd = stacked_rows(
            index.vocabulary,
            batches,
            w.analyzer.bigrams,
            w.sublinear_tf,
            w.accent_weight,
            w.bigram_weight,
            -(-len(docs) // BUILD_BATCH),
        )
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
        self._build_inverted()
        self._dense = None  # columns of the old main segment: not kept alive
        self.df = np.zeros(max(nv, 1024), np.int64)
        self.df[:nv] = np.diff(self.inv_indptr)  # the postings per feature, counted
        self.n_main = n
        self.main_vocab = nv
        self.delta_rows = []
        self._delta_csr = None
        self._delta_stats = None
        self._recompute_main_stats()

    def _build_inverted(self) -> None:
        self.inv_indptr, self.inv_docs, self.inv_vals = inverted(self.fwd)

    def _recompute_main_stats(self) -> None:
        self.s0, self.s1, self.s2 = _row_stats(self.fwd, self.df[: self.main_vocab])
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
            shift_norm_sums(
                self.inv_indptr, self.inv_docs, self.inv_vals, f, d1, d2, self.s1, self.s2
            )
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
        a = math.log1p(len(self.id_to_slot)) + self.weights.idf_offset
        if self._delta_stats is None:
            m = self._delta_matrix()
            self._delta_stats = _row_stats(m, self.df)
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
        a = math.log1p(len(self.id_to_slot)) + self.weights.idf_offset
        df = np.where(ids < len(self.df), self.df[np.minimum(ids, len(self.df) - 1)], 0)
        return a - np.log1p(df.astype(np.float64))

    # ------------------------------------------------------------------ persistence
    def save(self, path) -> None:

        save_index(self, path)

    @classmethod
    def load(cls, path, weights: Weights = DEFAULT_WEIGHTS) -> MatchIndex:

        return load_index(cls, path, weights)
