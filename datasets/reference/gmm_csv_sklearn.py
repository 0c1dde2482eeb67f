#!/usr/bin/python3
"""Reference for fitting a GMM to a CSV file: scikit-learn's GaussianMixture on workspace/examples/blobs/.

Writes the example data (workspace/examples/blobs/train.csv and test.csv: three well-separated 2-D clusters of
different shapes, a label column 'cluster' the model ignores) and, for each covariance type, what scikit-learn 1.2
reaches from the same initial means as workspace/experiments/gmm-csv.json (means_init, everything else from its
default k-means initialization, tol=1e-10): lower_bound_ (the mean training log-likelihood before the last M step,
genbench's train_loglik), score(test) (genbench's test_loglik), n_iter_ and the final weights.
integration-tests/src/test/resources/gmm_csv_sklearn.json holds them; GmmCsvIT runs the spec through the real
framework for each type and compares.

The clusters overlap a little (EM takes tens of steps) but each covariance type has one optimum from any sensible start; the
script checks that by fitting again from another k-means seed and from other starting means.

Run with Debian's interpreter (python3-sklearn):  /usr/bin/python3 datasets/reference/gmm_csv_sklearn.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "workspace", "examples", "blobs")
OUT = os.path.join(ROOT, "integration-tests", "src", "test", "resources", "gmm_csv_sklearn.json")
SPEC = os.path.join(ROOT, "workspace", "experiments", "gmm-csv.json")
TOL = 1e-10
MAX_ITER = 1000


def blobs(rng, n):
    means = np.array([[-2.5, 0.0], [2.0, 2.0], [1.5, -2.5]])
    covs = np.array([[[1.0, 0.6], [0.6, 0.8]], [[0.5, 0.0], [0.0, 2.0]], [[1.5, -0.7], [-0.7, 0.9]]])
    labels = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    x = np.array([rng.multivariate_normal(means[c], covs[c]) for c in labels])
    return x, labels


def write_csv(path, x, labels):
    with open(path, "w") as f:
        f.write("x1,x2,cluster\n")
        for row, c in zip(x, labels):
            # %.17g round-trips every float64, so Java reads exactly the numbers numpy has
            f.write(f"{row[0]:.17g},{row[1]:.17g},{'abc'[c]}\n")


def read_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1))


def fit(x, cov_type, means_init, random_state=0):
    gmm = GaussianMixture(n_components=3, covariance_type=cov_type, means_init=means_init, tol=TOL,
                          max_iter=MAX_ITER, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would make the reference meaningless
        gmm.fit(x)
    return gmm


def main():
    rng = np.random.default_rng(2026)
    os.makedirs(DATA, exist_ok=True)
    x, labels = blobs(rng, 600)
    xt, lt = blobs(rng, 200)
    write_csv(os.path.join(DATA, "train.csv"), x, labels)
    write_csv(os.path.join(DATA, "test.csv"), xt, lt)
    x = read_csv(os.path.join(DATA, "train.csv"))
    xt = read_csv(os.path.join(DATA, "test.csv"))

    with open(SPEC) as f:
        means_init = np.array(json.load(f)["model"]["config"]["meansInit"])
    cases = {}
    for cov_type in ["full", "tied", "diag", "spherical"]:
        gmm = fit(x, cov_type, means_init)
        again = fit(x, cov_type, means_init + 0.5, random_state=7)
        assert abs(gmm.lower_bound_ - again.lower_bound_) < 1e-9, (cov_type, gmm.lower_bound_, again.lower_bound_)
        cases[cov_type] = {
            "lowerBound": float(gmm.lower_bound_),
            "testScore": float(gmm.score(xt)),
            "trainScore": float(gmm.score(x)),
            "iterations": int(gmm.n_iter_),
            "weights": sorted(gmm.weights_.tolist()),
        }
        print(f"{cov_type}: lower bound {gmm.lower_bound_:.12f}, test score {gmm.score(xt):.12f}, "
              f"{gmm.n_iter_} iterations")
    doc = {"generator": "datasets/reference/gmm_csv_sklearn.py", "sklearn": sklearn.__version__,
           "numpy": np.__version__, "tol": TOL, "maxIter": MAX_ITER, "meansInit": means_init.tolist(),
           "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
