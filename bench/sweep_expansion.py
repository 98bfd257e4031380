"""Sweep the dictionary expansion's weight (and same-language synonyms) on the dev sets.

PYTHONPATH=. python bench/sweep_expansion.py
"""

from dataclasses import replace

from ecosystem.matching.engine.evaluate import default_devsets, evaluate_paths
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS

# (dev set, group): the cross-language cases, and the two sets written before the dictionary
GROUPS = (
    ("hue-crosslang", "cross"),
    ("hue-crosslang", "cross_folded"),
    ("hue-innovation", "all"),
    ("hue-innovation", "all_folded"),
    ("hue-seed", "all"),
    ("hue-seed", "all_folded"),
    ("hue-seed", "profiles"),
)


def main() -> None:
    paths = default_devsets()
    print(
        f"{'weight':>6} {'same':>5} "
        + " ".join(f"{(d[4:8] + ':' + g)[:13]:>13}" for d, g in GROUPS)
        + "  (nDCG@10/P@1)"
    )
    for same in (False, True):
        for weight in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
            w = replace(DEFAULT_WEIGHTS, expansion_weight=weight, expand_same_language=same)
            r = evaluate_paths(paths, w)
            cells = [f"{r[d][g]['nDCG@10']:.3f}/{r[d][g]['P@1']:.3f}" for d, g in GROUPS]
            print(f"{weight:>6} {same!s:>5} " + " ".join(f"{c:>13}" for c in cells))


if __name__ == "__main__":
    main()
