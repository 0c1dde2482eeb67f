#!/usr/bin/env bash
# What generative models are for, and how they fail: runs the workspace/experiments/uses-*.json specs (toy GMMs and a
# GAN, a VAE, a conditional VAE and GAN and a Bernoulli mixture on Fashion-MNIST, two of them on a deliberately skewed
# training split) and prints the README's "applications and failure modes" table from their metrics.json.
#   bench/uses.sh             run every spec, then the table
#   bench/uses.sh --table     only the table, from the newest run of each spec in workspace/runs
# Needs Debian's dataset-fashion-mnist for the image specs; one thread per run (GENBENCH_THREADS to change).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SPECS=(uses-gmm-toy uses-gmm-toy-4 uses-gmm-toy-skewed uses-gan-toy uses-mixture-fashion-mnist
       uses-vae-fashion-mnist uses-vae-fashion-mnist-skewed uses-cvae-fashion-mnist uses-cgan-fashion-mnist)
if [ "${1:-}" != "--table" ]; then
  for s in "${SPECS[@]}"; do
    echo "== $s" >&2
    bin/genbench --features core,classic,deep,eval run "workspace/experiments/$s.json" >&2
  done
fi
exec /usr/bin/python3 bench/uses_table.py workspace/runs "${SPECS[@]}"
