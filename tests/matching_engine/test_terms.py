"""The term dictionary and query expansion, on plain lists (no Flask, no database)."""

from dataclasses import replace

import pytest

from ecosystem.matching.engine import Document, MatchIndex
from ecosystem.matching.engine.terms import (
    TermDictionary,
    TermGroup,
    looks_vietnamese,
    merge_groups,
    read_groups,
    shipped_dictionary,
)
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS

SMALL = TermDictionary(
    [
        TermGroup("shrimp-farming", vi=("nuôi tôm",), en=("shrimp farming", "shrimp culture")),
        TermGroup("shrimp", vi=("tôm",), en=("shrimp",)),
        TermGroup("fish", vi=("cá",), en=("fish",)),
        TermGroup("lotus", vi=("sen",), en=("lotus",)),
        TermGroup("tin", vi=("thiếc",), en=("tin",)),
        TermGroup("pig", vi=("lợn", "heo"), en=("pig", "swine")),
    ]
)


def found(text, dictionary=SMALL, **kw):
    return [(b.group, b.source) for b in dictionary.find(text, **kw)]


def test_phrases_match_as_phrases_with_or_without_diacritics():
    assert found("Cần công nghệ nuôi tôm tuần hoàn") == [("shrimp-farming", "nuôi tôm")]
    assert found("can cong nghe nuoi tom tuan hoan") == [("shrimp-farming", "nuoi tom")]
    assert found("Shrimp farming in ponds") == [("shrimp-farming", "shrimp farming")]
    # the words of a phrase apart are not the phrase
    assert ("shrimp-farming", "nuôi") not in found("nuôi cá và tôm")


def test_a_match_inside_a_longer_one_is_dropped():
    assert found("nuôi tôm") == [("shrimp-farming", "nuôi tôm")]  # not also "tôm"
    assert found("con tôm sú") == [("shrimp", "tôm")]


def test_one_syllable_terms_do_not_fire_on_diacritic_free_text():
    assert found("ao cá nước ngọt") == [("fish", "cá")]
    assert found("ao ca nuoc ngot") == []  # "ca" may be cá, cà, ca, cả
    assert found("con tom") == []
    assert found("hạt sen Huế") == [("lotus", "sen")]  # no diacritics itself, accented text
    assert found("hat sen hue") == []
    assert found("cà phê") == []  # "cà" is not "cá"


def test_english_syllable_shaped_words_need_an_english_text():
    assert found("tin mining and smelting") == [("tin", "tin")]
    assert found("tin tuc moi nhat ve kinh te") == []  # Vietnamese "tin" (news)
    assert looks_vietnamese(["ban", "tin", "nong", "nghiep", "hom", "nay"])
    assert not looks_vietnamese(["shrimp", "farming", "in", "coastal", "lagoons"])


def test_bridges_add_the_other_language_and_synonyms_only_when_asked():
    (b,) = SMALL.find("nuôi heo")[-1:]
    assert b.targets == ("pig", "swine")
    (b,) = SMALL.find("nuôi heo", same_language=True)[-1:]
    assert b.targets == ("pig", "swine", "lợn")
    (b,) = SMALL.find("pig farms")
    assert b.targets == ("lợn", "heo") and b.label == "pig ≈ lợn"


def test_merge_adds_replaces_and_retires_groups():
    base = [TermGroup("a", ("á",), ("a1",)), TermGroup("b", ("bê",), ("b1",))]
    merged = merge_groups(
        base, [TermGroup("a", ("á",), ("a2",)), "b", TermGroup("c", ("xê",), ("c",))]
    )
    assert [(g.id, g.en) for g in merged] == [("a", ("a2",)), ("c", ("c",))]


def test_the_shipped_dictionary_covers_the_platforms_fields():
    groups = read_groups()
    assert len(groups) >= 500
    assert len({g.id for g in groups}) == len(groups)
    fields = {g.field for g in groups}
    for code in ("aquaculture", "agriculture", "forestry", "food-technology", "health"):
        assert code in fields
    for code in ("traditional-medicine", "heritage", "tourism", "it-ai", "environment"):
        assert code in fields
    for code in ("materials", "energy", "handicrafts", "logistics"):
        assert code in fields
    assert all(g.vi and g.en for g in groups)


DOCS = [
    Document("en-shrimp", title="Recirculating shrimp farming", text="Water reuse in ponds."),
    Document("en-rice", title="Salt-tolerant rice", text="Rice lines for saline soils."),
    Document("vi-tom", title="Nuôi tôm thẻ chân trắng", text="Ao nuôi ven phá."),
]


@pytest.mark.parametrize("query", ["nuôi tôm tuần hoàn", "nuoi tom tuan hoan"])
def test_expansion_finds_the_other_language(query):
    plain = MatchIndex.build(DOCS, dictionary=None)
    assert "en-shrimp" not in {h.doc_id for h in plain.search(Document("q", title=query))}
    index = MatchIndex.build(DOCS, dictionary=shipped_dictionary())
    hits = index.search(Document("q", title=query), 3)
    assert {h.doc_id for h in hits} >= {"en-shrimp", "vi-tom"}
    assert "en-rice" not in {h.doc_id for h in hits}


def test_expansion_weight_zero_is_plain_tf_idf():
    off = replace(DEFAULT_WEIGHTS, expansion_weight=0.0)
    a = MatchIndex.build(DOCS, off).search(Document("q", title="shrimp farming"), 3)
    b = MatchIndex.build(DOCS, dictionary=None).search(Document("q", title="shrimp farming"), 3)
    assert a == b


def test_english_need_finds_vietnamese_result():
    index = MatchIndex.build(DOCS)
    hits = index.search(Document("q", title="whiteleg shrimp farming"), 1)
    assert hits[0].doc_id in {"vi-tom", "en-shrimp"}
    assert "vi-tom" in {h.doc_id for h in index.search(Document("q", title="whiteleg shrimp"), 2)}
