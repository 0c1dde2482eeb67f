#!/usr/bin/python3
"""A tiny Keras 2 model file (HDF5, the .h5 format Keras writes) and the features it must give, for eval.fid's Keras
import test. Keras itself is not packaged here, so the file is written with h5py in Keras's own layout: the model
config as JSON in the root attributes and each layer's weights under model_weights/<layer>/<layer>/<name>:0.
The reference features are computed with numpy from the same weights.

    /usr/bin/python3 datasets/reference/keras_fixture.py bundles/eval.fid/src/test/resources \
        integration-tests/src/test/resources
The second folder gets a 784-input model for Fashion-MNIST images, which the in-framework test scores FID with.
(Debian: python3-h5py, python3-numpy)
"""
import json
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
d_in, hidden, classes = 6, 5, 3
w1 = rng.normal(0, 0.5, (d_in, hidden)).astype(np.float32)
b1 = rng.normal(0, 0.1, hidden).astype(np.float32)
w2 = rng.normal(0, 0.5, (hidden, classes)).astype(np.float32)
b2 = rng.normal(0, 0.1, classes).astype(np.float32)


def dense(name, units, activation, input_dim=None):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
              "use_bias": True,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None}
    if input_dim is not None:
        config["batch_input_shape"] = [None, input_dim]
    return {"class_name": "Dense", "config": config}


def write_model(path, w1, b1, w2, b2):
    model_config = {"class_name": "Sequential",
                    "config": {"name": "features", "layers": [dense("dense", w1.shape[1], "relu", w1.shape[0]),
                                                              dense("dense_1", w2.shape[1], "softmax")]}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config)
        g = f.create_group("model_weights")
        g.attrs["keras_version"] = "2.4.0"
        g.attrs["backend"] = "tensorflow"
        g.attrs["layer_names"] = [b"dense", b"dense_1"]
        for name, (w, b) in {"dense": (w1, b1), "dense_1": (w2, b2)}.items():
            layer = g.create_group(name)
            layer.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            inner = layer.create_group(name)
            inner.create_dataset("kernel:0", data=w)
            inner.create_dataset("bias:0", data=b)


write_model(f"{out}/keras_mlp.h5", w1, b1, w2, b2)

x = rng.uniform(0, 1, (4, d_in)).astype(np.float32)  # image-like: FID networks take pixels in [0, 1]
hidden_features = np.maximum(x.astype(np.float64) @ w1 + b1, 0)
with open(f"{out}/keras_mlp_reference.json", "w") as f:
    json.dump({"inputs": x.astype(np.float64).tolist(), "layer0_features": hidden_features.tolist()}, f, indent=1)

if len(sys.argv) > 2:
    write_model(f"{sys.argv[2]}/keras_fashion_mlp.h5",
                rng.normal(0, 0.05, (784, 32)).astype(np.float32), np.zeros(32, np.float32),
                rng.normal(0, 0.2, (32, 10)).astype(np.float32), np.zeros(10, np.float32))
