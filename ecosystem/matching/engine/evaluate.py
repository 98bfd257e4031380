"""Ranking metrics and the evaluation of the engine on labelled development sets.

A dev set is JSONL: a ``{"type": "meta", ...}`` line (optional), ``{"type": "doc", "id", "title",
"text", "kind"?, "facets"?}`` lines and ``{"type": "query", "id", "title"?, "text"?,
"documents"?, "facets"?, "kinds"?, "lang", "relevant": {doc_id: grade}}`` lines (grade >= 1 is
relevant; higher is better). Vietnamese queries are evaluated twice: as written and with the
diacritics stripped (as typed on a keyboard without Vietnamese input).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecosystem.matching.engine.datatypes import Document
from ecosystem.matching.engine.devset_from_seed import seed_devset_path
from ecosystem.matching.engine.folding import strip_diacritics
from ecosystem.matching.engine.index import MatchIndex
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS, Weights

DATA_DIR = Path(__file__).resolve().parent / "data"


def precision_at_1(ranking: Sequence[str], relevant: Mapping[str, float]) -> float:
    return 1.0 if ranking and relevant.get(ranking[0], 0) > 0 else 0.0


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, float]) -> float:
    for i, doc_id in enumerate(ranking, 1):
        if relevant.get(doc_id, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranking: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """nDCG with gains 2^grade - 1 and log2 discounts."""
    dcg = sum(
        (2 ** relevant.get(d, 0) - 1) / math.log2(i + 1) for i, d in enumerate(ranking[:k], 1)
    )
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


@dataclass
class DevQuery:
    id: str
    documents: list[Document]
    relevant: dict[str, float]
    lang: str = ""
    kinds: list[str] | None = None
    facets: dict | None = None
    cross: bool = False  # a cross-language case: its answers are in the other language


@dataclass
class DevSet:
    name: str
    docs: list[Document]
    queries: list[DevQuery]
    meta: dict = field(default_factory=dict)
    doc_lang: dict[str, str] = field(default_factory=dict)


def _doc(obj: Mapping, default_id: str) -> Document:
    return Document(
        id=str(obj.get("id") or default_id),
        kind=str(obj.get("kind") or ""),
        title=str(obj.get("title") or ""),
        text=str(obj.get("text") or ""),
        keywords=tuple(obj.get("keywords") or ()),
        facets=dict(obj.get("facets") or {}),
    )


def load_devset(path: str | Path) -> DevSet:
    path = Path(path)
    docs: list[Document] = []
    queries: list[DevQuery] = []
    meta: dict = {}
    doc_lang: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        kind = obj.get("type")
        if kind == "meta":
            meta = obj
        elif kind == "doc":
            docs.append(_doc(obj, f"doc{number}"))
            if obj.get("lang"):
                doc_lang[docs[-1].id] = str(obj["lang"])
        elif kind == "query":
            qid = str(obj["id"])
            if "documents" in obj:
                members = [_doc(m, f"{qid}#{j}") for j, m in enumerate(obj["documents"])]
            else:
                members = [_doc(obj, qid)]
            queries.append(
                DevQuery(
                    id=qid,
                    documents=members,
                    relevant={str(k): float(v) for k, v in obj["relevant"].items()},
                    lang=str(obj.get("lang") or ""),
                    kinds=obj.get("kinds"),
                    facets=obj.get("facets"),
                    cross=bool(obj.get("cross")),
                )
            )
        else:
            raise ValueError(f"{path}:{number}: unknown line type {kind!r}")
    return DevSet(meta.get("name") or path.stem, docs, queries, meta, doc_lang)


def _folded(doc: Document) -> Document:
    return Document(
        doc.id,
        doc.kind,
        strip_diacritics(doc.title),
        strip_diacritics(doc.text),
        tuple(strip_diacritics(k) for k in doc.keywords),
        doc.facets,
    )


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def evaluate_devset(
    devset: DevSet, weights: Weights = DEFAULT_WEIGHTS, use_facets: bool = True
) -> dict[str, dict[str, float]]:
    """Metrics per group: all queries, vi (accented), vi_folded, en, profiles; and for the
    cross-language cases "cross" (and "cross_folded"), judged on their answers in the other
    language only (a related document in the query's own language does not count there)."""
    index = MatchIndex.build(devset.docs, weights)
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for q in devset.queries:
        variants = [("", q.documents)]
        if q.lang == "vi":
            variants.append(("_folded", [_folded(d) for d in q.documents]))
        for suffix, members in variants:
            query = members[0] if len(members) == 1 else members
            hits = index.search(
                query,
                10,
                kinds=q.kinds,
                facets=q.facets,
                use_facets=use_facets,
                exclude=[d.id for d in members],
            )
            ranking = [h.doc_id for h in hits]
            m = (
                precision_at_1(ranking, q.relevant),
                reciprocal_rank(ranking, q.relevant),
                ndcg_at_k(ranking, q.relevant, 10),
            )
            groups = [("all" if not suffix else "all_folded")]
            groups.append((q.lang or "other") + suffix)
            if len(members) > 1:
                groups.append("profiles" + suffix)
            for g in groups:
                rows.setdefault(g, []).append(m)
            if q.cross:
                other = {
                    d: g for d, g in q.relevant.items() if devset.doc_lang.get(d, q.lang) != q.lang
                }
                rows.setdefault("cross" + suffix, []).append(
                    (
                        precision_at_1(ranking, other),
                        reciprocal_rank(ranking, other),
                        ndcg_at_k(ranking, other, 10),
                    )
                )
    return {
        g: {
            "queries": len(ms),
            "P@1": _mean(x[0] for x in ms),
            "MRR": _mean(x[1] for x in ms),
            "nDCG@10": _mean(x[2] for x in ms),
        }
        for g, ms in sorted(rows.items())
    }


def default_devsets() -> list[Path]:
    """The dev sets kept in the repository, plus the one derived from the seed data."""
    paths = sorted(DATA_DIR.glob("*.jsonl"))
    try:
        seed = seed_devset_path()
        if seed is not None and seed not in paths:
            paths.append(seed)
    except ImportError:  # pragma: no cover - the seed script is optional
        pass
    return paths


def evaluate_paths(paths: Sequence[str | Path], weights: Weights = DEFAULT_WEIGHTS) -> dict:
    results = {}
    for p in paths:
        devset = load_devset(p)
        results[devset.name] = evaluate_devset(devset, weights)
    if len(results) > 1:
        results["overall"] = _overall(results)
    return results


def _overall(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> dict:
    """Query-weighted means over the dev sets, per group."""
    out: dict[str, dict[str, float]] = {}
    groups = sorted({g for r in results.values() for g in r})
    for g in groups:
        rows = [r[g] for r in results.values() if g in r]
        n = sum(m["queries"] for m in rows)
        out[g] = {"queries": n}
        for key in ("P@1", "MRR", "nDCG@10"):
            out[g][key] = sum(m[key] * m["queries"] for m in rows) / n if n else 0.0
    return out


def format_report(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    lines = [f"{'dev set':<22}{'group':<18}{'queries':>8}{'P@1':>8}{'MRR':>8}{'nDCG@10':>9}"]
    for name, groups in results.items():
        for group, m in groups.items():
            lines.append(
                f"{name:<22}{group:<18}{m['queries']:>8}{m['P@1']:>8.3f}{m['MRR']:>8.3f}"
                f"{m['nDCG@10']:>9.3f}"
            )
    return "\n".join(lines)
