"""All-pairs work of a MatchIndex: many queries at once, by sparse matrix products over
chunks of queries, on forked worker processes if asked (a mixin of engine.MatchIndex)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.datatypes import Hit, MatchingError, QueryLike, _check_top_k


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
        such a query never matches its own documents). Queries are scored by sparse matrix
        products over chunks of ``chunk_size`` rows (memory bounded). ``processes > 1`` splits
        the queries over forked worker processes (POSIX only; the index is shared
        copy-on-write): scipy's product holds the GIL, so threads do not help. ``exclude[i]``
        lists ids never returned for query i.

        ``bound=(max_query_terms, max_query_postings)`` overrides the weights' work bound for
        long queries (see weights.py) for this call only: an all-pairs run over a large index
        may trade exactness on long profiles for time; the default is the weights' (exact).
        """
        _check_top_k(top_k)
        if exclude is not None and len(exclude) != len(queries):
            raise MatchingError("exclude must give one list of ids per query")
        today_n = (today or dt.date.today()).toordinal()
        args = (queries, top_k, kinds, exclude, today_n, use_facets, chunk_size, bound)
        if processes > 1 and len(queries) >= 2 * chunk_size and hasattr(os, "fork"):
            return self._fork_run(processes, *args)
        return self._batch(range(len(queries)), *args)

    def _batch(self, rows, queries, top_k, kinds, exclude, today_n, use_facets, chunk, bound):
        """Parse and score queries[rows], a block at a time (bounded memory)."""
        base = self._allowed(kinds, None)
        inv = self.inv_norms()
        out: list[list[Hit]] = []
        block = max(chunk, 4096)
        for start in range(0, len(rows), block):
            part = [queries[i] for i in rows[start : start + block]]
            parsed, own = self._parse_many(part, bound)
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


_FORK_STATE = None


def _fork_worker(bounds: tuple[int, int]) -> list[list[Hit]]:
    index, queries, rest = _FORK_STATE
    return index._batch(range(*bounds), queries, *rest)
