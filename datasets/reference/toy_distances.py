#!/usr/bin/env python3
"""What the sample distances mean on eight-Gaussians (genbench's toy: 8 equal Gaussians at radius 2 sqrt 2, sd
0.5 / sqrt 2): MMD (Gaussian kernel, bandwidth = median pairwise distance of the held-out set / 8, as eval.distance's
default) and energy distance between 1000 held-out points and 1000 points of (a) the same distribution, (b) the ring
without its modes, (c) the modes' weights 2:1, (d) the modes 1.5 times too wide, (e) one mode missing, (f) the data
shrunk by 10%. Prints the table the bars in DiffusionIT and the diffusion specs are stated against.
Run: /usr/bin/python3 datasets/reference/toy_distances.py
"""
import numpy as np
from scipy.spatial.distance import cdist, pdist

R = 2 * np.sqrt(2)
S = 0.5 / np.sqrt(2)
C = np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], 1) * R


def draw(n, rng, w=None, sd=S):
    k = rng.choice(8, size=n, p=w)
    return C[k] + sd * rng.standard_normal((n, 2))


def energy(a, b):
    return np.sqrt(max(0.0, 2 * cdist(a, b).mean() - cdist(a, a).mean() - cdist(b, b).mean()))


def mmd(a, b, h):
    k = lambda x, y: np.exp(-cdist(x, y, "sqeuclidean") / (2 * h * h)).mean()
    return np.sqrt(max(0.0, k(a, a) + k(b, b) - 2 * k(a, b)))


def main():
    rng = np.random.default_rng(0)
    held = draw(1000, rng)
    h = np.median(pdist(held)) / 8
    th = rng.uniform(0, 2 * np.pi, 1000)
    cases = {
        "real (5 draws)": [draw(1000, rng) for _ in range(5)],
        "ring without modes": [np.stack([np.cos(th), np.sin(th)], 1) * R + S * rng.standard_normal((1000, 2))],
        "weights 2:1": [draw(1000, rng, np.array([2, 1] * 4) / 12)],
        "modes 1.5x wide": [draw(1000, rng, sd=1.5 * S)],
        "one mode missing": [draw(1000, rng, np.array([1] * 7 + [0]) / 7)],
        "shrunk 10%": [0.9 * draw(1000, rng)],
    }
    print(f"bandwidth h = {h:.3f}")
    for name, sets in cases.items():
        m = ", ".join(f"{mmd(s, held, h):.3f}" for s in sets)
        e = ", ".join(f"{energy(s, held):.3f}" for s in sets)
        print(f"{name:22s} MMD {m:40s} energy {e}")


if __name__ == "__main__":
    main()
