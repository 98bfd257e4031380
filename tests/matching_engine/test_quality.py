"""Quality floors on the development sets: fail when ranking gets worse.

Floors sit a little below the values measured when they were set (see the comments); raise
them when the engine improves, never lower them to make a change pass.
"""

import json
from dataclasses import replace

import pytest

from ecosystem.matching.engine import devset_from_seed
from ecosystem.matching.engine.evaluate import DATA_DIR, DevSet, evaluate_devset, load_devset
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS

# group -> (P@1, MRR, nDCG@10) floors
HAND_FLOORS = {
    "all": (0.95, 0.97, 0.85),  # measured 1.000 1.000 0.895
    "vi": (0.95, 0.97, 0.86),  # measured 1.000 1.000 0.907
    "vi_folded": (0.95, 0.97, 0.86),  # measured 1.000 1.000 0.905
    "en": (0.92, 0.95, 0.82),  # measured 1.000 1.000 0.871
    "profiles": (0.79, 0.89, 0.82),  # measured 1.000 1.000 0.871
}
# the cross-language cases (issue 14), judged on their answers in the other language;
# before the term dictionary: cross .077 .136 .167, cross_folded .125 .194 .216
CROSS_FLOORS = {
    "cross": (0.90, 0.93, 0.90),  # measured 0.969 0.985 0.977
    "cross_folded": (0.90, 0.93, 0.90),  # measured 1.000 1.000 0.984
}
SEED_FLOORS = {
    "all": (0.80, 0.87, 0.84),  # measured 0.841 0.906 0.874
    "vi": (0.80, 0.88, 0.86),  # measured 0.846 0.914 0.892
    "vi_folded": (0.82, 0.89, 0.86),  # measured 0.862 0.921 0.894
    "profiles": (0.35, 0.62, 0.72),  # measured 0.429 0.673 0.761
}


def check(results, floors):
    for group, (p1, mrr, ndcg) in floors.items():
        m = results[group]
        assert m["P@1"] >= p1, (group, m)
        assert m["MRR"] >= mrr, (group, m)
        assert m["nDCG@10"] >= ndcg, (group, m)


def test_hand_written_devset():
    check(evaluate_devset(load_devset(DATA_DIR / "devset.jsonl")), HAND_FLOORS)


def test_cross_language_devset():
    check(evaluate_devset(load_devset(DATA_DIR / "devset_crosslang.jsonl")), CROSS_FLOORS)


# written after the dictionary and never used to tune it: 22 cases; before the dictionary
# cross P@1 .182, nDCG@10 .215 (folded .167, .208)
HOLDOUT_FLOORS = {
    "cross": (0.72, 0.80, 0.85),  # measured 0.818 0.890 0.918
    "cross_folded": (0.65, 0.72, 0.77),  # measured 0.750 0.791 0.837
}


def test_cross_language_holdout():
    path = DATA_DIR / "devset_crosslang_holdout.jsonl"
    check(evaluate_devset(load_devset(path)), HOLDOUT_FLOORS)


def test_cross_language_cases_need_the_dictionary():
    """The floor above is the dictionary's doing: without expansion the engine fails them."""

    devset = load_devset(DATA_DIR / "devset_crosslang.jsonl")
    plain = evaluate_devset(devset, replace(DEFAULT_WEIGHTS, expansion_weight=0.0))
    assert plain["cross"]["nDCG@10"] < 0.4


@pytest.fixture(scope="module")
def seed_devset(tmp_path_factory) -> DevSet:
    """The dev set built from the seed data as it is now, so a changed seed is measured too.
    The seed lives in the repository: its absence is a failure, not a reason to skip."""
    assert devset_from_seed.available(), "the registry seed data is missing"
    path = tmp_path_factory.mktemp("devset") / "devset_seed.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in devset_from_seed.build_records()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_devset(path)


def test_seed_devset(seed_devset):
    check(evaluate_devset(seed_devset), SEED_FLOORS)


def test_folded_queries_almost_as_good_as_accented(seed_devset):
    for devset in (load_devset(DATA_DIR / "devset.jsonl"), seed_devset):
        r = evaluate_devset(devset)
        assert r["vi_folded"]["MRR"] >= r["vi"]["MRR"] - 0.05
        assert r["vi_folded"]["nDCG@10"] >= r["vi"]["nDCG@10"] - 0.05


def test_facets_help_on_the_seed_devset(seed_devset):
    devset = seed_devset
    with_facets = evaluate_devset(devset)["all"]
    text_only = evaluate_devset(devset, use_facets=False)["all"]
    assert with_facets["nDCG@10"] >= text_only["nDCG@10"]
