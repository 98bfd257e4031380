"""``rank`` prints a TREC run; ``evaluate`` prints dev-set metrics.

rank
    ``--corpus C.jsonl``: one JSON object a line, ``{"id", "title", "text"}`` (other keys are
    ignored; a missing title or text is empty). ``--queries Q.jsonl``: ``{"id", "title",
    "text"}`` or a profile ``{"id", "documents": [{"title", "text"}, ...]}``. Prints one line
    per hit, ``qid Q0 docid rank score hue-tfidf``, ranks from 1, best first, ties by doc id.
    ``--top-k 0`` ranks the whole corpus; documents sharing no term with a query are never
    listed, so a query matching nothing prints no line. TF-IDF cosine with the queries expanded
    through the shipped term dictionary (data/terms.csv: Vietnamese <-> English); no facets.

Errors (unreadable file, bad JSON with its line number, missing or duplicate id, empty profile,
negative --top-k) print one line on stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ecosystem.matching.engine.datatypes import Document, MatchingError
from ecosystem.matching.engine.evaluate import default_devsets, evaluate_paths, format_report
from ecosystem.matching.engine.index import MatchIndex

TAG = "hue-tfidf"


class CliError(Exception):
    pass


def _read_jsonl(path: str, what: str):
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CliError(f"cannot read {what} file {path}: {exc.strerror or exc}") from exc
    with fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CliError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise CliError(f"{path}:{number}: expected a JSON object")
                yield number, obj
        except UnicodeDecodeError as exc:
            raise CliError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def _text(obj: dict, key: str, path: str, number: int) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CliError(f"{path}:{number}: {key!r} must be a string")
    return value


def _id(obj: dict, path: str, number: int) -> str:
    value = obj.get("id")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CliError(f"{path}:{number}: missing id")
    if not isinstance(value, str | int):
        raise CliError(f"{path}:{number}: id must be a string or a number")
    return str(value)


def load_corpus(path: str):

    docs, seen = [], {}
    for number, obj in _read_jsonl(path, "corpus"):
        doc_id = _id(obj, path, number)
        if doc_id in seen:
            raise CliError(
                f"{path}:{number}: duplicate id {doc_id!r} (first on line {seen[doc_id]})"
            )
        seen[doc_id] = number
        docs.append(
            Document(
                doc_id,
                title=_text(obj, "title", path, number),
                text=_text(obj, "text", path, number),
            )
        )
    return docs


def load_queries(path: str):

    ids, queries, seen = [], [], {}
    for number, obj in _read_jsonl(path, "queries"):
        qid = _id(obj, path, number)
        if qid in seen:
            raise CliError(
                f"{path}:{number}: duplicate query id {qid!r} (first on line {seen[qid]})"
            )
        seen[qid] = number
        if "documents" in obj:
            members = obj["documents"]
            if not isinstance(members, list):
                raise CliError(f"{path}:{number}: 'documents' must be a list")
            if not members:
                raise CliError(f"{path}:{number}: empty profile (query {qid!r} has no documents)")
            profile = []
            for j, m in enumerate(members):
                if not isinstance(m, dict):
                    raise CliError(f"{path}:{number}: profile document {j + 1} is not an object")
                profile.append(
                    Document(
                        f"{qid}#{j}",
                        title=_text(m, "title", path, number),
                        text=_text(m, "text", path, number),
                    )
                )
            queries.append(profile)
        else:
            queries.append(
                Document(
                    qid,
                    title=_text(obj, "title", path, number),
                    text=_text(obj, "text", path, number),
                )
            )
        ids.append(qid)
    return ids, queries


def cmd_rank(args) -> int:
    if args.top_k < 0:
        raise CliError(f"--top-k must be 0 or more, got {args.top_k}")
    docs = load_corpus(args.corpus)
    qids, queries = load_queries(args.queries)

    # both cores for large runs (forked workers share the index); blocks bound the memory
    processes = min(2, os.cpu_count() or 1)
    index = MatchIndex.build(docs, processes=processes)
    out = sys.stdout
    step = 8192 if args.top_k else 256
    for start in range(0, len(queries), step):
        block = queries[start : start + step]
        results = index.search_many(block, args.top_k, use_facets=False, processes=processes)
        lines = []
        for qid, hits in zip(qids[start : start + step], results, strict=True):
            for rank, hit in enumerate(hits, 1):
                lines.append(f"{qid} Q0 {hit.doc_id} {rank} {hit.score:.8f} {TAG}\n")
        out.write("".join(lines))
    out.flush()
    return 0


def cmd_evaluate(args) -> int:

    paths = args.devset or default_devsets()
    if not paths:
        raise CliError("no development set found")
    print(format_report(evaluate_paths(paths)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ecosystem.matching", description="TF-IDF matching engine"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rank = sub.add_parser("rank", help="print a TREC run of queries against a corpus")
    rank.add_argument("--corpus", required=True, help="JSONL, one {id, title, text} a line")
    rank.add_argument(
        "--queries", required=True, help="JSONL, {id, title, text} or {id, documents}"
    )
    rank.add_argument("--top-k", type=int, default=10, help="hits per query; 0 = all")
    rank.set_defaults(func=cmd_rank)
    ev = sub.add_parser("evaluate", help="P@1, MRR, nDCG@10 on the development sets")
    ev.add_argument("--devset", action="append", help="a dev set JSONL (repeatable)")
    ev.set_defaults(func=cmd_evaluate)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return int(exc.code or 0) if exc.code in (0, None) else 2
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: out of memory", file=sys.stderr)
        return 2
    except Exception as exc:  # the contract: one line on stderr, never a traceback
        kind = "" if isinstance(exc, MatchingError) else f"{type(exc).__name__}: "
        print(f"error: {kind}{exc}", file=sys.stderr)
        return 2
