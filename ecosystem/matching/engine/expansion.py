"""Query expansion through the term dictionary, as rows the engine adds to a query.

Each dictionary match in a query document (a *bridge*, terms.py) becomes one row: the
``tf'`` values of its equivalents' features (as if they were keywords of their own), times
``Weights.expansion_weight``. A member document's row is its own row plus its bridges' rows;
because the bridges' rows are added (not their counts), the share of each bridge in every
feature of the query is exact, and an explanation can split each shared feature's contribution
between the words the query had and the bridges that brought it (see bridge_shares).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ecosystem.matching.engine.datatypes import Document
from ecosystem.matching.engine.terms import Bridge
from ecosystem.matching.engine.vectorize import _widen, count_rows


def expansion_parts(index, flat: Sequence[Document]):
    """(bridge rows, owner member of each row, the bridges) or None without a dictionary.

    Title bridges count ``title_weight`` times like title words (rounded), by repetition of
    their equivalents in the row's counts."""
    w = index.weights
    dictionary = getattr(index, "dictionary", None)
    if dictionary is None or w.expansion_weight <= 0 or not flat:
        return None
    pseudo: list[Document] = []
    owner: list[int] = []
    bridges: list[Bridge] = []
    title_times = max(1, round(w.title_weight))
    for i, doc in enumerate(flat):
        title = dictionary.find(doc.title, w.expand_same_language) if doc.title else []
        rest: list[Bridge] = []
        for text in (*doc.keywords, doc.text):
            rest.extend(dictionary.find(text, w.expand_same_language))
        for b, times in [(b, title_times) for b in title] + [(b, 1) for b in rest]:
            pseudo.append(Document("_", keywords=b.targets * times))
            owner.append(i)
            bridges.append(b)
    if not pseudo:
        return None
    counts = count_rows(index.vocabulary, pseudo, 1.0, 1.0, False, w.analyzer.bigrams)
    rows = index._tf(counts)
    rows.data *= w.expansion_weight
    return _widen(rows.tocsr(), len(index.vocabulary)), np.asarray(owner, np.int64), bridges


def member_rows(index, flat: Sequence[Document]) -> tuple[sp.csr_matrix, tuple | None]:
    """Rows of the members (their own words plus their bridges) and the expansion parts."""
    base = _widen(index._rows(flat, grow=False).tocsr(), len(index.vocabulary))
    parts = expansion_parts(index, flat)
    if parts is None:
        return base, None
    rows, owner, _ = parts
    agg = sp.csr_matrix(
        (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(len(flat), len(owner))
    )
    combined = (base + agg @ rows).tocsr()
    combined.sum_duplicates()  # canonical (sorted) rows, as a query without bridges has
    return combined, parts


def bridge_shares(index, flat: Sequence[Document], features: np.ndarray):
    """For the query made of ``flat`` (one profile): the bridges, and for each of them the
    share of each of ``features`` in the query vector that it brought (the rest, 1 - sum,
    comes from the query's own words). Shares follow the centroid: member m's parts count
    with 1 / |v_m| like its vector does."""
    combined, parts = member_rows(index, flat)
    if parts is None or not len(features):
        return [], np.zeros((0, len(features)))
    rows, owner, bridges = parts
    raw = combined.tocsr().astype(np.float64)
    live = index.df[raw.indices] > 0  # features of no live document are not in the index
    weighted = raw.data * index.idf(raw.indices.astype(np.int64)) * live
    sq = np.bincount(
        np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr)), weighted**2, minlength=len(flat)
    )
    norms = np.sqrt(sq)
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    total = np.asarray((sp.diags(scale) @ raw)[:, features].sum(axis=0)).ravel()
    per_bridge = sp.diags(scale[owner]) @ rows  # each bridge row with its member's scale
    brought = per_bridge[:, features].toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, brought / total, 0.0)
    return bridges, shares
