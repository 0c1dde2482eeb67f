#!/usr/bin/python3
"""Fixtures for genbench's NumPy reader: .npy and .npz files written by numpy itself, stored base64 in a JSON
file (bundles/data.numpy/src/test/resources/numpy_fixtures.json) with what each holds, so NpyTest checks the Java
reader against numpy's own writer: every dtype it takes (float32/64 in either byte order, ints, uint8, bool), C
and Fortran order, plain and compressed .npz, and the files it must refuse (pickled object arrays, structured
dtypes, a 0-d array, a truncated file).

Run with Debian's interpreter (python3-numpy):  /usr/bin/python3 datasets/reference/numpy_fixtures.py
"""
import base64
import io
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bundles", "data.numpy", "src", "test",
                   "resources", "numpy_fixtures.json")


def npy(array, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def npz(compressed, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def good(name, data, array):
    return {"name": name, "file": name, "base64": base64.b64encode(data).decode(), "shape": list(array.shape),
            "values": np.asarray(array, dtype=np.float64).ravel(order="C").tolist()}


def bad(name, data, message):
    return {"name": name, "file": name, "base64": base64.b64encode(data).decode(), "error": message}


def main():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 3))
    cases = [
        good("c-f8.npy", npy(a), a),
        good("fortran-f4.npy", npy(np.asfortranarray(a.astype(np.float32))), a.astype(np.float32)),
        good("big-endian-f8.npy", npy(a.astype(">f8")), a),
        good("i4.npy", npy(np.arange(-6, 6, dtype=np.int32).reshape(4, 3)), np.arange(-6, 6).reshape(4, 3)),
        good("i8.npy", npy(np.arange(12, dtype=np.int64).reshape(6, 2) * 1000), np.arange(12).reshape(6, 2) * 1000),
        good("i2.npy", npy(np.array([[-3, 2], [1, 0]], dtype=np.int16)), np.array([[-3, 2], [1, 0]])),
        good("u1.npy", npy(np.array([[0, 255, 128], [7, 8, 9]], dtype=np.uint8)), np.array([[0, 255, 128], [7, 8, 9]])),
        good("u2-fortran-3d.npy", npy(np.asfortranarray(np.arange(24, dtype=np.uint16).reshape(2, 3, 4))),
             np.arange(24).reshape(2, 3, 4)),
        good("bool.npy", npy(np.array([[True, False], [False, True]])), np.array([[1, 0], [0, 1]])),
        good("vector-f8.npy", npy(np.array([1.5, -2.0, 3.25])), np.array([1.5, -2.0, 3.25])),
        bad("object.npy", npy(np.array([{"a": 1}, None], dtype=object), allow_pickle=True), "pickled object arrays"),
        bad("structured.npy", npy(np.zeros(3, dtype=[("x", "<f8"), ("y", "<i4")])), "structured"),
        bad("scalar.npy", npy(np.float64(3.0)), "0-d"),
        bad("truncated.npy", npy(a)[:-10], "truncated"),
        bad("complex.npy", npy(np.ones(3, dtype=np.complex128)), "'<c16'"),
        bad("not-npy.npy", b"x1,x2\n1,2\n", "not a NumPy .npy file"),
    ]
    x = rng.normal(size=(10, 2)).astype(np.float32)
    y = (np.arange(10) % 3).astype(np.int64)
    for compressed in (False, True):
        name = "xy-compressed.npz" if compressed else "xy.npz"
        c = good(name, npz(compressed, x=x, y=y), x)
        c["label"] = "y"
        c["labels"] = y.tolist()
        cases.append(c)
    cases.append(good("only.npz", npz(False, data=a), a))
    cases.append(bad("two-unnamed.npz", npz(False, a=a, b=a), "holds arrays [a, b]"))
    doc = {"generator": "datasets/reference/numpy_fixtures.py", "numpy": np.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("{\n")
        f.write(f' "generator": {json.dumps(doc["generator"])},\n "numpy": {json.dumps(doc["numpy"])},\n "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c) for c in cases))
        f.write("\n ]\n}\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
