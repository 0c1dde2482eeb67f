#!/usr/bin/env python3
"""PyTorch twin of genbench's DDPM on Fashion-MNIST (bench/ddpm_vs_torch.sh).

The same network as nn's UNet (bundles/nn .../modules/UNet.java): a sinusoidal time embedding of the step t (1..T)
with frequencies 10000^(-j / (h - 1)), [sin, cos], then Linear(base, 4 base), SiLU, Linear; a 3x3 input convolution;
per level `blocks` pre-activation residual blocks (GroupNorm with the largest group count <= 8 dividing the channels,
SiLU, 3x3 conv, + Linear(SiLU(temb)) per channel, GroupNorm, SiLU, 3x3 conv, 1x1 skip when the width changes) and a
stride-2 3x3 convolution between levels; two middle blocks; on the way up `blocks + 1` blocks per level on the
concatenated skips, nearest upsampling and a 3x3 convolution between levels; GroupNorm, SiLU, 3x3 output convolution.
PyTorch's default initialization, as nn's. The same DDPM: linear betas 1e-4..0.02 (scaled by 1000 / T), t uniform in
1..T, the mean squared error of eps, Adam, an EMA of the weights with decay min(d, (1 + n) / (10 + n)) after n steps;
data x / 255 mapped to 2x - 1; epochs shuffled without replacement (drop_last), as genbench's gradient trainer.
Samples: DDIM (eta 0, clipped x0, S evenly spaced steps with both ends, as genbench's Schedules.spacedTimes) from the
EMA weights, written as raw little-endian float32 [n, 1, 28, 28] in [0, 1].

Writes --out/torch-loss.txt (step loss), --out/torch-samples.f32, and prints
  torch ddpm batch=B steps=S seconds=T samples_per_s=X sample_seconds=Y
where samples/s counts training images over steps after the first 5 (warm-up), as the genbench side.
"""
import argparse
import gzip
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def groups_for(c):
    for g in range(min(8, c), 1, -1):
        if c % g == 0:
            return g
    return 1


class TimeEmbedding(nn.Module):
    def __init__(self, dim, out):
        super().__init__()
        self.dim = dim
        self.l0 = nn.Linear(dim, out)
        self.l2 = nn.Linear(out, out)

    def forward(self, t):
        half = self.dim // 2
        scale = math.log(10000) / max(1, half - 1)
        f = torch.exp(-scale * torch.arange(half, dtype=torch.float32))
        a = t[:, None].float() * f[None, :]
        return self.l2(F.silu(self.l0(torch.cat([torch.sin(a), torch.cos(a)], 1))))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, dropout):
        super().__init__()
        self.n1 = nn.GroupNorm(groups_for(cin), cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(tdim, cout)
        self.n2 = nn.GroupNorm(groups_for(cout), cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.dropout = dropout

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.t(F.silu(temb))[:, :, None, None]
        h = F.silu(self.n2(h))
        if self.dropout > 0 and self.training:
            h = F.dropout(h, self.dropout)
        h = self.c2(h)
        return (x if self.skip is None else self.skip(x)) + h


class UNet(nn.Module):
    def __init__(self, channels=1, base=16, mults=(1, 2, 2), blocks=1, dropout=0.0):
        super().__init__()
        tdim = 4 * base
        self.time = TimeEmbedding(base, tdim)
        self.inc = nn.Conv2d(channels, base, 3, padding=1)
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        skips, ch = [base], base
        for l, m in enumerate(mults):
            out = base * m
            for _ in range(blocks):
                self.down.append(ResBlock(ch, out, tdim, dropout))
                ch = out
                skips.append(ch)
            if l < len(mults) - 1:
                self.downsample.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        self.mid1, self.mid2 = ResBlock(ch, ch, tdim, dropout), ResBlock(ch, ch, tdim, dropout)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for l in reversed(range(len(mults))):
            out = base * mults[l]
            for _ in range(blocks + 1):
                self.up.append(ResBlock(ch + skips.pop(), out, tdim, dropout))
                ch = out
            if l > 0:
                self.upsample.append(nn.Conv2d(ch, ch, 3, padding=1))
        self.norm = nn.GroupNorm(groups_for(ch), ch)
        self.out = nn.Conv2d(ch, channels, 3, padding=1)
        self.mults, self.blocks = mults, blocks

    def forward(self, x, t):
        temb = self.time(t)
        h = self.inc(x)
        skips = [h]
        d = 0
        for l in range(len(self.mults)):
            for _ in range(self.blocks):
                h = self.down[d](h, temb)
                d += 1
                skips.append(h)
            if l < len(self.mults) - 1:
                h = self.downsample[l](h)
                skips.append(h)
        h = self.mid2(self.mid1(h, temb), temb)
        u = us = 0
        for l in reversed(range(len(self.mults))):
            for _ in range(self.blocks + 1):
                h = self.up[u](torch.cat([h, skips.pop()], 1), temb)
                u += 1
            if l > 0:
                h = self.upsample[us](F.interpolate(h, scale_factor=2, mode="nearest"))
                us += 1
        return self.out(F.silu(self.norm(h)))


def load(path, n):
    with gzip.open(f"{path}/train-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)[: n * 784]
    return torch.from_numpy(images.astype(np.float32).reshape(n, 1, 28, 28) / 255.0)


def spaced(T, S):
    return [T] if S == 1 else [int(round(1 + i * (T - 1) / (S - 1))) for i in range(S)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--timesteps", type=int, default=1000)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--ema", type=float, default=0.995)
    p.add_argument("--n", type=int, default=60000)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--sample-steps", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = load(a.data, a.n) * 2 - 1
    T = a.timesteps
    scale = 1000 / T
    betas = torch.linspace(scale * 1e-4, min(0.999, scale * 0.02), T, dtype=torch.float64)
    ab = torch.cumprod(1 - betas, 0)
    net = UNet(base=a.channels)
    ema = {k: v.detach().clone() for k, v in net.state_dict().items()}
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(a.seed)
    per_epoch = a.n // a.batch
    order = None
    losses = []
    t_start = None
    for step in range(a.steps):
        if step == 5:
            t_start = time.perf_counter()
        if step % per_epoch == 0:
            order = torch.randperm(a.n, generator=g)
        idx = order[(step % per_epoch) * a.batch:(step % per_epoch + 1) * a.batch]
        x0 = data[idx]
        t = torch.randint(1, T + 1, (a.batch,), generator=g)
        eps = torch.randn(x0.shape, generator=g)
        abt = ab[t - 1].float()[:, None, None, None]
        xt = abt.sqrt() * x0 + (1 - abt).sqrt() * eps
        loss = F.mse_loss(net(xt, t), eps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        decay = min(a.ema, (1.0 + step + 1) / (10.0 + step + 1))
        with torch.no_grad():
            for k, v in net.state_dict().items():
                ema[k].mul_(decay).add_(v, alpha=1 - decay)
        losses.append(loss.item())
        if (step + 1) % 50 == 0:
            print(f"torch step {step + 1} loss {loss.item():.4f}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t_start if t_start else float("nan")
    with open(f"{a.out}/torch-loss.txt", "w") as f:
        for i, l in enumerate(losses):
            f.write(f"{i + 1} {l}\n")
    net.load_state_dict(ema)
    net.eval()
    t0 = time.perf_counter()
    times = spaced(T, a.sample_steps)
    out = []
    with torch.no_grad():
        for start in range(0, a.samples, 256):
            n = min(256, a.samples - start)
            x = torch.randn((n, 1, 28, 28), generator=g)
            for i in reversed(range(len(times))):
                t = times[i]
                a_t = ab[t - 1].item()
                a_prev = ab[times[i - 1] - 1].item() if i > 0 else 1.0
                e = net(x, torch.full((n,), t))
                x0 = ((x - math.sqrt(1 - a_t) * e) / math.sqrt(a_t)).clamp(-1, 1)
                e = (x - math.sqrt(a_t) * x0) / math.sqrt(1 - a_t)
                x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * e
            out.append(((x.clamp(-1, 1) + 1) / 2).numpy().astype("<f4"))
    sample_seconds = time.perf_counter() - t0
    np.concatenate(out).tofile(f"{a.out}/torch-samples.f32")
    rate = (a.steps - 5) * a.batch / seconds
    print(f"torch ddpm batch={a.batch} steps={a.steps} seconds={seconds:.1f} samples_per_s={rate:.2f} "
          f"sample_seconds={sample_seconds:.1f} params={sum(p.numel() for p in net.parameters())}")


if __name__ == "__main__":
    main()
