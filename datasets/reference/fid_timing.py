#!/usr/bin/python3
"""Times FID of 10000 vs 10000 samples from their features with numpy + scipy, on the features FidBenchmark used.

FidBenchmark (bundles/eval.fid, tag "benchmark") leaves in its output folder, per case, <case>-real.npy and
<case>-gen.npy (float64 features, 10000 rows each) and java.json (its timings and values). This script runs
pytorch-fid's code path on the same features (np.mean, np.cov(rowvar=False), then calculate_frechet_distance with
scipy.linalg.sqrtm) the same number of times and prints one table: both medians, their ratio and the two values.

Usage: /usr/bin/python3 datasets/reference/fid_timing.py [bundles/eval.fid/target/fid-bench]
"""
import json
import os
import sys
import time

import numpy as np
import scipy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fid_reference import frechet_distance  # noqa: E402  (pytorch-fid's formula, shared with the fixture)


def fid_from_features(real, gen):
    mu1, s1 = np.mean(real, axis=0), np.cov(real, rowvar=False)
    mu2, s2 = np.mean(gen, axis=0), np.cov(gen, rowvar=False)
    return frechet_distance(mu1, s1, mu2, s2)[0]


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("bundles", "eval.fid", "target", "fid-bench")
    with open(os.path.join(folder, "java.json")) as f:
        java = json.load(f)
    rows = []
    for name, jc in java["cases"].items():
        real = np.load(os.path.join(folder, name + "-real.npy"))
        gen = np.load(os.path.join(folder, name + "-gen.npy"))
        ms = []
        value = None
        for r in range(java["warmup"] + java["repeats"]):
            t0 = time.perf_counter()
            value = fid_from_features(real, gen)
            if r >= java["warmup"]:
                ms.append((time.perf_counter() - t0) * 1e3)
        median = float(np.median(ms))
        rows.append((name, jc["medianMs"], median, jc["medianMs"] / median, jc["fid"], value))
    print(f"FID of {java['n']} vs {java['n']} samples from features (mean, covariance, Frechet distance), "
          f"median of {java['repeats']} after {java['warmup']} warm-up")
    print(f"Java: {java['availableProcessors']} processors, ND4J threads {java['nd4jThreads']}; numpy {np.__version__},"
          f" scipy {scipy.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')};"
          f" load average {os.getloadavg()[0]:.2f}")
    header = f"{'case':<7} {'java ms':>10} {'scipy ms':>10} {'java/scipy':>11} {'java fid':>16} {'scipy fid':>16} {'rel diff':>9}"
    print(header)
    print("-" * len(header))
    for name, j, s, ratio, jf, sf in rows:
        print(f"{name:<7} {j:>10.1f} {s:>10.1f} {ratio:>11.2f} {jf:>16.10g} {sf:>16.10g} {abs(jf - sf) / abs(sf):>9.1e}")


if __name__ == "__main__":
    main()
