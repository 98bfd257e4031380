"""Candidates of parsed queries, scored by kernels.score_query.

What a query's ranking (QueryingMixin._rank) looks at: its allowed documents with a score
above 0, only those reaching the k-th best score when k > 0 (ties at the cut kept). The same
function serves one search and a batch, so both give the same scores to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecosystem.matching.engine._kernels import score_query

Candidates = tuple[np.ndarray, np.ndarray]  # (text scores, slots)


def candidates(
    index, queries: Sequence, k: int, allowed: np.ndarray, exclude: Sequence | None = None
) -> list[Candidates]:
    """Candidates of each parsed query (_Query); ``exclude[i]`` lists slots query i skips."""
    n = index.n_slots
    main = (index.inv_indptr, index.inv_docs, index.inv_vals)
    delta = index._delta_postings() if index.delta_rows else _NO_DELTA
    inv = index.inv_norms()
    # work arrays reused by every query of the call (the kernel leaves acc zeroed)
    acc, heap = np.zeros(n), np.zeros(max(k, 1))
    cand_slots, cand_scores = np.empty(n, np.int64), np.empty(n)

    def score(i, q, mask) -> Candidates:
        segments = ((*main, q.features), (*delta[:3], _compact_ids(delta[3], q.features)))
        c = score_query(segments, q.coef, inv, mask, k, acc, heap, cand_slots, cand_scores)
        return cand_scores[:c].copy(), cand_slots[:c].copy()

    return each_query(queries, allowed, exclude, score)


def each_query(queries: Sequence, allowed: np.ndarray, exclude, score) -> list[Candidates]:
    """score(i, query, mask) of each query that has features (none for the others), the mask
    being the slots it may return: ``allowed`` without ``exclude[i]``."""
    out: list[Candidates] = []
    for i, q in enumerate(queries):
        if not len(q.features):
            out.append((np.zeros(0), np.zeros(0, np.int64)))
        else:
            out.append(score(i, q, query_mask(allowed, exclude[i] if exclude is not None else ())))
    return out


def query_mask(allowed: np.ndarray, excluded) -> np.ndarray:
    """The slots one query may return: ``allowed`` without its excluded slots."""
    if not len(excluded):
        return allowed
    mask = allowed.copy()
    mask[list(excluded)] = False
    return mask


# An empty delta segment, so that the kernel always sees two segments of the same types: one
# compiled version, not a second one compiled (0.3 s) by the first search after an update.
_NO_DELTA = (
    np.zeros(1, np.int64),
    np.zeros(0, np.int32),
    np.zeros(0, np.float32),
    np.zeros(0, np.int64),
)


def _compact_ids(ids: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Each query feature's number among a segment's own (sorted) feature ids; absent ones get
    len(ids), which the kernel skips."""
    if not len(ids):
        return np.full(len(features), 0, np.int64)
    pos = np.minimum(np.searchsorted(ids, features), len(ids) - 1)
    return np.where(ids[pos] == features, pos, len(ids)).astype(np.int64)
