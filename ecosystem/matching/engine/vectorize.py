"""Fast, vectorised turning of many documents into feature-count rows.

Produces exactly the features of ``Analyzer.counts`` (text.py) - folded and accented unigrams,
folded bigrams, stop words dropped and breaking bigrams, title and keywords weighted - but
tokenises a whole batch in one pass (a regular expression, or for large batches its compiled
equal), resolves each distinct token once (cached) and does the counting in compiled kernels
(kernels.py). It is what makes building a 100k-document index and parsing thousands of profile
queries fast. ``COMPILED = False`` selects the reference paths (regular expression, np.unique,
scipy), which the compiled ones equal to the bit (tests/matching/test_fast_paths.py).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.engine._kernels import (
    code_table_insert,
    code_table_lookup,
    count_rows_csr,
    count_rows_dense,
    fold_codepoints,
    resolve_absent,
    row_stats,
    scan_tokens,
    tf_float32,
    token_pairs,
    transpose_csr,
)
from ecosystem.matching.engine.text import _CJK, Analyzer

FIELD_SEP = "\ue000"  # private-use characters: never in the token class, never in real text
DOC_SEP = "\ue001"
_BATCH_TOKEN_RE = re.compile(rf"[{FIELD_SEP}{DOC_SEP}]|[{_CJK}]|(?:[^\W_{_CJK}]|[\u0300-\u036f])+")
# Same tokens when the text has no CJK, combining mark or underscore (checked first), faster.
_PLAIN_TOKEN_RE = re.compile(rf"[^\W_]+|[{FIELD_SEP}{DOC_SEP}]")
_SPECIAL_RE = re.compile(rf"[{_CJK}\u0300-\u036f_]")
KIND_FOLDED, KIND_ACCENTED, KIND_BIGRAM = 0, 1, 2
# False: the reference (regular expression, numpy/scipy) paths, which the compiled ones equal to
# the bit; tests compare the two
COMPILED = True
_COMPILED_AT = 200_000  # characters of a batch from which the compiled tokeniser is used
_SEP_FIELD, _SEP_DOC = -2, -3


class Vocabulary:
    """Feature names <-> ids, with per-token caches (token -> feature ids).

    Unigram features are found by name (a dict). Bigram features are found by the code
    ``(left id << 32) | right id`` in a sorted array (plus a small dict of recent additions),
    and their names ("thuy san") are only spelled out when asked for: a corpus has millions of
    bigrams and building strings and a dict for all of them was a third of the build time.
    """

    _MERGE_AT = 50_000  # recent bigrams kept in the dict before merging into the array
    _HASHED_AT = 20_000  # batches of at least this many bigrams use the hash table

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.ids: dict[str, int] = {}  # unigram features
        self.names: list[str | None] = []  # None for bigrams (see name())
        self.kind = np.zeros(1024, np.int8)
        self.code = np.full(1024, -1, np.int64)  # bigram code per feature, -1 for unigrams
        self.big_codes = np.zeros(0, np.int64)  # sorted codes
        self.big_ids = np.zeros(0, np.int64)
        self.bigrams: dict[int, int] = {}  # recent additions, code -> id
        # every bigram again as an open-addressing (code, id) table for large batches (a
        # build): made on their first, dropped when the bigrams change by another way
        self._table: np.ndarray | None = None
        self._table_n = 0
        self.lock = threading.Lock()
        self._reset_tokens()

    def _reset_tokens(self) -> None:
        self.tok: dict[str, int] = {FIELD_SEP: 0, DOC_SEP: 1}
        self.tok_folded = np.array([_SEP_FIELD, _SEP_DOC] + [0] * 1022, np.int64)
        self.tok_accented = np.full(1024, -1, np.int64)
        self.tok_stop = np.zeros(1024, bool)

    def __len__(self) -> int:
        return len(self.names)

    def name(self, fid: int) -> str:
        n = self.names[fid]
        if n is None:
            c = int(self.code[fid])
            n = self.name(c >> 32) + " " + self.name(c & 0xFFFFFFFF)
        return n

    def all_names(self) -> list[str]:
        return [self.name(i) if n is None else n for i, n in enumerate(self.names)]

    def _reserve(self, n: int) -> None:
        if n > len(self.kind):
            size = max(n, 2 * len(self.kind))
            kind = np.zeros(size, np.int8)
            kind[: len(self.kind)] = self.kind
            code = np.full(size, -1, np.int64)
            code[: len(self.code)] = self.code
            self.kind, self.code = kind, code

    def _add(self, name: str, kind: int) -> int:
        fid = len(self.names)
        self.ids[name] = fid
        self.names.append(name)
        self._reserve(fid + 1)
        self.kind[fid] = kind
        return fid

    def _merge_bigrams(self) -> None:
        if not self.bigrams:
            return
        codes = np.fromiter(self.bigrams.keys(), np.int64, len(self.bigrams))
        ids = np.fromiter(self.bigrams.values(), np.int64, len(self.bigrams))
        self._insert_sorted(codes, ids)
        self.bigrams = {}

    def _insert_sorted(self, codes: np.ndarray, ids: np.ndarray) -> None:
        if len(codes) > 1 and (codes[1:] < codes[:-1]).any():
            order = np.argsort(codes)
            codes, ids = codes[order], ids[order]
        pos = np.searchsorted(self.big_codes, codes)
        self.big_codes = np.insert(self.big_codes, pos, codes)
        self.big_ids = np.insert(self.big_ids, pos, ids)

    def replace(self, names: list[str | None], kinds: np.ndarray, codes: np.ndarray) -> None:
        """Reset to these features (load, pruning); token caches are rebuilt lazily."""
        n = len(names)
        self.names = [None if k == KIND_BIGRAM else f for f, k in zip(names, kinds, strict=True)]
        self.kind = np.zeros(max(n, 1024), np.int8)
        self.kind[:n] = kinds
        self.code = np.full(max(n, 1024), -1, np.int64)
        self.code[:n] = codes
        uni = np.flatnonzero(self.kind[:n] != KIND_BIGRAM).tolist()
        self.ids = {self.names[i]: i for i in uni}
        big = np.flatnonzero(self.kind[:n] == KIND_BIGRAM)
        order = np.argsort(self.code[big])
        self.big_codes = self.code[big][order]
        self.big_ids = big[order].astype(np.int64)
        self.bigrams = {}
        self._table = None
        self._reset_tokens()

    def prune(self, keep: np.ndarray) -> np.ndarray:
        """Keep only features where ``keep``; returns old id -> new id (-1 when dropped)."""
        n = len(self.names)
        keep = keep.copy()
        used = self.code[:n][keep & (self.kind[:n] == KIND_BIGRAM)]
        keep[used >> 32] = True  # the halves of a kept bigram name it: keep them
        keep[used & 0xFFFFFFFF] = True
        remap = np.where(keep, np.cumsum(keep) - 1, -1)
        kinds = self.kind[:n][keep]
        codes = self.code[:n][keep]
        is_big = kinds == KIND_BIGRAM
        left, right = remap[codes[is_big] >> 32], remap[codes[is_big] & 0xFFFFFFFF]
        codes[is_big] = (left << 32) | right
        names = [f for f, k in zip(self.names, keep, strict=True) if k]
        self.replace(names, kinds, codes)
        return remap

    def _feature(self, name: str, kind: int, grow: bool) -> int:
        fid = self.ids.get(name)
        if fid is None:
            return self._add(name, kind) if grow else -1
        return fid

    def token_ids(self, tokens: list[str], grow: bool) -> np.ndarray:
        """Token cache ids for these token strings (resolving unseen tokens once)."""
        arr = np.fromiter(map(self.tok.get, tokens, repeat(-1)), np.int64, count=len(tokens))
        absent = np.flatnonzero(arr < 0)
        if len(absent):
            pick = absent.tolist()
            absent_tokens = itemgetter(*pick)(tokens) if len(pick) > 1 else (tokens[pick[0]],)
            # first-occurrence order: feature ids must not depend on string hashing
            missing = dict.fromkeys(absent_tokens)
            temp: list[tuple[str, int, int, bool]] = []
            for t in missing:
                info = self.analyzer.token_info(t)
                if info.stop:
                    tid = len(self.tok)
                    self._set_token(tid, -1, -1, True)
                    self.tok[t] = tid
                    continue
                folded = self._feature(info.folded, KIND_FOLDED, grow)
                acc = -1
                if info.accented is not None:
                    acc = self._feature(info.accented, KIND_ACCENTED, grow)
                if folded >= 0 and (info.accented is None or acc >= 0):
                    # cached for good: later growth of the vocabulary cannot change it
                    tid = len(self.tok)
                    self._set_token(tid, folded, acc, False)
                    self.tok[t] = tid
                else:  # a feature unknown to the index: resolved again next time
                    temp.append((t, folded, acc, False))
            # scratch ids after the cached ones, valid for this call only
            base = len(self.tok)
            for j, (t, folded, acc, stop) in enumerate(temp):
                self._set_token(base + j, folded, acc, stop)
                self.tok[t] = base + j
            arr[absent] = np.fromiter(
                map(self.tok.__getitem__, absent_tokens), np.int64, count=len(pick)
            )
            for t, *_ in temp:
                del self.tok[t]
        return arr

    def _set_token(self, tid: int, folded: int, accented: int, stop: bool) -> None:
        self._grow_tokens(tid + 1)
        self.tok_folded[tid] = -1 if stop else folded
        self.tok_accented[tid] = -1 if stop else accented
        self.tok_stop[tid] = stop

    def _grow_tokens(self, n: int) -> None:
        if n <= len(self.tok_folded):
            return
        size = max(n, 2 * len(self.tok_folded))
        for name, fill in (("tok_folded", 0), ("tok_accented", -1), ("tok_stop", False)):
            old = getattr(self, name)
            new = np.full(size, fill, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def bigram_ids(self, left: np.ndarray, right: np.ndarray, grow: bool) -> np.ndarray:
        return self.bigram_codes_ids((left << 32) | right, grow)

    def bigram_codes_ids(self, codes: np.ndarray, grow: bool) -> np.ndarray:
        """Feature ids of bigram codes ``(left << 32) | right`` (-1: unknown, not grown)."""
        if not len(codes):
            return np.zeros(0, np.int64)
        if COMPILED and len(codes) >= self._HASHED_AT:
            return self._hashed_bigram_ids(codes, grow)
        # each distinct code looked up once, in sorted order: numpy's binary search then walks
        # the array in order (4x faster than random probes into millions of codes), and the
        # new ones come out sorted and distinct (one sort, where a second unique() cost a third
        # of this function)
        uniq, inverse = np.unique(codes, return_inverse=True)
        fids = np.full(len(uniq), -1, np.int64)
        if len(self.big_codes):
            pos = np.minimum(np.searchsorted(self.big_codes, uniq), len(self.big_codes) - 1)
            hit = self.big_codes[pos] == uniq
            fids[hit] = self.big_ids[pos[hit]]
        missing = np.flatnonzero(fids < 0)
        if len(missing) and self.bigrams:
            fids[missing] = np.fromiter(
                map(self.bigrams.get, uniq[missing].tolist(), repeat(-1)),
                np.int64,
                count=len(missing),
            )
            missing = missing[fids[missing] < 0]
        if grow and len(missing):
            new_codes = uniq[missing]  # sorted: new ids in code order
            fids[missing] = self._add_bigrams(new_codes)
            self._table = None
        return fids[inverse.ravel()]

    def _add_bigrams(self, new_codes: np.ndarray) -> np.ndarray:
        """New bigram features of these sorted, distinct codes; returns their ids."""
        start = len(self.names)
        k = len(new_codes)
        self.names.extend([None] * k)
        self._reserve(start + k)
        self.kind[start : start + k] = KIND_BIGRAM
        self.code[start : start + k] = new_codes
        new_ids = np.arange(start, start + k, dtype=np.int64)
        if k >= 1000:  # a batch: straight into the sorted array
            self._insert_sorted(new_codes, new_ids)
        else:
            self.bigrams.update(zip(new_codes.tolist(), new_ids.tolist(), strict=True))
            if len(self.bigrams) >= self._MERGE_AT:
                self._merge_bigrams()
        return new_ids

    def _hashed_bigram_ids(self, codes: np.ndarray, grow: bool) -> np.ndarray:
        """bigram_codes_ids() to the bit through the hash table: one probe per code instead of
        sorting them all (np.unique was a fifth of a build)."""
        fids, absent = code_table_lookup(self._code_table(0), codes)
        if len(absent):
            if grow:
                order = np.argsort(absent)  # distinct: new ids in code order, as above
                new_ids = np.empty(len(absent), np.int64)
                new_ids[order] = self._add_bigrams(absent[order])
                code_table_insert(self._code_table(len(absent)), absent, new_ids)
                self._table_n += len(absent)
            else:
                new_ids = np.full(len(absent), -1, np.int64)
            resolve_absent(fids, new_ids)
        return fids

    def _code_table(self, extra: int) -> np.ndarray:
        """The hash table, with room for ``extra`` more codes (at most half full)."""
        table = self._table
        if table is not None and 2 * (self._table_n + extra) <= len(table):
            return table
        if table is None:
            self._merge_bigrams()
            codes, ids = self.big_codes, self.big_ids
        else:
            used = table[:, 0] >= 0
            codes, ids = table[used, 0], table[used, 1]
        size = 1 << max(12, (2 * (len(codes) + extra)).bit_length())
        new = np.full((size, 2), -1, np.int64)
        code_table_insert(new, np.ascontiguousarray(codes), np.ascontiguousarray(ids))
        self._table, self._table_n = new, len(codes)
        return new


class Tokens(NamedTuple):
    """A batch of documents as tokens: what count_rows needs besides the vocabulary."""

    distinct: list[str]  # each distinct token string once, in first-occurrence order
    local: np.ndarray  # every token of the batch, as an index into ``distinct``
    field_weights: np.ndarray  # weight of each field (title, keywords, text) in order
    n_docs: int


def tokenize(
    docs: Sequence, title_weight: float, keyword_weight: float, compiled: bool | None = None
) -> Tokens:
    """The batch's tokens, separators included. Pure (no vocabulary): runs in worker processes."""
    parts: list[str] = []
    field_w: list[float] = []
    for d in docs:
        parts.append(d.title or "")
        field_w.append(title_weight)
        for kw in d.keywords:
            parts.append(FIELD_SEP)
            parts.append(kw)
            field_w.append(keyword_weight)
        parts.append(FIELD_SEP)
        parts.append(d.text or "")
        field_w.append(1.0)
        parts.append(DOC_SEP)
    joined = "".join(parts)
    n_fields = len(field_w)
    if joined.count(FIELD_SEP) != n_fields - len(docs) or joined.count(DOC_SEP) != len(docs):
        # a text carries our private separators itself: blank them out and join again
        clean = str.maketrans({FIELD_SEP: " ", DOC_SEP: " "})
        joined = "".join(p if p in (FIELD_SEP, DOC_SEP) else p.translate(clean) for p in parts)
    if compiled is None:  # short texts (queries): the regex, and no tables to make (0.5 s)
        compiled = COMPILED and len(joined) >= _COMPILED_AT
    split = split_tokens if compiled else split_tokens_regex
    distinct, local = split(unicodedata.normalize("NFC", joined))
    return Tokens(distinct, local, np.asarray(field_w, np.float64), len(docs))


def split_tokens_regex(text: str) -> tuple[list[str], np.ndarray]:
    """The reference tokeniser: case folding as in core.text.normalize (white space does not
    matter here), the batch regular expression, distinct tokens numbered by first occurrence."""
    big = text.casefold()
    regex = _BATCH_TOKEN_RE if _SPECIAL_RE.search(big) else _PLAIN_TOKEN_RE
    tokens = regex.findall(big)
    # one C-level pass (a missing key's number is the dict's size at that moment)
    seen: defaultdict[str, int] = defaultdict()
    seen.default_factory = seen.__len__
    local = np.fromiter(map(seen.__getitem__, tokens), np.int32, count=len(tokens))
    return list(seen), local


def split_tokens(text: str) -> tuple[list[str], np.ndarray]:
    """split_tokens_regex() to the bit, compiled (kernels.fold_codepoints, scan_tokens): the
    regular expression and case folding were two thirds of a build. Exact for every code
    point: the tables are made from str.casefold() and the regular expression themselves."""
    fold, fold_extra, cls = codepoint_tables()
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    folded = fold_codepoints(cps, fold, fold_extra)
    local, spelled = scan_tokens(folded, cls)
    distinct = spelled.tobytes().decode("utf-32-le", "surrogatepass").split(" ")[:-1]
    return distinct, local


_TABLES: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def codepoint_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code point: its case fold (one code point, or -1 - row of the second table for the
    few that fold to several) and its token class (1: inside a run, 2: a token by itself).
    Made once per process (0.2-0.6 s) from str.casefold() and the batch regular expression."""
    global _TABLES
    if _TABLES is None:
        cps = np.arange(0x110000, dtype=np.uint32)
        every = cps.tobytes().decode("utf-32-le", "surrogatepass")
        # one casefold() call for all, NUL between them (it folds to itself, as does nothing
        # else to it): their folds are then the runs between the NULs
        spaced = np.zeros(2 * len(cps) - 3, np.uint32)
        spaced[::2] = cps[1:]
        text = spaced.tobytes().decode("utf-32-le", "surrogatepass").casefold()
        chars = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        ends = np.append(np.flatnonzero(chars == 0), len(chars))  # of code points 1, 2, ...
        first = np.concatenate(([0, 0], ends[:-1] + 1))
        lens = np.concatenate(([1], ends - first[1:]))
        fold = chars[np.minimum(first, len(chars) - 1)].astype(np.int32)
        fold[0] = 0
        multi = np.flatnonzero(lens != 1)  # a hundred or so ("ß" -> "ss")
        fold[multi] = -1 - np.arange(len(multi), dtype=np.int32)
        width = int(lens.max())
        fold_extra = np.full((max(len(multi), 1), width), -1, np.int32)
        for row, c in enumerate(multi.tolist()):
            fold_extra[row, : lens[c]] = chars[first[c] : first[c] + lens[c]]
        cls = np.zeros(0x110000, np.uint8)
        for m in _BATCH_TOKEN_RE.finditer(every):  # every code point on its own: runs
            cls[m.start() : m.end()] = 1  # of the run class come out as one match
        cjk_or_sep = re.compile(rf"[{FIELD_SEP}{DOC_SEP}{_CJK}]")
        cls[[m.start() for m in cjk_or_sep.finditer(every)]] = 2
        _TABLES = fold, fold_extra, cls
    return _TABLES


_FORK_DOCS: tuple | None = None


def _tokenize_slice(bounds: tuple[int, int]) -> Tokens:
    docs, title_weight, keyword_weight = _FORK_DOCS
    return tokenize(docs[bounds[0] : bounds[1]], title_weight, keyword_weight)


def tokenize_batches(
    docs: Sequence, size: int, title_weight: float, keyword_weight: float, processes: int = 1
) -> Iterator[Tokens]:
    """tokenize() of docs[0:size], docs[size:2 size], ... in order.

    With ``processes > 1`` (POSIX) forked workers tokenise the batches ahead while the caller
    counts the ones already done: tokenising is most of a build and is pure Python, so only
    processes run it in parallel. The documents are inherited by the fork, not pickled.
    """
    bounds = [(i, min(i + size, len(docs))) for i in range(0, len(docs), size)]
    if processes <= 1 or len(bounds) < 2 or not can_fork():
        for a, b in bounds:
            yield tokenize(docs[a:b], title_weight, keyword_weight)
        return

    global _FORK_DOCS
    _FORK_DOCS = (docs, title_weight, keyword_weight)
    try:
        with mp.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_tokenize_slice, bounds)
    finally:
        _FORK_DOCS = None


def can_fork() -> bool:
    """Forking is safe here: POSIX, not inside a daemon (a Celery pool child), main thread."""

    return (
        hasattr(os, "fork")
        and not mp.current_process().daemon
        and threading.current_thread() is threading.main_thread()
    )


def count_rows(
    vocab: Vocabulary,
    docs: Sequence,
    title_weight: float,
    keyword_weight: float,
    grow: bool,
    bigrams: bool = True,
) -> sp.csr_matrix:
    """Weighted feature counts, one row per document (columns: feature ids)."""
    return count_tokens(vocab, tokenize(docs, title_weight, keyword_weight), grow, bigrams)


def count_tokens(
    vocab: Vocabulary, toks: Tokens, grow: bool, bigrams: bool = True
) -> sp.csr_matrix:
    """count_rows() of an already tokenised batch."""
    indptr, indices, data = count_arrays(vocab, toks, grow, bigrams)
    n_features = max(len(vocab), 1)
    return sp.csr_matrix((data, indices, indptr), shape=(toks.n_docs, n_features))


def count_arrays(
    vocab: Vocabulary, toks: Tokens, grow: bool, bigrams: bool = True, out=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """count_tokens()'s matrix as CSR arrays (indptr, indices, data); ``out``: (indices,
    data) arrays with room for 3 entries per token to write them into (their start is
    returned).

    Two compiled passes over the tokens (kernels.token_pairs, kernels.count_rows_csr) with the
    bigram lookup between them: the same matrix, to the bit, as the masks, concatenations and
    coo -> csr conversion this replaced, in a third of their time (most of a build's)."""
    with vocab.lock:  # the token cache and scratch ids are shared by concurrent searches
        tids = vocab.token_ids(toks.distinct, grow)[toks.local]
        folded_of = vocab.tok_folded
        accented_of = vocab.tok_accented
        codes = token_pairs(tids, folded_of)
        if bigrams and len(codes):
            bids = vocab.bigram_codes_ids(codes, grow)
        else:
            bids = np.full(len(codes), -1, np.int64)
        field_w = toks.field_weights if len(toks.field_weights) else np.zeros(1)
        args = (tids, folded_of, accented_of, field_w, bids, toks.n_docs, _SEP_FIELD, _SEP_DOC)
        n_features = len(vocab)
        # a dense accumulator pays off once the batch has about as many entries as features
        if COMPILED and 4 * len(tids) >= n_features and _exact_sums(field_w, len(tids)):
            if out is None:
                out = np.empty(3 * len(tids), np.int32), np.empty(3 * len(tids))
            indptr, k = count_rows_dense(*args, n_features, *out)
            return indptr, out[0][:k], out[1][:k]
        indptr, indices, data = count_rows_csr(*args)
        if out is not None:
            out[0][: len(indices)] = indices
            out[1][: len(data)] = data
        return indptr, indices, data


def _exact_sums(field_w: np.ndarray, n_tokens: int) -> bool:
    """Every sum of these weights over a batch's tokens is exact in float64 (positive
    multiples of 2^-20 far below 2^53 of them; 1 and 2 by default), so the order of the
    additions cannot change a count."""
    scaled = field_w * 2.0**20
    return bool(
        np.all(field_w > 0)
        and np.all(scaled == np.floor(scaled))
        and scaled.max(initial=0.0) * max(n_tokens, 1) < 2.0**52
    )


def stacked_rows(
    vocab: Vocabulary,
    batches: Iterable[Tokens],
    bigrams: bool,
    sublinear: bool,
    accent_weight: float,
    bigram_weight: float,
    expected_batches: int = 1,
) -> sp.csr_matrix:
    """tf_values(count_tokens(batch)) of the batches, one under the other, growing the
    vocabulary: a new index's rows (float32 values).

    Compiled, the r values of each batch are made in one pass, into arrays allocated once for
    all the batches (scipy's vstack copied everything twice); the same matrix to the bit."""
    if not COMPILED:
        mats = [
            tf_values(
                count_tokens(vocab, t, True, bigrams),
                vocab.kind,
                sublinear,
                accent_weight,
                bigram_weight,
            )
            for t in batches
        ]
        nv = len(vocab)
        mats = [_widen(m, nv) for m in mats]
        return sp.vstack(mats, format="csr") if mats else sp.csr_matrix((0, nv))
    mult = np.array([1.0, accent_weight, bigram_weight])
    ptrs = [np.zeros(1, np.int64)]
    # the rows go straight into arrays allocated once (large enough for the expected
    # batches): concatenating them was a second copy of everything, in new memory
    cols = vals = counts = np.zeros(0)
    used = n_rows = 0
    for t in batches:
        need = 3 * len(t.local)
        if used + need > len(cols):
            size = max(used + need * max(expected_batches - len(ptrs) + 1, 1), 2 * len(cols))
            cols, vals = _grown(cols, size, np.int32, used), _grown(vals, size, np.float32, used)
        if need > len(counts):
            counts = np.empty(need)
        indptr, indices, data = count_arrays(vocab, t, True, bigrams, (cols[used:], counts))
        k = len(indices)
        if sublinear:
            np.log(data, out=data)
        tf_float32(data, indices, vocab.kind, mult, sublinear, vals[used : used + k])
        ptrs.append(indptr[1:] + used)
        used += k
        n_rows += t.n_docs
    nv = len(vocab)
    if len(ptrs) == 1:
        return sp.csr_matrix((0, nv))
    return sp.csr_matrix((vals[:used], cols[:used], np.concatenate(ptrs)), shape=(n_rows, nv))


def _grown(arr: np.ndarray, size: int, dtype, used: int) -> np.ndarray:
    new = np.empty(size, dtype)
    new[:used] = arr[:used]
    return new


def inverted(fwd: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The postings of these rows: (indptr per feature, int32 rows, float32 values), rows
    ascending; fwd.tocsc() to the bit (compiled: one pass and no conversions)."""
    if COMPILED:
        return transpose_csr(
            fwd.indptr.astype(np.int64, copy=False), fwd.indices, fwd.data, fwd.shape[1]
        )
    csc = fwd.tocsc()
    return (
        csc.indptr.astype(np.int64, copy=False),
        csc.indices.astype(np.int32, copy=False),
        csc.data.astype(np.float32, copy=False),
    )


def tf_values(
    m: sp.csr_matrix, kinds: np.ndarray, sublinear: bool, accent_weight: float, bigram_weight: float
) -> sp.csr_matrix:
    """Counts -> r values: 1 + ln(tf) (or tf) times the feature-type multiplier."""
    m = m.copy()
    m.data = (1.0 + np.log(m.data)) if sublinear else m.data.astype(np.float64)
    mult = np.array([1.0, accent_weight, bigram_weight])
    if accent_weight != 1.0 or bigram_weight != 1.0:
        m.data *= mult[kinds[m.indices]]
    return m


def _row_stats(m: sp.csr_matrix, df: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: sum r^2, sum r^2 b, sum r^2 b^2 (b = ln(1 + df) of each feature)."""
    n = m.shape[0]
    if m.nnz == 0:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    if m.nnz < m.shape[1]:
        sq = m.data.astype(np.float64) ** 2
        # few rows (the delta segment): b of the features they use only, not of the whole
        # vocabulary (millions of features), so a query after an update stays fast
        b = np.log1p(df[m.indices].astype(np.float64))
        rows = np.repeat(np.arange(n), np.diff(m.indptr))
        sq_b = sq * b
        return (
            np.bincount(rows, sq, minlength=n),
            np.bincount(rows, sq_b, minlength=n),
            np.bincount(rows, sq_b * b, minlength=n),
        )
    # many rows: one compiled pass (three sparse matrix-vector products took 0.5 s at 100k)
    b = np.zeros(m.shape[1])
    k = min(len(df), m.shape[1])
    b[:k] = np.log1p(df[:k].astype(np.float64))
    s0, s1, s2 = np.zeros(n), np.zeros(n), np.zeros(n)
    row_stats(m.indptr, m.data, m.indices, b, b * b, s0, s1, s2)
    return s0, s1, s2


def _widen(m: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    """The same rows with more (empty) columns: the vocabulary grew since m was made."""
    if m.shape[1] == n_cols:
        return m
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], n_cols))
