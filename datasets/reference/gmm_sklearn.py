#!/usr/bin/python3
"""Reference numbers for genbench's GMM: scikit-learn's GaussianMixture run from fixed initial parameters.

Writes bundles/model.gmm/src/test/resources/gmm_sklearn_reference.json, read by GmmSklearnReferenceTest.
Each case holds a covariance type (full, tied, diag, spherical), a fixed data set, the initial parameters both
sides start from (weights_init/means_init/precisions_init, precisions in sklearn's shape for the type; genbench
takes the same values as weightsInit/meansInit/precisionsInit), a fixed number of EM iterations (max_iter=N, tol=0,
so exactly N), and sklearn's results: score(X), the final parameters (covariances_ in sklearn's shape), the mean
log-likelihood before each M step (lower_bound_ of one-iteration warm-started fits, the value EmFittable.emStep
returns), and score_samples at a few probe points.

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


def fit(x, k, cov_type, weights, means, precisions, iterations, warm_start=False):
    gmm = GaussianMixture(n_components=k, covariance_type=cov_type, reg_covar=REG_COVAR, tol=0.0,
                          max_iter=iterations, weights_init=weights, means_init=means, precisions_init=precisions,
                          warm_start=warm_start, random_state=0)
    with warnings.catch_warnings():
        # tol=0 never converges by design: we want exactly max_iter iterations.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm.fit(x)
    return gmm


def lower_bounds(x, k, cov_type, weights, means, precisions, iterations):
    """The mean log-likelihood before each M step: one-iteration fits that continue where the last stopped."""
    gmm = GaussianMixture(n_components=k, covariance_type=cov_type, reg_covar=REG_COVAR, tol=0.0, max_iter=1,
                          weights_init=weights, means_init=means, precisions_init=precisions, warm_start=True,
                          random_state=0)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(iterations):
            gmm.fit(x)
            out.append(float(gmm.lower_bound_))
    return out, gmm


def initial_precisions(cov_type, data_cov, scales):
    """The inverse of the data covariance scaled per component, in sklearn's shape for the type."""
    if cov_type == "full":
        return np.array([np.linalg.inv(data_cov * s) for s in scales])
    if cov_type == "tied":
        return np.linalg.inv(data_cov)
    if cov_type == "diag":
        return np.array([1.0 / (np.diag(data_cov) * s) for s in scales])
    return np.array([1.0 / (np.mean(np.diag(data_cov)) * s) for s in scales])


def case(name, cov_type, seed, n, d, k_true, k, iterations, spread, offset=0.0):
    rng = np.random.default_rng(seed)
    true_weights = rng.dirichlet(np.full(k_true, 4.0))
    true_means = rng.normal(scale=spread, size=(k_true, d)) + offset
    true_covs = np.array([random_spd(rng, d, 1.0) for _ in range(k_true)])
    x = mixture_data(rng, n, true_weights, true_means, true_covs)

    # Deliberately rough start: equal weights, random data points as means, the data covariance everywhere.
    weights = np.full(k, 1.0 / k)
    means = x[rng.choice(n, size=k, replace=False)]
    data_cov = np.cov(x, rowvar=False, bias=True)
    precisions = initial_precisions(cov_type, data_cov, np.linspace(0.5, 1.0, k))

    gmm = fit(x, k, cov_type, weights, means, precisions, iterations)
    bounds, stepped = lower_bounds(x, k, cov_type, weights, means, precisions, iterations)
    # The warm-started path must be the same computation as the single fit.
    assert np.allclose(stepped.means_, gmm.means_, rtol=0, atol=1e-10), "warm-start path diverged"

    probes = np.concatenate([x[:3], true_means[:1] + 0.5, np.full((1, d), 4.0 * spread + offset)])
    return {
        "name": name,
        "covariance": cov_type,
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
        },
        "sklearn": {
            "score": float(gmm.score(x)),
            "lowerBounds": bounds,
            "weights": gmm.weights_.tolist(),
            "means": gmm.means_.tolist(),
            "covariances": gmm.covariances_.tolist(),
            "probes": probes.tolist(),
            "probeLogDensity": gmm.score_samples(probes).tolist(),
            "probeResponsibilities": gmm.predict_proba(probes).tolist(),
        },
    }


def main():
    cases = [
        case("2d-3-overlapping", "full", seed=20240611, n=500, d=2, k_true=3, k=3, iterations=30, spread=1.5),
        case("3d-4-components", "full", seed=7, n=400, d=3, k_true=4, k=4, iterations=40, spread=2.0),
        case("3d-3-tied", "tied", seed=11, n=300, d=3, k_true=3, k=3, iterations=30, spread=2.0),
        case("3d-4-diag", "diag", seed=12, n=300, d=3, k_true=4, k=4, iterations=30, spread=2.0),
        case("2d-3-spherical", "spherical", seed=13, n=300, d=2, k_true=3, k=3, iterations=30, spread=2.0),
        # Far from the origin, where diag's expanded square (x^2 - 2 x mu + mu^2) cancels most of its digits.
        case("4d-3-diag-offset", "diag", seed=14, n=300, d=4, k_true=3, k=3, iterations=25, spread=2.0,
             offset=40.0),
        case("4d-3-spherical-offset", "spherical", seed=15, n=300, d=4, k_true=3, k=3, iterations=25, spread=2.0,
             offset=-25.0),
    ]
    doc = {
        "generator": "datasets/reference/gmm_sklearn.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        # One line per case keeps the file small (no number on a line of its own) and its diffs readable.
        f.write("{\n")
        f.write(",\n".join(f" {json.dumps(key)}: {json.dumps(doc[key])}" for key in ("generator", "sklearn", "numpy")))
        f.write(',\n "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c) for c in cases))
        f.write("\n ]\n}")
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")
    for c in cases:
        print(f"{c['name']}: score={c['sklearn']['score']:.10f} after {c['iterations']} iterations")


if __name__ == "__main__":
    main()
