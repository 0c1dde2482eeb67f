#!/usr/bin/python3
"""Reference Frechet distances for genbench's FID: pytorch-fid's formula on fixed statistics, computed with scipy.

Writes bundles/eval.fid/src/test/resources/fid_reference.json, read by FrechetDistanceTest.

frechet_distance() below is pytorch-fid's calculate_frechet_distance (pytorch_fid/fid_score.py, v0.3.0) verbatim
in substance: scipy.linalg.sqrtm(sigma1.dot(sigma2)), a retry with eps * I added to both covariances when the
result is not finite, the real part taken when sqrtm returns a complex matrix (near-singular products), and
||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr(sqrtm). Statistics are np.mean and np.cov(rowvar=False), as
pytorch-fid's calculate_activation_statistics.

Cases: well-conditioned statistics of several sizes, scaled covariances, identical statistics (FID 0), rank-deficient
covariances (fewer samples than features: sqrtm comes back complex and only its real part is kept), a feature
that is constant in both sets (an exactly singular product), and one case with the raw features so that the Java
side's mean and covariance are checked too.

Run with Debian's interpreter (python3-numpy, python3-scipy):  /usr/bin/python3 datasets/reference/fid_reference.py
"""
import json
import os
import warnings

import numpy as np
import scipy
from scipy import linalg

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "numerics", "src", "test",
                   "resources", "fid_reference.json")


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance; returns the distance and how sqrtm behaved."""
    mu1 = np.atleast_1d(mu1)
    mu2 = np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1)
    sigma2 = np.atleast_2d(sigma2)
    diff = mu1 - mu2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    offset_applied = False
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
        offset_applied = True
    was_complex = bool(np.iscomplexobj(covmean))
    if was_complex:
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    fid = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean
    return float(fid), offset_applied, was_complex


def stats(features):
    return np.mean(features, axis=0), np.cov(features, rowvar=False)


def correlated(rng, n, d, scale=1.0):
    a = rng.normal(size=(d, d)) / np.sqrt(d)
    return scale * rng.normal(size=(n, d)) @ (a + 0.5 * np.eye(d))


def case(name, f1, f2, with_features=False):
    mu1, s1 = stats(f1)
    mu2, s2 = stats(f2)
    fid, offset, was_complex = frechet_distance(mu1, s1, mu2, s2)
    c = {"name": name, "d": int(f1.shape[1]), "n1": int(f1.shape[0]), "n2": int(f2.shape[0]),
         "mu1": mu1.tolist(), "sigma1": s1.tolist(), "mu2": mu2.tolist(), "sigma2": s2.tolist(),
         "fid": fid, "offsetApplied": offset, "sqrtmComplex": was_complex}
    if with_features:
        c["features1"] = f1.tolist()
        c["features2"] = f2.tolist()
    return c


def main():
    rng = np.random.default_rng(2017)
    cases = []
    cases.append(case("small-d8-with-features", correlated(rng, 60, 8), correlated(rng, 50, 8) + 0.3, True))
    cases.append(case("d64", correlated(rng, 2000, 64), correlated(rng, 1500, 64, 1.3) + 0.1))
    cases.append(case("d128-close", correlated(rng, 3000, 128), correlated(rng, 3000, 128)))
    base = correlated(rng, 500, 16)
    cases.append(case("scaled-d16", base, 2.0 * base + 1.0))
    same = correlated(rng, 400, 12)
    cases.append(case("identical-d12", same, same.copy()))
    cases.append(case("rank-deficient-n20-d32", correlated(rng, 20, 32), correlated(rng, 24, 32) + 0.2))
    cases.append(case("rank-deficient-n10-d64", correlated(rng, 10, 64), correlated(rng, 10, 64)))
    f1 = correlated(rng, 300, 10)
    f2 = correlated(rng, 300, 10)
    f1[:, 4] = 0.0
    f2[:, 4] = 0.0
    f1[:, 7] = 1.0
    f2[:, 7] = 1.0
    cases.append(case("constant-features-d10", f1, f2))
    out = {"generator": "datasets/reference/fid_reference.py", "numpy": np.__version__, "scipy": scipy.__version__,
           "formula": "pytorch-fid calculate_frechet_distance, eps=1e-6", "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(f"{c['name']:28s} fid {c['fid']:.12g}  complex={c['sqrtmComplex']} offset={c['offsetApplied']}")


if __name__ == "__main__":
    main()
