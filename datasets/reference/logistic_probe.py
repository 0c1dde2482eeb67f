#!/usr/bin/python3
"""Reference for genbench's linear probe (vision's Classifier with no hidden layer): scikit-learn's unregularized
multinomial logistic regression on a fixed, non-separable data set, standardized with the training rows' mean and
population standard deviation as the probe does.

Writes bundles/vision/src/test/resources/logistic_probe_reference.json, read by ClassifierTest: the data, the
minimum mean cross-entropy on the training rows (the convex objective's optimum, which any optimizer can only
approach from above) and the test accuracy at that optimum.

Run with Debian's interpreter (python3-sklearn):  /usr/bin/python3 datasets/reference/logistic_probe.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "vision", "src", "test",
                   "resources", "logistic_probe_reference.json")


def data(rng, n, means):
    y = rng.integers(0, len(means), size=n)
    x = np.stack([rng.normal(means[c], 1.5) for c in y])
    return x.astype(np.float32), y


def main():
    rng = np.random.default_rng(2024)
    means = rng.normal(0, 1.0, size=(3, 5)) * np.array([1, 1, 1, 1, 1]) + np.array([0, 5, -3, 0, 100])
    x_train, y_train = data(rng, 600, means)
    x_test, y_test = data(rng, 300, means)
    mean = x_train.astype(np.float64).mean(axis=0)
    sd = x_train.astype(np.float64).std(axis=0)
    z_train = (x_train - mean) / sd
    z_test = (x_test - mean) / sd
    model = LogisticRegression(penalty=None, multi_class="multinomial", solver="lbfgs", max_iter=100000, tol=1e-12)
    model.fit(z_train, y_train)
    p = model.predict_proba(z_train)
    cross_entropy = float(-np.mean(np.log(p[np.arange(len(y_train)), y_train])))
    out = {"generator": "datasets/reference/logistic_probe.py", "sklearn": sklearn.__version__,
           "d": int(x_train.shape[1]), "classes": 3,
           "x_train": x_train.astype(float).ravel().tolist(), "y_train": y_train.tolist(),
           "x_test": x_test.astype(float).ravel().tolist(), "y_test": y_test.tolist(),
           "train_cross_entropy_at_optimum": cross_entropy,
           "train_accuracy_at_optimum": float(model.score(z_train, y_train)),
           "test_accuracy_at_optimum": float(model.score(z_test, y_test))}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(json.dumps({k: v for k, v in out.items() if not k.startswith(("x_", "y_"))}))


if __name__ == "__main__":
    main()
