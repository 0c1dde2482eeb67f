#!/usr/bin/python3
"""Reference for genbench's coverage evaluator: improved precision and recall (Kynkaenniemi et al. 2019) and density
and coverage (Naeem et al. 2020) in numpy, written from the papers' definitions as the authors' prdc package computes
them (k-NN radii within each set, the point itself excluded; strict '<' against a radius).

Writes bundles/eval.coverage/src/test/resources/prdc_reference.json, read by PrdcTest: fixed real and generated
feature sets (Gaussian blobs, a set that misses half the modes, a set with uniform noise added, a set with exact
copies and ties) and the four numbers for several k.

Run with Debian's interpreter (python3-numpy):  /usr/bin/python3 datasets/reference/prdc_reference.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "eval.coverage", "src", "test",
                   "resources", "prdc_reference.json")


def distances(a, b):
    return np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2), 0))


def kth_radii(x, k):
    d = distances(x, x)
    return np.partition(d, k, axis=1)[:, k]  # index 0 is the point itself at distance 0


def prdc(real, fake, k):
    real_r = kth_radii(real, k)
    fake_r = kth_radii(fake, k)
    d = distances(real, fake)  # [n_real, n_fake]
    inside_real = d < real_r[:, None]
    return {
        "precision": float(inside_real.any(axis=0).mean()),
        "recall": float((d < fake_r[None, :]).any(axis=1).mean()),
        "density": float(inside_real.sum(axis=0).mean() / k),
        "coverage": float((d.min(axis=1) < real_r).mean()),
    }


def blobs(rng, n, modes, d, spread=0.3):
    centres = np.stack([np.eye(d)[m % d] * 4 * (1 + m // d) for m in range(8)])
    idx = rng.choice(modes, size=n)
    return centres[idx] + spread * rng.normal(size=(n, d))


def main():
    rng = np.random.default_rng(11)
    d = 6
    real = blobs(rng, 400, np.arange(8), d)
    cases = []

    def add(name, fake):
        entry = {"name": name, "d": d, "real": real.ravel().tolist(), "fake": fake.ravel().tolist(), "k": {}}
        for k in (1, 3, 5):
            entry["k"][str(k)] = prdc(real, fake, k)
        cases.append(entry)

    add("same-distribution", blobs(rng, 300, np.arange(8), d))
    add("half-the-modes", blobs(rng, 300, np.arange(4), d))
    fake = blobs(rng, 300, np.arange(8), d)
    fake[:90] = rng.uniform(-4, 12, size=(90, d))
    add("uniform-noise", fake)
    fake = np.concatenate([real[:150], blobs(rng, 150, np.arange(8), d, spread=0.05)])
    add("copies-and-tight", fake)
    out = {"generator": "datasets/reference/prdc_reference.py", "numpy": np.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    for c in cases:
        print(c["name"], c["k"])


if __name__ == "__main__":
    main()
