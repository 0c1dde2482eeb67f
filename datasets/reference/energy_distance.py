#!/usr/bin/env python3
"""Reference two-sample distances for genbench's eval.distance (SampleDistanceEvaluatorTest): the energy distance from
scipy.stats.energy_distance for 1-D sets and the same V-statistic written out with numpy for 2-D and 5-D sets; the
Gaussian-kernel MMD (V-statistic, square root) and the median pairwise distance with numpy. Writes
bundles/eval.distance/src/test/resources/energy_distance_reference.json.
Run: /usr/bin/python3 datasets/reference/energy_distance.py
"""
import json
import pathlib

import numpy as np
from scipy.spatial.distance import pdist
from scipy.stats import energy_distance


def ed(x, y):
    d = lambda a, b: np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).mean()
    return float(np.sqrt(max(0.0, 2 * d(x, y) - d(x, x) - d(y, y))))


def mmd(x, y, h):
    k = lambda a, b: np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * h * h)).mean()
    return float(np.sqrt(max(0.0, k(x, x) + k(y, y) - 2 * k(x, y))))


def main():
    rng = np.random.default_rng(2024)
    cases = []
    x = rng.normal(0, 1, 37)
    y = rng.normal(0.4, 1.3, 53)
    cases.append({"d": 1, "x": x.tolist(), "y": y.tolist(), "value": float(energy_distance(x, y)),
                  "mmd_h": 0.7, "mmd": mmd(x[:, None], y[:, None], 0.7), "median": float(np.median(pdist(x[:, None])))})
    for d, (n, m) in ((2, (40, 61)), (5, (33, 29))):
        x = rng.normal(0, 1, (n, d))
        y = rng.standard_t(4, (m, d)) * 0.8 + 0.2
        cases.append({"d": d, "x": x.ravel().tolist(), "y": y.ravel().tolist(), "value": ed(x, y),
                      "mmd_h": 1.3, "mmd": mmd(x, y, 1.3), "median": float(np.median(pdist(x)))})
    path = pathlib.Path(__file__).resolve().parents[2] / "bundles/eval.distance/src/test/resources/energy_distance_reference.json"
    path.write_text(json.dumps({"cases": cases}, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
