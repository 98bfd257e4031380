"""Turn per-feature score contributions into terms a person can read.

The engine scores *features* ("thuy", "thủy", "thuy san"). An explanation shows the words of the
document that produced them, as written there: the bigrams "nuoi trong", "trong thuy" and
"thuy san" that matched side by side merge into one phrase "nuôi trồng thủy sản", together with
the unigram features of its syllables. Every feature is counted in exactly one term, so the
contributions of the terms add up to the text score.
"""

from __future__ import annotations

from ecosystem.matching.text import Analyzer, TokenInfo
from ecosystem.matching.weights import Weights


def _sequence(analyzer: Analyzer, doc) -> list[TokenInfo | None]:
    """Tokens of title, keywords and text in order, None between fields (as in counts())."""
    seq: list[TokenInfo | None] = []
    for text in (doc.title, *doc.keywords, doc.text):
        seq.extend(analyzer.tokens(text))
        seq.append(None)
    return seq


def group_contributions(analyzer: Analyzer, doc, weights: Weights, contribs: dict[str, float]):
    from ecosystem.matching.datatypes import TermContribution

    if not contribs:
        return []
    seq = _sequence(analyzer, doc)
    parent = list(range(len(seq)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    occurrences: dict[str, list[int]] = {}
    for i, tok in enumerate(seq):
        if tok is None or tok.stop:
            continue
        for f in (tok.folded, tok.accented):
            if f is not None and f in contribs:
                occurrences.setdefault(f, []).append(i)
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if weights.analyzer.bigrams and nxt is not None and not nxt.stop:
            bigram = tok.folded + " " + nxt.folded
            if bigram in contribs:
                occurrences.setdefault(bigram, []).append(i)
                parent[find(i + 1)] = find(i)

    members: dict[int, list[int]] = {}
    for i in range(len(seq)):
        if seq[i] is not None:
            members.setdefault(find(i), []).append(i)

    groups: dict[str, tuple[float, list[str]]] = {}
    for feature, value in contribs.items():
        positions = occurrences.get(feature)
        if positions:
            # the occurrence inside the longest matched phrase, else the first one
            best = max(positions, key=lambda p: (len(members[find(p)]), -p))
            surface = " ".join(seq[p].surface for p in sorted(members[find(best)]))
        else:  # cannot happen for features of this document; keep the sum exact anyway
            surface = feature
        total, feats = groups.get(surface, (0.0, []))
        groups[surface] = (total + value, [*feats, feature])
    terms = [
        TermContribution(term=s, contribution=v, features=tuple(sorted(f)))
        for s, (v, f) in groups.items()
    ]
    terms.sort(key=lambda t: (-t.contribution, t.term))
    return terms
