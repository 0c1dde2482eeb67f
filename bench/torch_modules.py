#!/usr/bin/env python3
"""PyTorch side of bench/nn_vs_torch.sh: milliseconds per forward + backward of each module at the shapes the
genbench families use, the same cases in the same order as bundles/nn's ModuleBenchmark: 3 warm-up passes, then
the median of 7 timed windows of `reps` passes; the loss is sum(module(x) * w) with x requiring a gradient, as on
the genbench side. Prints `torch <case> ms=<median>`."""
import argparse
import statistics
import time

import torch
import torch.nn as nn

CASES = [
    ("linear_784_400_b64", lambda: nn.Linear(784, 400), (64, 784), 200),
    ("linear_400_784_b64", lambda: nn.Linear(400, 784), (64, 400), 200),
    ("conv_1_64_k4s2_28_b128", lambda: nn.Conv2d(1, 64, 4, 2, 1), (128, 1, 28, 28), 10),
    ("conv_64_128_k4s2_14_b128", lambda: nn.Conv2d(64, 128, 4, 2, 1), (128, 64, 14, 14), 5),
    ("convT_128_64_k4s2_7_b64", lambda: nn.ConvTranspose2d(128, 64, 4, 2, 1), (64, 128, 7, 7), 5),
    ("convT_64_1_k4s2_14_b64", lambda: nn.ConvTranspose2d(64, 1, 4, 2, 1), (64, 64, 14, 14), 10),
    ("conv_64_64_k3s1_28_b32", lambda: nn.Conv2d(64, 64, 3, 1, 1), (32, 64, 28, 28), 3),
    ("groupnorm_8_64_28_b32", lambda: nn.GroupNorm(8, 64), (32, 64, 28, 28), 5),
]


def blas_library():
    """The BLAS library this process mapped (Debian's torch calls whatever libblas.so.3 points to)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and line.split()[-1].startswith("/")}
    return ", ".join(sorted(libs)) or "none mapped"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS: {blas_library()}, "
          f"oneDNN: {torch.backends.mkldnn.is_available()}", flush=True)
    g = torch.Generator().manual_seed(2)
    for name, make, shape, reps in CASES:
        m = make()
        x = torch.randn(shape, generator=g).requires_grad_(True)
        with torch.no_grad():
            w = torch.randn(m(x).shape, generator=g)

        def step():
            x.grad = None
            m.zero_grad(set_to_none=True)
            (m(x) * w).sum().backward()

        for _ in range(3):
            step()
        windows = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(reps):
                step()
            windows.append((time.perf_counter() - t0) * 1e3 / reps)
        print(f"torch {name} ms={statistics.median(windows):.4f}", flush=True)


if __name__ == "__main__":
    main()
