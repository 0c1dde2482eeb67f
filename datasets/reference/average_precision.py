#!/usr/bin/python3
"""Reference average precision for genbench's forensics detector: scikit-learn's average_precision_score.

Writes bundles/eval.forensics/src/test/resources/average_precision_reference.json, read by ScoresTest: score and
label vectors (with and without tied scores) and sklearn's average precision and accuracy at threshold 0.5.

Run with Debian's interpreter (python3-sklearn):  /usr/bin/python3 datasets/reference/average_precision.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, average_precision_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "eval.forensics", "src", "test",
                   "resources", "average_precision_reference.json")


def case(name, scores, labels):
    return {"name": name, "scores": [float(s) for s in scores], "labels": [int(v) for v in labels],
            "averagePrecision": float(average_precision_score(labels, scores)),
            "accuracy": float(accuracy_score(labels, (np.asarray(scores) > 0.5).astype(int)))}


def main():
    rng = np.random.default_rng(7)
    cases = []
    labels = rng.integers(0, 2, size=500)
    cases.append(case("separable-ish", 1 / (1 + np.exp(-(2.0 * labels - 1 + rng.normal(size=500)))), labels))
    labels = rng.integers(0, 2, size=300)
    cases.append(case("chance", rng.uniform(size=300), labels))
    labels = rng.integers(0, 2, size=400)
    cases.append(case("ties", np.round(rng.uniform(size=400) * 0.5 + 0.4 * labels, 1), labels))
    labels = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    cases.append(case("tiny", np.array([0.9, 0.8, 0.8, 0.3, 0.3, 0.2, 0.1, 0.05]), labels))
    out = {"generator": "datasets/reference/average_precision.py", "sklearn": sklearn.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(f"{c['name']:14s} AP {c['averagePrecision']:.12f}  accuracy {c['accuracy']:.4f}")


if __name__ == "__main__":
    main()
