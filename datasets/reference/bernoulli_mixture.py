#!/usr/bin/python3
"""Reference for genbench's Bernoulli mixture (model.mixture): EM in numpy from fixed initial parameters.

Writes bundles/model.mixture/src/test/resources/bernoulli_mixture_reference.json, read by BernoulliMixtureTest: binary
data drawn from a known 3-component mixture over 20 pixels, the initial weights and means both sides start from, and
after each of 15 EM iterations (E: responsibilities; M: pi_k = (N_k + a) / (N + K a), mu_kd = (sum_i r_ik x_id + a) /
(N_k + 2 a), a = 1) the mean log-likelihood before the M step, and the final parameters. Also log p(x) of a few rows.

Run with Debian's interpreter (python3-numpy):  /usr/bin/python3 datasets/reference/bernoulli_mixture.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "model.mixture", "src", "test",
                   "resources", "bernoulli_mixture_reference.json")
ALPHA = 1.0


def log_joint(x, pi, mu):
    return x @ np.log(mu).T + (1 - x) @ np.log1p(-mu).T + np.log(pi)


def lse(a):
    m = a.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))).ravel()


def main():
    rng = np.random.default_rng(31)
    k, d, n = 3, 20, 600
    true_pi = np.array([0.5, 0.3, 0.2])
    true_mu = rng.uniform(0.05, 0.95, size=(k, d))
    z = rng.choice(k, size=n, p=true_pi)
    x = (rng.uniform(size=(n, d)) < true_mu[z]).astype(float)
    pi = np.full(k, 1.0 / k)
    mu = np.clip(0.5 * x[[3, 100, 400]] + 0.5 * x.mean(axis=0), 1e-3, 1 - 1e-3)
    init = {"pi": pi.tolist(), "mu": mu.tolist()}
    logliks = []
    for _ in range(15):
        lj = log_joint(x, pi, mu)
        ll = lse(lj)
        logliks.append(float(ll.mean()))
        r = np.exp(lj - ll[:, None])
        nk = r.sum(axis=0)
        pi = (nk + ALPHA) / (n + k * ALPHA)
        mu = (r.T @ x + ALPHA) / (nk[:, None] + 2 * ALPHA)
    out = {"generator": "datasets/reference/bernoulli_mixture.py", "numpy": np.__version__, "k": k, "d": d,
           "smoothing": ALPHA, "x": x.astype(int).ravel().tolist(), "init": init, "logliks": logliks,
           "pi": pi.tolist(), "mu": mu.tolist(), "logDensity": lse(log_joint(x[:5], pi, mu)).tolist()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(logliks[0], logliks[-1])


if __name__ == "__main__":
    main()
