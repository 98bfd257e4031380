"""Vietnamese-first text utilities shared by search, duplicate detection and matching.

The folding itself belongs to the matching engine (a pure library inside the platform, see
``ecosystem.matching.engine.folding``); it is re-exported here so that search and matching
fold text by one definition. What only the web platform needs stays here.
"""

from __future__ import annotations

import re

from ecosystem.matching.engine.folding import fold, normalize, strip_diacritics

__all__ = ["fold", "has_invalid_characters", "normalize", "strip_diacritics"]

# A lone surrogate cannot be encoded as UTF-8 (the database driver, the saved matching
# index and every file we write fail on it) and PostgreSQL text cannot hold NUL: both are
# refused at the door instead of failing somewhere deep inside.
_INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def has_invalid_characters(text: str) -> bool:
    """True when ``text`` holds a NUL character or a lone UTF-16 surrogate."""
    return _INVALID_CHARACTERS.search(text) is not None
