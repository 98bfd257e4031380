import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "ecosystem.matching", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def write_jsonl(path, rows):
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    return str(path)


CORPUS = [
    {"id": "tom", "title": "Nuôi trồng thủy sản", "text": "Nuôi tôm thẻ chân trắng tuần hoàn"},
    {"id": "lua", "title": "Giống lúa chịu mặn", "text": "lúa ngắn ngày cho vùng ven biển"},
    {"id": "heat", "title": "Heat transfer", "text": "cooling of turbine blades", "x": 1},
    {"id": 42, "text": "numeric id, no title"},
    {"id": "same-b", "title": "identical words"},
    {"id": "same-a", "title": "identical words"},
]


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "corpus.jsonl", CORPUS)


def parse(stdout):
    return [line.split(" ") for line in stdout.splitlines()]


def test_rank_prints_a_trec_run(corpus, tmp_path):
    queries = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "q1", "text": "nuoi tom thuy san"},
            {"id": "q2", "title": "turbine blade cooling"},
            {"id": "q3", "documents": [{"title": "giống lúa"}, {"text": "chịu mặn ven biển"}]},
            {"id": "q4", "text": "zzzz nothing matches"},
            {"id": "q5", "text": "identical words"},
        ],
    )
    res = run("rank", "--corpus", corpus, "--queries", queries, "--top-k", "2")
    assert res.returncode == 0, res.stderr
    rows = parse(res.stdout)
    assert all(len(r) == 6 and r[1] == "Q0" and r[5] == "hue-tfidf" for r in rows)
    by_q = {}
    for qid, _, doc, rank, score, _ in rows:
        by_q.setdefault(qid, []).append((doc, int(rank), float(score)))
    assert by_q["q1"][0][:2] == ("tom", 1)
    assert by_q["q2"][0][:2] == ("heat", 1)
    assert by_q["q3"][0][:2] == ("lua", 1)
    assert "q4" not in by_q  # no line for a query that matches nothing
    assert [d for d, _, _ in by_q["q5"]] == ["same-a", "same-b"]  # ties by doc id
    for hits in by_q.values():
        assert [r for _, r, _ in hits] == list(range(1, len(hits) + 1))
        scores = [s for _, _, s in hits]
        assert scores == sorted(scores, reverse=True)
        assert len(hits) <= 2


def test_top_k_zero_ranks_all_matching_documents(corpus, tmp_path):
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "text": "lúa tôm heat no title"}])
    res = run("rank", "--corpus", corpus, "--queries", queries, "--top-k", "0")
    assert res.returncode == 0, res.stderr
    assert {r[2] for r in parse(res.stdout)} == {"tom", "lua", "heat", "42"}


@pytest.mark.parametrize(
    "corpus_rows, query_rows, args, message",
    [
        (CORPUS, ['{"id": "q1", "text": "x"}', "{not json"], [], "q.jsonl:2: invalid JSON"),
        (
            [*CORPUS, "[1, 2]"],
            [{"id": "q", "text": "x"}],
            [],
            "corpus.jsonl:7: expected a JSON object",
        ),
        (
            [*CORPUS, {"title": "no id"}],
            [{"id": "q", "text": "x"}],
            [],
            "corpus.jsonl:7: missing id",
        ),
        ([*CORPUS, {"id": "tom"}], [{"id": "q", "text": "x"}], [], "duplicate id 'tom'"),
        (CORPUS, [{"id": "q", "text": "x"}, {"id": "q", "text": "y"}], [], "duplicate query id"),
        (CORPUS, [{"id": "p", "documents": []}], [], "empty profile"),
        (CORPUS, [{"text": "no id"}], [], "q.jsonl:1: missing id"),
        (CORPUS, [{"id": "q", "text": "x"}], ["--top-k", "-3"], "--top-k must be 0 or more"),
    ],
)
def test_errors_are_one_line_and_non_zero(tmp_path, corpus_rows, query_rows, args, message):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", corpus_rows)
    queries = write_jsonl(tmp_path / "q.jsonl", query_rows)
    res = run("rank", "--corpus", corpus, "--queries", queries, *args)
    assert res.returncode != 0
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr
    assert res.stdout == ""


def test_missing_file_and_bad_arguments(tmp_path, corpus):
    res = run("rank", "--corpus", str(tmp_path / "nope.jsonl"), "--queries", corpus)
    assert res.returncode != 0 and "nope.jsonl" in res.stderr and "Traceback" not in res.stderr
    res = run("rank", "--corpus", corpus, "--queries", corpus, "--top-k", "many")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    res = run("nonsense")
    assert res.returncode != 0 and "Traceback" not in res.stderr


def test_not_utf8_is_an_error(tmp_path, corpus):
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes('{"id": "q", "text": "caf\u00e9"}\n'.encode("latin-1"))
    res = run("rank", "--corpus", corpus, "--queries", str(bad))
    assert res.returncode != 0 and "UTF-8" in res.stderr and "Traceback" not in res.stderr


def test_evaluate_prints_metrics_for_accented_and_folded_queries():
    res = run("evaluate")
    assert res.returncode == 0, res.stderr
    assert "P@1" in res.stdout and "nDCG@10" in res.stdout
    assert "vi_folded" in res.stdout and "hue-innovation" in res.stdout


def test_evaluate_with_a_missing_devset_fails_cleanly(tmp_path):
    res = run("evaluate", "--devset", str(tmp_path / "none.jsonl"))
    assert res.returncode != 0 and "Traceback" not in res.stderr
