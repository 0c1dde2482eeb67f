#!/usr/bin/env python3
"""PyTorch twins of genbench's exact-likelihood families for bench/flows_vs_torch.sh: the same architectures as
bundles/model.realnvp, model.maf, model.made and model.pixelcnn (layer by layer, PyTorch's default initialization as
genbench's nn uses it, zero-initialized coupling outputs, data-initialized ActNorm), the same data (the first N
Fashion-MNIST training images from Debian's dataset-fashion-mnist, the first TEST test images), the same
preprocessing (8-bit levels, uniform dequantization with fresh noise per step, the logit pre-transform; or the fixed
binarization, regenerated here from genbench's seed with a port of its random generator), the same steps, batch and
Adam. Prints one line per model:

  torch <family> seed=<s> batch=<b> steps=<n> metric=<bits_per_dim|nats> value=<test score> seconds=<train> samples_per_s=<x>

Test score: bits/dim on the 8-bit scale (-(mean log p(x') - D ln 256) / (D ln 2), one dequantization draw per image)
or nats (negative mean log-likelihood of the binary images), over all TEST images.
"""
import argparse
import gzip
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IDX = "/usr/share/datasets/fashion-mnist"
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
FIXED_SEED = 1708077470  # datasets/fashion-mnist/manifest.json, fixedBinarization.seed


# ---------------------------------------------------------------------------- data

def read_idx(name, n):
    with gzip.open(f"{IDX}/{name}", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    return arr[:n]


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def rng_split(seed, name):
    """genbench's Rng.split(String): a child seed from the parent's seed and the name's UTF-8 bytes."""
    h = seed & M64
    for b in name.encode("utf-8"):
        h = _mix(h ^ b)
    return _mix((h + GOLDEN) & M64)


def java_doubles(seed, n):
    """The first n nextDouble() of java.util.SplittableRandom(seed), vectorized: mix64(seed + k gamma) >>> 11, k >= 1."""
    with np.errstate(over="ignore"):
        k = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed & M64) + k * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def fixed_binarization(split, images):
    """genbench's fixed binarization of a whole split: pixel i is 1 when the i-th double of Rng(seed).split(split)
    is below intensity / 255."""
    u = java_doubles(rng_split(FIXED_SEED, split), images.size)
    return (u < images.reshape(-1) / 255.0).astype(np.float32).reshape(images.shape)


def load(binary, n, test):
    if binary:
        train = fixed_binarization("train", read_idx("train-images-idx3-ubyte.gz", 60000))[:n]
        test_x = fixed_binarization("test", read_idx("t10k-images-idx3-ubyte.gz", 10000))[:test]
    else:
        train = read_idx("train-images-idx3-ubyte.gz", n).astype(np.float32)
        test_x = read_idx("t10k-images-idx3-ubyte.gz", test).astype(np.float32)
    return torch.from_numpy(train.reshape(-1, 1, 28, 28).copy()), torch.from_numpy(test_x.reshape(-1, 1, 28, 28).copy())


def logit_transform(xp, alpha):
    """y = logit(alpha + (1 - 2 alpha) x') and log |dy/dx'| per example."""
    p = alpha + (1 - 2 * alpha) * xp
    y = torch.log(p) - torch.log1p(-p)
    jac = (math.log1p(-2 * alpha) - torch.log(p) - torch.log1p(-p)).flatten(1).sum(1)
    return y, jac


def dequantize(x, gen):
    return torch.clamp((x + torch.rand(x.shape, generator=gen)) / 256, max=1 - 2 ** -24)


# ---------------------------------------------------------------------------- flows

class ActNorm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(c))
        self.log_scale = nn.Parameter(torch.zeros(c))
        self.initialized = False

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if not self.initialized and self.training:
            with torch.no_grad():
                dims = [0] + list(range(2, x.dim()))
                mean = x.mean(dims)
                var = ((x - mean.view(shape)) ** 2).mean(dims)
                self.bias.copy_(-mean)
                self.log_scale.copy_(-0.5 * torch.log(var + 1e-6))
            self.initialized = True
        y = (x + self.bias.view(shape)) * torch.exp(self.log_scale.view(shape))
        positions = x[0, 0].numel()
        return y, self.log_scale.sum() * positions


class ResBlock(nn.Module):
    """nn's ResidualBlock with norm none: x + conv2(relu(conv1(relu(x))))."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, 1, 1)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class Coupling(nn.Module):
    def __init__(self, mask, parity, channels, hidden, depth):
        super().__init__()
        self.mask, self.parity, self.channels = mask, parity, channels
        cin = channels // 2 if mask == "channel" else channels
        cout = 2 * (channels - channels // 2) if mask == "channel" else 2 * channels
        self.scale = nn.Parameter(torch.ones(channels - channels // 2 if mask == "channel" else channels))
        if mask == "vector":
            layers, width = [], cin
            for _ in range(depth):
                layers += [nn.Linear(width, hidden), nn.ReLU()]
                width = hidden
            last = nn.Linear(width, cout)
            layers.append(last)
            self.net = nn.Sequential(*layers)
        else:
            self.net = nn.Sequential(nn.Conv2d(cin, hidden, 3, 1, 1), *[ResBlock(hidden) for _ in range(depth)],
                                     nn.ReLU(), nn.Conv2d(hidden, cout, 3, 1, 1))
            last = self.net[-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def st(self, a):
        h = self.net(a)
        half = h.shape[1] // 2
        shape = (1, -1) + (1,) * (h.dim() - 2)
        return torch.tanh(h[:, :half]) * self.scale.view(shape), h[:, half:]

    def forward(self, x):
        n = x.shape[0]
        if self.mask == "channel":
            half = self.channels // 2
            a = x[:, :half] if self.parity == 0 else x[:, self.channels - half:]
            b = x[:, half:] if self.parity == 0 else x[:, :self.channels - half]
            s, t = self.st(a)
            b = b * torch.exp(s) + t
            y = torch.cat([a, b], 1) if self.parity == 0 else torch.cat([b, a], 1)
            return y, s.reshape(n, -1).sum(1)
        if self.mask == "vector":
            m = (torch.arange(x.shape[1]) % 2 == self.parity).float().view(1, -1)
        else:
            i = torch.arange(x.shape[2]).view(-1, 1)
            j = torch.arange(x.shape[3]).view(1, -1)
            m = ((i + j) % 2 == self.parity).float().view(1, 1, x.shape[2], x.shape[3])
        s, t = self.st(x * m)
        s, t = s * (1 - m), t * (1 - m)
        return x * torch.exp(s) + t, s.reshape(n, -1).sum(1)


def squeeze2d(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, c * 4, h // 2, w // 2)


class RealNVP(nn.Module):
    """bundles/model.realnvp's RealNvpFlow for images with ActNorm after every coupling."""

    def __init__(self, scales, hidden, blocks, channels=1):
        super().__init__()
        self.scales = scales
        self.before, self.after = nn.ModuleList(), nn.ModuleList()
        ch = channels
        for l in range(scales):
            last = l == scales - 1
            self.before.append(nn.ModuleList([nn.ModuleList([Coupling("checker", k % 2, ch, hidden, blocks), ActNorm(ch)])
                                              for k in range(4 if last else 3)]))
            steps = nn.ModuleList()
            if not last:
                ch *= 4
                steps = nn.ModuleList([nn.ModuleList([Coupling("channel", k % 2, ch, hidden, blocks), ActNorm(ch)])
                                       for k in range(3)])
                ch -= ch // 2
            self.after.append(steps)

    def log_prob(self, x):
        h, logdet, logbase = x, 0.0, 0.0
        for l in range(self.scales):
            for c, a in self.before[l]:
                h, ld = c(h)
                h, ld2 = a(h)
                logdet = logdet + ld + ld2
            if len(self.after[l]) > 0:
                h = squeeze2d(h)
                for c, a in self.after[l]:
                    h, ld = c(h)
                    h, ld2 = a(h)
                    logdet = logdet + ld + ld2
                ch = h.shape[1]
                keep = ch - ch // 2
                logbase = logbase + normal_log_prob(h[:, keep:])
                h = h[:, :keep]
        return logbase + normal_log_prob(h) + logdet


def normal_log_prob(z):
    z = z.reshape(z.shape[0], -1)
    return -0.5 * (z ** 2).sum(1) - 0.5 * z.shape[1] * math.log(2 * math.pi)


class MaskedLinear(nn.Linear):
    def __init__(self, i, o, mask):
        super().__init__(i, o)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)


def made_masks(d, hidden, k, order):
    """nn's Made.connect with deterministic degrees: input degrees from the order, hidden degrees cycling 1..D-1."""
    in_deg = torch.empty(d, dtype=torch.long)
    in_deg[torch.tensor(order)] = torch.arange(1, d + 1)
    masks, below = [], in_deg
    for h in hidden:
        lo = min(int(below.min()), d - 1)
        span = d - 1 - lo + 1
        deg = torch.tensor([lo + (i % span) for i in range(h)])
        masks.append((deg.view(-1, 1) >= below.view(1, -1)).float())
        below = deg
    out_deg = in_deg.repeat(k)
    masks.append((below.view(1, -1) < out_deg.view(-1, 1)).float())
    return masks


class Made(nn.Module):
    def __init__(self, d, hidden, k, order):
        super().__init__()
        masks = made_masks(d, hidden, k, order)
        sizes = [d] + hidden + [k * d]
        self.layers = nn.ModuleList([MaskedLinear(sizes[i], sizes[i + 1], masks[i]) for i in range(len(sizes) - 1)])

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class MAF(nn.Module):
    """bundles/model.maf's MafFlow: Gaussian MADEs (output layers zero-initialized), orders reversed in turn, ActNorm
    after each."""

    def __init__(self, d, layers, hidden):
        super().__init__()
        self.d = d
        self.mades = nn.ModuleList([Made(d, [hidden], 2, list(range(d)) if k % 2 == 0 else list(range(d - 1, -1, -1)))
                                    for k in range(layers)])
        for made in self.mades:
            nn.init.zeros_(made.layers[-1].weight)
            nn.init.zeros_(made.layers[-1].bias)
        self.norms = nn.ModuleList([ActNorm(d) for _ in range(layers)])

    def log_prob(self, x):
        h = x.reshape(x.shape[0], -1)
        logdet = 0.0
        for made, norm in zip(self.mades, self.norms):
            out = made(h)
            mu, alpha = out[:, :self.d], out[:, self.d:]
            h = (h - mu) * torch.exp(-alpha)
            logdet = logdet - alpha.sum(1)
            h, ld = norm(h)
            logdet = logdet + ld
        return normal_log_prob(h) + logdet


class BinaryMade(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.made = Made(d, [hidden], 1, list(range(d)))

    def log_prob(self, x):
        x = x.reshape(x.shape[0], -1)
        return -F.binary_cross_entropy_with_logits(self.made(x), x, reduction="none").sum(1)


class MaskedConv2d(nn.Conv2d):
    def __init__(self, cin, cout, k, kind):
        super().__init__(cin, cout, k, 1, k // 2)
        m = torch.zeros(cout, cin, k, k)
        c = k // 2
        m[:, :, :c, :] = 1
        m[:, :, c, :c] = 1
        if kind == "B":
            m[:, :, c, c] = 1
        self.register_buffer("mask", m)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, 1, self.padding)


class PixelCNN(nn.Module):
    """bundles/model.pixelcnn's PixelCnnNet: 7x7 type A to 2h, residual blocks (1x1 to h, 3x3 type B, 1x1 to 2h), head."""

    def __init__(self, h, blocks, kernel, head, levels):
        super().__init__()
        self.levels = levels
        self.inp = MaskedConv2d(1, 2 * h, kernel, "A")
        self.blocks = nn.ModuleList([nn.ModuleList([nn.Conv2d(2 * h, h, 1), MaskedConv2d(h, h, 3, "B"), nn.Conv2d(h, 2 * h, 1)])
                                     for _ in range(blocks)])
        self.head = nn.Conv2d(2 * h, head, 1)
        self.out = nn.Conv2d(head, levels, 1)

    def log_prob(self, x):
        h = self.inp(x * (2.0 / (self.levels - 1)) - 1)
        for down, mid, up in self.blocks:
            h = h + up(F.relu(mid(F.relu(down(F.relu(h))))))
        logits = self.out(F.relu(self.head(F.relu(h))))
        return -F.cross_entropy(logits, x[:, 0].long(), reduction="none").flatten(1).sum(1)


# ---------------------------------------------------------------------------- runs

def build(family, a):
    if family == "realnvp":
        return RealNVP(a.scales, a.channels, a.blocks)
    if family == "maf":
        return MAF(784, a.layers, a.hidden)
    if family == "made":
        return BinaryMade(784, a.hidden)
    if family == "pixelcnn":
        return PixelCNN(a.channels, a.blocks, a.kernel, a.head, 256)
    raise ValueError(family)


def score(model, family, x, alpha, gen):
    """log p per example of the data's values: the density of x' (with the pre-transform's Jacobian) for flows, the
    exact probability for PixelCNN and binary MADE."""
    if family in ("realnvp", "maf"):
        y, jac = logit_transform(dequantize(x, gen), alpha)
        return model.log_prob(y) + jac
    return model.log_prob(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--family", required=True, choices=["realnvp", "maf", "made", "pixelcnn"])
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--alpha", type=float, default=1e-6)
    p.add_argument("--scales", type=int, default=2)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--blocks", type=int, default=1)
    p.add_argument("--kernel", type=int, default=7)
    p.add_argument("--head", type=int, default=32)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--hidden", type=int, default=512)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    binary = a.family == "made"
    train, test = load(binary, a.n, a.test)
    model = build(a.family, a)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    d = 784
    order = torch.randperm(len(train), generator=gen)
    per_epoch = len(train) // a.batch
    model.train()
    t0 = time.perf_counter()
    for step in range(a.steps):
        if step % per_epoch == 0 and step > 0:
            order = torch.randperm(len(train), generator=gen)
        idx = order[(step % per_epoch) * a.batch:(step % per_epoch + 1) * a.batch]
        loss = -score(model, a.family, train[idx], a.alpha, gen).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if not math.isfinite(loss.item()):
            raise SystemExit(f"torch {a.family}: the loss is {loss.item()} at step {step + 1}")
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        lp = torch.cat([score(model, a.family, test[i:i + 500], a.alpha, gen) for i in range(0, len(test), 500)])
    mean = lp.double().mean().item()
    if binary:
        metric, value = "nats", -mean
    elif a.family == "pixelcnn":  # the exact probability of the levels
        metric, value = "bits_per_dim", -mean / (d * math.log(2))
    else:  # a density of x': the dequantization's -D ln 256 turns it into the levels' log-likelihood
        metric, value = "bits_per_dim", -(mean - d * math.log(256)) / (d * math.log(2))
    print(f"torch {a.family} seed={a.seed} batch={a.batch} steps={a.steps} metric={metric} value={value:.4f} "
          f"seconds={seconds:.3f} samples_per_s={a.steps * a.batch / seconds:.1f}", flush=True)


if __name__ == "__main__":
    main()
