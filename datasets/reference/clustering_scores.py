#!/usr/bin/python3
"""Reference for genbench's structure evaluator: scikit-learn's adjusted Rand index and normalized mutual information
(arithmetic mean normalization, sklearn's default) of cluster assignments against labels.

Writes bundles/eval.structure/src/test/resources/clustering_scores_reference.json, read by ClusterScoresTest: label
and assignment vectors (random, identical up to renaming, one cluster, a cluster per example, noisy, more clusters
than classes) and sklearn's scores.

Run with Debian's interpreter (python3-sklearn):  /usr/bin/python3 datasets/reference/clustering_scores.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "eval.structure", "src", "test",
                   "resources", "clustering_scores_reference.json")


def case(name, labels, clusters):
    labels = np.asarray(labels)
    clusters = np.asarray(clusters)
    return {"name": name, "labels": labels.tolist(), "clusters": clusters.tolist(),
            "ari": float(adjusted_rand_score(labels, clusters)),
            "nmi": float(normalized_mutual_info_score(labels, clusters))}


def main():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 10, size=2000)
    cases = [
        case("random", y, rng.integers(0, 10, size=2000)),
        case("renamed", y, (y * 7 + 3) % 10),
        case("one-cluster", y, np.zeros(2000, dtype=int)),
        case("noisy", y, np.where(rng.uniform(size=2000) < 0.3, rng.integers(0, 10, size=2000), y)),
        case("split-classes", y, y * 2 + rng.integers(0, 2, size=2000)),
        case("merged-classes", y, y // 3),
        case("tiny", [0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]),
    ]
    out = {"generator": "datasets/reference/clustering_scores.py", "sklearn": sklearn.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    for c in cases:
        print(c["name"], c["ari"], c["nmi"])


if __name__ == "__main__":
    main()
