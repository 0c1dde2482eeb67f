#!/usr/bin/env python3
"""Compares the two sides of bench/ddpm_vs_torch.sh: loss means over ten windows of steps (and the relative
difference, genbench vs PyTorch), FID of each side's samples under the same network, training samples/s."""
import argparse
import json
import pathlib
import re

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    a = p.parse_args()
    out = pathlib.Path(a.torch)
    run = pathlib.Path(a.run)
    torch_loss = np.array([float(l.split()[1]) for l in (out / "torch-loss.txt").read_text().split("\n") if l.strip()])
    gen = {}
    for line in (run / "metrics.jsonl").read_text().split("\n"):
        if line.strip():
            m = json.loads(line)
            if m.get("phase") == "train" and "train_loss" in m["values"]:
                gen[int(m["step"])] = m["values"]["train_loss"]
    gen_loss = np.array([gen[s] for s in sorted(gen)])
    n = min(len(torch_loss), len(gen_loss))
    edges = np.linspace(0, n, 11).astype(int)
    rows = []
    print("| steps | genbench loss | PyTorch loss | difference |")
    print("|---|---|---|---|")
    for lo, hi in zip(edges[:-1], edges[1:]):
        g, t = gen_loss[lo:hi].mean(), torch_loss[lo:hi].mean()
        rows.append({"from": int(lo + 1), "to": int(hi), "genbench": float(g), "torch": float(t), "relative": float(g / t - 1)})
        print(f"| {lo + 1}-{hi} | {g:.4f} | {t:.4f} | {100 * (g / t - 1):+.1f}% |")
    fid = {}
    fid_file = out / "fid.txt"
    if fid_file.exists():
        for line in fid_file.read_text().split("\n"):
            mt = re.match(r"fid (\S+) (\S+)", line)
            if mt:
                fid["torch" if mt.group(1).endswith(".f32") else "genbench"] = float(mt.group(2))
    torch_rate = float(re.search(r"samples_per_s=(\S+)", (out / "torch.txt").read_text()).group(1))
    seconds = json.loads((run / "run.json").read_text())["seconds"]["train gradient"]
    gen_rate = a.steps * a.batch / seconds
    print()
    if len(fid) == 2:
        print(f"FID of 1000 samples (DDIM): genbench {fid['genbench']:.2f}, PyTorch {fid['torch']:.2f}, "
              f"ratio {fid['genbench'] / fid['torch']:.3f}")
    print(f"training samples/s: genbench {gen_rate:.2f}, PyTorch {torch_rate:.2f}, ratio {gen_rate / torch_rate:.3f}")
    last = rows[-1]["relative"]
    print(f"last window's loss difference {100 * last:+.1f}% (criterion: within 5%)")
    (out / "twin.json").write_text(json.dumps({"windows": rows, "fid": fid, "samples_per_s": {
        "genbench": gen_rate, "torch": torch_rate}}, indent=1))


if __name__ == "__main__":
    main()
