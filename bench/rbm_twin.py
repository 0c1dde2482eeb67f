#!/usr/bin/env python3
"""A numpy twin of genbench's RBM trainer (trainer.cd + model.rbm), written from their documentation.

Given the initial weights and the data that the Java side used (twin.json, data.bin, init.bin in --dir), it runs
the same updates: the same minibatches (Fisher-Yates per epoch from the same random stream), the same CD-k or PCD
chains (one uniform per unit, rows in order, unit on when u < sigmoid(field)), the same SGD with momentum and weight
decay and the same learning-rate schedule, all in float64, and writes its final W, b, c to twin_final.bin. The
random streams are genbench's org.genbench.api.Rng, re-implemented here over java.util.SplittableRandom's
algorithm (SplitMix64); twin.json carries a few reference draws of the Java stream, checked first.

Usage: rbm_twin.py --dir DIR
"""
import argparse
import json
import math
import os
import sys

import numpy as np

MASK = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def mix32(z):
    z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & MASK
    return (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & MASK) >> 32


def to_signed32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


class Rng:
    """org.genbench.api.Rng: a seed, SplittableRandom(seed), and splits by name or index."""

    def __init__(self, seed):
        self.seed = seed & MASK
        self.state = self.seed

    def split_name(self, name):
        h = self.seed
        for b in name.encode("utf-8"):
            h = mix64(h ^ b)
        return Rng(mix64((h + GOLDEN_GAMMA) & MASK))

    def split_index(self, i):
        return Rng(mix64((self.seed + GOLDEN_GAMMA * (i + 1)) & MASK))

    def _next_seed(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK
        return self.state

    def next_long(self):
        return mix64(self._next_seed())

    def next_double(self):
        return (self.next_long() >> 11) * (1.0 / (1 << 53))

    def next_doubles(self, n):
        """n draws of next_double at once: SplitMix64's states are seed + k * gamma, mixed elementwise."""
        k = np.arange(1, n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            z = np.uint64(self.state) + k * np.uint64(GOLDEN_GAMMA)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
        self.state = (self.state + n * GOLDEN_GAMMA) & MASK
        return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def next_int32(self):
        return to_signed32(mix32(self._next_seed()))

    def next_int(self, bound):
        # java.util.random.RandomSupport.boundedNextInt
        r = self.next_int32()
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if to_signed32(u + m - r) >= 0:
                return r
            u = (self.next_int32() & 0xFFFFFFFF) >> 1


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Rbm:
    def __init__(self, w, b, c):
        self.w, self.b, self.c = w, b, c
        self.uw, self.ub, self.uc = np.zeros_like(w), np.zeros_like(b), np.zeros_like(c)

    def sample_hidden(self, v, rng):
        a = v @ self.w + self.c
        u = rng.next_doubles(a.size).reshape(a.shape)
        return (u < sigmoid(a)).astype(np.float64)

    def sample_visible(self, h, rng):
        g = h @ self.w.T + self.b
        u = rng.next_doubles(g.size).reshape(g.shape)
        return (u < sigmoid(g)).astype(np.float64)

    def free_energy(self, v):
        return -(v @ self.b) - np.logaddexp(0, v @ self.w + self.c).sum(axis=1)

    def step(self, pos, neg, rate, momentum, decay, first):
        # the gradient of mean F(pos) - mean F(neg), then torch.optim.SGD's update: g += wd p (W only);
        # v = g on the first step, else mu v + g; p -= lr v
        pp, pn = sigmoid(pos @ self.w + self.c), sigmoid(neg @ self.w + self.c)
        gw = -(pos.T @ pp) / len(pos) + (neg.T @ pn) / len(neg) + decay * self.w
        gb = -pos.mean(axis=0) + neg.mean(axis=0)
        gc = -pp.mean(axis=0) + pn.mean(axis=0)
        self.uw = gw if first else momentum * self.uw + gw
        self.ub = gb if first else momentum * self.ub + gb
        self.uc = gc if first else momentum * self.uc + gc
        self.w = self.w - rate * self.uw
        self.b = self.b - rate * self.ub
        self.c = self.c - rate * self.uc


def permutation(n, rng):
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.next_int(i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def rate_at(cfg, s):
    # nn's Schedule.named(name, lr, warmup 0, total steps)
    lr, total = cfg["learningRate"], cfg["steps"]
    if cfg["schedule"] == "linear":
        return lr * max(0, total - s) / total
    if cfg["schedule"] == "cosine":
        return 0.5 * lr * (1 + math.cos(math.pi * s / total))
    return lr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    cfg = json.load(open(os.path.join(args.dir, "twin.json")))
    d, h, n = cfg["visible"], cfg["hidden"], cfg["examples"]

    check = Rng(cfg["rngCheck"]["seed"])
    got = [check.next_double() for _ in range(3)] + [check.next_int(b) for b in cfg["rngCheck"]["bounds"]]
    got.append(Rng(cfg["rngCheck"]["seed"]).split_name("step").split_index(7).next_double())
    vec = Rng(cfg["rngCheck"]["seed"]).next_doubles(3).tolist()
    if vec != got[:3]:
        sys.exit("rbm_twin: the vectorized draws disagree with the scalar ones: %r vs %r" % (vec, got[:3]))
    if got != cfg["rngCheck"]["draws"]:
        sys.exit("rbm_twin: the Rng re-implementation disagrees with Java: %r vs %r" % (got, cfg["rngCheck"]["draws"]))

    data = np.fromfile(os.path.join(args.dir, "data.bin"), dtype="<f8").reshape(n, d)
    init = np.fromfile(os.path.join(args.dir, "init.bin"), dtype="<f8")
    rbm = Rbm(init[: d * h].reshape(d, h).copy(), init[d * h : d * h + d].copy(), init[d * h + d :].copy())

    rng = Rng(cfg["seed"])
    batch = min(cfg["batchSize"], n)
    per_epoch = n // batch
    k = cfg["k"]
    chains = None
    if cfg["persistent"]:
        pick_rng = rng.split_name("pcd-init").split_index(0)
        pick = [pick_rng.next_int(n) for _ in range(cfg["chains"])]
        chains = data[pick].copy()
    order, order_epoch = None, -1
    for s in range(cfg["steps"]):
        epoch = s // per_epoch
        if epoch != order_epoch:
            order = permutation(n, rng.split_name("shuffle").split_index(0).split_index(epoch))
            order_epoch = epoch
        off = (s % per_epoch) * batch
        pos = data[order[off : off + batch]]
        gibbs = rng.split_name("step").split_index(s).split_name("gibbs")
        if cfg["persistent"]:
            v = chains
            for _ in range(k):
                v = rbm.sample_visible(rbm.sample_hidden(v, gibbs), gibbs)
            chains = v
        else:
            hs = rbm.sample_hidden(pos, gibbs)
            v = None
            for i in range(k):
                if v is not None:
                    hs = rbm.sample_hidden(v, gibbs)
                v = rbm.sample_visible(hs, gibbs)
        momentum = cfg["initialMomentum"] if s < cfg["momentumWarmup"] else cfg["momentum"]
        rbm.step(pos, v, rate_at(cfg, s), momentum, cfg["weightDecay"], s == 0)

    out = np.concatenate([rbm.w.ravel(), rbm.b, rbm.c]).astype("<f8")
    out.tofile(os.path.join(args.dir, "twin_final.bin"))
    fe = rbm.free_energy(data[: min(n, 100)]).mean()
    print("rbm_twin: %d updates, %s k=%d, final mean free energy of the first examples %.10f"
          % (cfg["steps"], "PCD" if cfg["persistent"] else "CD", k, fe))


if __name__ == "__main__":
    main()
