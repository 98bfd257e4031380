import unicodedata

import pytest

from ecosystem.matching.engine import Document
from ecosystem.matching.engine.text import Analyzer, AnalyzerOptions, feature_kind, light_stem
from ecosystem.matching.engine.vectorize import Vocabulary, count_rows


def features(text, **options):
    return Analyzer(AnalyzerOptions(**options)).counts(text)


def test_nfc_decomposed_and_composed_give_the_same_features():
    composed = "Nuôi trồng thủy sản"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert features(decomposed) == features(composed)


def test_case_is_folded():
    assert features("HUẾ Đại Học") == features("huế đại học")


def test_one_letter_syllables_are_kept():
    toks = [t.surface for t in Analyzer().tokens("Y tế cơ sở ở Huế")]
    assert toks == ["y", "tế", "cơ", "sở", "ở", "huế"]
    assert "y" in features("Y tế")
    assert "y te" in features("Y tế")


def test_accented_tokens_give_folded_and_accented_features():
    f = features("thủy sản")
    assert {"thủy", "thuy", "sản", "san", "thuy san"} <= set(f)
    assert feature_kind("thủy") == "accented"
    assert feature_kind("thuy") == "folded"
    assert feature_kind("thuy san") == "bigram"


def test_plain_tokens_have_no_accented_duplicate():
    f = features("water pump")
    assert set(f) == {"water", "pump", "water pump"}


def test_d_with_stroke_folds_to_d():
    assert "dai" in features("Đại")


def test_stop_words_are_dropped_and_break_bigrams():
    f = features("công nghệ của doanh nghiệp")
    assert "của" not in f and "cua" not in f
    assert "nghe doanh" not in f
    assert "cong nghe" in f and "doanh nghiep" in f


def test_ambiguous_folded_words_are_not_stop_words():
    # "may" is "máy" (machine) without diacritics, "he" is "hệ": never dropped
    f = features("may moc he thong")
    assert {"may", "moc", "he", "thong", "may moc", "he thong"} <= set(f)


def test_english_plural_stemming():
    assert light_stem("studies") == "study"
    assert light_stem("blades") == "blade"
    assert light_stem("process") == "process"
    assert light_stem("bus") == "bus"
    assert features("turbine blades").keys() == features("turbine blade").keys()


def test_options_turn_features_off():
    f = features("thủy sản", accented=False, bigrams=False)
    assert set(f) == {"thuy", "san"}


def test_title_weight_multiplies_counts():
    a = Analyzer()
    counts = a.counts("tôm", 2.0)
    a.counts("tôm tôm", 1.0, counts)
    assert counts["tom"] == 4.0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("北京大学", ["北", "京", "大", "学"]),
        ("Москва река", ["москва", "река"]),
        ("", []),
        (None, []),
        ("!!! ??? ---", []),
        ("snake_case_word", ["snake", "case", "word"]),
    ],
)
def test_other_scripts_and_empty_text(text, expected):
    assert [t.surface for t in Analyzer().tokens(text)] == expected


def test_cjk_characters_pair_into_bigrams():
    assert "北 京" in features("北京")


def test_batch_vectoriser_matches_the_reference_analyzer():
    docs = [
        Document("a", title="Nuôi trồng thủy sản", text="Tôm thẻ chân trắng; nuôi tôm và cá."),
        Document("b", title="Heat transfer", text="Cooling of turbine blades", keywords=("gas",)),
        Document("c", title="", text="北京大学 Москва ы̆ the of"),
        Document("d"),
    ]
    analyzer = Analyzer()
    vocab = Vocabulary(analyzer)
    m = count_rows(vocab, docs, 2.0, 3.0, grow=True)
    for i, d in enumerate(docs):
        expected = analyzer.counts(d.title, 2.0)
        for kw in d.keywords:
            analyzer.counts(kw, 3.0, expected)
        analyzer.counts(d.text, 1.0, expected)
        row = m.getrow(i)
        got = {vocab.name(j): v for j, v in zip(row.indices, row.data, strict=True)}
        assert got == pytest.approx(expected)
