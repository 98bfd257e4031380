"""The bilingual S&T term dictionary and query expansion (pure: no Flask, no database).

A *group* holds the Vietnamese and English words for one concept ("nuôi tôm" = "shrimp
farming" | "shrimp culture"). The shipped groups live in data/terms.csv (``id, field, vi, en``,
alternatives separated by ``|``); the platform's admins add, merge and retire groups in the
database and the web layer hands the engine the merged list (``TermDictionary(groups)``).

Expansion. The query's tokens are matched against every term, as phrases: a term of several
tokens matches the same run of folded tokens ("nuoi tom" finds "nuôi tôm"), a match inside a
longer match is dropped ("tôm" inside "nuôi tôm"). A one-token term is ambiguous on text without
diacritics ("ca" may be "cá", "cà", "ca", "cả"), so:

* a Vietnamese one-token term fires only on the same accented token, in a text that has
  diacritics ("tôm" in "nuôi tôm", never "tom" in "nuoi tom"; "sen" only in accented text);
* an English one-token term shaped like a Vietnamese syllable ("tin", "lead" is not) fires
  only in a text that does not look Vietnamese.

Each matched term contributes the *other* language's terms of its group (and, when asked, its
own language's synonyms), which the engine adds to the query at ``Weights.expansion_weight``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ecosystem.matching.engine.folding import strip_diacritics
from ecosystem.matching.engine.text import Analyzer

DATA_FILE = Path(__file__).resolve().parent / "data" / "terms.csv"
LANGS = ("vi", "en")

# A folded token that could be a Vietnamese syllable: onset, a Vietnamese nucleus, coda.
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_NUCLEUS = (
    "(?:uyeu|uya|uye|uyu|oai|oao|oay|oeo|uay|uoi|uou|ieu|yeu|"
    "ai|ao|au|ay|eo|ia|iu|ie|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)"
)
_CODA = "(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE_RE = re.compile(f"^{_ONSET}{_NUCLEUS}{_CODA}$")


def looks_vietnamese_syllable(folded: str) -> bool:
    return bool(_SYLLABLE_RE.match(folded))


def looks_vietnamese(tokens: Sequence[str]) -> bool:
    """True for (possibly diacritic-free) Vietnamese text: nearly every folded token is
    shaped like a Vietnamese syllable (English has many that are not: "shrimp", "with")."""
    words = [t for t in tokens if t.isalpha()]
    if not words:
        return False
    shaped = sum(1 for t in words if looks_vietnamese_syllable(strip_diacritics(t)))
    return shaped >= 0.85 * len(words)


@dataclass(frozen=True)
class TermGroup:
    id: str
    vi: tuple[str, ...]
    en: tuple[str, ...]
    field: str = ""

    def terms(self, lang: str) -> tuple[str, ...]:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Bridge:
    """One dictionary match in a query: ``source`` as written there, in ``lang``."""

    group: str
    lang: str
    source: str  # the query's words, as written ("nuôi tôm")
    targets: tuple[str, ...]  # the equivalents added to the query
    start: int = 0  # token span in the text it was found in
    end: int = 0

    @property
    def label(self) -> str:
        return f"{self.source} ≈ {self.targets[0]}" if self.targets else self.source


@dataclass(frozen=True)
class _Term:
    group: int  # index into the dictionary's groups
    lang: str
    folded: tuple[str, ...]  # folded (stemmed) tokens, as the analyzer gives them
    surface: str  # NFC, case-folded, accented when written so
    single_accented: bool  # a Vietnamese one-token term written with diacritics
    single_ambiguous: bool  # a one-token term that needs its language's context


@dataclass
class TermDictionary:
    groups: list[TermGroup]
    _analyzer: Analyzer = field(default_factory=Analyzer, repr=False)

    def __post_init__(self):
        self._by_first: dict[str, list[_Term]] = {}
        self.max_len = 1
        self._singles: set[str] = set()
        self._shape: dict[str, bool] = {}
        for gi, g in enumerate(self.groups):
            for lang in LANGS:
                for term in g.terms(lang):
                    t = self._term(gi, lang, term)
                    if t is not None:
                        if len(t.folded) == 1:
                            self._singles.add(t.surface)
                        self._by_first.setdefault(t.folded[0], []).append(t)
                        self.max_len = max(self.max_len, len(t.folded))
        for terms in self._by_first.values():
            terms.sort(key=lambda t: -len(t.folded))

    def __len__(self) -> int:
        return len(self.groups)

    def is_single_term(self, token: str) -> bool:
        """A one-token term of the dictionary, as written (NFC, case-folded)."""
        return token in self._singles

    def _term(self, gi: int, lang: str, term: str) -> _Term | None:
        toks = self._analyzer.tokens(term)
        if not toks:
            return None
        surface = " ".join(t.surface for t in toks)
        single = len(toks) == 1
        accented = single and lang == "vi" and toks[0].accented is not None
        ambiguous = single and not accented and looks_vietnamese_syllable(toks[0].folded)
        return _Term(gi, lang, tuple(t.folded for t in toks), surface, accented, ambiguous)

    # ------------------------------------------------------------------ matching
    def find(self, text: str | None, same_language: bool = False) -> list[Bridge]:
        """The dictionary terms in a text (phrases, longest kept), each with what it adds."""
        if not text:
            return []
        toks = self._analyzer.tokens(text)
        if not toks:
            return []
        out = []
        for a, b, t in _outermost(self._matches(toks)):
            targets = self._targets(t, same_language)
            if targets:
                source = " ".join(x.surface for x in toks[a:b])
                out.append(Bridge(self.groups[t.group].id, t.lang, source, targets, a, b))
        return out

    def _matches(self, toks) -> list[tuple[int, int, _Term]]:
        """Every (start, end, term) whose tokens match, one-token terms only in their context."""
        accented_text = any(t.accented is not None for t in toks)
        vietnamese: bool | None = True if accented_text else None  # decided when needed
        folded = [t.folded for t in toks]
        found: list[tuple[int, int, _Term]] = []
        for i, f in enumerate(folded):
            for term in self._by_first.get(f, ()):
                n = len(term.folded)
                if tuple(folded[i : i + n]) != term.folded:
                    continue
                if term.single_accented and toks[i].surface != term.surface:
                    continue
                if term.single_ambiguous:
                    if term.lang == "vi" and not accented_text:
                        continue
                    if term.lang == "en":
                        if vietnamese is None:
                            vietnamese = self._looks_vietnamese(toks)
                        if vietnamese:
                            continue
                found.append((i, i + n, term))
        return found

    def _targets(self, t: _Term, same_language: bool) -> tuple[str, ...]:
        """What a matched term adds: the other language's terms (and its own synonyms)."""
        g = self.groups[t.group]
        other = "en" if t.lang == "vi" else "vi"
        targets = list(g.terms(other))
        if same_language:
            targets += [s for s in g.terms(t.lang) if self._fold(s) != t.folded]
        return tuple(targets)

    def _looks_vietnamese(self, toks) -> bool:
        cache = self._shape
        words = [t.surface for t in toks if t.surface.isalpha()]
        if not words:
            return False
        shaped = 0
        for w in words:
            v = cache.get(w)
            if v is None:
                v = looks_vietnamese_syllable(strip_diacritics(w))
                if len(cache) < 200_000:
                    cache[w] = v
            shaped += v
        return shaped >= 0.85 * len(words)

    def _fold(self, term: str) -> tuple[str, ...]:
        return tuple(t.folded for t in self._analyzer.tokens(term))


def _outermost(found: list[tuple[int, int, _Term]]) -> list[tuple[int, int, _Term]]:
    """The matches not lying inside a longer one; one per (span, group)."""
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, _Term]] = []
    seen: set[tuple[int, int, int]] = set()
    for a, b, t in found:
        if any(a2 <= a and b <= b2 and (b2 - a2) > (b - a) for a2, b2, _ in found):
            continue
        if (a, b, t.group) in seen:
            continue
        seen.add((a, b, t.group))
        kept.append((a, b, t))
    return kept


def read_groups(path: str | Path = DATA_FILE) -> list[TermGroup]:
    """The groups of a terms CSV (``id, field, vi, en``; alternatives split by ``|``)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            TermGroup(
                id=row["id"].strip(),
                vi=_split(row["vi"]),
                en=_split(row["en"]),
                field=(row.get("field") or "").strip(),
            )
            for row in csv.DictReader(fh)
            if row.get("id")
        ]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in (value or "").split("|") if t.strip()))


def merge_groups(base: Iterable[TermGroup], changes: Iterable[TermGroup | str]) -> list[TermGroup]:
    """The shipped groups with the admins' changes applied in order: a TermGroup replaces or
    adds the group of that id, a string id retires it."""
    groups = {g.id: g for g in base}
    for c in changes:
        if isinstance(c, str):
            groups.pop(c, None)
        else:
            groups[c.id] = c
    return list(groups.values())


@lru_cache(maxsize=1)
def shipped_dictionary() -> TermDictionary:
    """The dictionary of data/terms.csv (read once)."""
    return TermDictionary(read_groups())
