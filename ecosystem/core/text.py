"""Vietnamese-first text utilities shared by search, duplicate detection and matching.

Pure functions, no Flask: the matching engine and the registry both rely on them, so a
query typed without diacritics ("dai hoc hue") meets accented text ("Đại học Huế").
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


# A lone surrogate cannot be encoded as UTF-8 (the database driver, the saved matching
# index and every file we write fail on it) and PostgreSQL text cannot hold NUL: both are
# refused at the door instead of failing somewhere deep inside.
_INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def has_invalid_characters(text: str) -> bool:
    """True when ``text`` holds a NUL character or a lone UTF-16 surrogate."""
    return _INVALID_CHARACTERS.search(text) is not None
