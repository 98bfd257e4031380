"""Sweep the field facet weight on the dev sets.

PYTHONPATH=. python bench/sweep_field_weight.py ["{'related_field_fit': 0.25}"]
"""

import ast
import sys
from dataclasses import replace

from ecosystem.matching.engine.evaluate import default_devsets, evaluate_paths
from ecosystem.matching.engine.weights import DEFAULT_WEIGHTS

GROUPS = [
    ("hue-crosslang", "cross"),
    ("hue-crosslang", "cross_folded"),
    ("hue-crosslang-holdout", "cross"),
    ("hue-seed", "all"),
    ("hue-seed", "all_folded"),
    ("hue-seed", "profiles"),
]


def main() -> None:
    extra = ast.literal_eval(sys.argv[1]) if len(sys.argv) > 1 else {}
    paths = default_devsets()
    for fw in (0.0, 0.3, 0.6, 1.0, 1.5, 2.5):
        r = evaluate_paths(paths, replace(DEFAULT_WEIGHTS, field_weight=fw, **extra))
        cells = [
            f"{d[4:9]}:{g[:8]} {r[d][g]['nDCG@10']:.3f}/{r[d][g]['P@1']:.3f}" for d, g in GROUPS
        ]
        print(fw, " ".join(cells))


if __name__ == "__main__":
    main()
