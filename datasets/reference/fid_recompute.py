#!/usr/bin/python3
"""FID of a run, recomputed outside genbench: ForensicsIT's independent expectation for the FID evaluator.

    fid_recompute.py DIR N_REAL [--keras-fixture]

DIR holds what the test exported from the run: generated.npy (the generated images the evaluator scored, float64
[n, 784], in the evaluator's row selection) and the feature network's layers up to its feature layer, w0.npy, b0.npy,
w1.npy, ... (DL4J's [n_in, n_out] weights, ReLU after each). The real images are read here from Debian's Fashion-MNIST
IDX file (the first N_REAL test images, pixel / 255 in float32, as genbench's fashion-mnist dataset serves them), not
from genbench. Preprocessing as the evaluator documents it: an image set with any value above 1 is divided by 255.
Features in float64; the distance is pytorch-fid's formula with scipy.linalg.sqrtm (fid_reference.frechet_distance).

With --keras-fixture, the first layer's weights are also regenerated from the seed keras_fixture.py wrote
keras_fashion_mlp.h5 with, and must equal the exported ones: the network genbench imported is the file's.

Prints one JSON line: {"fid": ..., "n_real": ..., "n_generated": ..., "feature_dimension": ..., "weights_match": ...}.
Debian: python3-numpy, python3-scipy.
"""
import gzip
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fid_reference import frechet_distance  # noqa: E402

FASHION_MNIST = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def real_images(n):
    with gzip.open(os.path.join(FASHION_MNIST, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=16)[: n * 784]
    return pixels.reshape(n, 784).astype(np.float32) / np.float32(255)


def features(x, layers):
    x = np.asarray(x, dtype=np.float64)
    if x.max() > 1:
        x = x / 255.0
    for w, b in layers:
        x = np.maximum(x @ w.astype(np.float64) + b.astype(np.float64), 0)
    return x


def keras_fixture_weights():
    """keras_fixture.py's draws, in its order, up to the Fashion-MNIST model's first kernel."""
    rng = np.random.default_rng(7)
    rng.normal(0, 0.5, (6, 5))
    rng.normal(0, 0.1, 5)
    rng.normal(0, 0.5, (5, 3))
    rng.normal(0, 0.1, 3)
    rng.uniform(0, 1, (4, 6))
    return rng.normal(0, 0.05, (784, 32)).astype(np.float32)


def main():
    out, n_real = sys.argv[1], int(sys.argv[2])
    layers = []
    while os.path.exists(os.path.join(out, f"w{len(layers)}.npy")):
        k = len(layers)
        layers.append((np.load(os.path.join(out, f"w{k}.npy")), np.load(os.path.join(out, f"b{k}.npy")).ravel()))
    generated = np.load(os.path.join(out, "generated.npy"))
    f_real = features(real_images(n_real), layers)
    f_gen = features(generated, layers)
    mu1, s1 = f_real.mean(axis=0), np.cov(f_real, rowvar=False)
    mu2, s2 = f_gen.mean(axis=0), np.cov(f_gen, rowvar=False)
    fid, _, _ = frechet_distance(mu1, s1, mu2, s2)
    result = {"fid": fid, "n_real": n_real, "n_generated": int(generated.shape[0]),
              "feature_dimension": int(f_real.shape[1])}
    if "--keras-fixture" in sys.argv:
        result["weights_match"] = bool(np.array_equal(keras_fixture_weights(), layers[0][0].astype(np.float32)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
