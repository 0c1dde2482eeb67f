#!/usr/bin/python3
"""Reference numbers for genbench's GMM: scikit-learn's GaussianMixture run from fixed initial parameters.

Writes bundles/model.gmm/src/test/resources/gmm_sklearn_reference.json, read by GmmSklearnReferenceTest.
Each case holds a fixed data set, the initial parameters both sides start from (sklearn gets them as
weights_init/means_init/precisions_init; the covariances are their inverses, for the Java side), a fixed number
of EM iterations (max_iter=N, tol=0, so exactly N), and sklearn's results: score(X), the final parameters,
the mean log-likelihood before each M step (lower_bound_ of one-iteration warm-started fits, the value
EmFittable.emStep returns), and score_samples at a few probe points.

Run with Debian's interpreter (python3-sklearn):  /usr/bin/python3 datasets/reference/gmm_sklearn.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

REG_COVAR = 1e-6
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "model.gmm", "src", "test",
                   "resources", "gmm_sklearn_reference.json")


def mixture_data(rng, n, weights, means, covariances):
    counts = rng.multinomial(n, weights)
    parts = [rng.multivariate_normal(m, c, size=c_n) for m, c, c_n in zip(means, covariances, counts)]
    x = np.concatenate(parts)
    return x[rng.permutation(n)]


def random_spd(rng, d, scale):
    a = rng.normal(size=(d, d))
    return scale * (a @ a.T / d + 0.3 * np.eye(d))


def fit(x, k, weights, means, precisions, iterations, warm_start=False):
    gmm = GaussianMixture(n_components=k, covariance_type="full", reg_covar=REG_COVAR, tol=0.0,
                          max_iter=iterations, weights_init=weights, means_init=means, precisions_init=precisions,
                          warm_start=warm_start, random_state=0)
    with warnings.catch_warnings():
        # tol=0 never converges by design: we want exactly max_iter iterations.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm.fit(x)
    return gmm


def lower_bounds(x, k, weights, means, precisions, iterations):
    """The mean log-likelihood before each M step: one-iteration fits that continue where the last stopped."""
    gmm = GaussianMixture(n_components=k, covariance_type="full", reg_covar=REG_COVAR, tol=0.0, max_iter=1,
                          weights_init=weights, means_init=means, precisions_init=precisions, warm_start=True,
                          random_state=0)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(iterations):
            gmm.fit(x)
            out.append(float(gmm.lower_bound_))
    return out, gmm


def case(name, seed, n, d, k_true, k, iterations, spread):
    rng = np.random.default_rng(seed)
    true_weights = rng.dirichlet(np.full(k_true, 4.0))
    true_means = rng.normal(scale=spread, size=(k_true, d))
    true_covs = np.array([random_spd(rng, d, 1.0) for _ in range(k_true)])
    x = mixture_data(rng, n, true_weights, true_means, true_covs)

    # Deliberately rough start: equal weights, random data points as means, the data covariance everywhere.
    weights = np.full(k, 1.0 / k)
    means = x[rng.choice(n, size=k, replace=False)]
    data_cov = np.cov(x, rowvar=False, bias=True)
    covariances = np.array([data_cov * s for s in np.linspace(0.5, 1.0, k)])
    precisions = np.array([np.linalg.inv(c) for c in covariances])

    gmm = fit(x, k, weights, means, precisions, iterations)
    bounds, stepped = lower_bounds(x, k, weights, means, precisions, iterations)
    # The warm-started path must be the same computation as the single fit.
    assert np.allclose(stepped.means_, gmm.means_, rtol=0, atol=1e-10), "warm-start path diverged"

    probes = np.concatenate([x[:3], true_means[:1] + 0.5, np.full((1, d), 4.0 * spread)])
    return {
        "name": name,
        "n": n,
        "d": d,
        "k": k,
        "iterations": iterations,
        "regCovar": REG_COVAR,
        "x": x.tolist(),
        "init": {
            "weights": weights.tolist(),
            "means": means.tolist(),
            "precisions": precisions.tolist(),
            "covariances": [np.linalg.inv(p).tolist() for p in precisions],
        },
        "sklearn": {
            "score": float(gmm.score(x)),
            "lowerBounds": bounds,
            "weights": gmm.weights_.tolist(),
            "means": gmm.means_.tolist(),
            "covariances": gmm.covariances_.tolist(),
            "probes": probes.tolist(),
            "probeLogDensity": gmm.score_samples(probes).tolist(),
        },
    }


def main():
    cases = [
        case("2d-3-overlapping", seed=20240611, n=500, d=2, k_true=3, k=3, iterations=30, spread=1.5),
        case("3d-4-components", seed=7, n=400, d=3, k_true=4, k=4, iterations=40, spread=2.0),
    ]
    doc = {
        "generator": "datasets/reference/gmm_sklearn.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")
    for c in cases:
        print(f"{c['name']}: score={c['sklearn']['score']:.10f} after {c['iterations']} iterations")


if __name__ == "__main__":
    main()
