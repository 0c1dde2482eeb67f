#!/usr/bin/env python3
"""PyTorch side of bench/torch_vs_genbench.sh.

--model dcgan: trains the same DCGAN as genbench's model.gan (arch dcgan, latentDim 64,
gChannels 64, dChannels 64, unconditional) with the same trainer settings (Adam 2e-4, betas 0.5/0.999, one D step on
batch real + batch generated images, then one G step with the non-saturating loss) on the first N Fashion-MNIST
training images, read from Debian's IDX files, shuffled per epoch without replacement (drop_last). In the generator
step D's parameters are frozen (requires_grad_(False)), so G's backward pass computes no gradients for D, as careful
PyTorch code does. Prints one line:
  torch dcgan batch=B warmup=W steps=S seconds=T samples_per_s=X ...
samples/s counts real images consumed, as the genbench side does. Debian's python3-torch, CPU only.

The timed window is the genbench side's: one training run of W + S steps, timed from the end of step W to the end of
step W + S (S steps after the same warm-up; CPU execution is synchronous, so a step has ended when its Python call
returns).

Debian's python3-torch is built with BLAS_INFO=generic: its products go to whatever libblas.so.3 the alternatives
system points to, which on a fresh machine is the unoptimized reference BLAS (8x slower here than OpenBLAS). After a
first product this script reads /proc/self/maps for the BLAS library actually loaded, prints it (with OpenBLAS's
own configuration and core name when it is OpenBLAS), and refuses to time anything on the reference BLAS (exit 3).

--model vae: the same MLP VAE as genbench's model.vae (hidden 256, latent 16, Bernoulli likelihood on images
thresholded at 0.5; encoder relu(x W1 + b1) -> [mu, log var], decoder relu(z W3 + b3) -> logits; loss the batch mean of
-(log p(x|z) - KL), Adam 1e-3), trained by the variational trainer's loop (per-epoch shuffles, one step per batch).
"""
import argparse
import ctypes
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path, n):
    with gzip.open(f"{path}/train-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)[: n * 784]
    return torch.from_numpy(images.astype(np.float32).reshape(n, 1, 28, 28) / 255.0)


class Generator(nn.Module):
    def __init__(self, latent=64, g=64):
        super().__init__()
        self.g = g
        self.fc = nn.Linear(latent, 2 * g * 7 * 7)
        self.up1 = nn.ConvTranspose2d(2 * g, g, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(g, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.fc(z)).view(-1, 2 * self.g, 7, 7)
        h = F.relu(self.up1(h))
        return (torch.tanh(self.up2(h)) + 1) / 2  # genbench's "unit" output range


class Discriminator(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.c1 = nn.Conv2d(1, d, 4, 2, 1)
        self.c2 = nn.Conv2d(d, 2 * d, 4, 2, 1)
        self.fc = nn.Linear(2 * d * 7 * 7, 1)

    def forward(self, x):
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.c2(h), 0.2)
        return self.fc(h.flatten(1))


def train(data, steps, batch, latent, generator, done):
    """steps DCGAN steps; done(step) is called at the end of each (1-based) step."""
    G, D = Generator(latent), Discriminator()
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    n = data.shape[0]
    per_epoch = n // batch
    perm = None
    targets = torch.cat([torch.ones(batch, 1), torch.zeros(batch, 1)])
    for step in range(steps):
        i = step % per_epoch
        if i == 0:
            perm = torch.randperm(n, generator=generator)
            shuffled = data[perm]  # one gather per epoch, then contiguous slices (as genbench's trainer)
        real = shuffled[i * batch:(i + 1) * batch]
        with torch.no_grad():
            fake = G(torch.randn(batch, latent, generator=generator))
        logits = D(torch.cat([real, fake]))
        d_loss = F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / batch
        optD.zero_grad(set_to_none=True)
        d_loss.backward()
        optD.step()
        D.requires_grad_(False)  # G's step needs gradients through D, not for D's parameters
        logits = D(G(torch.randn(batch, latent, generator=generator)))
        g_loss = F.softplus(-logits).mean()
        optG.zero_grad(set_to_none=True)
        g_loss.backward()
        optG.step()
        D.requires_grad_(True)
        done(step + 1)
    return d_loss.item()


class Vae(nn.Module):
    def __init__(self, hidden=256, latent=16):
        super().__init__()
        self.latent = latent
        self.enc1 = nn.Linear(784, hidden)
        self.enc2 = nn.Linear(hidden, 2 * latent)
        self.dec1 = nn.Linear(latent, hidden)
        self.dec2 = nn.Linear(hidden, 784)

    def loss(self, x, generator):
        enc = self.enc2(F.relu(self.enc1(x)))
        mu, log_var = enc[:, :self.latent], enc[:, self.latent:]
        std = torch.exp(0.5 * log_var)
        z = mu + std * torch.randn(mu.shape, generator=generator)
        logits = self.dec2(F.relu(self.dec1(z)))
        recon = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = 0.5 * (std * std + mu * mu - 1 - log_var).sum(1)
        return (kl - recon).mean()


def train_vae(data, steps, batch, generator, done):
    """steps VAE steps; done(step) is called at the end of each (1-based) step."""
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    n = data.shape[0]
    per_epoch = n // batch
    for step in range(steps):
        i = step % per_epoch
        if i == 0:
            shuffled = data[torch.randperm(n, generator=generator)]
        loss = model.loss(shuffled[i * batch:(i + 1) * batch].reshape(batch, 784), generator)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        done(step + 1)
    return loss.item()


def blas():
    """The BLAS library this process loaded for torch's products, from /proc/self/maps after a product."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if any(k in name for k in ("blas", "mkl_rt", "mkl_core", "blis", "atlas")) and "cublas" not in name:
                libs.add(path)
    described = []
    reference = []
    for path in sorted(libs):
        real = os.path.realpath(path)
        desc = real
        try:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_config"):
                lib.openblas_get_config.restype = ctypes.c_char_p
                lib.openblas_get_corename.restype = ctypes.c_char_p
                desc += " [" + lib.openblas_get_config().decode().strip() + ", core " \
                    + lib.openblas_get_corename().decode().strip() + ", " + str(lib.openblas_get_num_threads()) \
                    + " threads]"
            elif "openblas" not in real and "mkl" not in real and "blis" not in real and "atlas" not in real:
                reference.append(real)
        except OSError:
            pass
        described.append(desc)
    return described, reference


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--model", choices=["dcgan", "vae"], default="dcgan")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    libs, reference = blas()
    if not libs or reference:
        print("torch: refusing to time PyTorch on " + (", ".join(reference) if reference else "no BLAS library")
              + ": Debian's python3-torch calls whatever libblas.so.3 the alternatives system selects, and the"
              " reference BLAS is several times slower than an optimized one. Install libopenblas0-pthread"
              " (apt-get install libopenblas0-pthread; update-alternatives --config libblas.so.3-x86_64-linux-gnu).",
              file=sys.stderr)
        sys.exit(3)
    data = load(a.data, a.n)
    gen = torch.Generator().manual_seed(1)
    stamps = {}

    def done(step):
        if step == a.warmup or step == a.warmup + a.steps:
            stamps[step] = time.perf_counter()

    total = a.warmup + a.steps
    if a.model == "vae":
        data = (data >= 0.5).float()  # genbench's fashion-mnist with binarize threshold 0.5
        loss = train_vae(data, total, a.batch, gen, done)
    else:
        loss = train(data, total, a.batch, 64, gen, done)
    seconds = stamps[total] - stamps[a.warmup]
    print(f"torch {a.model} batch={a.batch} warmup={a.warmup} steps={a.steps} seconds={seconds:.3f}"
          f" samples_per_s={a.steps * a.batch / seconds:.1f} threads={torch.get_num_threads()}"
          f" loss={loss:.3f} blas={'|'.join(libs).replace(' ', '_')}")


if __name__ == "__main__":
    main()
