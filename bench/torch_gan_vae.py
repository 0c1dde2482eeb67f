#!/usr/bin/env python3
"""PyTorch side of bench/torch_vs_genbench.sh.

--model dcgan: trains the same DCGAN as genbench's model.gan (arch dcgan, latentDim 64,
gChannels 64, dChannels 64, unconditional) with the same trainer settings (Adam 2e-4, betas 0.5/0.999, one D step on
batch real + batch generated images, then one G step with the non-saturating loss) on the first N Fashion-MNIST
training images, read from Debian's IDX files, shuffled per epoch without replacement (drop_last). Prints one line:
  torch dcgan batch=B steps=S seconds=T samples_per_s=X
samples/s counts real images consumed, as the genbench side does. Debian's python3-torch, CPU only.

--model vae: the same MLP VAE as genbench's model.vae (hidden 256, latent 16, Bernoulli likelihood on images
thresholded at 0.5; encoder relu(x W1 + b1) -> [mu, log var], decoder relu(z W3 + b3) -> logits; loss the batch mean of
-(log p(x|z) - KL), Adam 1e-3), trained by the variational trainer's loop (per-epoch shuffles, one step per batch).
"""
import argparse
import gzip
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


def train(data, steps, batch, latent, generator):
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
        logits = D(G(torch.randn(batch, latent, generator=generator)))
        g_loss = F.softplus(-logits).mean()
        optG.zero_grad(set_to_none=True)
        g_loss.backward()
        optG.step()
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


def train_vae(data, steps, batch, generator):
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
    return loss.item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--model", choices=["dcgan", "vae"], default="dcgan")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    data = load(a.data, a.n)
    gen = torch.Generator().manual_seed(1)
    if a.model == "vae":
        data = (data >= 0.5).float()  # genbench's fashion-mnist with binarize threshold 0.5
        run = lambda steps: train_vae(data, steps, a.batch, gen)
    else:
        run = lambda steps: train(data, steps, a.batch, 64, gen)
    run(a.warmup)
    t0 = time.perf_counter()
    loss = run(a.steps)
    seconds = time.perf_counter() - t0
    print(f"torch {a.model} batch={a.batch} steps={a.steps} seconds={seconds:.3f}"
          f" samples_per_s={a.steps * a.batch / seconds:.1f} loss={loss:.3f} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
