#!/usr/bin/env python3
"""Reference values for genbench's diffusion library (bundles/diffusion tests), computed independently with numpy,
scipy and mpmath.

- betas: the linear schedule (Ho et al. 2020, scaled by 1000/T as improved-diffusion's get_named_beta_schedule) and the
  cosine schedule (Nichol and Dhariwal 2021, betas_for_alpha_bar with max_beta 0.999), T = 1000 and T = 40.
- gauss: log P(Z > x) and log(Phi(b) - Phi(a)) at 60-digit precision (mpmath), far into the tails.
- bound: DDPM's variational bound per dimension for 1-D Gaussian data N(m, s^2) discretized on 256 levels of [-1, 1],
  with the Bayes-optimal noise predictor of the continuous Gaussian, eps(x_t) = sqrt(1 - abar)(x_t - sqrt(abar) m) /
  (abar s^2 + 1 - abar). Each term's expectation over x_t (one Gaussian integral per dimension) by adaptive quadrature;
  prior term in closed form; x0_hat clipped to [-1, 1]; posterior variance ("small"), decoder scale sqrt(beta~_2).
Writes bundles/diffusion/src/test/resources/diffusion_reference.json.
Run: /usr/bin/python3 datasets/reference/diffusion_reference.py
"""
import json
import math
import pathlib

import mpmath
import numpy as np
from scipy import integrate
from scipy.stats import norm

mpmath.mp.dps = 60


def linear_betas(T):
    scale = 1000 / T
    return np.linspace(scale * 0.0001, scale * 0.02, T, dtype=np.float64)


def cosine_betas(T, s=0.008):
    f = lambda t: math.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    return np.array([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)])


def log_q(x):
    return float(mpmath.log(mpmath.erfc(mpmath.mpf(x) / mpmath.sqrt(2)) / 2))


def log_interval(a, b):
    cdf = lambda v: mpmath.mpf(0) if v == -math.inf else mpmath.mpf(1) if v == math.inf else mpmath.ncdf(mpmath.mpf(v))
    return float(mpmath.log(cdf(b) - cdf(a)))


def bound_terms(T, m, s, x0):
    betas = linear_betas(T)
    ab = np.cumprod(1 - betas)
    delta = 2 / 255

    def eps_hat(xt, a):
        return math.sqrt(1 - a) * (xt - math.sqrt(a) * m) / (a * s * s + 1 - a)

    def x0_hat(xt, a):
        return min(1.0, max(-1.0, (xt - math.sqrt(1 - a) * eps_hat(xt, a)) / math.sqrt(a)))

    def expect(f):
        # E over eps ~ N(0, 1) of f(eps)
        val, _ = integrate.quad(lambda e: f(e) * norm.pdf(e), -12, 12, limit=400, epsabs=1e-13, epsrel=1e-11)
        return val

    prior = 0.5 * ((1 - ab[-1]) + ab[-1] * x0 * x0 - 1 - math.log(1 - ab[-1]))
    kl = []
    for t in range(2, T + 1):
        a, a_prev = ab[t - 1], ab[t - 2]
        beta = 1 - a / a_prev
        post = beta * (1 - a_prev) / (1 - a)
        c1 = math.sqrt(a_prev) * beta / (1 - a)
        kl.append(expect(lambda e: 0.5 * c1 * c1 * (x0 - x0_hat(math.sqrt(a) * x0 + math.sqrt(1 - a) * e, a)) ** 2 / post))
    a1 = ab[0]
    dec_sd = math.sqrt((1 - ab[1] / a1) * (1 - a1) / (1 - ab[1]))

    def dec(e):
        mean = x0_hat(math.sqrt(a1) * x0 + math.sqrt(1 - a1) * e, a1)
        lo = -math.inf if x0 - delta / 2 <= -1 else (x0 - delta / 2 - mean) / dec_sd
        hi = math.inf if x0 + delta / 2 >= 1 else (x0 + delta / 2 - mean) / dec_sd
        if lo == -math.inf:
            return norm.logcdf(hi)
        if hi == math.inf:
            return norm.logsf(lo)
        if lo > 0:
            return norm.logsf(lo) + math.log1p(-math.exp(norm.logsf(hi) - norm.logsf(lo)))
        if hi < 0:
            return norm.logcdf(hi) + math.log1p(-math.exp(norm.logcdf(lo) - norm.logcdf(hi)))
        return math.log(norm.cdf(hi) - norm.cdf(lo))

    decoder = expect(dec)
    return {"x0": x0, "prior": prior, "kl": kl, "decoder": decoder, "bound": -prior - sum(kl) + decoder}


def main():
    out = {
        "linear1000": linear_betas(1000).tolist(),
        "cosine1000": cosine_betas(1000).tolist(),
        "linear40": linear_betas(40).tolist(),
        "cosine40": cosine_betas(40).tolist(),
    }
    xs = [-40.0, -9.0, -3.0, -1.0, -0.3, 0.0, 0.2, 0.5, 0.7, 1.5, 4.0, 8.5, 20.0, 38.0]
    out["log_q"] = [[x, log_q(x)] for x in xs]
    pairs = [[-math.inf, -30.0], [-math.inf, 0.3], [-2.0, -1.9], [-0.1, 0.05], [0.4, 0.45], [3.0, 3.2], [12.0, 12.5],
             [25.0, math.inf], [-1.0, math.inf], [5.0, 5.000001], [-7.0, -6.0]]
    out["log_interval"] = [[a, b, log_interval(a, b)] for a, b in pairs]
    T, m, s = 40, 0.1, 0.3
    out["bound"] = {"T": T, "m": m, "s": s, "levels": 256,
                    "values": [bound_terms(T, m, s, -1 + 2 * k / 255) for k in (0, 60, 140, 200, 255)]}
    path = pathlib.Path(__file__).resolve().parents[2] / "bundles/diffusion/src/test/resources/diffusion_reference.json"
    path.write_text(json.dumps(out, indent=1, default=lambda v: None if v in (math.inf, -math.inf) else v) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
