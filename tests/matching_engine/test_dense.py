"""The dense path of large batches (dense.py) against the postings loop and brute force.

The dense path computes approximate float32 scores, then rescoring a few candidates exactly;
it must give scoring.candidates' answer to the last bit: same slots, same float64 scores,
ties at the cut kept.
"""

import random
from collections.abc import Sequence

import numpy as np
import pytest

from ecosystem.matching.engine import Document, MatchIndex, dense
from ecosystem.matching.engine.scoring import candidates
from ecosystem.matching.engine.weights import Weights
from tests.matching_engine.test_scoring import WORDS, assert_same, brute_force


def mixed_docs(rng: random.Random, n: int, prefix: str = "d") -> list[Document]:
    """Frequent shared words (the dense head) and many rare ones (the postings tail)."""
    docs = []
    for i in range(n):
        common = rng.choices(WORDS, k=rng.randint(1, 10))
        rare = [f"w{rng.randint(0, 3000)}" for _ in range(rng.randint(0, 25))]
        words = common + rare
        rng.shuffle(words)
        kind = rng.choice(["result", "need"])
        title = " ".join(words[:4])
        docs.append(Document(f"{prefix}{i:04d}", kind=kind, title=title, text=" ".join(words[4:])))
    return docs


@pytest.fixture(scope="module")
def index():
    rng = random.Random(11)
    docs = mixed_docs(rng, 1500)
    # exact duplicates: equal scores, so ties at the cut
    docs += [
        Document(f"dup{i}", kind="need", title=docs[0].title, text=docs[0].text) for i in range(4)
    ]
    index = MatchIndex.build(docs)
    for d in rng.sample(docs, 40):  # dead slots in the main segment
        index.remove(d.id)
    assert not index.delta_rows and index.n_slots > len(index)
    return index


def parsed_queries(index, n: int, seed: int):
    rng = random.Random(seed)
    queries = [mixed_docs(rng, rng.randint(1, 3), prefix=f"q{j}-") for j in range(n)]
    queries[0] = [Document("dup-q", title=index.slot_docs[0].title, text=index.slot_docs[0].text)]
    queries[1] = [Document("empty", title="zzzz-unknown-word")]  # no indexed feature
    return queries, index._parse_many(queries)[0]


@pytest.mark.parametrize("k", [1, 3, 10, 2000])
def test_dense_candidates_are_the_postings_candidates_to_the_bit(index, k):
    queries, parsed = parsed_queries(index, 150, seed=k)
    scorer = dense.scorer_for(index, parsed, k)
    assert scorer is not None and 0 < len(scorer.head) < len(index.vocabulary)
    allowed = index._allowed(["need"], None) if k == 3 else index._allowed(None, None)
    rng = random.Random(k)
    exclude = [rng.sample(range(index.n_slots), 3) for _ in parsed]
    got = scorer.candidates(parsed, k, allowed, exclude)
    want = candidates(index, parsed, k, allowed, exclude)
    for (gs, gslots), (ws, wslots) in zip(got, want, strict=True):
        assert np.array_equal(gslots, wslots)
        assert np.array_equal(gs, ws)  # bit for bit, not approximately
    assert len(got[1][1]) == 0
    if k == 3:  # the four duplicates of document 0 tie: all kept at the cut
        assert len(got[0][1]) >= 4


def test_large_batches_equal_single_searches_and_brute_force(index):
    queries, _ = parsed_queries(index, 140, seed=5)
    id_profiles = [[index.slot_ids[s] for s in (2, 7)], [index.slot_ids[3]]] * 40
    for batch in (queries, id_profiles):
        index._dense = None
        many = index.search_many(batch, 5, use_facets=False)
        assert index._dense is not None  # the dense path did the work
        for query, hits in zip(batch, many, strict=True):
            single = index.search(query, 5, use_facets=False)
            assert [(h.doc_id, h.score) for h in hits] == [(h.doc_id, h.score) for h in single]
        for query, hits in list(zip(batch, many, strict=True))[:20]:
            if isinstance(query[0], str):
                assert not {h.doc_id for h in hits} & set(query)  # never its own documents
            else:
                assert_same(hits, brute_force(index, query, 5))
    forked = index.search_many(queries, 5, use_facets=False, processes=2, chunk_size=64)
    assert forked == index.search_many(queries, 5, use_facets=False)


def test_a_changed_index_never_uses_stale_columns():
    rng = random.Random(3)
    docs = mixed_docs(rng, 600)
    index = MatchIndex.build(docs)
    queries, _ = parsed_queries(index, 100, seed=8)
    index.search_many(queries, 5, use_facets=False)
    before = index._dense
    # new documents: a delta segment (the dense path steps aside), then folded into the main one
    for d in mixed_docs(rng, 30, prefix="new"):
        index.add(d)
    _, parsed = parsed_queries(index, 100, seed=8)
    assert dense.scorer_for(index, parsed, 5) is None
    index.compact(force=True)
    after = dense.scorer_for(index, parsed, 5)
    assert after is not None and after is not before and after.inv is index.inv_norms()
    many = index.search_many(queries, 5, use_facets=False)
    for query, hits in list(zip(queries, many, strict=True))[:30]:
        assert_same(hits, brute_force(index, query, 5))


def test_small_batches_and_unbounded_top_k_use_the_postings_loop(index):
    _, parsed = parsed_queries(index, 150, seed=2)
    assert dense.scorer_for(index, parsed[: dense.MIN_QUERIES - 1], 10) is None
    assert dense.scorer_for(index, parsed, 0) is None


def test_approximate_scores_are_within_the_error_bound(index):
    """What makes the cut safe: every approximate score is within error_bound of the exact one
    (all slots kept: k above the number of slots)."""
    _, parsed = parsed_queries(index, 100, seed=4)
    scorer = dense.scorer_for(index, parsed, 10)
    n = index.n_main
    allowed = index._allowed(None, None)
    rows, tails = scorer._products(parsed, np.empty((len(parsed), n), np.float32))
    work = scorer.work_arrays(n + 1)
    worst = 0.0
    for q, row, tail in zip(parsed, rows, tails, strict=True):
        slots, approx = scorer._approximate(row, tail, allowed, n + 1, work)
        exact = scorer._exact(q, slots)
        if len(slots):
            rel = np.abs(approx - exact) / exact
            assert (rel <= scorer.error_bound(len(tail[0]))).all()
            worst = max(worst, rel.max())
        want = candidates(index, [q], 0, allowed)[0][1]
        assert np.array_equal(slots[exact > 0], want)  # every positive score is approximated
    assert worst > 0  # float32 did round: the bound was exercised


def test_weights_giving_negative_terms_keep_the_postings_loop():
    # a word seen only in a title of weight 1/4: r = 1 + ln(1/4) < 0; the dense path's error
    # bound and cut need terms >= 0, so the batch must step aside and still equal search()
    index = MatchIndex.build(mixed_docs(random.Random(6), 600), weights=Weights(title_weight=0.25))
    assert index.inv_vals.min() < 0
    queries, _ = parsed_queries(index, 100, seed=9)
    many = index.search_many(queries, 5, use_facets=False)
    assert index._dense is None
    for query, hits in zip(queries, many, strict=True):
        single = index.search(query, 5, use_facets=False)
        assert [(h.doc_id, h.score) for h in hits] == [(h.doc_id, h.score) for h in single]


class IntegerIndexOnly(Sequence):
    """A sequence of queries that cannot be sliced."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError("integer index only")
        return self.items[i]


def test_forked_batches_take_any_sequence(index):
    queries, _ = parsed_queries(index, 140, seed=13)
    forked = index.search_many(
        IntegerIndexOnly(queries), 5, use_facets=False, processes=2, chunk_size=64
    )
    assert forked == index.search_many(queries, 5, use_facets=False)
