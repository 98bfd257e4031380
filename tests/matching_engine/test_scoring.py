"""The compiled scoring loop and the parallel build against plain, independent computations.

Brute force here: every document's score from the forward rows (index.fwd and the delta rows)
with scipy, never through the postings the kernel reads, then the engine's own rule: best first,
ties by id.
"""

import random

import numpy as np
import pytest
import scipy.sparse as sp

from ecosystem.matching.engine import Document, MatchIndex
from ecosystem.matching.engine import index as engine

TEXT = (
    "nuôi tôm thủy sản cá nước lợ giống lúa chịu mặn dược liệu sen Huế di sản số hóa cảm biến "
    "IoT đô thị thông minh vật liệu nano môi trường xử lý nước thải du lịch y tế bệnh viện "
    "shrimp farming rice salinity sensor heritage tourism hospital wastewater materials"
)
WORDS = TEXT.split()


def random_docs(rng: random.Random, n: int, prefix: str = "d") -> list[Document]:
    docs = []
    for i in range(n):
        # few distinct words and short texts: many ties and many shared features
        title = " ".join(rng.choices(WORDS[:25], k=rng.randint(1, 4)))
        text = " ".join(rng.choices(WORDS, k=rng.randint(0, 12)))
        kind = rng.choice(["result", "need", "startup"])
        docs.append(Document(f"{prefix}{i:04d}", kind=kind, title=title, text=text))
    return docs


def brute_force(
    index: MatchIndex, query, k: int, kinds=None, exclude=()
) -> list[tuple[str, float]]:
    q = index._query(query)
    qv = np.zeros(len(index.vocabulary))
    qv[q.features] = q.coef
    nv = len(index.vocabulary)
    rows = sp.csr_matrix((index.fwd.data, index.fwd.indices, index.fwd.indptr), (index.n_main, nv))
    if index.delta_rows:
        rows = sp.vstack([rows, index._delta_matrix()]).tocsr()
    scores = (rows.astype(np.float64) @ qv) * index.inv_norms()
    found = []
    for slot in np.flatnonzero(scores > 0):
        doc_id = index.slot_ids[slot]
        if kinds is not None and index.slot_kinds[slot] not in kinds:
            continue
        if doc_id not in exclude:
            found.append((doc_id, float(scores[slot])))
    # ties (equal up to float rounding) by id, as the engine breaks them
    found.sort(key=lambda x: (-round(x[1], 9), x[0]))
    return found[:k] if k else found


def assert_same(hits, expected):
    assert [h.doc_id for h in hits] == [doc_id for doc_id, _ in expected]
    assert [h.score for h in hits] == pytest.approx([s for _, s in expected], rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_equals_brute_force_after_updates(seed):
    rng = random.Random(seed)
    docs = random_docs(rng, 300)
    index = MatchIndex.build(docs)
    # a delta segment, replaced and removed documents (dead slots)
    for d in random_docs(rng, 40, prefix="x"):
        index.add(d)
    for d in rng.sample(docs, 30):
        index.remove(d.id)
    for d in random_docs(rng, 10, prefix="d0"):
        index.upsert(d)
    assert index.delta_rows and index.n_slots > len(index)
    queries = random_docs(rng, 25, prefix="q")
    for query in queries:
        for k in (1, 3, 10, 0):
            assert_same(index.search(query, k, use_facets=False), brute_force(index, query, k))
        assert_same(
            index.search(query, 5, kinds=["need"], use_facets=False),
            brute_force(index, query, 5, kinds={"need"}),
        )
    # a batch gives exactly the single searches' scores, with exclusions per query
    exclude = [[index.search(query, 1, use_facets=False)[0].doc_id] for query in queries]
    batch = index.search_many(queries, 4, exclude=exclude, use_facets=False)
    for query, excl, hits in zip(queries, exclude, batch, strict=True):
        single = index.search(query, 4, exclude=excl, use_facets=False)
        assert [(h.doc_id, h.score) for h in hits] == [(h.doc_id, h.score) for h in single]
        assert_same(hits, brute_force(index, query, 4, exclude=set(excl)))


def test_ties_at_the_cut_are_ranked_by_id():
    docs = [Document(f"t{i}", title="nuôi tôm") for i in (5, 3, 9, 1, 7)]
    docs.append(Document("other", title="nuôi cá"))
    index = MatchIndex.build(docs)
    hits = index.search(Document("q", title="nuôi tôm"), 2, use_facets=False)
    assert [h.doc_id for h in hits] == ["t1", "t3"]
    many = index.search_many([Document("q", title="nuôi tôm")] * 3, 2, use_facets=False)
    assert all([h.doc_id for h in r] == ["t1", "t3"] for r in many)


def test_parallel_build_equals_serial_build(monkeypatch):
    # small batches, so that several are tokenised by the forked workers
    monkeypatch.setattr(engine, "BUILD_BATCH", 37)
    docs = random_docs(random.Random(9), 400)
    serial = MatchIndex.build(docs)
    parallel = MatchIndex.build(docs, processes=2)
    assert parallel.feature_names == serial.feature_names
    assert (parallel.fwd != serial.fwd).nnz == 0
    assert np.array_equal(parallel.df, serial.df)
    query = Document("q", title="thủy sản nước lợ", text="shrimp sensor")
    assert parallel.search(query, 5) == serial.search(query, 5)


def test_words_first_seen_after_the_build_are_found():
    index = MatchIndex.build(random_docs(random.Random(4), 50))
    index.add(Document("late", title="sứa biển Thuận An", text="jellyfish"))
    index.add(Document("later", title="sứa", text="nuôi tôm"))
    query = Document("q", title="sứa biển")
    hits = index.search(query, 3, use_facets=False)
    assert [h.doc_id for h in hits][:2] == ["late", "later"]
    assert_same(hits, brute_force(index, query, 3))
    assert index.search_many([query], 3, use_facets=False)[0] == hits


def test_norm_sums_of_the_main_segment_equal_a_direct_computation():
    index = MatchIndex.build(random_docs(random.Random(12), 200))
    dense = index.fwd.toarray().astype(np.float64)
    b = np.log1p(index.df[: index.main_vocab].astype(np.float64))
    sq = dense**2
    for got, want in zip(
        (index.s0, index.s1, index.s2), (sq.sum(1), sq @ b, sq @ (b * b)), strict=True
    ):
        assert got == pytest.approx(want, rel=1e-12)
    assert np.array_equal(index.df[: index.main_vocab], (dense > 0).sum(0))
