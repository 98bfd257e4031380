"""Vietnamese-first text analysis for the matching engine.

Pure functions, no Flask. A text becomes weighted *features*:

* a **folded unigram** for every token ("thủy" -> "thuy"; English plurals lightly stemmed),
  so a query typed without diacritics meets accented documents;
* an **accented unigram** for tokens that carry diacritics ("thủy"), so an accented query is
  more precise than a folded one (it matches both features);
* a **folded bigram** for adjacent non-stop-word tokens ("thuy san"): Vietnamese words are
  mostly two syllables, so syllable bigrams stand in for word segmentation.

The two unigram namespaces never collide: an accented feature always contains a character that
folding changes, a folded feature never does. Bigram features contain a space, unigrams never.

Tokens are NFC, case-folded runs of letters and digits; one-letter syllables are kept ("y tế").
Han, kana and Hangul characters are one token each (their bigrams then act as words); other
scripts (Cyrillic, Greek, Arabic, ...) are tokenised like Latin text and folded with the same
rules (so "й" also matches "и"). Nothing here raises on any string.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ecosystem.matching.engine.folding import normalize, strip_diacritics

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A token: one CJK character, or a run of letters/digits (combining marks kept inside the run).
TOKEN_RE = re.compile(rf"[{_CJK}]|(?:[^\W_{_CJK}]|[\u0300-\u036f])+")


def _words(text: str) -> list[str]:
    return text.split()


# Function words. Folded unigrams of these are not features (their idf is near zero anyway and
# their posting lists are the longest, so dropping them makes queries much faster). They still
# break bigrams. Vietnamese entries are accented; a diacritic-free query token is treated as a
# stop word only when its folded form is in FOLDED_STOP (unambiguous folds only).
ENGLISH_STOP = frozenset(
    _words(
        """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves also may might must shall us via per within without upon whether"""
    )
)
VIETNAMESE_STOP = frozenset(
    _words(
        """và của các là có được những với một này để đã theo từ về đến trên tại
    cũng như nhiều hoặc hay thì mà nên bởi vì nếu đó đây ấy rằng vào lại còn đang sẽ
    bị việc sự cái chiếc nhằm giữa dưới trước mỗi mọi nào gì tới"""
    )
)
# Diacritic-free tokens that are also common Vietnamese syllables once folded ("can" is "cần",
# "he" is "hệ", "may" is "máy", "an" is "an toàn"): never stop words, or a query typed without
# diacritics would lose them.
VIETNAMESE_FOLDS = frozenset(
    _words("a an am be but can do he i in it ma may me my no on so than that the them to")
)
# Folded forms of Vietnamese function words that are not also a content syllable.
FOLDED_STOP = frozenset(_words("cac hoac viec nhieu"))
STOP_WORDS = (ENGLISH_STOP - VIETNAMESE_FOLDS) | VIETNAMESE_STOP


def light_stem(token: str) -> str:
    """Harman's S-stemmer, written for folded ASCII tokens ("studies" -> "study").

    Safe for folded Vietnamese: no Vietnamese syllable ends in "s".
    """
    if len(token) <= 3 or not token.endswith("s") or not token.isascii():
        return token
    if token.endswith("ies") and not token.endswith(("eies", "aies")):
        return token[:-3] + "y"
    if token.endswith("es") and not token.endswith(("aes", "ees", "oes")):
        return token[:-1]
    if token.endswith("s") and not token.endswith(("us", "ss")):
        return token[:-1]
    return token


@dataclass(frozen=True)
class AnalyzerOptions:
    """What the analyzer emits. Part of the engine's weights (see weights.py)."""

    accented: bool = True  # accented unigram features besides folded ones
    bigrams: bool = True  # folded syllable/word bigrams
    stem: bool = True  # light English S-stemming of folded unigrams
    stopwords: bool = True  # drop stop-word unigrams (they still break bigrams)


@dataclass(frozen=True)
class TokenInfo:
    surface: str  # NFC, case-folded token as written
    folded: str  # folded (and stemmed) unigram feature
    accented: str | None  # accented unigram feature, or None when folding changes nothing
    stop: bool


class Analyzer:
    """Turns text into features. Caches per distinct token, so it is fast on large corpora."""

    def __init__(self, options: AnalyzerOptions | None = None):
        self.options = options or AnalyzerOptions()
        self._cache: dict[str, TokenInfo] = {}

    def token_info(self, token: str) -> TokenInfo:
        info = self._cache.get(token)
        if info is None:
            info = self._make_info(token)
            if len(self._cache) < 2_000_000:
                self._cache[token] = info
        return info

    def _make_info(self, token: str) -> TokenInfo:
        opts = self.options
        folded = strip_diacritics(token)
        if not folded:  # a token of combining marks only
            folded = token
        stop = opts.stopwords and (
            token in STOP_WORDS or (folded == token and folded in FOLDED_STOP)
        )
        stemmed = light_stem(folded) if opts.stem else folded
        accented = token if (opts.accented and folded != token) else None
        return TokenInfo(token, stemmed, accented, stop)

    def tokens(self, text: str | None) -> list[TokenInfo]:
        """The tokens of a text, in order, stop words included (they break bigrams)."""
        if not text:
            return []
        info = self.token_info
        return [info(tok) for tok in TOKEN_RE.findall(normalize(text))]

    def counts(self, text: str | None, weight: float = 1.0, into: dict | None = None) -> dict:
        """Add this text's feature counts (times ``weight``) into a dict feature -> count."""
        out: dict[str, float] = {} if into is None else into
        toks = self.tokens(text)
        if not toks:
            return out
        get = out.get
        for t in toks:
            if t.stop:
                continue
            out[t.folded] = get(t.folded, 0.0) + weight
            if t.accented is not None:
                out[t.accented] = get(t.accented, 0.0) + weight
        if self.options.bigrams:
            prev = None
            for t in toks:
                if t.stop:
                    prev = None
                    continue
                if prev is not None:
                    key = prev + " " + t.folded
                    out[key] = get(key, 0.0) + weight
                prev = t.folded
        return out


def sublinear(count: float) -> float:
    """1 + ln(tf): a term said ten times is not ten times as telling."""
    return 1.0 + math.log(count) if count > 0 else 0.0


def feature_kind(feature: str) -> str:
    """'bigram', 'accented' or 'folded' (the three namespaces described above)."""
    if " " in feature:
        return "bigram"
    if strip_diacritics(feature) != feature:
        return "accented"
    return "folded"


def surface_tokens(text: str | None) -> list[str]:
    """NFC, case-folded tokens of a text (for display and for explanations)."""
    return TOKEN_RE.findall(normalize(text)) if text else []
