"""Vietnamese-first text folding: the one definition search and matching share.

Pure standard library, so the engine stays a library of its own; ``ecosystem.core.text``
re-exports these for search and duplicate detection, so a query typed without diacritics
("dai hoc hue") meets accented text ("Đại học Huế") the same way in both.
"""

from __future__ import annotations

import re
import unicodedata

# "đ" is a letter of its own, not "d" plus a combining mark, so NFD does not strip it.
_SPECIAL_FOLDS = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """NFC, case-folded, with runs of white space collapsed to one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", text).strip()


def strip_diacritics(text: str | None) -> str:
    """Remove Vietnamese (and other Latin) diacritics, keeping case: "Huế" -> "Hue"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(text: str | None) -> str:
    """The comparison key used by search: normalized and without diacritics."""
    return strip_diacritics(normalize(text))
