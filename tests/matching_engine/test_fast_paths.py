"""The compiled build paths give the reference paths' results to the bit."""

import random
import unicodedata

import numpy as np
import pytest

from ecosystem.matching.engine import Document, MatchIndex, vectorize
from ecosystem.matching.engine import index as engine
from ecosystem.matching.engine.text import AnalyzerOptions
from ecosystem.matching.engine.vectorize import split_tokens, split_tokens_regex
from ecosystem.matching.engine.weights import Weights

SAMPLES = [
    "Nuôi trồng thủy sản tuần hoàn ở đầm phá Tam Giang, Thừa Thiên Huế",
    "nuoi trong thuy san tuan hoan o dam pha Tam Giang",
    "ĐẠI HỌC HUẾ và Đà Nẵng: đường, Đặng, đ/Đ, ĐĐđđ",
    "Machine-learning for X-ray images; studies, analyses & CLASSES (v2.0)",
    "MiXeD cAsE TeXt With UPPER and lower, ÀÉÎÕÜ àéîõü",
    "Numbers 2024, 3.14, 1,000,000 VND; ٣٤٥ and ⅫⅣ ², ½",
    "中文字符 日本語のテキスト カタカナ 한국어 텍스트 東京・大阪",
    "emoji 🚀🌾 in text 👩‍🔬 and ✅ ok ❤️",
    "snake_case and __dunder__ under_score_ 9_9",
    "Straße, ﬁnance, ǅ, İstanbul, ŉ, ΐ, ﬀ, Σίσυφος, ΣΑΣ, ᾳ, Ⓐⓑ",
    "Кириллица ЙОД й, Ελληνικά, عربي, עברית, हिन्दी, ไทย",
    "separators \ue000 and \ue001 inside a text",
    "tabs\tnew\nlines\r\n and  many   spaces\u00a0nbsp\u2003em",
    "̀leading combining mark, a\u0301\u0302 stacked, ̣ alone",
    "",
]


def _nfd(text):
    return unicodedata.normalize("NFD", text)


def _texts():
    rng = random.Random(14)
    texts = SAMPLES + [_nfd(t) for t in SAMPLES]
    words = " ".join(texts).split()
    for _ in range(200):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 40))))
    return texts


@pytest.mark.parametrize("text", _texts())
def test_compiled_tokeniser_equals_the_regular_expression(text):
    text = unicodedata.normalize("NFC", text)
    distinct, local = split_tokens(text)
    ref_distinct, ref_local = split_tokens_regex(text)
    assert distinct == ref_distinct
    assert local.dtype == ref_local.dtype
    assert np.array_equal(local, ref_local)


def test_compiled_tokeniser_equals_the_regular_expression_on_every_code_point():
    rng = random.Random(7)
    every = [chr(c) for c in range(0x110000)]
    shuffled = every[:]
    rng.shuffle(shuffled)
    # in order (runs of neighbours), shuffled, and each code point after a letter
    for text in ("".join(every), "".join(shuffled), "a".join(shuffled[:200_000])):
        distinct, local = split_tokens(text)
        ref_distinct, ref_local = split_tokens_regex(text)
        assert distinct == ref_distinct
        assert np.array_equal(local, ref_local)


def _index_arrays(index):
    n = len(index.vocabulary)
    return {
        "names": index.feature_names,
        "kind": index.vocabulary.kind[:n].tolist(),
        "indptr": index.fwd.indptr,
        "indices": index.fwd.indices,
        "data": index.fwd.data,
        "inv_indptr": index.inv_indptr,
        "inv_docs": index.inv_docs,
        "inv_vals": index.inv_vals,
        "df": index.df[:n],
        "s": (index.s0, index.s1, index.s2),
    }


def _docs(n):
    rng = random.Random(3)
    texts = _texts()
    return [
        Document(
            f"d{i}",
            title=rng.choice(texts),
            text=" ".join(rng.choice(texts) for _ in range(rng.randint(0, 6))),
            keywords=[rng.choice(texts)[:20] for _ in range(rng.randint(0, 3))],
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("processes", "weights"),
    [
        (1, Weights()),
        (2, Weights()),
        # weights whose sums are not exact take the sorting count kernel; raw tf, no bigrams
        (1, Weights(title_weight=1.3, keyword_weight=0.7, accent_weight=1.0)),
        (1, Weights(sublinear_tf=False, analyzer=AnalyzerOptions(bigrams=False))),
    ],
)
def test_compiled_build_equals_the_reference_build(monkeypatch, processes, weights):
    monkeypatch.setattr(engine, "BUILD_BATCH", 150)  # several batches: the vocabulary grows
    docs = _docs(700)
    monkeypatch.setattr(vectorize, "COMPILED", False)
    ref = _index_arrays(MatchIndex.build(docs, weights, processes=processes))
    monkeypatch.setattr(vectorize, "COMPILED", True)
    # batches of the test's size take the hash table (grown several times) too
    monkeypatch.setattr(vectorize.Vocabulary, "_HASHED_AT", 100)
    monkeypatch.setattr(vectorize, "_COMPILED_AT", 0)
    new = _index_arrays(MatchIndex.build(docs, weights, processes=processes))
    for key, value in ref.items():
        if key == "s":
            for a, b in zip(value, new[key], strict=True):
                assert np.array_equal(a, b), key
        elif isinstance(value, list):
            assert value == new[key], key
        else:
            assert value.dtype == new[key].dtype, key
            assert np.array_equal(value, new[key]), key


def test_compiled_query_batches_equal_the_reference(monkeypatch):
    """Large query batches (profiles) take the compiled paths without growing the vocabulary:
    unknown tokens and bigrams stay unknown, the hits are the reference's to the bit."""
    index = MatchIndex.build(_docs(300))
    # known words in an order never seen: pairs of known tokens that are no bigram feature
    reversed_words = " ".join(" ".join(SAMPLES[:4]).split()[::-1])
    queries = _docs(120)[::-1] + [
        Document("q-new", title="từ hoàn toàn mới zzyzx", text="qwerty uiop " + reversed_words)
    ]
    n_features = len(index.vocabulary)
    monkeypatch.setattr(vectorize, "COMPILED", False)
    ref = index.search_many(queries, 5)
    monkeypatch.setattr(vectorize, "COMPILED", True)
    monkeypatch.setattr(vectorize.Vocabulary, "_HASHED_AT", 100)
    monkeypatch.setattr(vectorize, "_COMPILED_AT", 0)
    assert index.search_many(queries, 5) == ref
    assert len(index.vocabulary) == n_features
