"""The engine's hot loops, compiled with numba: scoring a query, keeping norms exact.

A query's score for a document is ``inv_norm[d] * sum(coef_f * r_fd)`` over its features f. A
profile query has hundreds of features whose postings add up to about a million entries on a
100k-document index, so reading postings is nearly all the work of a search. numpy needed a
gather, a repeat and a bincount per query (three passes and their temporary arrays), scipy's
sparse product two passes and a sparse result as large as the postings; this is one pass into a
dense array, then one pass for the k-th best and one for the candidates. (Scoring blocks of
queries a tile of documents at a time, to reuse postings from cache, measured slower: the loop
is bound by its scattered additions, not by memory. Exact MaxScore-style pruning read only
half the postings but cost more to verify the survivors than it saved.) It releases the GIL.

Exact: every posting of every query feature is added (no pruning), in the query's feature
order, so a query scores the same alone or in a batch, to the last bit.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_OPTIONS = {"cache": True, "nogil": True, "boundscheck": False}


@nb.njit(**_OPTIONS)
def _heap_push(heap, size, k, s):  # pragma: no cover - compiled
    """Keep the k largest values seen in a min-heap; returns the new size."""
    if size < k:
        heap[size] = s
        i = size
        while i > 0:
            parent = (i - 1) // 2
            if heap[parent] <= heap[i]:
                break
            heap[parent], heap[i] = heap[i], heap[parent]
            i = parent
        return size + 1
    if s > heap[0]:
        heap[0] = s
        i = 0
        while True:
            left = 2 * i + 1
            if left >= k:
                break
            small = left
            if left + 1 < k and heap[left + 1] < heap[left]:
                small = left + 1
            if heap[i] <= heap[small]:
                break
            heap[i], heap[small] = heap[small], heap[i]
            i = small
    return size


@nb.njit(**_OPTIONS)
def _add_postings(acc, indptr, docs, vals, feats, coefs):  # pragma: no cover - compiled
    """acc[d] += coefs[j] * r over the postings (d, r) of each feature feats[j], in order;
    features past the postings' end (none in this segment) are skipped."""
    n_features = indptr.shape[0] - 1
    for j in range(feats.shape[0]):
        f = feats[j]
        if f >= n_features:
            continue
        c = coefs[j]
        for p in range(indptr[f], indptr[f + 1]):  # unsigned index: no wraparound test
            acc[np.uint64(docs[p])] += c * vals[p]


@nb.njit(**_OPTIONS)
def score_query(
    segments,  # (indptr, docs, vals, feats): postings per feature (slots ascending, r values)
    coefs,  # and the query's features in that segment's numbering (past its end: none)
    inv,  # 1 / norm per slot (0 for dead slots)
    allowed,  # slots the query may return
    k,  # candidates: all scores >= the k-th best (ties kept); every positive one when 0
    acc,  # n_slots zeros (left zeroed)
    heap,  # max(k, 1) floats
    cand_slots,  # n_slots each
    cand_scores,
):  # pragma: no cover - compiled
    """The query's candidates into cand_*, in slot order; returns how many."""
    for indptr, docs, vals, feats in segments:
        _add_postings(acc, indptr, docs, vals, feats, coefs)
    n = acc.shape[0]
    kth = 0.0
    if k > 0:
        size = 0
        for d in range(n):
            if acc[d] != 0.0 and allowed[d]:
                score = acc[d] * inv[d]
                if score > 0.0 and (size < k or score > heap[0]):
                    size = _heap_push(heap, size, k, score)
        if size == k:
            kth = heap[0]
    count = 0
    for d in range(n):
        raw = acc[d]
        if raw == 0.0:
            continue
        acc[d] = 0.0
        score = raw * inv[d]
        if score > 0.0 and score >= kth and allowed[d]:
            cand_slots[count] = d
            cand_scores[count] = score
            count += 1
    return count


@nb.njit(**_OPTIONS)
def shift_norm_sums(indptr, docs, vals, feats, d1, d2, s1, s2):  # pragma: no cover - compiled
    """s1[d] += r^2 d1_f and s2[d] += r^2 d2_f over the postings of each feature f: keeps the
    norm sums of every document exact when the document frequency of f changes (engine.py).
    One pass, where numpy needed a gather, two repeats and two bincounts over the postings."""
    for j in range(feats.shape[0]):
        f = feats[j]
        a, b = d1[j], d2[j]
        for p in range(indptr[f], indptr[f + 1]):
            d = np.uint64(docs[p])
            sq = np.float64(vals[p]) * np.float64(vals[p])
            s1[d] += sq * a
            s2[d] += sq * b


@nb.njit(**_OPTIONS)
def dense_candidates(
    row,  # float32 approximate scores of every main slot from the head features
    acc,  # float32 zeros, one per main slot (left zeroed)
    indptr,  # the main postings, values already multiplied by each slot's 1/norm (float32)
    docs,
    svals,
    feats,  # the query's tail features (the head ones are in row already)
    coefs,  # float32
    allowed,
    k,
    eps,  # bound on the relative error of the approximate scores (all terms >= 0)
    heap,  # k floats
    out,  # int64 buffer, one per main slot
    out_scores,  # float32 buffer, one per main slot
):  # pragma: no cover - compiled
    """Slots whose approximate score can reach the k-th best exact one, in slot order.

    Every slot of the exact top k (ties included) is returned: if a_k is the k-th best
    approximate score, at least k slots have exact >= a_k / (1 + eps), so each slot of the
    exact top k has approx >= a_k (1 - eps) / (1 + eps). The tail postings go to acc, which
    stays in cache, rather than to row, a row of a large product (a cache miss per posting);
    adding the two, zeroing acc and keeping the best is then one pass (two passes measured
    0.2 ms a query at 100k slots, one 0.07)."""
    _add_postings(acc, indptr, docs, svals, feats, coefs)
    shrink = (1.0 - eps) / (1.0 + eps)
    size = 0
    cut = 0.0
    count = 0
    for d in range(row.shape[0]):  # one pass: the cut only rises, few slots pass on the way
        s = row[d] + acc[d]
        acc[d] = 0.0
        if s >= cut and s > 0.0 and allowed[d]:
            if size < k or s > heap[0]:
                size = _heap_push(heap, size, k, np.float64(s))
                if size == k:
                    cut = heap[0] * shrink
            out[count] = d
            out_scores[count] = s
            count += 1
    kept = 0
    for i in range(count):
        if out_scores[i] >= cut:
            out[kept] = out[i]
            kept += 1
    return kept


@nb.njit(**_OPTIONS)
def exact_scores(
    slots,  # candidate slots of the main segment
    indptr,  # forward rows (sorted feature ids, float32 r values)
    indices,
    data,
    sfeats,  # the query's features sorted ascending, their position in the query,
    spos,
    coefs,  # and the coefficients in query order (float64)
    inv,
    found,  # work array: one float64 per query feature, left filled with -1 (r values are >= 0
    # on this path: dense.scorer_for checks)
    out,
):  # pragma: no cover - compiled
    """score_query's score of each slot, to the last bit: the same products added in the same
    (query feature) order, read from the slot's forward row instead of the postings."""
    m = sfeats.shape[0]
    for i in range(slots.shape[0]):
        d = slots[i]
        a, b = indptr[d], indptr[d + 1]
        j = 0
        p = a
        while j < m and p < b:  # merge of two sorted lists
            if sfeats[j] < indices[p]:
                j += 1
            elif sfeats[j] > indices[p]:
                p += 1
            else:
                found[spos[j]] = data[p]
                j += 1
                p += 1
        raw = 0.0
        for q in range(m):
            v = found[q]
            if v >= 0.0:
                raw += coefs[q] * v
                found[q] = -1.0
        out[i] = raw * inv[d]


@nb.njit(**_OPTIONS)
def row_stats(indptr, data, indices, b, bb, s0, s1, s2):  # pragma: no cover - compiled
    """Per row: sum r^2, sum r^2 b, sum r^2 b^2 (b = ln(1 + df) per feature, bb = b * b), the
    products added in row order as scipy's sparse matrix-vector product does (same bits), in
    one pass instead of three."""
    for i in range(indptr.shape[0] - 1):
        t0 = 0.0
        t1 = 0.0
        t2 = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            r = np.float64(data[j])
            sq = r * r
            f = indices[j]
            t0 += sq
            t1 += sq * b[f]
            t2 += sq * bb[f]
        s0[i] = t0
        s1[i] = t1
        s2[i] = t2


@nb.njit(**_OPTIONS)
def token_pairs(tids, tok_folded):  # pragma: no cover - compiled
    """Bigram codes ``(left << 32) | right`` of adjacent tokens that both have a folded
    feature (stop words and separators break pairs), in token order."""
    n = len(tids)
    out = np.empty(max(n - 1, 0), np.int64)
    c = 0
    for i in range(n - 1):
        a = tok_folded[tids[i]]
        b = tok_folded[tids[i + 1]]
        if a >= 0 and b >= 0:
            out[c] = (a << 32) | b
            c += 1
    return out[:c]


@nb.njit(**_OPTIONS)
def count_rows_csr(
    tids, tok_folded, tok_accented, field_w, bigram_fids, n_docs, sep_field, sep_doc
):  # pragma: no cover - compiled
    """Weighted feature counts of a tokenised batch as CSR (indptr, indices, data), rows
    sorted by feature and duplicates summed: the matrix the coo -> csr route made, in one
    pass. ``bigram_fids`` holds the feature of each pair token_pairs found (-1: none)."""
    n = len(tids)
    # entries per document at most: 3 per token (folded, accented, bigram)
    cols = np.empty(3 * n, np.int64)
    vals = np.empty(3 * n, np.float64)
    indptr = np.zeros(n_docs + 1, np.int64)
    out_cols = np.empty(3 * n, np.int32)
    out_vals = np.empty(3 * n, np.float64)
    doc, field, pair, start, written = 0, 0, 0, 0, 0
    k = 0  # entries of the current document
    for i in range(n + 1):
        f = tok_folded[tids[i]] if i < n else sep_doc
        if f in (sep_doc, sep_field):
            if f == sep_doc:
                # close the document: sort its entries by feature, sum duplicates
                if k:
                    order = np.argsort(cols[start : start + k])
                    last = -1
                    for j in order:
                        col = cols[start + j]
                        if col == last:
                            out_vals[written - 1] += vals[start + j]
                        else:
                            out_cols[written] = col
                            out_vals[written] = vals[start + j]
                            written += 1
                            last = col
                if doc < n_docs:
                    indptr[doc + 1] = written
                doc += 1
                k = 0
            field += 1
            continue
        if f < 0:  # a stop word: no feature
            continue
        w = field_w[field]
        cols[start + k] = f
        vals[start + k] = w
        k += 1
        a = tok_accented[tids[i]]
        if a >= 0:
            cols[start + k] = a
            vals[start + k] = w
            k += 1
        if i + 1 < n and tok_folded[tids[i + 1]] >= 0:
            b = bigram_fids[pair]
            pair += 1
            if b >= 0:
                cols[start + k] = b
                vals[start + k] = w
                k += 1
    return indptr, out_cols[:written], out_vals[:written]


@nb.njit(**_OPTIONS)
def fold_codepoints(cps, fold, fold_extra):  # pragma: no cover - compiled
    """str.casefold() of a text given as code points: ``fold[c]`` is the folded code point,
    or ``-1 - k`` when c folds to several (row k of ``fold_extra``, padded with -1). Case
    folding is per code point, without context, so this is casefold() to the bit."""
    out = np.empty(cps.shape[0] * fold_extra.shape[1], np.uint32)
    m = 0
    for i in range(cps.shape[0]):
        f = fold[cps[i]]
        if f >= 0:
            out[m] = f
            m += 1
        else:
            row = -1 - f
            for j in range(fold_extra.shape[1]):
                g = fold_extra[row, j]
                if g < 0:
                    break
                out[m] = g
                m += 1
    return out[:m]


# One compiled pass over the whole corpus: split into helpers, its state would go through
# calls in the innermost loop.
@nb.njit(**_OPTIONS)
def scan_tokens(cps, cls):  # noqa: C901  # pragma: no cover - compiled
    """The tokens of a case-folded text, numbered by first occurrence.

    ``cls[c]`` is 1 for a code point of the token runs, 2 for one that is a token by itself
    (CJK, the separators), 0 otherwise: the tokens ``findall`` of the batch regular expression
    finds. Returns each token's number and the distinct tokens, one after another (code
    points, each followed by a space: never inside a token). Distinct tokens are found with an
    open-addressing hash table; their code points are kept apart, compact, so that comparing
    a token with the one already seen reads cached memory, not the text far back."""
    n = cps.shape[0]
    local = np.empty(n, np.int32)  # at most one token per code point
    size = 1024
    table = np.full(size, -1, np.int64)
    starts = np.empty(size // 2, np.int64)  # per distinct token: where in chars, length, hash
    lengths = np.empty(size // 2, np.int64)
    hashes = np.empty(size // 2, np.uint64)
    chars = np.empty(4096, np.uint32)
    used = 0
    n_distinct = 0
    t = 0
    i = 0
    while i < n:
        c = cls[cps[i]]
        if c == 0:
            i += 1
            continue
        a = i
        h = (np.uint64(14695981039346656037) ^ np.uint64(cps[i])) * np.uint64(1099511628211)
        i += 1
        if c == 1:
            while i < n and cls[cps[i]] == 1:
                h = (h ^ np.uint64(cps[i])) * np.uint64(1099511628211)
                i += 1
        length = i - a
        mask = size - 1
        slot = np.int64(h & np.uint64(mask))
        while True:
            k = table[slot]
            if k < 0:
                break
            if hashes[k] == h and lengths[k] == length:
                s = starts[k]
                same = True
                for j in range(length):
                    if chars[s + j] != cps[a + j]:
                        same = False
                        break
                if same:
                    break
            slot = (slot + 1) & mask
        if k < 0:
            k = n_distinct
            n_distinct += 1
            if used + length + 1 > chars.shape[0]:
                grown_c = np.empty(2 * (used + length + 1), np.uint32)
                grown_c[:used] = chars[:used]
                chars = grown_c
            starts[k] = used
            lengths[k] = length
            for j in range(length):
                chars[used + j] = cps[a + j]
            chars[used + length] = 32
            used += length + 1
            hashes[k] = h
            table[slot] = k
            if 2 * n_distinct >= size:  # keep the table at most half full
                size *= 2
                mask = size - 1
                table = np.full(size, -1, np.int64)
                for q in range(n_distinct):
                    p = np.int64(hashes[q] & np.uint64(mask))
                    while table[p] >= 0:
                        p = (p + 1) & mask
                    table[p] = q
                grown = np.empty(size // 2, np.int64)
                grown[:n_distinct] = starts[:n_distinct]
                starts = grown
                grown = np.empty(size // 2, np.int64)
                grown[:n_distinct] = lengths[:n_distinct]
                lengths = grown
                grown_h = np.empty(size // 2, np.uint64)
                grown_h[:n_distinct] = hashes[:n_distinct]
                hashes = grown_h
        local[t] = k
        t += 1
    return local[:t].copy(), chars[:used].copy()


@nb.njit(**_OPTIONS)
def _code_slot(code, mask):  # pragma: no cover - compiled
    return np.int64((np.uint64(code) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(24)) & mask


@nb.njit(**_OPTIONS)
def code_table_insert(table, codes, ids):  # pragma: no cover - compiled
    """Put codes (>= 0, not yet there) -> ids into an open-addressing table of (code, id)
    rows, code -1 for a free row; the caller keeps it at most half full."""
    mask = table.shape[0] - 1
    for i in range(codes.shape[0]):
        s = _code_slot(codes[i], mask)
        while table[s, 0] >= 0:
            s = (s + 1) & mask
        table[s, 0] = codes[i]
        table[s, 1] = ids[i]


@nb.njit(**_OPTIONS)
def code_table_lookup(table, codes):  # pragma: no cover - compiled
    """The id of each code in the table, or ``-1 - j`` for the j-th distinct code that is not
    there (numbered by first occurrence); returns them and those absent codes."""
    mask = table.shape[0] - 1
    out = np.empty(codes.shape[0], np.int64)
    size = 1024
    local = np.full((size, 2), -1, np.int64)  # the absent codes seen so far
    absent = np.empty(size // 2, np.int64)
    n_absent = 0
    for i in range(codes.shape[0]):
        c = codes[i]
        s = _code_slot(c, mask)
        while table[s, 0] >= 0 and table[s, 0] != c:
            s = (s + 1) & mask
        if table[s, 0] == c:
            out[i] = table[s, 1]
            continue
        lmask = size - 1
        s = _code_slot(c, lmask)
        while local[s, 0] >= 0 and local[s, 0] != c:
            s = (s + 1) & lmask
        if local[s, 0] == c:
            out[i] = -1 - local[s, 1]
            continue
        local[s, 0] = c
        local[s, 1] = n_absent
        absent[n_absent] = c
        out[i] = -1 - n_absent
        n_absent += 1
        if 2 * n_absent >= size:
            size *= 2
            local = np.full((size, 2), -1, np.int64)
            code_table_insert(local, absent[:n_absent], np.arange(n_absent))
            grown = np.empty(size // 2, np.int64)
            grown[:n_absent] = absent[:n_absent]
            absent = grown
    return out, absent[:n_absent]


@nb.njit(**_OPTIONS)
def resolve_absent(fids, new_ids):  # pragma: no cover - compiled
    """fids[i] = new_ids[j] where fids[i] is ``-1 - j`` (code_table_lookup's absent codes)."""
    for i in range(fids.shape[0]):
        f = fids[i]
        if f < 0:
            fids[i] = new_ids[-1 - f]


@nb.njit(**_OPTIONS)
def transpose_csr(indptr, indices, data, n_cols):  # pragma: no cover - compiled
    """The CSC copy (indptr, row indices, values) of a CSR matrix, rows ascending in each
    column: scipy's csr_tocsc, to the bit, with int32 rows and float32 values out."""
    n_rows = indptr.shape[0] - 1
    nnz = indptr[n_rows]
    out_ptr = np.zeros(n_cols + 1, np.int64)
    for p in range(nnz):
        out_ptr[indices[p] + 1] += 1
    for c in range(n_cols):
        out_ptr[c + 1] += out_ptr[c]
    fill = out_ptr[:-1].copy()
    rows = np.empty(nnz, np.int32)
    vals = np.empty(nnz, np.float32)
    for r in range(n_rows):
        for p in range(indptr[r], indptr[r + 1]):
            c = indices[p]
            q = fill[c]
            fill[c] = q + 1
            rows[q] = r
            vals[q] = data[p]
    return out_ptr, rows, vals


@nb.njit(**_OPTIONS)
def _radix_sort(a, scratch, counts, passes):  # pragma: no cover - compiled
    """Sort a (non-negative int32 below 256 ** passes) in place, 8 bits a pass: a document's
    few hundred features sort 10x faster so than by comparisons (branch mispredictions)."""
    n = a.shape[0]
    src, dst = a, scratch[:n]
    for p in range(passes):
        shift = 8 * p
        counts[:] = 0
        for i in range(n):
            counts[(src[i] >> shift) & 255] += 1
        total = 0
        for d in range(256):
            c = counts[d]
            counts[d] = total
            total += c
        for i in range(n):
            d = (src[i] >> shift) & 255
            dst[counts[d]] = src[i]
            counts[d] += 1
        src, dst = dst, src
    if passes % 2:
        a[:] = src


# One compiled loop per batch, for the same reason as scan_tokens.
@nb.njit(**_OPTIONS)
def count_rows_dense(  # noqa: C901
    tids,
    tok_folded,
    tok_accented,
    field_w,
    bigram_fids,
    n_docs,
    sep_field,
    sep_doc,
    n_features,
    out_cols,  # room for 3 entries per token
    out_vals,
):  # pragma: no cover - compiled
    """count_rows_csr() for large batches, into the caller's arrays (returns indptr and the
    number of entries): each document's counts summed into a dense array in token order and
    only its distinct features sorted (not every entry). The same matrix when every partial
    sum is exact (the caller checks the weights), as then the order of the additions cannot
    matter."""
    n = len(tids)
    acc = np.zeros(n_features, np.float64)
    seen = np.full(n_features, -1, np.int64)  # the last document that had the feature
    indptr = np.zeros(n_docs + 1, np.int64)
    scratch = np.empty(3 * n + 1, np.int32)  # a document has at most 3 entries per token
    counts = np.zeros(256, np.int64)
    passes = 1
    while (1 << (8 * passes)) < n_features:
        passes += 1
    doc, field, pair, start, written = 0, 0, 0, 0, 0
    for i in range(n + 1):
        f = tok_folded[tids[i]] if i < n else sep_doc
        if f in (sep_doc, sep_field):
            if f == sep_doc:
                _radix_sort(out_cols[start:written], scratch, counts, passes)
                for j in range(start, written):
                    c = out_cols[j]
                    out_vals[j] = acc[c]
                    acc[c] = 0.0
                if doc < n_docs:
                    indptr[doc + 1] = written
                doc += 1
                start = written
            field += 1
            continue
        if f < 0:  # a stop word: no feature
            continue
        w = field_w[field]
        if seen[f] != doc:
            seen[f] = doc
            out_cols[written] = f
            written += 1
        acc[f] += w
        a = tok_accented[tids[i]]
        if a >= 0:
            if seen[a] != doc:
                seen[a] = doc
                out_cols[written] = a
                written += 1
            acc[a] += w
        if i + 1 < n and tok_folded[tids[i + 1]] >= 0:
            b = bigram_fids[pair]
            pair += 1
            if b >= 0:
                if seen[b] != doc:
                    seen[b] = doc
                    out_cols[written] = b
                    written += 1
                acc[b] += w
    return indptr, written


@nb.njit(**_OPTIONS)
def tf_float32(values, indices, kinds, mult, sublinear, out):  # pragma: no cover - compiled
    """tf_values()'s r values as float32 into out, given ln(count) (sublinear) or the counts:
    the same IEEE operations, one pass instead of a copy, two temporaries and a gather."""
    for p in range(values.shape[0]):
        v = 1.0 + values[p] if sublinear else values[p]
        out[p] = np.float32(v * mult[kinds[indices[p]]])
