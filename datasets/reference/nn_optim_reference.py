#!/usr/bin/env python3
"""Reference trajectories of PyTorch's optimizers for genbench's nn (bundles/nn OptimizersTest).

Each optimizer starts from p0 and takes 6 steps; the gradient at step t (0-based) is g_i = p_i * (t + 1) / 10 +
sin(t + i), computed from the current parameters, so the trajectory depends on every update being right. Writes
bundles/nn/src/test/resources/optim-reference.json. Run: /usr/bin/python3 datasets/reference/nn_optim_reference.py
"""
import json
import math
import pathlib

import torch

P0 = [0.5, -1.5, 2.0, 0.0]
CASES = {
    "adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    "adam_l2": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.5, 0.99), eps=1e-6, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True),
    "sgd": lambda p: torch.optim.SGD([p], lr=0.05),
}


def main():
    out = {"p0": P0, "steps": 6}
    for name, make in CASES.items():
        p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
        opt = make(p)
        for t in range(6):
            with torch.no_grad():
                g = torch.tensor([p[i].item() * (t + 1) / 10 + math.sin(t + i) for i in range(len(P0))], dtype=torch.float64)
            p.grad = g
            opt.step()
        out[name] = p.detach().tolist()
    path = pathlib.Path(__file__).resolve().parents[2] / "bundles/nn/src/test/resources/optim-reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
