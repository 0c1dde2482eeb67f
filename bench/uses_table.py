#!/usr/bin/python3
"""The README's "applications and failure modes" table from runs' metrics.json (bench/uses.sh runs the specs).

    uses_table.py RUNS_DIR SPEC_NAME...

For each spec name, the newest completed run in RUNS_DIR whose directory ends in -SPEC_NAME; one row per run, a dash
where an evaluator does not apply to the family. Samplers' metrics are those of the sampler named 'ancestral'.
"""
import json
import os
import sys

MODELS = {"gmm": "GMM", "gan": "GAN", "vae": "VAE", "cvae": "cVAE", "bernoulli-mixture": "Bernoulli mixture"}


def newest(runs, name):
    found = sorted(d for d in os.listdir(runs) if d.endswith("-" + name)
                   and os.path.isfile(os.path.join(runs, d, "metrics.json")))
    for d in reversed(found):
        with open(os.path.join(runs, d, "run.json")) as f:
            if json.load(f).get("status") == "completed":
                return os.path.join(runs, d)
    return None


def load(run):
    with open(os.path.join(run, "metrics.json")) as f:
        metrics = json.load(f)["metrics"]
    with open(os.path.join(run, "spec.json")) as f:
        spec = json.load(f)
    return {(m["component"], m["name"]): m["value"] for m in metrics}, spec


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def pair(a, b, digits=2):
    return "-" if a is None and b is None else f"{fmt(a, digits)} / {fmt(b, digits)}"


def describe(spec):
    model = spec["model"]
    cfg = model.get("config", {})
    name = MODELS.get(model["type"], model["type"])
    if model["type"] == "gan":
        name = ("cGAN" if cfg.get("conditional") else "GAN") + f" ({cfg.get('arch', 'mlp')})"
    if model["type"] in ("gmm", "bernoulli-mixture"):
        name += f", K={cfg.get('components')}"
    data = spec["dataset"]
    dcfg = data.get("config", {})
    where = dcfg.get("shape", data["type"]) if data["type"] == "toy" else data["type"]
    if dcfg.get("binarize") not in (None, "none"):
        where += " (binary)"
    if dcfg.get("classWeights"):
        where += ", skewed"
    return f"{name} on {where}"


def row(run):
    m, spec = load(run)
    g = lambda c, n: m.get((c, n))
    probe = {n.split("/", 1)[1]: v for (c, n), v in m.items() if c == "probe" and n.startswith("probe_accuracy/")}
    best = max(((k, v) for k, v in probe.items() if k != "raw"), key=lambda kv: kv[1], default=None)
    probe_cell = "-" if best is None else f"{best[1]:.3f} ({best[0]}) vs {probe['raw']:.3f} raw"
    tv = g("bias", "ancestral/tv_to_train")
    minratio = g("bias", "ancestral/min_class_ratio")
    bias_cell = "-" if tv is None else f"{tv:.3f} ({fmt(minratio)})"
    amp = g("bias", "ancestral/amplification")
    cond = g("bias", "conditional_accuracy")
    tstr = g("tstr", "tstr_accuracy")
    trtr = g("tstr", "trtr_accuracy")
    comp = g("compression", "coded_bits_per_dim")
    comp_cell = "-" if comp is None else (f"{comp:.4f} / {g('compression', 'model_bits_per_dim'):.4f} / "
                                          f"{g('compression', 'gzip_bits_per_dim'):.3f} / "
                                          f"{g('compression', 'png_bits_per_dim'):.3f}"
                                          + ("" if g("compression", "round_trip") == 1 else " (round trip FAILED)"))
    return [describe(spec), pair(tstr, trtr, 3), fmt(cond, 3), bias_cell, fmt(amp),
            pair(g("coverage", "ancestral/precision"), g("coverage", "ancestral/recall")),
            pair(g("coverage", "ancestral/density"), g("coverage", "ancestral/coverage")),
            fmt(g("coverage", "ancestral/train_distance_ratio")), probe_cell,
            pair(g("structure", "ari"), g("structure", "nmi")), comp_cell, f"`{spec['name']}`"]


HEADER = ["model and data", "TSTR / TRTR", "cond. acc.", "TV to train (min ratio)", "amplif.", "precision / recall",
          "density / coverage", "train dist. ratio", "linear probe", "ARI / NMI",
          "bits/dim: coded / -log2 p / gzip / PNG", "spec"]


def main():
    runs, names = sys.argv[1], sys.argv[2:]
    rows = []
    for name in names:
        run = newest(runs, name)
        if run is None:
            print(f"uses_table: no completed run of {name} in {runs}", file=sys.stderr)
            continue
        rows.append(row(run))
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
