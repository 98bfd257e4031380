"""Index build on realistic text against scikit-learn's fit, in one run (prints numbers).

    PYTHONPATH=. python bench/bench_build_real.py --n 100000 [--processes 1] [--check]

The corpus is made of real sentences: every sentence of the seed registry (research results,
needs, groups, startups, investors: Vietnamese with diacritics and English) and of the dev
sets, recombined into ~165-word documents (a title from a real title, sentences drawn at
random, a few words swapped for other real words so that documents are not copies). Its
token distribution is that of the platform's real records; nothing is downloaded. It prints
the engine's build time (``MatchIndex.build``, the part of ``rank`` that dominates), the time
of ``TfidfVectorizer(sublinear_tf=True).fit_transform`` on the same texts in the same process,
and their ratio. ``--check`` prints a digest of the built index (features, rows, values):
equal digests before and after a change mean the change altered no result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecosystem.matching.engine import Document, MatchIndex  # noqa: E402

SEED = ROOT / "ecosystem" / "registry" / "seed"
DATA = ROOT / "ecosystem" / "matching" / "data"
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def real_texts() -> tuple[list[str], list[str]]:
    """(titles, sentences) of every real text in the repository."""
    titles, texts = [], []
    for name in ("results", "needs", "groups", "startups", "investors"):
        for row in json.loads((SEED / f"{name}.json").read_text(encoding="utf-8")):
            titles.append(row.get("title") or row.get("name_vi") or row.get("name") or "")
            for key in (
                "summary",
                "details",
                "problem",
                "expected_outcome",
                "description",
                "pitch",
                "thesis",
            ):
                if row.get(key):
                    texts.append(row[key])
    for path in DATA.glob("devset*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("type") in ("doc", "query"):
                titles.append(row.get("title") or "")
                texts.append(row.get("text") or "")
    sentences = [s.strip() for t in texts for s in _SENTENCE.split(t) if len(s.split()) >= 4]
    return [t for t in titles if t], sentences


def corpus(n: int, seed: int = 7, words: int = 165) -> list[Document]:
    rng = np.random.default_rng(seed)
    titles, sentences = real_texts()
    vocab = sorted({w for s in sentences for w in s.split()})
    lengths = np.array([len(s.split()) for s in sentences])
    docs = []
    for i in range(n):
        picked, count = [], 0
        while count < words:
            j = int(rng.integers(len(sentences)))
            picked.append(sentences[j])
            count += lengths[j]
        tokens = " ".join(picked).split()
        # swap about 5% of the words for other real words: no two documents are copies
        for k in rng.integers(len(tokens), size=max(1, len(tokens) // 20)):
            tokens[k] = vocab[int(rng.integers(len(vocab)))]
        docs.append(
            Document(f"d{i}", title=titles[int(rng.integers(len(titles)))], text=" ".join(tokens))
        )
    return docs


def digest(index: MatchIndex) -> str:
    h = hashlib.sha256()
    h.update("\n".join(index.feature_names).encode())
    for arr in (
        index.fwd.indptr,
        index.fwd.indices,
        index.fwd.data,
        index.df[: len(index.vocabulary)],
    ):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:16]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    docs = corpus(args.n)
    words = sum(len(d.text.split()) + len(d.title.split()) for d in docs) / len(docs)
    print(f"documents {len(docs)}, {words:.0f} words each on average (real sentences)")
    MatchIndex.build(docs[:2000])  # compile the kernels outside the timing
    t = time.perf_counter()
    index = MatchIndex.build(docs, processes=args.processes)
    build = time.perf_counter() - t
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{d.title}\n{d.text}" for d in docs]
    t = time.perf_counter()
    TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    fit = time.perf_counter() - t
    print(
        f"engine build      {build:8.2f} s  ({len(index.vocabulary)} features, nnz {index.fwd.nnz})"
    )
    print(f"scikit-learn fit  {fit:8.2f} s")
    print(f"build speed-up against scikit-learn: {fit / build:.2f}x")
    if args.check:
        print("index digest", digest(index))


if __name__ == "__main__":
    main()
