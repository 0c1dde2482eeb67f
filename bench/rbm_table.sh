#!/usr/bin/env bash
# The Boltzmann-machine table: an RBM with 500 hidden units trained by CD-1, CD-25 and PCD, and a DBN 500-500, on
# stochastically binarized Fashion-MNIST (the shipped specs in workspace/experiments), each scored on the 10000 test
# images: the RBMs by AIS (14500 distributions, 100 chains, one block-Gibbs sweep each; Salakhutdinov and Murray
# 2008's protocol), the DBN by its variational bound with AIS on the top layer; plus FID of 10000 Gibbs samples.
# Prints one markdown table (bench/rbm_table.py) from the runs' metrics.json. Long: tens of minutes per CD-25 run.
# Needs Debian's dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
specs=(rbm-fashion-mnist rbm-cd25-fashion-mnist rbm-pcd-fashion-mnist dbn-fashion-mnist)
runs=()
for s in "${specs[@]}"; do
  start=$(date +%s)
  bin/genbench --features core,classic,deep,eval run "workspace/experiments/$s.json" >&2
  runs+=("$(ls -td workspace/runs/*-"$s" | head -1)")
  echo "rbm_table: $s took $(( $(date +%s) - start )) s" >&2
done
/usr/bin/python3 bench/rbm_table.py "${runs[@]}"
