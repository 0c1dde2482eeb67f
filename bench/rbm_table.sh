#!/usr/bin/env bash
# The Boltzmann-machine table: an RBM with 500 hidden units trained by CD-1, CD-25 and PCD, and a DBN 500-500, on
# stochastically binarized Fashion-MNIST (the shipped specs in workspace/experiments), each scored on the 10000 test
# images: the RBMs by AIS (14500 distributions, 100 chains, one block-Gibbs sweep each; Salakhutdinov and Murray
# 2008's protocol), the DBN by its variational bound with AIS on the top layer; plus FID of 10000 Gibbs samples.
# Prints one markdown table (bench/rbm_table.py) from the runs' metrics.json. Long: tens of minutes per CD-25 run.
# Needs Debian's dataset-fashion-mnist. STEPS=n runs copies of the specs with n updates (per layer) instead, for a
# shorter table; the table says how many were run. SPECS="ebm-conv-fashion-mnist ebm-dsm-fashion-mnist" prints the
# deep EBMs on the same data (binarized images as two levels, dequantized) with the same columns.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
specs=(${SPECS:-rbm-fashion-mnist rbm-cd25-fashion-mnist rbm-pcd-fashion-mnist dbn-fashion-mnist})
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=()
for s in "${specs[@]}"; do
  spec="workspace/experiments/$s.json"
  if [ -n "${STEPS:-}" ]; then
    /usr/bin/python3 - "$spec" "$tmp/$s.json" "$STEPS" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["trainer"]["config"]["steps"] = int(sys.argv[3])
for key in ("evalEvery", "checkpointEvery", "momentumWarmup"):
    if key in spec["trainer"]["config"]:
        spec["trainer"]["config"][key] = min(spec["trainer"]["config"][key], max(1, int(sys.argv[3]) // 4))
json.dump(spec, open(sys.argv[2], "w"), indent=2)
PY
    spec="$tmp/$s.json"
  fi
  start=$(date +%s)
  bin/genbench --features core,classic,deep,eval run "$spec" >&2
  runs+=("$(ls -td workspace/runs/*-"$s" | head -1)")
  echo "rbm_table: $s took $(( $(date +%s) - start )) s" >&2
done
/usr/bin/python3 bench/rbm_table.py "${runs[@]}"
