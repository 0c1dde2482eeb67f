#!/usr/bin/env python3
"""One markdown row per run directory given: model, trainer, test log-likelihood with its kind and standard error,
AIS log Z, FID, and training time, from the run's spec.json, metrics.json and run.json."""
import json
import os
import sys


def metric(metrics, component, name):
    for m in metrics:
        if m.get("component") == component and m.get("name") == name:
            return m
    return None


def suffixed(metrics, component, suffix):
    """The first metric of a component named <sampler>/<suffix> (fid is reported per sampler) or <suffix>."""
    for m in metrics:
        if m.get("component") == component and (m.get("name") == suffix or m.get("name", "").endswith("/" + suffix)):
            return m
    return None


def main(runs):
    print("| run | model | trainer | test log-likelihood (nats) | estimate | log Z (top layer for a DBN) | FID | training s | run s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        spec = json.load(open(os.path.join(run, "spec.json")))
        metrics = json.load(open(os.path.join(run, "metrics.json")))["metrics"]
        info = json.load(open(os.path.join(run, "run.json")))
        model = spec["model"]
        trainer = spec["trainer"]
        mc = model.get("config", {})
        tc = trainer.get("config", {})
        hidden = mc.get("hidden")
        model_s = "%s %s" % (model["type"], "-".join(map(str, hidden)) if isinstance(hidden, list) else hidden)
        if model["type"] == "ebm":
            model_s = "ebm %s (%s)" % (mc.get("network", "mlp"), mc.get("objective", "langevin"))
            trainer_s = "%s, %s steps of %s" % (trainer["type"], tc.get("steps"), tc.get("batchSize"))
        else:
            trainer_s = "%s k=%s, %s updates%s" % (trainer["type"], tc.get("k"), tc.get("steps"),
                                                  " per layer" if model["type"] == "dbn" else "")
        ll = metric(metrics, "loglik", "test_loglik")
        se = metric(metrics, "loglik", "test_loglik_se")
        proto = ll["protocol"] if ll else {}
        if ll and ll["kind"] == "ais":
            est = "AIS, %s distributions x %s chains" % (proto.get("ais_intermediate_distributions", "?"),
                                                         proto.get("ais_chains", "?"))
            if proto.get("dequantization", "none") != "none":
                est += "; of x' = (b + u) / 2, minus 784 ln 2 (a lower bound on the binary log-likelihood)"
            logz = "%.2f ± %.2f" % (proto["ais_log_z"], proto["ais_log_z_se"])
        elif ll:
            est = "bound: " + str(proto.get("estimator"))
            logz = "%.2f ± %.2f" % (proto["top_log_z"], proto["top_log_z_se"]) if "top_log_z" in proto else "-"
        else:
            est, logz = "-", "-"
        fid = suffixed(metrics, "fid", "fid")
        seconds = sum(v for k, v in info.get("seconds", {}).items() if k.startswith("train"))
        total = sum(info.get("seconds", {}).values())
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            os.path.basename(run), model_s, trainer_s,
            "%.2f ± %.2f" % (ll["value"], se["value"]) if ll else "-", est, logz,
            "%.1f" % fid["value"] if fid else "-", "%.0f" % seconds if seconds else "-",
            "%.0f" % total if total else "-"))


if __name__ == "__main__":
    main(sys.argv[1:])
