"""Every weight of the matching engine, in one documented place.

A saved index records a hash of these values; an index saved under other weights is refused
(it would silently score differently). Values were chosen by measurement on the development
sets (`python -m ecosystem.matching evaluate`) and the benchmark (bench/bench_matching.py); the
comment on each says what it does and why it has this value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from ecosystem.matching.engine.text import AnalyzerOptions

# Facet names, as they appear in explanations (the web layer translates them).
FACET_FIELDS = "fields"
FACET_TRL = "trl"
FACET_STAGE = "stage"
FACET_TICKET = "ticket"
FACET_DEADLINE = "deadline"
FACET_PROVINCE = "province"


@dataclass(frozen=True)
class Weights:
    # --- text (TF-IDF) -------------------------------------------------------------------
    analyzer: AnalyzerOptions = field(default_factory=AnalyzerOptions)
    # Title tokens count this many times in the term frequency (titles say what a record is
    # about). 2 is within noise of 1 and better than 3 on the seed dev set.
    title_weight: float = 2.0
    # Keywords (Document.keywords) count like title tokens.
    keyword_weight: float = 2.0
    # tf -> 1 + ln(tf). Better than raw tf on every set (Debian MRR .578 vs .559).
    sublinear_tf: bool = True
    # idf = ln((1 + N) / (1 + df)) + idf_offset (smooth: never negative, defined for df = 0).
    # 1 measured best with 2 (Debian MRR .611 vs .614, seed nDCG@10 .874 vs .873); 0 loses
    # on every set (.598, .869): a feature in every document should still count a little.
    idf_offset: float = 1.0
    # Multiplier of accented unigram features relative to folded ones. An accented query is
    # scored with both features, a diacritic-free one with the folded feature only. 0.7
    # measured best on the need-title queries (nDCG@10 .912 vs .907 at 1.0, .903 at 0.3) and
    # equal elsewhere: the accents disambiguate, but folded matching stays the backbone.
    accent_weight: float = 0.7
    # Multiplier of bigram features (phrases such as "thủy sản", "heat transfer"). 0.5: on
    # English known-item queries (Debian package descriptions, 30k documents) MRR .611 against
    # .578 at 1.0 and .585 without bigrams; on Vietnamese sets within .01 of 1.0, and better
    # than no bigrams (need titles nDCG@10 .907 against .891).
    bigram_weight: float = 0.5
    # Work bound for long queries (profiles, whole documents used as queries); 0 = none, the
    # default: every query is scored exactly (full TF-IDF cosine). With a bound, a query with
    # more than max_query_terms features keeps its max_query_terms features of largest
    # weight x idf (the most each can add to a score), and further ones in that order while
    # the postings they read stay within max_query_postings. search_many(bound=...) applies
    # one for a single all-pairs run. Measured with (64, 50_000): top-10 agreement with exact
    # scoring .944 on Debian descriptions used as profiles (48k documents), .76 on the
    # synthetic 100k benchmark corpus, for 4-10x less work (bench/bench_matching.py).
    max_query_terms: int = 0
    max_query_postings: int = 0
    # How a profile (several documents) becomes one query vector: "centroid" of the members'
    # normalised TF-IDF vectors, or "sum" of their raw counts (one long document). Centroid:
    # seed profiles nDCG@10 .787 against .767 (the best-member score, max, gave .812 on the
    # same 14 profiles - one query - at k times the cost and without one explainable vector).
    profile_mode: str = "centroid"
    # Query expansion through the bilingual term dictionary (terms.py, data/terms.csv): each
    # dictionary term found in a query adds its other-language equivalents at this weight
    # (a multiplier of their tf' values). 0 turns expansion off. See bench/matching_measurements.md.
    expansion_weight: float = 0.5
    # Also add the same-language synonyms of a matched term ("lợn" -> "heo").
    expand_same_language: bool = False

    # --- facets ---------------------------------------------------------------------------
    # final score = text score * multiplier, multiplier = (base + sum(w * fit)) / (base + sum(w))
    # over the facets both sides carry. No shared facet -> multiplier 1 (pure TF-IDF). With
    # base 1 and all facets failing, a match keeps 1 / (1 + sum(w)) of its text score: facets
    # re-rank, the text decides what is relevant at all.
    facet_base: float = 1.0
    # Share of the query's fields that the document also has. A match across unrelated fields
    # keeps 1 / (1 + field_weight) of its text score (and is marked "khác lĩnh vực"), so it
    # ranks below a same-field match unless its text score is twice as high. 1.0 by
    # measurement (bench/matching_measurements.md): seed nDCG@10 .899 vs .898 at 0.6 and
    # .878 at 0 (folded .896 / .893 / .866); the cross-language set is flat from 0 to 2.5.
    field_weight: float = 1.0
    # Fit of a field of the same taxonomy branch (both under "agriculture", say), when the
    # documents carry field_roots: between the same field (1) and an unrelated one (0).
    related_field_fit: float = 0.5
    # result TRL >= TRL wanted by the need. Kept light: on the seed dev set TRL fit slightly
    # hurts (nDCG@10 .879 without, .873 at 0.4, .854 at 1.0) - intended matches there include
    # less mature results - but the platform promises it, so it nudges, it does not decide.
    trl_weight: float = 0.25
    stage_weight: float = 0.5  # startup stage among the investor's stages
    ticket_weight: float = 0.5  # funding sought within the investor's ticket range
    province_weight: float = 0.1  # same province: a light boost only
    # A need whose deadline has passed keeps this share of its score (and is flagged).
    deadline_passed_factor: float = 0.1

    def config_hash(self) -> str:
        """Stable hash of the values above (stored in saved indexes)."""
        values = asdict(self)
        for query_only in ("expansion_weight", "expand_same_language"):
            values.pop(query_only)  # they change queries, never the saved index
        payload = json.dumps(values, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


DEFAULT_WEIGHTS = Weights()


# How a score reads to a person (list and detail pages show the band, the number on hover).
# Measured on the dev sets' top-10 lists (bench/matching_measurements.md): at 0.25 nine in ten
# proposals are the intended answer (and three quarters of the answers score that much); from
# 0.12 about half are; below, mostly related or unrelated records.
FIT_STRONG = 0.25
FIT_GOOD = 0.12


def fit_band(score: float) -> str:
    """ "strong", "good" or "weak"."""
    if score >= FIT_STRONG:
        return "strong"
    return "good" if score >= FIT_GOOD else "weak"
