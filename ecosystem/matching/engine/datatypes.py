"""Data of the matching engine: documents in, hits and explanations out, and its errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecosystem.matching.engine.facets import FacetFit, QueryFacets

__all__ = [
    "Document",
    "DuplicateIdError",
    "EmptyProfileError",
    "Explanation",
    "FacetFit",
    "Hit",
    "IndexFormatError",
    "MatchingError",
    "QueryLike",
    "TermContribution",
    "UnknownDocumentError",
]


# ---------------------------------------------------------------------------- errors
class MatchingError(ValueError):
    """Bad input to the engine (message says what and where)."""


class DuplicateIdError(MatchingError):
    pass


class EmptyProfileError(MatchingError):
    pass


class UnknownDocumentError(MatchingError, KeyError):
    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0]) if self.args else ""


class IndexFormatError(MatchingError):
    """A saved index that is not ours, of another version or weights, or damaged."""


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Document:
    id: str
    kind: str = ""
    title: str = ""
    text: str = ""
    keywords: tuple[str, ...] = ()
    facets: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "keywords": list(self.keywords),
            "facets": dict(self.facets),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Document:
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind") or ""),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            keywords=tuple(str(k) for k in data.get("keywords") or ()),
            facets=dict(data.get("facets") or {}),
        )


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float  # text_score * facet_multiplier
    text_score: float  # TF-IDF cosine
    facet_multiplier: float
    kind: str = ""


@dataclass(frozen=True)
class TermContribution:
    term: str  # surface form as written in the document, e.g. "nuôi trồng thủy sản"
    contribution: float  # part of the text score; all of them add up to it
    features: tuple[str, ...]  # the index features behind it ("thuy san", "thủy", ...)
    via: str = ""  # a dictionary bridge: the query's words it came from ("nuôi tôm")
    shown: bool = True  # False: a number, function word or word fragment (explanations.readable)

    @property
    def label(self) -> str:
        """ "nuôi tôm ≈ shrimp farming" for a bridge, the term itself otherwise."""
        return f"{self.via} ≈ {self.term}" if self.via else self.term


@dataclass(frozen=True)
class Explanation:
    doc_id: str
    score: float
    text_score: float
    facet_multiplier: float
    terms: tuple[TermContribution, ...]
    facets: tuple[FacetFit, ...]


QueryLike = Document | Sequence[Document]


@dataclass
class _Query:
    features: np.ndarray  # int64 ids in the vocabulary
    coef: np.ndarray  # float64: score(d) = inv_norm[d] * sum(coef * r_d)
    facets: QueryFacets


def _check_doc(doc: Document) -> None:
    if not isinstance(doc, Document):
        raise MatchingError(f"expected a Document, got {type(doc).__name__}")
    if not isinstance(doc.id, str):
        raise MatchingError(f"document id must be a string, got {type(doc.id).__name__}")
    if not doc.id.strip():
        raise MatchingError("document without an id")


def _check_top_k(top_k: int) -> None:
    if not isinstance(top_k, int | np.integer) or top_k < 0:
        raise MatchingError(f"top_k must be an integer >= 0, got {top_k!r}")
