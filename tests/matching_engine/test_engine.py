import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ecosystem.matching.engine import (
    Document,
    IndexFormatError,
    MatchIndex,
    MatchingError,
    persistence,
)
from ecosystem.matching.engine.datatypes import (
    DuplicateIdError,
    EmptyProfileError,
    UnknownDocumentError,
)
from ecosystem.matching.engine.weights import FACET_DEADLINE, FACET_TRL, Weights


def q(text, **facets):
    return Document("query", title=text, facets=facets)


def ids(hits):
    return [h.doc_id for h in hits]


def test_best_match_first(corpus):
    index = MatchIndex.build(corpus)
    assert ids(index.search(q("nuôi tôm"), 2))[0] in {"r-tom", "n-tom"}
    assert ids(index.search(q("turbine cooling"), 1)) == ["r-heat"]
    assert ids(index.search(q("giống lúa chịu mặn"), 1)) == ["r-lua"]


def test_scores_are_cosines_in_decreasing_order(corpus):
    hits = MatchIndex.build(corpus).search(q("nuôi tôm thủy sản nước"), 0)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 + 1e-9 for s in scores)


def test_a_document_is_its_own_best_match(corpus):
    plain = MatchIndex.build(corpus, dictionary=None)  # pure TF-IDF: cosine 1 with itself
    expanded = MatchIndex.build(corpus)  # the dictionary adds other-language words
    for d in corpus:
        query = Document("x", title=d.title, text=d.text)
        hits = plain.search(query, 1, use_facets=False)
        assert hits[0].doc_id == d.id
        assert hits[0].score == pytest.approx(1.0)
        assert expanded.search(query, 1, use_facets=False)[0].doc_id == d.id


def test_query_without_diacritics_finds_accented_documents(corpus):
    index = MatchIndex.build(corpus)
    for accented, folded, expected in [
        ("giống lúa chịu mặn", "giong lua chiu man", "r-lua"),
        ("trí tuệ nhân tạo x-quang", "tri tue nhan tao x-quang", "r-xray"),
        ("nuôi trồng thủy sản", "nuoi trong thuy san", "r-tom"),
    ]:
        with_marks = index.search(q(accented), 3, use_facets=False)
        without = index.search(q(folded), 3, use_facets=False)
        assert without[0].doc_id == with_marks[0].doc_id == expected
        # folded features alone carry a large part of the score
        assert without[0].score > 0.5 * with_marks[0].score


def test_kinds_and_exclude(corpus):
    index = MatchIndex.build(corpus)
    hits = index.search(q("nuôi tôm"), 0, kinds=["need"])
    assert ids(hits) == ["n-tom"]
    hits = index.search(q("nuôi tôm"), 0, exclude=["r-tom", "n-tom"])
    assert "r-tom" not in ids(hits) and "n-tom" not in ids(hits)
    assert index.search(q("nuôi tôm"), 0, kinds=["nothing"]) == []


def test_top_k_zero_ranks_every_matching_document(corpus):
    index = MatchIndex.build(corpus)
    everything = index.search(q("nuôi tôm thủy sản nước giống lúa turbine"), 0)
    assert len(everything) > 3
    assert ids(index.search(q("nuôi tôm thủy sản nước giống lúa turbine"), 2)) == ids(
        everything[:2]
    )


def test_query_matching_nothing_returns_nothing(corpus):
    index = MatchIndex.build(corpus)
    assert index.search(q("zzzz qqqq"), 0) == []
    assert index.search(q(""), 10) == []


@pytest.mark.parametrize("bad", [-1, 1.5, "3"])
def test_bad_top_k(corpus, bad):
    index = MatchIndex.build(corpus)
    with pytest.raises(MatchingError):
        index.search(q("tôm"), bad)
    with pytest.raises(MatchingError):
        index.search_many([q("tôm")], bad)


def test_duplicate_and_missing_ids(corpus):
    with pytest.raises(DuplicateIdError, match="r-tom"):
        MatchIndex.build([*corpus, Document("r-tom", title="again")])
    with pytest.raises(MatchingError, match="without an id"):
        MatchIndex.build([Document("", title="no id")])
    index = MatchIndex.build(corpus)
    with pytest.raises(DuplicateIdError):
        index.add(Document("r-lua", title="x"))
    with pytest.raises(UnknownDocumentError):
        index.remove("nope")
    with pytest.raises(UnknownDocumentError):
        index.explain(q("tôm"), "nope")


def test_empty_profile_is_an_error(corpus):
    index = MatchIndex.build(corpus)
    with pytest.raises(EmptyProfileError):
        index.search([], 10)
    with pytest.raises(EmptyProfileError):
        index.search_many([[q("tôm")], []], 10)


def test_profile_combines_its_documents(corpus):
    index = MatchIndex.build(corpus)
    profile = [q("nuôi tôm thẻ chân trắng"), q("turbine blades heat transfer")]
    top = ids(index.search(profile, 2, use_facets=False))
    assert set(top) == {"r-tom", "r-heat"}
    # a profile of one document is that document
    one = index.search([q("giống lúa")], 3)
    assert [(h.doc_id, h.score) for h in one] == [
        (h.doc_id, h.score) for h in index.search(q("giống lúa"), 3)
    ]


def test_search_many_equals_search(corpus):
    index = MatchIndex.build(corpus)
    queries = [q("nuôi tôm"), [q("lúa"), q("solar")], q("zzz"), q("heat cooling")]
    batch = index.search_many(queries, 3, chunk_size=2, processes=2)
    single = [index.search(x, 3) for x in queries]
    assert [[(h.doc_id, round(h.score, 12)) for h in r] for r in batch] == [
        [(h.doc_id, round(h.score, 12)) for h in r] for r in single
    ]
    excl = index.search_many([q("nuôi tôm")], 5, exclude=[["r-tom"]])
    assert "r-tom" not in ids(excl[0])


def test_ties_are_broken_by_document_id():
    docs = [Document(i, title="same words here") for i in ("c", "a", "b")]
    index = MatchIndex.build(docs)
    assert ids(index.search(q("same words"), 0)) == ["a", "b", "c"]
    assert ids(index.search(q("same words"), 2)) == ["a", "b"]


def test_empty_one_word_and_foreign_script_documents():
    docs = [
        Document("empty"),
        Document("one", title="tôm"),
        Document("cjk", text="北京大学的研究"),
        Document("ru", text="Московский университет"),
        Document("sym", text="!!! ---"),
    ]
    index = MatchIndex.build(docs)
    assert ids(index.search(q("tôm"), 5)) == ["one"]
    assert ids(index.search(q("北京"), 5)) == ["cjk"]
    assert ids(index.search(q("университет"), 5)) == ["ru"]
    assert index.search(q("!!!"), 5) == []


def random_doc(rng, i, words):
    return Document(
        f"d{i}",
        title=" ".join(rng.choice(words) for _ in range(rng.randint(0, 5))),
        text=" ".join(rng.choice(words) for _ in range(rng.randint(0, 30))),
    )


def assert_same_rankings(a, b, queries):
    for query in queries:
        ha, hb = a.search(query, 0), b.search(query, 0)
        assert ids(ha) == ids(hb)
        np.testing.assert_allclose([h.score for h in ha], [h.score for h in hb], rtol=1e-6)


def test_incremental_updates_equal_a_rebuild():
    rng = random.Random(3)
    words = [
        "tôm",
        "cá",
        "lúa",
        "mặn",
        "nước",
        "heat",
        "turbine",
        "solar",
        "thủy",
        "sản",
        "nuôi",
        "trồng",
        "giống",
        "pin",
        "điện",
    ]
    words += [f"w{i}" for i in range(40)]
    docs = [random_doc(rng, i, words) for i in range(120)]
    index = MatchIndex.build(docs[:80])
    index.compact_ratio = 10.0  # keep the delta segment: test it, not compaction
    live = {d.id: d for d in docs[:80]}
    for step in range(200):
        op = rng.random()
        if op < 0.4:
            d = random_doc(rng, 1000 + step, words)
            index.add(d)
            live[d.id] = d
        elif op < 0.7 and live:
            doc_id = rng.choice(sorted(live))
            d = random_doc(rng, 0, words)
            d = Document(doc_id, title=d.title, text=d.text)
            index.upsert(d)
            live[doc_id] = d
        elif live:
            doc_id = rng.choice(sorted(live))
            index.remove(doc_id)
            del live[doc_id]
    assert len(index) == len(live)
    assert len(index.delta_rows) > 0
    rebuilt = MatchIndex.build(list(live.values()))
    queries = [q(" ".join(rng.choice(words) for _ in range(3))) for _ in range(30)]
    queries += [[live[k] for k in sorted(live)[:3]]]
    assert_same_rankings(index, rebuilt, queries)
    index.compact()
    assert not index.delta_rows
    assert_same_rankings(index, rebuilt, queries)


def test_save_and_load_round_trip(corpus, tmp_path):
    index = MatchIndex.build(corpus)
    index.add(Document("extra", title="nuôi cá lồng", text="cá dìa giống"))
    index.remove("r-lua")
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = MatchIndex.load(path)
    assert len(loaded) == len(index)
    for text in ["nuôi tôm", "cá dìa", "turbine", "giong lua"]:
        assert [(h.doc_id, round(h.score, 9)) for h in loaded.search(q(text), 0)] == [
            (h.doc_id, round(h.score, 9)) for h in index.search(q(text), 0)
        ]
    assert loaded.get("r-tom").facets["trl"] == 7


def test_foreign_corrupt_and_stale_files_are_refused(corpus, tmp_path):
    index = MatchIndex.build(corpus)
    path = tmp_path / "index.npz"
    index.save(path)
    good = path.read_bytes()

    foreign = tmp_path / "foreign.npz"
    foreign.write_bytes(b"this is not an index")
    with pytest.raises(IndexFormatError):
        MatchIndex.load(foreign)

    other = tmp_path / "other.npz"
    np.savez(other, header=np.frombuffer(b'{"magic": "something else"}', np.uint8))
    with pytest.raises(IndexFormatError, match="not a matching index"):
        MatchIndex.load(other)

    with pytest.raises(IndexFormatError, match="weights"):
        MatchIndex.load(path, Weights(title_weight=5.0))

    damaged = bytearray(good)
    middle = len(damaged) // 2
    damaged[middle : middle + 64] = bytes(64)
    bad = tmp_path / "damaged.npz"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(IndexFormatError):
        MatchIndex.load(bad)

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good[: len(good) // 3])
    with pytest.raises(IndexFormatError):
        MatchIndex.load(truncated)


def test_other_format_version_is_refused(corpus, tmp_path, monkeypatch):

    index = MatchIndex.build(corpus)
    path = tmp_path / "index.npz"
    monkeypatch.setattr(persistence, "FORMAT_VERSION", 999)
    index.save(path)
    monkeypatch.undo()
    with pytest.raises(IndexFormatError, match="version 999"):
        MatchIndex.load(path)


def test_explanation_contributions_add_up_to_the_text_score(corpus):
    index = MatchIndex.build(corpus)
    need = index.get("n-tom")
    for doc_id in ("r-tom", "i-seed", "r-xray"):
        e = index.explain(need, doc_id)
        assert sum(t.contribution for t in e.terms) == pytest.approx(e.text_score, rel=1e-9)
        assert e.score == pytest.approx(e.text_score * e.facet_multiplier)
    hit = {h.doc_id: h for h in index.search(need, 0)}["r-tom"]
    e = index.explain(need, "r-tom")
    assert e.score == pytest.approx(hit.score)
    assert e.text_score == pytest.approx(hit.text_score)


def test_explanation_shows_accented_surface_forms_for_folded_queries(corpus):
    index = MatchIndex.build(corpus)
    e = index.explain(q("nuoi trong thuy san"), "r-tom")
    terms = [t.term for t in e.terms]
    assert "nuôi trồng thủy sản" in terms
    phrase = next(t for t in e.terms if t.term == "nuôi trồng thủy sản")
    assert "thuy san" in phrase.features
    # only features the query really has: no accented ones for a folded query
    assert all(f.isascii() for t in e.terms for f in t.features)
    assert sum(t.contribution for t in e.terms) == pytest.approx(e.text_score)


def test_explanation_terms_are_shared_by_query_and_document(corpus):
    index = MatchIndex.build(corpus)
    e = index.explain(q("turbine blades solar"), "r-heat")
    assert {t.term for t in e.terms} == {"turbine blades"}
    assert index.explain(q("zzz"), "r-heat").terms == ()


def test_facet_fit_trl_and_fields(corpus):
    index = MatchIndex.build(corpus)
    wants_7 = q("trí tuệ nhân tạo giống lúa", fields=["agriculture"], trl_wanted=7)
    hits = {h.doc_id: h for h in index.search(wants_7, 0)}
    # r-lua has the field but TRL 5 < 7; r-xray neither: both lowered, r-lua less
    assert hits["r-lua"].facet_multiplier > hits["r-xray"].facet_multiplier
    assert hits["r-xray"].facet_multiplier < 1
    e = index.explain(wants_7, "r-lua")
    trl = next(f for f in e.facets if f.name == FACET_TRL)
    assert trl.ok is False and trl.doc_value["trl"] == 5 and trl.query_value["trl_wanted"] == 7
    ok = index.explain(q("x", trl_wanted=4), "r-tom")
    assert next(f for f in ok.facets if f.name == FACET_TRL).ok is True


def test_facets_do_not_change_pure_text_ranking_when_absent(corpus):
    index = MatchIndex.build(corpus)
    hits = index.search(q("nuôi tôm"), 0)
    assert all(h.facet_multiplier == 1.0 for h in hits)


def test_stage_and_ticket_fit():
    investor = Document(
        "inv",
        "investor",
        "Quỹ",
        "đầu tư công nghệ",
        facets={"stages": ["seed"], "ticket_min": 1e9, "ticket_max": 5e9},
    )
    index = MatchIndex.build([investor])
    fits = index.search(q("công nghệ", stage="seed", funding_sought=2e9), 1)[0]
    misfit = index.search(q("công nghệ", stage="growth", funding_sought=9e9), 1)[0]
    assert fits.facet_multiplier == pytest.approx(1.0)
    assert misfit.facet_multiplier < 0.6
    names = {
        (f.name, f.ok)
        for f in index.explain(q("công nghệ", stage="growth", funding_sought=9e9), "inv").facets
    }
    assert names == {("stage", False), ("ticket", False)}


def test_past_deadline_lowers_a_need():
    needs = [
        Document("old", "need", "cần máy sấy cà phê", facets={"deadline": "2020-01-01"}),
        Document("new", "need", "cần máy sấy cà phê", facets={"deadline": "2030-01-01"}),
    ]
    index = MatchIndex.build(needs)
    hits = index.search(q("máy sấy cà phê"), 0, today=dt.date(2025, 6, 1))
    assert ids(hits) == ["new", "old"]
    assert hits[1].score < 0.5 * hits[0].score
    e = index.explain(q("máy sấy"), "old", today=dt.date(2025, 6, 1))
    deadline = next(f for f in e.facets if f.name == FACET_DEADLINE)
    assert deadline.ok is False and deadline.doc_value == "2020-01-01"
    # before the deadline both are equal
    early = index.search(q("máy sấy cà phê"), 0, today=dt.date(2019, 1, 1))
    assert early[0].score == pytest.approx(early[1].score)


def test_province_is_a_light_boost():
    docs = [
        Document("a", title="du lịch cộng đồng", facets={"province": "Đà Nẵng"}),
        Document("b", title="du lịch cộng đồng", facets={"province": "Huế"}),
    ]
    index = MatchIndex.build(docs)
    hits = index.search(q("du lịch cộng đồng", province="Huế"), 0)
    assert ids(hits) == ["b", "a"]
    assert hits[1].score > 0.85 * hits[0].score


def test_upsert_replaces_and_kind_changes(corpus):
    index = MatchIndex.build(corpus)
    index.upsert(Document("r-lua", "need", "máy sấy cà phê", "sấy cà phê bằng trấu"))
    assert ids(index.search(q("giống lúa chịu mặn"), 0)) != ["r-lua"]
    assert ids(index.search(q("sấy cà phê"), 1, kinds=["need"])) == ["r-lua"]
    assert index.discard("r-lua") is True
    assert index.discard("r-lua") is False
    assert "r-lua" not in index


def test_queries_by_indexed_ids(corpus):
    index = MatchIndex.build(corpus)
    by_id = index.search("n-tom", 3)
    assert "n-tom" not in ids(by_id)
    by_doc = index.search(index.get("n-tom"), 4, exclude=["n-tom"])
    # the same ranking and scores (to float32 rounding: the stored rows are float32)
    assert [h.doc_id for h in by_id] == [h.doc_id for h in by_doc[:3]]
    assert [h.score for h in by_id] == pytest.approx([h.score for h in by_doc[:3]], rel=1e-6)
    profile = index.search(["r-tom", "r-heat"], 0, use_facets=False)
    assert not {"r-tom", "r-heat"} & set(ids(profile))
    many = index.search_many(["n-tom", ["r-tom", "r-heat"]], 0, use_facets=False)
    assert [(h.doc_id, round(h.score, 9)) for h in many[1]] == [
        (h.doc_id, round(h.score, 9)) for h in profile
    ]
    with pytest.raises(UnknownDocumentError):
        index.search("nope", 3)


def test_forked_batch_with_facets_and_kinds_equals_search(corpus):
    index = MatchIndex.build(corpus)
    index.add(Document("late", "result", "nuôi tôm công nghệ cao", facets={"trl": 9}))
    queries = [
        q("nuôi tôm", trl_wanted=8, fields=["aquaculture"]),
        q("công nghệ thủy sản", stage="seed", funding_sought=2e9),
        "n-tom",
    ] * 3
    many = index.search_many(queries, 3, kinds=["result", "investor"], chunk_size=2, processes=2)
    single = [index.search(x, 3, kinds=["result", "investor"]) for x in queries]
    assert [[(h.doc_id, round(h.score, 9)) for h in r] for r in many] == [
        [(h.doc_id, round(h.score, 9)) for h in r] for r in single
    ]
    assert "late" in ids(many[0])


def test_compaction_drops_unused_features_and_keeps_explanations(corpus, tmp_path):
    index = MatchIndex.build(corpus)
    index.upsert(Document("r-heat", "result", "Máy sấy cà phê", "sấy cà phê bằng trấu"))
    n_before = len(index.vocabulary)
    index.compact()
    assert len(index.vocabulary) < n_before  # "turbine blades" and friends are gone
    assert "turbine" not in index.vocab
    e = index.explain(q("may say ca phe"), "r-heat")
    assert "máy sấy cà phê" in [t.term for t in e.terms]
    path = tmp_path / "i.npz"
    index.save(path)
    loaded = MatchIndex.load(path)
    assert loaded.explain(q("may say ca phe"), "r-heat").terms == e.terms
    assert ids(loaded.search(q("sấy trấu"), 1)) == ["r-heat"]


def test_unknown_query_words_do_not_corrupt_the_token_cache(corpus):
    index = MatchIndex.build(corpus)
    fresh = MatchIndex.build(corpus)
    # "xyzzy" is unknown to the index, "tom" a new token of a known feature ("tôm")
    for text in ["xyzzy tom", "lua", "plugh nuoi", "heat"]:
        index.search(q(text), 3)
    for text in ["tom", "lua", "nuoi tom", "xyzzy tom", "giong lua"]:
        assert [(h.doc_id, round(h.score, 9)) for h in index.search(q(text), 0)] == [
            (h.doc_id, round(h.score, 9)) for h in fresh.search(q(text), 0)
        ]


def test_explain_a_query_given_by_id(corpus):
    index = MatchIndex.build(corpus)
    hit = index.search("n-tom", 1)[0]
    e = index.explain("n-tom", hit.doc_id)
    assert e.score == pytest.approx(hit.score)
    assert sum(t.contribution for t in e.terms) == pytest.approx(e.text_score)


def test_non_string_ids_are_refused():
    with pytest.raises(MatchingError, match="must be a string"):
        MatchIndex.build([Document(7, title="x")])


def test_private_separator_characters_in_text_are_harmless():
    docs = [
        Document("a", title="nuôi\ue000tôm", text="cá\ue001lúa"),
        Document("b", title="giống lúa"),
    ]
    index = MatchIndex.build(docs)
    assert len(index) == 2
    assert ids(index.search(q("nuôi tôm"), 1)) == ["a"]
    assert set(ids(index.search(q("lúa"), 0))) == {"a", "b"}


def test_concurrent_searches_agree_with_sequential_ones(corpus):

    index = MatchIndex.build(corpus)
    texts = [f"nuoi tom {w} lua {i}" for i, w in enumerate(["abc", "xyz", "mặn", "heat"] * 25)]
    sequential = [
        [(h.doc_id, round(h.score, 9)) for h in MatchIndex.build(corpus).search(q(t), 5)]
        for t in texts
    ]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(
            pool.map(
                lambda t: [(h.doc_id, round(h.score, 9)) for h in index.search(q(t), 5)], texts
            )
        )
    assert parallel == sequential


def long_profile_corpus():
    rng = random.Random(11)
    words = [f"w{i}" for i in range(300)] + ["tôm", "lúa", "mặn", "nước"]
    return [random_doc(rng, i, words) for i in range(150)], words, rng


def test_bounded_long_queries_cut_only_the_least_telling_features():
    docs, words, rng = long_profile_corpus()
    exact = MatchIndex.build(docs)
    bounded = MatchIndex.build(docs, Weights(max_query_terms=8, max_query_postings=30))
    profile = [Document("p", text=" ".join(rng.choice(words) for _ in range(80)))]
    q_exact, q_cut = exact._query(profile), bounded._query(profile)
    assert len(q_cut.features) < len(q_exact.features)
    assert len(q_cut.features) >= 8
    # kept: the largest coefficients
    kept = set(q_cut.features.tolist())
    coef = dict(zip(q_exact.features.tolist(), q_exact.coef.tolist(), strict=True))
    assert min(coef[f] for f in kept) >= max(coef[f] for f in coef if f not in kept) - 1e-12
    # short queries are never cut
    short = Document("s", text="w1 w2 w3")
    assert len(bounded._query(short).features) == len(exact._query(short).features)
    # the search_many bound equals the weights' bound
    queries = [profile, short]
    via_call = exact.search_many(queries, 5, bound=(8, 30))
    via_weights = [bounded.search(x, 5) for x in queries]
    assert [[h.doc_id for h in r] for r in via_call] == [[h.doc_id for h in r] for r in via_weights]


def test_bounded_index_updates_equal_a_rebuild():
    docs, words, rng = long_profile_corpus()
    w = Weights(max_query_terms=8, max_query_postings=30)
    index = MatchIndex.build(docs[:100], w)
    for d in docs[100:]:
        index.add(d)
    for d in docs[:20]:
        index.remove(d.id)
    rebuilt = MatchIndex.build(docs[20:], w)
    profiles = [
        [Document("p", text=" ".join(rng.choice(words) for _ in range(60)))] for _ in range(10)
    ]
    assert_same_rankings(index, rebuilt, profiles)
