#!/usr/bin/python3
"""Times scikit-learn's GaussianMixture EM per iteration on the data and start GmmEmBenchmark used.

GmmEmBenchmark (bundles/model.gmm, tag "benchmark") leaves in its output folder, per case, <case>-x.npy (the
data), <case>-init.json (the initial weights, means, covariances) and java.json (its own timings and the mean
log-likelihood of every timed iteration). This script runs the same number of iterations from the same start
and prints one table: both medians, their ratio, and how far apart the two trajectories end.

One iteration is timed as GaussianMixture.fit runs it (_e_step then _m_step, sklearn 1.2); fit() itself would
add input validation, a k-means run that the given initial parameters then overwrite, and a final E step.

Usage: /usr/bin/python3 datasets/reference/gmm_em_timing.py [bundles/model.gmm/target/gmm-em-bench]
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture


def time_sklearn(x, init, iterations, warmup):
    k = len(init["weights"])
    precisions = np.array([np.linalg.inv(np.array(c)) for c in init["covariances"]])

    def start():
        gmm = GaussianMixture(n_components=k, covariance_type="full", reg_covar=init["regCovar"], tol=0.0,
                              max_iter=iterations, weights_init=np.array(init["weights"]),
                              means_init=np.array(init["means"]), precisions_init=precisions)
        gmm._check_parameters(x)
        # resp only feeds estimates that the *_init arguments then replace.
        gmm._initialize(x, np.full((x.shape[0], k), 1.0 / k))
        return gmm

    warm = start()
    for _ in range(warmup):
        _, log_resp = warm._e_step(x)
        warm._m_step(x, log_resp)

    gmm = start()
    ms, bounds = [], []
    for _ in range(iterations):
        t0 = time.perf_counter()
        log_prob_norm, log_resp = gmm._e_step(x)
        gmm._m_step(x, log_resp)
        ms.append((time.perf_counter() - t0) * 1e3)
        bounds.append(float(log_prob_norm))
    return float(np.median(ms)), bounds


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("bundles", "model.gmm", "target", "gmm-em-bench")
    with open(os.path.join(folder, "java.json")) as f:
        java = json.load(f)
    iterations = java["iterations"]
    rows = []
    for name, jc in java["cases"].items():
        x = np.load(os.path.join(folder, name + "-x.npy"))
        with open(os.path.join(folder, name + "-init.json")) as f:
            init = json.load(f)
        median, bounds = time_sklearn(x, init, iterations, java["warmupIterations"])
        gap = max(abs(a - b) for a, b in zip(bounds, jc["lowerBounds"]))
        rows.append((name, jc["medianMs"], median, jc["medianMs"] / median, gap))

    print(f"EM ms/iteration, median of {iterations} after {java['warmupIterations']} warm-up; "
          f"same data, same start")
    print(f"Java: {java['availableProcessors']} processors, ND4J threads {java['nd4jThreads']}; sklearn {sklearn.__version__},"
          f" numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')};"
          f" load average {os.getloadavg()[0]:.2f}")
    header = f"{'case':<16} {'java ms':>10} {'sklearn ms':>11} {'java/sklearn':>13} {'max |dLL|':>11}"
    print(header)
    print("-" * len(header))
    for name, j, s, ratio, gap in rows:
        print(f"{name:<16} {j:>10.2f} {s:>11.2f} {ratio:>13.2f} {gap:>11.1e}")
    print("max |dLL|: largest difference between the two sides' mean log-likelihoods over the timed iterations")


if __name__ == "__main__":
    main()
