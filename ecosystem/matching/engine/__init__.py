"""The matching engine: a pure TF-IDF library (numpy, scipy, numba; no Flask, no database).

Build a ``MatchIndex`` from ``Document``s, ask it for ``Hit``s and their ``Explanation``s
(``TermContribution``s that add up to the score), tune it with ``Weights``, widen queries
across languages with a ``TermDictionary``. ``python -m ecosystem.matching rank|evaluate`` is
its command line. The platform's feature modules (``ecosystem.matching.*``) turn registry
records into documents and scores into stored proposals; nothing here knows about them, and an
import-linter contract in pyproject.toml keeps it so.

The names below are loaded on first use, so importing the package (or its light ``folding``
module, which search shares) does not pull in numpy and the compiled kernels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "MatchIndex": "index",
    "Document": "datatypes",
    "Hit": "datatypes",
    "Explanation": "datatypes",
    "TermContribution": "datatypes",
    "MatchingError": "datatypes",
    "IndexFormatError": "datatypes",
    "Weights": "weights",
    "DEFAULT_WEIGHTS": "weights",
    "fit_band": "weights",
    "field_roots": "facets",
    "TermDictionary": "terms",
    "TermGroup": "terms",
    "merge_groups": "terms",
    "read_groups": "terms",
    "fold": "folding",
    "normalize": "folding",
    "strip_diacritics": "folding",
}

__all__ = [
    "DEFAULT_WEIGHTS",
    "Document",
    "Explanation",
    "Hit",
    "IndexFormatError",
    "MatchIndex",
    "MatchingError",
    "TermContribution",
    "TermDictionary",
    "TermGroup",
    "Weights",
    "field_roots",
    "fit_band",
    "fold",
    "merge_groups",
    "normalize",
    "read_groups",
    "strip_diacritics",
]

assert sorted(__all__) == sorted(_EXPORTS)  # one list, checked at import

if TYPE_CHECKING:  # what type checkers and readers see; at run time __getattr__ loads them
    from ecosystem.matching.engine.datatypes import (
        Document,
        Explanation,
        Hit,
        IndexFormatError,
        MatchingError,
        TermContribution,
    )
    from ecosystem.matching.engine.facets import field_roots
    from ecosystem.matching.engine.folding import fold, normalize, strip_diacritics
    from ecosystem.matching.engine.index import MatchIndex
    from ecosystem.matching.engine.terms import TermDictionary, TermGroup, merge_groups, read_groups
    from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS, Weights, fit_band


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
