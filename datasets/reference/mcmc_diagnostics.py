#!/usr/bin/python3
"""Reference values for genbench's MCMC diagnostics: fixed chains with their rank-normalized split R-hat and bulk ESS.

Writes bundles/eval.mcmc/src/test/resources/mcmc_diagnostics_reference.json, read by McmcEvaluatorTest.

The formulas are Vehtari, Gelman, Simpson, Carpenter, Buerkner (2021), "Rank-normalization, folding, and
localization: an improved R-hat", written out here in numpy/scipy independently of the Java code, following the
reference implementations (R package posterior, ArviZ) where the paper leaves a detail open:
  - split: each chain cut in halves, the middle draw of an odd-length chain dropped;
  - rank normalization: pooled ranks (ties averaged), z = Phi^-1((r - 3/8) / (S + 1/4));
  - folding: |x - median| with the median over all split draws (as ArviZ; posterior folds before splitting, which
    differs only for odd chain lengths, so the fixture's odd-length case follows ArviZ);
  - R-hat = sqrt(((n-1)/n W + B/n) / W); rank-normalized R-hat = max(bulk, tail);
  - ESS: autocovariances by FFT (biased, divide by n), Geyer's initial positive then monotone sequence, the
    "improved" last even lag, and posterior's floor tau >= 1 / log10(S).
Chains are drawn from AR(1) processes, some shifted or scaled per chain so that R-hat is well above 1.

Run with Debian's interpreter (python3-numpy, python3-scipy):  /usr/bin/python3 datasets/reference/mcmc_diagnostics.py

    mcmc_diagnostics.py SAMPLES.npy CHAINS
diagnoses a run's samples instead (rows chain-major, as a SampleResult holds them; EvaluatorsIT) and prints one JSON
line: per dimension "rhat" and "essBulk", and "acceptance", the share of consecutive draws that differ.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "eval.mcmc", "src", "test",
                   "resources", "mcmc_diagnostics_reference.json")


def split_chains(x):
    n = x.shape[1]
    half = n // 2
    return np.vstack([x[:, :half], x[:, n - half:]])


def z_scale(x):
    s = x.size
    r = stats.rankdata(x.ravel(), method="average").reshape(x.shape)
    return stats.norm.ppf((r - 0.375) / (s + 0.25))


def rhat(x):
    m, n = x.shape
    means = x.mean(axis=1)
    w = x.var(axis=1, ddof=1).mean()
    b = n * means.var(ddof=1)
    return float(np.sqrt(((n - 1) / n * w + b / n) / w))


def rank_normalized_split_rhat(x):
    s = split_chains(x)
    bulk = rhat(z_scale(s))
    tail = rhat(z_scale(np.abs(s - np.median(s))))
    return max(bulk, tail)


def autocov(x):
    n = x.shape[1]
    m = scipy.fft.next_fast_len(2 * n)
    c = x - x.mean(axis=1, keepdims=True)
    f = np.fft.rfft(c, n=m, axis=1)
    return np.fft.irfft(f * np.conjugate(f), n=m, axis=1)[:, :n] / n


def ess(x):
    m, n = x.shape
    acov = autocov(x)
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n
    if m > 1:
        var_plus += x.mean(axis=1).var(ddof=1)
    rho = np.zeros(n)
    rho[0] = 1.0
    even = 1.0
    odd = 1.0 - (mean_var - acov[:, 1].mean()) / var_plus
    rho[1] = odd
    t = 0
    while t < n - 5 and not np.isnan(even + odd) and even + odd > 0:
        t += 2
        even = 1.0 - (mean_var - acov[:, t].mean()) / var_plus
        odd = 1.0 - (mean_var - acov[:, t + 1].mean()) / var_plus
        if even + odd >= 0:
            rho[t] = even
            rho[t + 1] = odd
    max_t = t
    if even > 0:
        rho[max_t] = even
    t = 0
    while t <= max_t - 4:
        t += 2
        if rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]:
            rho[t] = (rho[t - 2] + rho[t - 1]) / 2
            rho[t + 1] = rho[t]
    total = m * n
    tau = -1 + 2 * rho[:max_t].sum() + rho[max_t]
    tau = max(tau, 1 / np.log10(total))
    return float(total / tau)


def ess_bulk(x):
    return ess(z_scale(split_chains(x)))


def ar1(rng, chains, draws, dims, phi, shift=None, scale=None):
    """chains x draws x dims AR(1) draws with coefficient phi, optionally shifted/scaled per chain."""
    out = np.empty((chains, draws, dims))
    x = rng.normal(size=(chains, dims))
    for i in range(draws):
        x = phi * x + np.sqrt(1 - phi ** 2) * rng.normal(size=(chains, dims))
        out[:, i, :] = x
    if shift is not None:
        out += np.asarray(shift)[:, None, None]
    if scale is not None:
        out *= np.asarray(scale)[:, None, None]
    return out


def case(name, draws3):
    chains, draws, dims = draws3.shape
    per_dim = [draws3[:, :, d] for d in range(dims)]
    return {
        "name": name, "chains": chains, "draws": draws, "dims": dims,
        # chain-major rows, as a SampleResult holds them: chain 0's draws first
        "samples": draws3.reshape(chains * draws, dims).tolist(),
        "rhat": [rank_normalized_split_rhat(x) for x in per_dim],
        "essBulk": [ess_bulk(x) for x in per_dim],
        "rhatBulkOnly": [rhat(z_scale(split_chains(x))) for x in per_dim],
    }


def main():
    rng = np.random.default_rng(20210101)
    cases = [
        case("mixing-4x500-d3", ar1(rng, 4, 500, 3, 0.5)),
        case("sticky-4x400-d2", ar1(rng, 4, 400, 2, 0.95)),
        case("shifted-3x300-d2", ar1(rng, 3, 300, 2, 0.3, shift=[0.0, 0.0, 1.5])),
        case("scaled-4x200-d1", ar1(rng, 4, 200, 1, 0.2, scale=[1.0, 1.0, 1.0, 4.0])),
        case("antithetic-2x301-d2", ar1(rng, 2, 301, 2, -0.6)),
        case("heavy-tailed-4x250-d2", np.tan(0.95 * np.pi * (stats.norm.cdf(ar1(rng, 4, 250, 2, 0.4)) - 0.5))),
    ]
    ties = np.round(ar1(rng, 3, 200, 1, 0.3), 1)
    cases.append(case("ties-3x200-d1", ties))
    out = {"generator": "datasets/reference/mcmc_diagnostics.py", "numpy": np.__version__, "scipy": scipy.__version__,
           "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(f"{c['name']:26s} rhat max {max(c['rhat']):.6f}  ess_bulk min {min(c['essBulk']):9.2f}")


def diagnose(path, chains):
    x = np.load(path)
    draws = x.shape[0] // chains
    x3 = x[: chains * draws].reshape(chains, draws, x.shape[1])
    moved = np.any(x3[:, 1:, :] != x3[:, :-1, :], axis=2)
    print(json.dumps({"chains": chains, "draws": draws,
                      "rhat": [rank_normalized_split_rhat(x3[:, :, d]) for d in range(x3.shape[2])],
                      "essBulk": [ess_bulk(x3[:, :, d]) for d in range(x3.shape[2])],
                      "acceptance": float(moved.mean())}))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        diagnose(sys.argv[1], int(sys.argv[2]))
    else:
        main()
