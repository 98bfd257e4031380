"""All-pairs work of a MatchIndex: many queries at once, a block at a time (large blocks by
dense.py, the rest by the postings loop of scoring.py), on forked worker processes if asked
(a mixin of engine.MatchIndex)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections.abc import Iterable, Sequence
from functools import partial
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from ecosystem.matching.engine.datatypes import Hit, MatchingError, QueryLike, _check_top_k
from ecosystem.matching.engine.dense import scorer_for
from ecosystem.matching.engine.scoring import candidates
from ecosystem.matching.engine.vectorize import can_fork


class BatchMixin:
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
        bound: tuple[int, int] | None = None,
    ) -> list[list[Hit]]:
        """search() for many queries at once, identical results.

        A query is a Document, a profile (list of Documents), or - cheapest - the id of an
        indexed document or a list of ids (a profile of indexed documents: no text analysis;
        such a query never matches its own documents). A block of at least dense.MIN_QUERIES
        queries sharing frequent features is scored by dense.py (a matrix product for those
        features, then exact rescoring of the few candidates); any other query by the
        compiled postings loop of _kernels.py. Both give the same scores to the last bit.
        ``processes > 1`` splits the
        queries (at least ``chunk_size`` per worker) over forked worker processes (POSIX only;
        the index is shared copy-on-write): parsing text holds the GIL, so threads would not
        help. ``exclude[i]`` lists ids never returned for query i.

        ``bound=(max_query_terms, max_query_postings)`` overrides the weights' work bound for
        long queries (see weights.py) for this call only: an all-pairs run over a large index
        may trade exactness on long profiles for time; the default is the weights' (exact).
        """
        _check_top_k(top_k)
        if exclude is not None and len(exclude) != len(queries):
            raise MatchingError("exclude must give one list of ids per query")
        today_n = (today or dt.date.today()).toordinal()
        args = (queries, top_k, kinds, exclude, today_n, use_facets, chunk_size, bound)
        if processes > 1 and len(queries) >= 2 * chunk_size and can_fork():
            return self._fork_run(processes, *args)
        return self._batch(range(len(queries)), *args)

    def _batch(self, rows, queries, top_k, kinds, exclude, today_n, use_facets, chunk, bound):
        """Parse and score queries[rows], a block at a time (bounded memory)."""
        base = self._allowed(kinds, None)
        out: list[list[Hit]] = []
        block = max(chunk, 4096)
        for start in range(0, len(rows), block):
            part = [queries[i] for i in rows[start : start + block]]
            parsed, own = self._parse_many(part, bound)
            given = [exclude[i] for i in rows[start : start + block]] if exclude else None
            excl = [
                self._slots([*(given[j] or ()), *own[j]] if given else own[j])
                for j in range(len(parsed))
            ]
            # queries whose facets can reorder the ranking need every positive score
            faceted = [use_facets and self.facets.applies(q.facets) for q in parsed]
            found: list = [None] * len(parsed)
            for flag, k in ((False, top_k), (True, 0)):
                group = [j for j, f in enumerate(faceted) if f == flag]
                if group:
                    qs, ex = [parsed[j] for j in group], [excl[j] for j in group]
                    dense = scorer_for(self, qs, k)
                    score = dense.candidates if dense else partial(candidates, self)
                    res = score(qs, k, base, ex)
                    for j, r in zip(group, res, strict=True):
                        found[j] = r
            for q, (text, slots) in zip(parsed, found, strict=True):
                out.append(self._rank(q, text, slots, top_k, today_n, use_facets))
        return out

    def _slots(self, doc_ids) -> list[int]:
        return [s for s in map(self.id_to_slot.get, doc_ids or ()) if s is not None]

    def _fork_run(self, processes, queries, *rest) -> list[list[Hit]]:

        self.inv_norms()  # computed once, inherited by the children
        # so is the compiled scoring loop: compile or load it here, not once per worker
        warm = SimpleNamespace(features=np.zeros(1, np.int64), coef=np.zeros(1))
        candidates(self, [warm], 1, self.alive)
        # so is the dense scorer of large blocks, set up for a sample of the queries
        top_k, *_, bound = rest
        if top_k > 0 and not self.delta_rows:
            sample = [queries[i] for i in range(min(256, len(queries)))]
            scorer_for(self, self._parse_many(sample, bound)[0], top_k)
        if self.delta_rows:
            self._delta_postings()
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


_FORK_STATE = None


def _fork_worker(bounds: tuple[int, int]) -> list[list[Hit]]:

    index, queries, rest = _FORK_STATE
    with threadpool_limits(1):  # one worker per core: the matrix products stay on theirs
        return index._batch(range(*bounds), queries, *rest)
