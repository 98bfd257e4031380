"""Candidates of parsed queries, scored by kernels.score_query.

What a query's ranking (QueryingMixin._rank) looks at: its allowed documents with a score
above 0, only those reaching the k-th best score when k > 0 (ties at the cut kept). The same
function serves one search and a batch, so both give the same scores to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecosystem.matching.kernels import score_query

Candidates = tuple[np.ndarray, np.ndarray]  # (text scores, slots)


def candidates(
    index, queries: Sequence, k: int, allowed: np.ndarray, exclude: Sequence | None = None
) -> list[Candidates]:
    """Candidates of each parsed query (_Query); ``exclude[i]`` lists slots query i skips."""
    n = index.n_slots
    segments = [(index.inv_indptr, index.inv_docs, index.inv_vals)]
    if index.delta_rows:
        segments.append(index._delta_postings())
    segments = tuple(segments)
    inv = index.inv_norms()
    # work arrays reused by every query of the call (the kernel leaves acc zeroed)
    acc, heap = np.zeros(n), np.zeros(max(k, 1))
    cand_slots, cand_scores = np.empty(n, np.int64), np.empty(n)
    out: list[Candidates] = []
    for i, q in enumerate(queries):
        mask = allowed
        if exclude is not None and len(exclude[i]):
            mask = allowed.copy()
            mask[list(exclude[i])] = False
        if not len(q.features):
            out.append((np.zeros(0), np.zeros(0, np.int64)))
            continue
        c = score_query(
            segments, q.features, q.coef, inv, mask, k, acc, heap, cand_slots, cand_scores
        )
        out.append((cand_scores[:c].copy(), cand_slots[:c].copy()))
    return out
