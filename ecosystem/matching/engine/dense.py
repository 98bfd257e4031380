"""Exact top k of many queries at once: the frequent features by a dense matrix product.

A profile query over a 100k-document index reads about a million postings, most of them on a
hundred or so frequent features (function words, common terms) that nearly every query
shares. For a block of queries those features cost less as one float32 matrix product
(queries x head features) x (head features x documents) than as postings: the product does
~50 fused multiply-adds per nanosecond on one core, the postings loop adds one posting per
~1.3 ns. The rest of each query (its tail features) is added from the postings, then:

1. the k-th best approximate score a_k gives a cut a_k (1 - eps) / (1 + eps) that every slot
   of the exact top k passes (eps bounds float32 rounding: every term is >= 0, so the error
   of a sum of n rounded terms is within about (n + 3) 2^-24 of the sum itself; the bound used
   is twice that, and a test checks it holds);
2. the few slots over the cut are scored again exactly, from their forward rows, adding the
   same float64 products in the same order as kernels.score_query.

So the result is the one scoring.candidates gives, to the last bit (tested), only faster on
large blocks (at 100k documents and profiles of 1-3 documents, 0.75 instead of 1.04 ms a
profile on two cores, parsing included). Main segment only: with a delta segment (documents
changed since the last compaction) the caller keeps the postings loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecosystem.matching.engine._kernels import dense_candidates, exact_scores
from ecosystem.matching.engine.scoring import Candidates, each_query

# A head feature is worth its column in the product when the postings it would read for an
# average query of the block (share of queries having it x df) exceed this share of the
# number of documents: a column costs ~0.025 ns a document on one core, a posting ~1.26 ns
# (measured at 100k documents; the all-pairs time is flat from 1/40 to 1/160).
HEAD_COST_RATIO = 1 / 50
MAX_HEAD = 256
# Scores of a block (queries x documents, float32) kept within this many values (128 MB):
# 256 queries at 100k documents; the product slows down below ~250 rows (0.30 ms a query
# at 83 rows, 0.22 at 256, single core).
BLOCK_VALUES = 1 << 25
MIN_QUERIES = 64  # a smaller block: the product's set-up is not worth it


def scorer_for(index, sample: Sequence, k: int) -> DenseScorer | None:
    """The scorer for the parsed queries ``sample`` (their features unique, as every parser
    gives them), or None when the postings loop alone is as fast (few queries, no shared
    frequent features, a delta segment, k = 0) or when a term can be negative (weights making
    1 + ln(tf) < 0: the error bound and the cut need terms >= 0). Kept on the index while
    its postings and norms are the same objects, so blocks and calls with the same head reuse
    it, and forked workers inherit it."""
    if k <= 0 or len(sample) < MIN_QUERIES or index.delta_rows or not index.n_main:
        return None
    if any(len(q.coef) and q.coef.min() < 0 for q in sample):
        return None
    head = choose_head(index, sample)
    if not len(head):
        return None
    inv = index.inv_norms()
    cached = index._dense
    if cached is not None and cached.inv is inv and cached.indptr is index.inv_indptr:
        if _close(cached.head, head):
            return cached
        svals = cached.svals
    elif index.inv_vals.min(initial=0.0) < 0:
        return None
    else:
        svals = (index.inv_vals * inv[index.inv_docs]).astype(np.float32)
    scorer = index._dense = DenseScorer(index, head, inv, svals)
    return scorer


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Heads differing by a few marginal features cost about the same: keep the built one
    rather than rebuild its columns for every block."""
    return len(np.setxor1d(a, b)) <= max(len(a), len(b)) // 10


def choose_head(index, sample: Sequence) -> np.ndarray:
    """Features whose postings, read by an average query of the sample, cost more than their
    column in the product (sorted ids, at most MAX_HEAD)."""
    nv = len(index.inv_indptr) - 1
    counts = np.zeros(nv)
    for q in sample:
        counts[q.features[q.features < nv]] += 1
    benefit = counts / len(sample) * np.diff(index.inv_indptr)
    chosen = np.flatnonzero(benefit >= HEAD_COST_RATIO * index.n_main)
    if len(chosen) > MAX_HEAD:
        chosen = chosen[np.argsort(-benefit[chosen], kind="stable")[:MAX_HEAD]]
    return np.sort(chosen)


class DenseScorer:
    """Dense columns of the head features and the postings multiplied by 1 / norm."""

    def __init__(self, index, head: np.ndarray, inv: np.ndarray, svals: np.ndarray):
        self.index, self.head, self.inv, self.svals = index, head, inv, svals
        self.indptr = index.inv_indptr
        n = index.n_main
        self.column = np.full(len(self.indptr) - 1, -1, np.int32)  # per feature: its column
        self.column[head] = np.arange(len(head))
        # slots x head, filled a column at a time from the postings
        self.matrix = np.zeros((n, len(head)), np.float32)
        for c, f in enumerate(head):
            a, b = self.indptr[f], self.indptr[f + 1]
            self.matrix[index.inv_docs[a:b], c] = svals[a:b]
        self.block = max(1, min(1024, BLOCK_VALUES // n))

    def candidates(
        self, queries: Sequence, k: int, allowed: np.ndarray, exclude: Sequence | None = None
    ) -> list[Candidates]:
        """scoring.candidates' result for these parsed queries."""
        out: list[Candidates] = []
        # the product's output, reused by every block of the call (a new one would fault its
        # pages in again), and by this call only: threads may share the index and its scorer
        rows = np.empty((min(self.block, len(queries)), self.index.n_main), np.float32)
        work = self.work_arrays(k)
        for start in range(0, len(queries), self.block):
            part = queries[start : start + self.block]
            excl = exclude[start : start + self.block] if exclude is not None else None
            out.extend(self._block(part, k, allowed, excl, rows, work))
        return out

    def _block(self, queries, k, allowed, exclude, rows, work) -> list[Candidates]:
        rows, tails = self._products(queries, rows)

        def score(i, q, mask) -> Candidates:  # no delta segment here: every slot is a main one
            slots, _ = self._approximate(rows[i], tails[i], mask, k, work)
            return _top(self._exact(q, slots), slots, k)

        return each_query(queries, allowed, exclude, score)

    def _products(self, queries, out) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """The head part of every query's scores (one row per query, in ``out``) and each
        query's tail (features, float32 coefficients)."""
        nv = len(self.column)
        q_head = np.zeros((len(queries), self.matrix.shape[1]), np.float32)
        tails = []
        for i, q in enumerate(queries):
            col = np.full(len(q.features), -1, np.int64)
            known = q.features < nv
            col[known] = self.column[q.features[known]]
            in_head = col >= 0
            q_head[i, col[in_head]] = q.coef[in_head]
            tails.append((q.features[~in_head], q.coef[~in_head].astype(np.float32)))
        return np.matmul(q_head, self.matrix.T, out=out[: len(queries)]), tails

    def work_arrays(self, k: int) -> tuple[np.ndarray, ...]:
        """What _approximate reuses from query to query: the tail accumulator (kept zeroed),
        the heap and the candidates' buffers."""
        n = self.index.n_main
        return (
            np.zeros(n, np.float32),
            np.zeros(max(k, 1)),
            np.empty(n, np.int64),
            np.empty(n, np.float32),
        )

    def error_bound(self, n_tail: int) -> float:
        """Relative error of an approximate score: a sum of at most (head + tail) float32
        terms >= 0, each rounded when converted (2^-24 each), with twice the margin."""
        return (self.matrix.shape[1] + n_tail + 8) * 2.0**-23

    def _approximate(self, row, tail, mask, k, work) -> tuple[np.ndarray, np.ndarray]:
        """Candidate slots of one query and their approximate scores (kernels.dense_candidates)."""
        feats, coefs = tail
        acc, heap, slots, scores = work
        index = self.index
        postings = (index.inv_indptr, index.inv_docs, self.svals)
        eps = self.error_bound(len(feats))
        count = dense_candidates(
            row, acc, *postings, feats, coefs, mask, k, eps, heap, slots, scores
        )
        return slots[:count].copy(), scores[:count].copy()

    def _exact(self, q, slots: np.ndarray) -> np.ndarray:
        order = np.argsort(q.features, kind="stable")
        scores = np.empty(len(slots))
        found = np.full(len(q.features), -1.0)
        fwd = self.index.fwd
        rows = (fwd.indptr, fwd.indices, fwd.data)
        exact_scores(slots, *rows, q.features[order], order, q.coef, self.inv, found, scores)
        return scores


def _top(scores: np.ndarray, slots: np.ndarray, k: int) -> Candidates:
    """Positive scores reaching the k-th best (ties kept), in slot order: score_query's rule."""
    positive = scores > 0.0
    scores, slots = scores[positive], slots[positive]
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        scores, slots = scores[keep], slots[keep]
    return scores, slots
