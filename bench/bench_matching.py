"""Benchmark of the matching engine (prints numbers; not a test).

    PYTHONPATH=. python bench/bench_matching.py --sizes 10000,100000,1000000 \
        --queries 1000 --profiles 100000 --cli-queries 1000

For each corpus size it generates a synthetic corpus (half Vietnamese-like, half English-like,
Zipf-distributed words over topics, real function words at the head of the distribution), then
prints: index build time, single-query p50/p95 (short queries and profiles), add/update time,
batch throughput of profiles (top-10 of each profile), recall@10 of the engine against a brute
force exact scoring, and the wall-clock time of the whole `rank` command line process against a
baseline process doing the same with scikit-learn (TfidfVectorizer + linear_kernel). Then
(``--real``) the index build against scikit-learn's fit on realistic text in the same run
(bench_build_real.py: recombined real sentences of the registry seed and the dev sets).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecosystem.matching.engine import Document, MatchIndex  # noqa: E402


def _w(text: str) -> list[str]:
    return text.split()


VI_FUNCTION = _w(
    "và của các là có được cho trong những với một này để đã theo từ khi về đến trên tại "
    "cũng như nhiều hoặc thì mà nên vì nếu đó vào ra lại còn đang sẽ bị việc sự"
)
EN_FUNCTION = _w(
    "the of and to in a is for that with on as by are this from be an at which or we "
    "it was were these their has have been can also between into more than our using"
)
ONSETS = [*_w("b c ch d đ g gh gi h k kh l m n ng nh p ph qu r s t th tr v x"), ""]
NUCLEI = _w("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo iê oa oă oe oi ôi ơi ua uâ uô ươ ưu")
CODAS = ["", "", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # combining tone marks


def _vi_syllables(rng: np.random.Generator, n: int) -> list[str]:
    import unicodedata

    out: set[str] = set()
    while len(out) < n:
        s = rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
        # tone mark on the last vowel of the nucleus (close enough for a benchmark)
        tone = rng.choice(TONES)
        vowels = [i for i, ch in enumerate(s) if ch in "aăâeêioôơuưy"]
        if vowels and tone:
            i = vowels[-1]
            s = s[: i + 1] + tone + s[i + 1 :]
        out.add(unicodedata.normalize("NFC", s))
    return sorted(out)


def make_vocabularies(rng: np.random.Generator, size: int = 40000):
    syl = _vi_syllables(rng, 3000)
    vi_words: set[str] = set()
    while len(vi_words) < size:
        k = rng.choice([1, 2, 2, 2, 3])
        vi_words.add(" ".join(rng.choice(syl, k)))
    letters = "bcdfghklmnprstvw"
    vowels = "aeiou"
    en_words: set[str] = set()
    while len(en_words) < size:
        k = int(rng.integers(2, 5))
        w = "".join(rng.choice(list(letters)) + rng.choice(list(vowels)) for _ in range(k))
        en_words.add(w + rng.choice(["", "s", "tion", "ing", "al", "er"]))
    return sorted(vi_words), sorted(en_words)


class CorpusGenerator:
    """Topical Zipf text: each topic draws from its own permutation of the vocabulary."""

    def __init__(self, seed: int = 7, n_topics: int = 400):
        self.rng = np.random.default_rng(seed)
        self.vi, self.en = make_vocabularies(self.rng)
        v = len(self.vi)
        ranks = np.arange(1, v + 1)
        self.zipf = 1.0 / ranks**1.05
        self.zipf /= self.zipf.sum()
        self.cdf = np.cumsum(self.zipf)
        self.cdf[-1] = 1.0
        self.topics = [self.rng.permutation(v) for _ in range(n_topics)]
        self.background = np.arange(v)

    def _words(self, lang: str, topic: int, n: int) -> list[str]:
        rng = self.rng
        vocab = self.vi if lang == "vi" else self.en
        func = VI_FUNCTION if lang == "vi" else EN_FUNCTION
        n_func = rng.binomial(n, 0.3)
        n_topic = rng.binomial(n - n_func, 0.6)
        idx = np.concatenate(
            [
                self.topics[topic][np.searchsorted(self.cdf, rng.random(n_topic))],
                self.background[np.searchsorted(self.cdf, rng.random(n - n_func - n_topic))],
            ]
        )
        words = [vocab[i] for i in idx] + [func[i] for i in rng.integers(len(func), size=n_func)]
        order = rng.permutation(len(words))
        return [words[i] for i in order]

    def document(self, i: int, topic: int | None = None, lang: str | None = None) -> dict:
        rng = self.rng
        topic = int(rng.integers(len(self.topics))) if topic is None else topic
        lang = lang or ("vi" if i % 2 == 0 else "en")
        title = " ".join(self._words(lang, topic, int(rng.integers(5, 12))))
        text = " ".join(self._words(lang, topic, int(rng.integers(30, 120))))
        return {"id": f"d{i}", "title": title, "text": text, "topic": topic, "lang": lang}

    def corpus(self, n: int) -> list[dict]:
        return [self.document(i) for i in range(n)]

    def short_query(self, i: int) -> dict:
        topic = int(self.rng.integers(len(self.topics)))
        lang = "vi" if i % 2 == 0 else "en"
        words = self._words(lang, topic, int(self.rng.integers(2, 6)))
        return {"id": f"q{i}", "title": "", "text": " ".join(words)}

    def profile(self, i: int) -> dict:
        topic = int(self.rng.integers(len(self.topics)))
        lang = "vi" if i % 2 == 0 else "en"
        k = int(self.rng.integers(1, 4))
        members = [self.document(i * 10 + j, topic, lang) for j in range(k)]
        return {
            "id": f"p{i}",
            "documents": [{"title": m["title"], "text": m["text"]} for m in members],
        }


def to_documents(rows: list[dict]) -> list[Document]:
    return [Document(r["id"], title=r["title"], text=r["text"]) for r in rows]


def profile_documents(p: dict) -> list[Document]:
    return [
        Document(f"{p['id']}-{j}", title=m["title"], text=m["text"])
        for j, m in enumerate(p["documents"])
    ]


def exact_top(index: MatchIndex, query, k: int) -> list[str]:
    """Brute force: the full score vector from the forward matrix, independent of postings."""
    q = index._query(query)
    import scipy.sparse as sp

    nv = len(index.vocabulary)
    qv = np.zeros(nv)
    qv[q.features] = q.coef
    fwd = sp.vstack([index.fwd, index._delta_matrix()]).tocsr() if index.delta_rows else index.fwd
    scores = (fwd @ qv) * index.inv_norms()
    order = sorted(np.flatnonzero(scores > 0), key=lambda s: (-scores[s], index.slot_ids[s]))
    return [index.slot_ids[s] for s in order[:k]]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (load-independent work measure)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def percentile(values, p):
    return float(np.percentile(np.asarray(values) * 1000, p))


def qtext(q: dict) -> str:
    """A document's or profile's text as the baseline sees it (titles and texts joined)."""
    members = q.get("documents") or [q]
    return " ".join((m.get("title") or "") + " " + (m.get("text") or "") for m in members)


class SklearnBaseline:
    """The plain scikit-learn way, in this process: TfidfVectorizer, linear_kernel, top 10."""

    def __init__(self, rows: list[dict]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        t = time.perf_counter()
        self.vec = TfidfVectorizer(sublinear_tf=True)
        self.X = self.vec.fit_transform([qtext(r) for r in rows])
        self.build_s = time.perf_counter() - t

    def top10(self, texts: list[str]) -> None:
        from sklearn.metrics.pairwise import linear_kernel

        scores = linear_kernel(self.vec.transform(texts), self.X)
        for row in scores:
            top = np.argpartition(-row, 10)[:10]
            top[np.argsort(-row[top], kind="stable")]

    def time_single(self, texts: list[str]) -> list[float]:
        times = []
        for text in texts:
            t = time.perf_counter()
            self.top10([text])
            times.append(time.perf_counter() - t)
        return times

    def time_batch(self, texts: list[str], chunk: int = 128) -> float:
        t = time.perf_counter()
        for i in range(0, len(texts), chunk):
            self.top10(texts[i : i + chunk])
        return time.perf_counter() - t


def bench_size(n: int, args, gen: CorpusGenerator, workdir: Path) -> dict:
    out: dict = {"n": n}
    rows = gen.corpus(n)
    docs = to_documents(rows)
    t, cpu = time.perf_counter(), cpu_seconds()
    index = MatchIndex.build(docs, processes=args.build_processes)
    out["build_s"] = time.perf_counter() - t
    out["build_cpu_s"] = cpu_seconds() - cpu
    base = SklearnBaseline(rows)
    out["sklearn_build_s"] = base.build_s
    out["load_average"] = os.getloadavg()[0]
    out["features"] = len(index.vocabulary)
    out["nnz"] = int(index.fwd.nnz)

    shorts = [gen.short_query(i) for i in range(args.queries)]
    profiles = [gen.profile(i) for i in range(args.queries)]
    for name, qs in (("short", shorts), ("profile", profiles)):
        times = []
        for q in qs:
            query = (
                profile_documents(q)
                if "documents" in q
                else Document(q["id"], title=q["title"], text=q["text"])
            )
            t = time.perf_counter()
            index.search(query, 10)
            times.append(time.perf_counter() - t)
        out[f"{name}_p50_ms"] = percentile(times, 50)
        out[f"{name}_p95_ms"] = percentile(times, 95)
        base_times = base.time_single([qtext(q) for q in qs])
        out[f"sklearn_{name}_p50_ms"] = percentile(base_times, 50)
        out[f"sklearn_{name}_p95_ms"] = percentile(base_times, 95)

    # recall@10 against brute force, on a sample of both kinds
    half = max(args.recall_sample // 2, 1)
    sample = shorts[:half] + profiles[:half]
    hits = total = 0
    for q in sample:
        query = (
            profile_documents(q)
            if "documents" in q
            else Document(q["id"], title=q["title"], text=q["text"])
        )
        got = [h.doc_id for h in index.search(query, 10)]
        want = exact_top(index, query, 10)
        hits += len(set(got) & set(want))
        total += len(want)
    out["recall_at_10"] = hits / max(total, 1)

    # incremental: add and update one document
    add_times, upd_times = [], []
    for i in range(args.updates):
        d = gen.document(n + i)
        t = time.perf_counter()
        index.add(Document(d["id"], title=d["title"], text=d["text"]))
        add_times.append(time.perf_counter() - t)
        u = gen.document(i)
        t = time.perf_counter()
        index.upsert(Document(f"d{i}", title=u["title"], text=u["text"]))
        upd_times.append(time.perf_counter() - t)
    out["add_p50_ms"] = percentile(add_times, 50)
    out["add_p95_ms"] = percentile(add_times, 95)
    out["update_p95_ms"] = percentile(upd_times, 95)
    t = time.perf_counter()
    index.search(Document("q", text=shorts[0]["text"]), 10)
    out["first_query_after_updates_ms"] = (time.perf_counter() - t) * 1000

    # all-pairs: the exact top 10 of each of many profiles (new text, and lists of indexed
    # documents), beside scikit-learn doing the same on a share of them
    index.compact()
    n_prof = min(args.profiles, n) if args.profiles else min(n, 100_000)
    rng = np.random.default_rng(args.seed)
    raw = [gen.profile(10**7 + i) for i in range(n_prof)]
    batch = [profile_documents(p) for p in raw]
    t, cpu = time.perf_counter(), cpu_seconds()
    results = index.search_many(batch, 10, processes=args.processes)
    out["batch_profiles"] = n_prof
    out["batch_text_s"] = time.perf_counter() - t
    out["batch_text_cpu_s"] = cpu_seconds() - cpu
    out["batch_per_s"] = n_prof / out["batch_text_s"]
    out["batch_nonempty"] = sum(1 for r in results if r)
    id_batch = [
        [f"d{j}" for j in rng.integers(0, n, int(rng.integers(1, 4)))] for _ in range(n_prof)
    ]
    t = time.perf_counter()
    index.search_many(id_batch, 10, processes=args.processes)
    out["batch_ids_s"] = time.perf_counter() - t
    n_base = min(n_prof, args.baseline_profiles)
    base_s = base.time_batch([qtext(p) for p in raw[:n_base]])
    out["sklearn_batch_profiles"] = n_base
    out["sklearn_batch_per_s"] = n_base / base_s
    out["sklearn_batch_s_extrapolated"] = base_s * n_prof / max(n_base, 1)
    del base
    # the batch against brute force, on a sample
    sample = batch[: max(args.recall_sample // 4, 1)]
    hits = sum(
        len({h.doc_id for h in g} & set(exact_top(index, q, 10)))
        for g, q in zip(results[: len(sample)], sample, strict=True)
    )
    out["batch_recall_at_10"] = hits / max(sum(len(exact_top(index, q, 10)) for q in sample), 1)

    report(out)
    if args.cli_queries:
        files = write_cli_files(rows, gen, args.cli_queries, workdir)
        # free this process's index and corpus first: the two processes measured next
        # each build their own (at 1M documents that is most of the machine's memory)
        del index, docs, rows, batch, raw, id_batch, results, sample
        import gc

        gc.collect()
        out = {"n": n, **cli_vs_baseline(*files, workdir)}
        report(out)
    return out


def report(out: dict) -> None:
    print(
        json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}),
        flush=True,
    )


BASELINE = r"""
import json, sys
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
corpus = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
queries = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
k = int(sys.argv[3])
vec = TfidfVectorizer(sublinear_tf=True)
X = vec.fit_transform([(d.get("title") or "") + " " + (d.get("text") or "") for d in corpus])
def qtext(q):
    if "documents" in q:
        return " ".join((m.get("title") or "") + " " + (m.get("text") or "") for m in q["documents"])
    return (q.get("title") or "") + " " + (q.get("text") or "")
Q = vec.transform([qtext(q) for q in queries])
S = linear_kernel(Q, X)
ids = [d["id"] for d in corpus]
out = sys.stdout
for qi, q in enumerate(queries):
    s = S[qi]
    top = np.argpartition(-s, k)[:k]
    top = top[np.argsort(-s[top], kind="stable")]
    for r, j in enumerate(top, 1):
        if s[j] > 0:
            out.write(f"{q['id']} Q0 {ids[j]} {r} {s[j]:.6f} sklearn\n")
"""


def write_cli_files(rows: list[dict], gen: CorpusGenerator, n_queries: int, workdir: Path):
    corpus = workdir / f"corpus_{len(rows)}.jsonl"
    queries = workdir / f"queries_{len(rows)}.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(
                json.dumps(
                    {"id": r["id"], "title": r["title"], "text": r["text"]}, ensure_ascii=False
                )
                + "\n"
            )
    with queries.open("w", encoding="utf-8") as fh:
        for i in range(n_queries):
            fh.write(json.dumps(gen.profile(2 * 10**7 + i), ensure_ascii=False) + "\n")
    return corpus, queries


def cli_vs_baseline(corpus: Path, queries: Path, workdir: Path):
    baseline = workdir / "baseline.py"
    baseline.write_text(BASELINE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = {}
    for name, cmd in (
        (
            "cli",
            [
                sys.executable,
                "-m",
                "ecosystem.matching",
                "rank",
                "--corpus",
                str(corpus),
                "--queries",
                str(queries),
                "--top-k",
                "10",
            ],
        ),
        ("baseline", [sys.executable, str(baseline), str(corpus), str(queries), "10"]),
    ):
        t, cpu = time.perf_counter(), cpu_seconds()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        res[f"{name}_process_s"] = time.perf_counter() - t
        res[f"{name}_process_cpu_s"] = cpu_seconds() - cpu
        if proc.returncode:
            res[f"{name}_error"] = proc.stderr.strip()[-300:]
        res[f"{name}_lines"] = proc.stdout.count("\n")
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=300, help="single queries timed per kind")
    ap.add_argument(
        "--profiles",
        type=int,
        default=0,
        help="profiles in the batch run (0 = as many as documents, at most 100k)",
    )
    ap.add_argument("--updates", type=int, default=50)
    ap.add_argument(
        "--cli-queries",
        type=int,
        default=1000,
        help="profile queries for the CLI-vs-baseline run (0 = skip)",
    )
    ap.add_argument("--processes", type=int, default=2, help="workers of the batch run")
    ap.add_argument("--build-processes", type=int, default=2, help="workers of the build")
    ap.add_argument(
        "--baseline-profiles",
        type=int,
        default=5000,
        help="profiles scikit-learn scores in the batch comparison (its time is extrapolated)",
    )
    ap.add_argument(
        "--recall-sample", type=int, default=200, help="queries checked against brute-force scoring"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--real",
        type=int,
        default=100_000,
        help="documents of real sentences for the build-vs-scikit-learn run (0 = skip)",
    )
    args = ap.parse_args(argv)
    gen = CorpusGenerator(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",") if s):
            bench_size(n, args, gen, Path(tmp))
    if args.real:
        # the same comparison on realistic text: recombined real sentences (bench_build_real)
        from bench_build_real import main as real_build

        print(f"== realistic text, {args.real} documents ==")
        real_build(["--n", str(args.real), "--processes", str(args.build_processes)])


if __name__ == "__main__":
    main()
