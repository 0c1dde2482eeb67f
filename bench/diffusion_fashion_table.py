#!/usr/bin/env python3
"""Results table of bench/diffusion_fashion.sh: one row per sampler of each run (family, sampler, network
evaluations, FID, the loglik bound in bits/dim where the run has one, training steps, wall times).
Usage: diffusion_fashion_table.py RUNS_DIR RUNS_TXT  (RUNS_TXT: lines '<spec name> <run id> <seconds>')."""
import json
import sys
from pathlib import Path

runs_dir, runs_txt = Path(sys.argv[1]), Path(sys.argv[2])
print("| run | family | sampler | network evaluations | FID (1000 samples) | bound bits/dim | training steps"
      " | train s | sample s | run s |")
print("|---|---|---|---|---|---|---|---|---|---|")
for line in runs_txt.read_text().split("\n"):
    if not line.strip():
        continue
    name, run_id, wall = line.split()
    if run_id == "FAILED":
        print(f"| {name} | failed | | | | | | | | {wall} |")
        continue
    d = runs_dir / run_id
    spec = json.loads((d / "spec.json").read_text())
    run = json.loads((d / "run.json").read_text())
    secs = run["seconds"]
    wall = f"{sum(secs.values()):.0f}"  # the run's phases, without the launcher's start (or a rebuild before it)
    metrics = json.loads((d / "metrics.json").read_text())["metrics"]
    by = {(m["role"], m["component"], m["name"]): m for m in metrics}
    family = spec["model"]["type"]
    if spec["model"]["config"].get("conditional"):
        family += " (conditional)"
    steps = next((int(m["value"]) for (r, c, n), m in by.items() if r == "trainer" and n == "steps"), "")
    train_s = next((v for k, v in secs.items() if k.startswith("train ")), 0)
    bpd = by.get(("evaluator", "loglik", "test_bits_per_dim"))
    if bpd:  # the standard error in bits/dim: the loglik's, times bits/dim per nat of -loglik
        ll, se = by[("evaluator", "loglik", "test_loglik")]["value"], by[("evaluator", "loglik", "test_loglik_se")]
        bpd = f"{bpd['value']:.3f} ± {se['value'] * bpd['value'] / -ll:.3f}"
    else:
        bpd = ""
    for s in spec["samplers"]:
        sid = s.get("id") or s["type"]
        fid = by.get(("evaluator", "fid", f"{sid}/fid"))
        evals = by.get(("sampler", sid, "network_evaluations"))
        guidance = s["config"].get("guidance")
        label = f"{s['type']}" + (f", guidance {guidance}" if guidance else "")
        print(f"| {name} | {family} | {sid} ({label}) | {int(evals['value']) if evals else 1} "
              f"| {fid['value']:.2f} | {bpd} | {steps} | {train_s:.0f} | {secs.get('sample ' + sid, 0):.0f} | {wall} |"
              if fid else f"| {name} | {family} | {sid} | | | {bpd} | {steps} | {train_s:.0f} | | {wall} |")
