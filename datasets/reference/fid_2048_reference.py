#!/usr/bin/python3
"""Reference Frechet distances at FID's real size (2048 features), for FrechetDistance2048Test.

Writes bundles/numerics/src/test/resources/fid_2048_reference.json: for each case the expected distance, its
terms, and a few feature values and sums so that the Java side can first check that it generated the same features.
The features themselves are not stored (two 2500 x 2048 sets would be ~80 MB): both sides generate them from the same
counter-based generator, written identically here and in FrechetDistance2048Test.Features:

    bits(seed, i)  = splitmix64's finaliser of seed + (i + 1) * 0x9E3779B97F4A7C15 (mod 2^64)
    u(seed, i)     = (bits >> 11) * 2^-53                               uniform in [0, 1), exact in float64
    z(seed, r, c)  = (u(4k) + u(4k+1) + u(4k+2) + u(4k+3) - 2) * sqrt(3),   k = r * (d + 8) + c
                     (Irwin-Hall: mean 0, variance 1; additions in this order)
    x[r, j]        = scale(set, j) * z(r, j) + sum_{q=0..7} z(r, d + q) * w(q, j) + shift(set, j)   (q ascending)
    w(q, j)        = ((j * (q + 3)) % 17) / 17 - 0.5
    scale(set, j)  = 0.5 + ((7 * j + set) % 11) / 10
    shift(set, j)  = 0.1 * ((j % 5) - 2) if set == 2 else 0

Only +, *, / and sqrt(3) are used, all correctly rounded in IEEE float64, so both languages produce the same bits.
The distance is pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of the product; see fid_reference.py)
on np.mean and np.cov(rowvar=False).

Run with Debian's interpreter (python3-numpy, python3-scipy):  /usr/bin/python3 datasets/reference/fid_2048_reference.py
"""
import json
import os
import time

import numpy as np
import scipy

from fid_reference import frechet_distance

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "numerics", "src", "test",
                   "resources", "fid_2048_reference.json")
D = 2048
FACTORS = 8
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def bits(seed, index):
    """splitmix64's output for counter values index (uint64 array), wrapping mod 2^64."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (index + np.uint64(1)) * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform(seed, index):
    return (bits(seed, index) >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def z_block(seed, rows, cols):
    """z for rows x cols (cols = D + FACTORS), row-major counters."""
    k = np.arange(rows * cols, dtype=np.uint64)
    base = k * np.uint64(4)
    s = uniform(seed, base)
    s = s + uniform(seed, base + np.uint64(1))
    s = s + uniform(seed, base + np.uint64(2))
    s = s + uniform(seed, base + np.uint64(3))
    return ((s - 2.0) * np.sqrt(3.0)).reshape(rows, cols)


def features(seed, n, which):
    z = z_block(seed, n, D + FACTORS)
    j = np.arange(D)
    scale = 0.5 + ((7 * j + which) % 11) / 10.0
    shift = 0.1 * ((j % 5) - 2) if which == 2 else np.zeros(D)
    x = scale * z[:, :D]
    for q in range(FACTORS):
        w = ((j * (q + 3)) % 17) / 17.0 - 0.5
        x = x + z[:, D + q:D + q + 1] * w
    return x + shift


def case(name, seed1, n1, which1, seed2, n2, which2):
    t0 = time.time()
    f1 = features(seed1, n1, which1)
    f2 = features(seed2, n2, which2)
    mu1, s1 = np.mean(f1, axis=0), np.cov(f1, rowvar=False)
    mu2, s2 = np.mean(f2, axis=0), np.cov(f2, rowvar=False)
    fid, offset, was_complex = frechet_distance(mu1, s1, mu2, s2)
    diff = mu1 - mu2
    c = {"name": name, "d": D, "factors": FACTORS,
         "set1": {"seed": seed1, "n": n1, "which": which1, "head": f1[0, :4].tolist(), "tail": f1[-1, -4:].tolist(),
                  "sum": float(np.sum(f1))},
         "set2": {"seed": seed2, "n": n2, "which": which2, "head": f2[0, :4].tolist(), "tail": f2[-1, -4:].tolist(),
                  "sum": float(np.sum(f2))},
         "fid": fid, "meanTerm": float(diff.dot(diff)), "trace1": float(np.trace(s1)), "trace2": float(np.trace(s2)),
         "offsetApplied": offset, "sqrtmComplex": was_complex}
    print(f"{name:24s} fid {fid:.12g}  mean term {c['meanTerm']:.6g}  traces {c['trace1']:.6g} {c['trace2']:.6g}"
          f"  complex={was_complex} offset={offset}  ({time.time() - t0:.0f} s)")
    return c


def main():
    cases = [
        # a generator whose scales and means differ from the data's: FID of a few hundred
        case("d2048-shifted", 11, 2500, 1, 12, 2500, 2),
        # two samples of one distribution: FID is sampling noise, the difference of nearly equal traces
        case("d2048-same-distribution", 21, 2500, 1, 22, 2500, 1),
    ]
    out = {"generator": "datasets/reference/fid_2048_reference.py", "numpy": np.__version__,
           "scipy": scipy.__version__, "formula": "pytorch-fid calculate_frechet_distance, eps=1e-6", "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
