#!/usr/bin/env python3
"""Where a 2-D MADE loses against the true two-moons density: a PyTorch MADE of made-toy.json's shape (one order,
2 x 128 ReLU hidden, mixture-of-Gaussians conditionals, Adam with 100 warm-up steps and a cosine schedule, batch
256, 20000 training and 5000 test points of sklearn's two moons, noise 0.1, scaled by 2 and shifted by (-1, -0.2) as
the toy dataset does), scored beside the true density, the gap split into the first dimension's marginal and the
second's conditional (the true marginal of x1 integrated in closed form over the moons' arcs).

  --init data   places the output biases on the first batch as model.made does (each dimension's components at its
                (j + 1/2)/c quantiles, log-scales log(sd min(1, 2/c)), equal weights); --init default keeps
                PyTorch's initialization.

Usage: OPENBLAS_NUM_THREADS=1 python3 bench/torch_made_toy.py [--init data|default] [--steps 3000] [--lr 1e-3]
Prints one line: the gap (true - model, nats per point) and its two parts.
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons


def moons(n, seed):
    x = make_moons(n_samples=n, noise=0.1, random_state=seed)[0]
    return (x * 2 + np.array([-1, -0.2])).astype(np.float32)


T = np.linspace(0, np.pi, 4001)
ARCS = np.concatenate([np.stack([np.cos(T), np.sin(T)], 1),
                       np.stack([1 - np.cos(T), 1 - np.sin(T) - 0.5], 1)]) * 2 + np.array([-1, -0.2])
SD = 0.2


def true_log(x):
    """log p(x): the arcs (uniform in the angle) convolved with N(0, 0.2^2 I)."""
    d2 = ((x[:, None, :] - ARCS[None]) ** 2).sum(-1)
    lp = -d2 / (2 * SD * SD) - np.log(2 * np.pi * SD * SD)
    m = lp.max(1, keepdims=True)
    return m[:, 0] + np.log(np.exp(lp - m).mean(1))


def true_log_x1(x1):
    lp = -(x1[:, None] - ARCS[None, :, 0]) ** 2 / (2 * SD * SD) - 0.5 * np.log(2 * np.pi * SD * SD)
    m = lp.max(1, keepdims=True)
    return m[:, 0] + np.log(np.exp(lp - m).mean(1))


class MaskedLinear(nn.Linear):
    def __init__(self, i, o, mask):
        super().__init__(i, o)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--components", type=int, default=10)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--init", choices=["data", "default"], default="default")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    h, c, d = a.hidden, a.components, 2
    train = torch.tensor(moons(20000, a.seed))
    test = moons(5000, a.seed + 1)
    # one order (x1, x2): every hidden unit has degree 1 and sees x1; x2's outputs see them all, x1's none
    deg_in = torch.tensor([1, 2])
    deg_h = torch.ones(h, dtype=torch.long)
    m1 = (deg_h[:, None] >= deg_in[None]).float()
    m2 = (deg_h[:, None] >= deg_h[None]).float()
    m3 = (deg_in.repeat(3 * c)[:, None] > deg_h[None]).float()
    net = nn.Sequential(MaskedLinear(d, h, m1), nn.ReLU(), MaskedLinear(h, h, m2), nn.ReLU(),
                        MaskedLinear(h, 3 * c * d, m3))

    def log_p(x):  # per dimension, [n, 2]
        o = net(x).view(-1, 3, c, d)
        logits, mu, log_scale = o[:, 0], o[:, 1], o[:, 2]
        z = (x[:, None, :] - mu) * torch.exp(-log_scale)
        comp = -0.5 * z * z - log_scale - 0.5 * math.log(2 * math.pi)
        return torch.logsumexp(comp + torch.log_softmax(logits, 1), 1)

    g = torch.Generator().manual_seed(a.seed + 2)
    first = train[torch.randint(0, len(train), (a.batch,), generator=g)]
    if a.init == "data":
        with torch.no_grad():
            b = net[-1].bias.view(3, c, d)
            b[0] = 0
            b[1] = torch.quantile(first, (torch.arange(c) + 0.5) / c, dim=0)
            b[2] = torch.log(first.std(0) * min(1.0, 2.0 / c)).expand(c, d)
    opt = torch.optim.Adam(net.parameters(), a.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1, (k + 1) / 100) * 0.5 * (1 + math.cos(math.pi * k / a.steps)))
    t0 = time.perf_counter()
    for k in range(a.steps):
        x = first if k == 0 else train[torch.randint(0, len(train), (a.batch,), generator=g)]
        loss = -log_p(x).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        lp = log_p(torch.tensor(test)).double().numpy()
    t, t1 = true_log(test), true_log_x1(test[:, 0])
    print(f"torch made-toy init={a.init} hidden={h} components={c} steps={a.steps} lr={a.lr:g}: "
          f"model {lp.sum(1).mean():.4f} true {t.mean():.4f} gap {(t - lp.sum(1)).mean():.4f} "
          f"(x1 marginal {(t1 - lp[:, 0]).mean():.4f}, x2|x1 {((t - t1) - lp[:, 1]).mean():.4f}) "
          f"{time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
