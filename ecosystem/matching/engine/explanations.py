"""Turn per-feature score contributions into terms a person can read.

The engine scores *features* ("thuy", "thủy", "thuy san"). An explanation shows the words of the
document that produced them, as written there: the bigrams "nuoi trong", "trong thuy" and
"thuy san" that matched side by side merge into one phrase "nuôi trồng thủy sản", together with
the unigram features of its syllables. Every feature is counted in exactly one term, so the
contributions of the terms add up to the text score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ecosystem.matching.engine.datatypes import TermContribution
from ecosystem.matching.engine.folding import strip_diacritics
from ecosystem.matching.engine.terms import looks_vietnamese_syllable
from ecosystem.matching.engine.text import (
    ENGLISH_STOP,
    VIETNAMESE_STOP,
    Analyzer,
    TokenInfo,
    surface_tokens,
)
from ecosystem.matching.engine.weights import Weights


def _sequence(analyzer: Analyzer, doc) -> list[TokenInfo | None]:
    """Tokens of title, keywords and text in order, None between fields (as in counts())."""
    seq: list[TokenInfo | None] = []
    for text in (doc.title, *doc.keywords, doc.text):
        seq.extend(analyzer.tokens(text))
        seq.append(None)
    return seq


def group_contributions(analyzer: Analyzer, doc, weights: Weights, contribs: dict[str, float]):
    if not contribs:
        return []
    seq = _sequence(analyzer, doc)
    phrases = _Phrases(len(seq))
    occurrences = _occurrences(seq, contribs, phrases, bigrams=weights.analyzer.bigrams)
    members = phrases.members(seq)
    groups: dict[str, tuple[float, list[str]]] = {}
    for feature, value in contribs.items():
        surface = _phrase_surface(feature, occurrences.get(feature), seq, phrases, members)
        total, feats = groups.get(surface, (0.0, []))
        groups[surface] = (total + value, [*feats, feature])
    terms = [
        TermContribution(term=s, contribution=v, features=tuple(sorted(f)))
        for s, (v, f) in groups.items()
    ]
    terms.sort(key=lambda t: (-t.contribution, t.term))
    return terms


class _Phrases:
    """Positions joined by matched bigrams (union-find): each set is one phrase of the text."""

    __slots__ = ("parent",)

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, left: int, right: int) -> None:
        root = self.find(left)
        self.parent[self.find(right)] = root

    def members(self, seq: list[TokenInfo | None]) -> dict[int, list[int]]:
        """Phrase root -> the token positions in that phrase."""
        members: dict[int, list[int]] = {}
        for i in range(len(seq)):
            if seq[i] is not None:
                members.setdefault(self.find(i), []).append(i)
        return members


def _occurrences(
    seq: list[TokenInfo | None], contribs: dict[str, float], phrases: _Phrases, *, bigrams: bool
) -> dict[str, list[int]]:
    """Feature -> positions where it occurs; a matched bigram joins its two tokens' phrases."""
    occurrences: dict[str, list[int]] = {}
    for i, tok in enumerate(seq):
        if tok is None or tok.stop:
            continue
        for f in (tok.folded, tok.accented):
            if f is not None and f in contribs:
                occurrences.setdefault(f, []).append(i)
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if bigrams and nxt is not None and not nxt.stop:
            bigram = tok.folded + " " + nxt.folded
            if bigram in contribs:
                occurrences.setdefault(bigram, []).append(i)
                phrases.join(i, i + 1)
    return occurrences


def _phrase_surface(
    feature: str,
    positions: list[int] | None,
    seq: list[TokenInfo | None],
    phrases: _Phrases,
    members: dict[int, list[int]],
) -> str:
    """The phrase as written, around the occurrence inside the longest matched phrase (else the
    first occurrence)."""
    if not positions:  # cannot happen for features of this document; keep the sum exact anyway
        return feature
    best = max(positions, key=lambda p: (len(members[phrases.find(p)]), -p))
    return " ".join(seq[p].surface for p in sorted(members[phrases.find(best)]))


# Words an explanation never shows on their own (display only: scoring is unchanged). The
# engine's stop words plus Vietnamese function words that are also content syllables once
# folded ("trong" = in, but "trồng" = to plant; compared as written in the document). They are
# also trimmed from the ends of a phrase ("ngập cho" -> "ngập").
DISPLAY_FUNCTION_WORDS = (
    ENGLISH_STOP
    | VIETNAMESE_STOP
    | frozenset(
        """ở đây ra cho khi rất đều mỗi kia nhau qua trong ngoài sau bằng do nhưng vẫn chỉ hơn
        nhất không chưa vừa rồi nữa luôn thêm cần muốn phải chúng tôi ta họ""".split()  # noqa: SIM905
    )
)
# Words too vague to be a reason alone (still fine inside a phrase: "số hóa", "hiện đại").
VAGUE_WORDS = DISPLAY_FUNCTION_WORDS | frozenset(
    """ngày năm tháng lần loại số nhỏ lớn cao thấp mới khác hàng quanh giúp dùng làm đi nay
    hiện bao gồm tất cả thể cùng lên xuống các giờ phút giây tuần đồng triệu tỷ""".split()  # noqa: SIM905
)
_DIGITS = frozenset("0123456789")


def readable(term, dictionary=None) -> bool:
    """Whether a person can read this term as a reason: not numbers, not function words, not
    the fragment of a word ("chẩn" of "chẩn đoán", "vi" of "vi sinh")."""

    tokens = [t for t in surface_tokens(term.term) if not set(t) <= _DIGITS]
    words = [
        t for t in tokens if t not in (VAGUE_WORDS if len(tokens) == 1 else DISPLAY_FUNCTION_WORDS)
    ]
    if not words:
        return False
    if len(tokens) > 1 or term.via:
        return True
    (word,) = tokens
    if len(word) <= 2 and strip_diacritics(word) == word:
        return False
    if dictionary is not None and dictionary.is_single_term(word):
        return True
    # a short syllable written without diacritics ("vi", "chu", "da") is too ambiguous to
    # read alone; accented ones ("ủ", "rơm", "túi") are words unless bound (display_terms)
    return not (
        len(word) <= 3 and strip_diacritics(word) == word and looks_vietnamese_syllable(word)
    )


def _trim(term: str) -> str:
    """A phrase without function words at its ends ("ngập cho" -> "ngập")."""
    tokens = term.split()
    while len(tokens) > 1 and tokens[0] in DISPLAY_FUNCTION_WORDS:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in DISPLAY_FUNCTION_WORDS:
        tokens = tokens[:-1]
    return " ".join(tokens)


def bound_syllable(index, doc, word: str) -> bool:
    """A syllable that in this document stands inside a compound the corpus mostly writes
    together ("chẩn" of "chẩn đoán", "bì" of "bao bì", "thảo" of "thảo dược"): a neighbour
    (not a function word) forms a bigram found in at least half the documents that have the
    syllable as written (its accented feature), and in 2 or more. A free word ("ngập", "ủ")
    stands in several compounds or alone."""

    analyzer, voc = index.analyzer, index.vocabulary
    info = analyzer.token_info(word)
    fid = voc.ids.get(info.folded)
    own = voc.ids.get(info.accented) if info.accented is not None else fid
    if fid is None or own is None or index.df[own] <= 0:
        return False
    need = max(2.0, 0.5 * float(index.df[own]))
    for text in (doc.title, *doc.keywords, doc.text):
        toks = analyzer.tokens(text)
        for i, t in enumerate(toks):
            if t.surface != word:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(toks) or toks[j].stop:
                    continue
                if toks[j].surface in DISPLAY_FUNCTION_WORDS:
                    continue
                other = voc.ids.get(toks[j].folded)
                if other is None:
                    continue
                left, right = (other, fid) if j < i else (fid, other)
                big = voc.bigram_ids(np.array([left]), np.array([right]), False)[0]
                if big >= 0 and index.df[big] >= need:
                    return True
    return False


def display_terms(index, doc, terms):
    """The terms as shown: a bridge whose two sides are the same word is a plain term, phrase
    ends lose their function words, and each term says whether a person should see it
    (``shown``: not a number, a function word or a fragment). Contributions are untouched,
    so the terms still add up to the text score."""
    fold = strip_diacritics
    merged: dict[tuple[str, str], object] = {}
    for t in terms:
        via = t.via if t.via and fold(t.via) != fold(t.term) else ""
        term = _trim(t.term)
        key = (via, term)
        if key in merged:
            old = merged[key]
            feats = tuple(sorted({*old.features, *t.features}))
            merged[key] = replace(
                old, contribution=old.contribution + t.contribution, features=feats
            )
        else:
            merged[key] = replace(t, term=term, via=via)
    out = []
    for t in merged.values():
        shown = readable(t, index.dictionary)
        if shown and not t.via and " " not in t.term:
            word = t.term
            single = index.dictionary is not None and index.dictionary.is_single_term(word)
            if not single and bound_syllable(index, doc, word):
                shown = False
        out.append(replace(t, shown=shown))
    out.sort(key=lambda t: (-t.contribution, t.label))
    return out
