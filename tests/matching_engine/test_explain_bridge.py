"""Explanations with dictionary bridges and without unreadable terms (pure engine)."""

import pytest

from ecosystem.matching.engine import Document, MatchIndex
from ecosystem.matching.engine.datatypes import TermContribution
from ecosystem.matching.engine.explanations import readable
from ecosystem.matching.engine.terms import TermDictionary, TermGroup
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS, fit_band

DICTIONARY = TermDictionary(
    [
        TermGroup("shrimp-farming", vi=("nuôi tôm",), en=("shrimp farming",)),
        TermGroup("water-quality", vi=("chất lượng nước",), en=("water quality",)),
        TermGroup("shrimp", vi=("tôm",), en=("shrimp",)),
    ]
)
DOCS = [
    Document(
        "en",
        title="Shrimp farming with water quality sensors",
        text="Sensors in 12 ponds measure water quality; IoT alerts reach farmers.",
    ),
    Document("other", title="Heritage tourism apps", text="Audio guides for visitors."),
    Document("vi", title="Cảm biến IoT cho ao nuôi tôm", text="Đo chất lượng nước ở đây 24 giờ."),
]


@pytest.fixture(scope="module")
def index():
    return MatchIndex.build(DOCS, dictionary=DICTIONARY)


QUERY = Document("q", title="Nuôi tôm: cảm biến chất lượng nước IoT")


def test_bridge_terms_show_both_sides_and_everything_adds_up(index):
    e = index.explain(QUERY, "en")
    assert e.text_score == pytest.approx(sum(t.contribution for t in e.terms), rel=1e-12)
    labels = {t.label: t for t in e.terms}
    assert "nuôi tôm ≈ shrimp farming" in labels
    assert "chất lượng nước ≈ water quality" in labels
    bridge = labels["nuôi tôm ≈ shrimp farming"]
    assert bridge.via == "nuôi tôm" and bridge.term == "shrimp farming" and bridge.shown
    assert bridge.contribution > 0
    # "iot" is a word both texts have: a plain term, not a bridge
    assert labels["iot"].via == ""
    # the search score is the explanation's score
    (hit,) = [h for h in index.search(QUERY, 3) if h.doc_id == "en"]
    assert hit.score == pytest.approx(e.score, rel=1e-12)


def test_same_language_match_has_no_bridge_for_its_own_words(index):
    e = index.explain(QUERY, "vi")
    assert e.text_score == pytest.approx(sum(t.contribution for t in e.terms), rel=1e-12)
    assert not any(t.via and t.term == "nuôi tôm" for t in e.terms)
    assert any(t.term == "nuôi tôm" and not t.via for t in e.terms)


def test_profiles_split_exactly_too(index):
    profile = [QUERY, Document("q2", title="Shrimp farming", text="tôm sú")]
    e = index.explain(profile, "vi")
    assert e.text_score == pytest.approx(sum(t.contribution for t in e.terms), rel=1e-12)
    assert any(t.via == "shrimp farming" for t in e.terms)


def test_numbers_function_words_and_fragments_are_not_shown(index):
    e = index.explain(Document("q", text="ở đây 24 giờ đo chất lượng nước"), "vi")
    shown = {t.label for t in e.terms if t.shown}
    hidden = {t.label for t in e.terms if not t.shown}
    assert any("chất lượng nước" in label for label in shown)
    assert not shown & {"ở đây", "ở", "đây", "24", "24 giờ"}
    assert hidden  # still there, so the contributions keep adding up


@pytest.mark.parametrize(
    ("term", "ok"),
    [
        ("ở đây", False),
        ("12", False),
        ("vi 1%", False),
        ("vi", False),  # a folded fragment ("vi sinh", "vi khuẩn")
        ("the", False),
        ("tôm", True),  # a dictionary word
        ("nuôi trồng thủy sản", True),
        ("sensor", True),
        ("pm2.5", True),
    ],
)
def test_readable(term, ok):
    assert readable(TermContribution(term, 0.1, ()), DICTIONARY) is ok


def test_a_bound_syllable_is_a_fragment():
    docs = [Document(f"d{i}", text="chẩn đoán bệnh sớm") for i in range(4)]
    docs.append(Document("x", text="hội chẩn từ xa"))
    index = MatchIndex.build(docs, dictionary=None)
    e = index.explain(Document("q", text="hội nghị chẩn trị"), "d0")
    assert [t.shown for t in e.terms if t.term == "chẩn"] == [False]


def test_fit_bands():
    assert [fit_band(s) for s in (0.6, 0.25, 0.2, 0.12, 0.05)] == [
        "strong",
        "strong",
        "good",
        "good",
        "weak",
    ]


def test_unrelated_fields_rank_below_same_field_of_similar_text():

    docs = [
        Document(
            "same",
            title="cảm biến nước ao",
            facets={"fields": ["aquaculture"], "field_roots": ["agriculture"]},
        ),
        Document(
            "related",
            title="cảm biến nước ao",
            facets={"fields": ["crop-production"], "field_roots": ["agriculture"]},
        ),
        Document(
            "unrelated",
            title="cảm biến nước ao tôm",  # a higher text score
            facets={"fields": ["tourism"], "field_roots": ["tourism"]},
        ),
    ]
    index = MatchIndex.build(docs, dictionary=None)
    query = Document(
        "q",
        title="cảm biến nước ao tôm",
        facets={"fields": ["aquaculture"], "field_roots": ["agriculture"]},
    )
    hits = index.search(query, 3)
    assert [h.doc_id for h in hits] == ["same", "related", "unrelated"]
    text = {h.doc_id: h.text_score for h in hits}
    assert text["unrelated"] > text["same"]
    mult = {h.doc_id: h.facet_multiplier for h in hits}
    w = DEFAULT_WEIGHTS
    assert mult["same"] == pytest.approx(1.0)
    assert mult["unrelated"] == pytest.approx(1 / (1 + w.field_weight))
    assert mult["unrelated"] < mult["related"] < mult["same"]
    fits = {f.name: f for f in index.explain(query, "unrelated").facets}
    assert fits["fields"].ok is False and fits["fields"].fit == 0
    fits = {f.name: f for f in index.explain(query, "related").facets}
    assert fits["fields"].ok is True and fits["fields"].fit == pytest.approx(w.related_field_fit)
