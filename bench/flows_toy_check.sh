#!/usr/bin/env bash
# The 2-D toy check of the exact-likelihood families: runs workspace/experiments/{realnvp,maf,made}-toy.json (two
# moons, whose density the toy dataset computes) and prints each model's held-out log-likelihood beside the true
# density's on the same 5000 test points, and the gap (true - model, mean of the paired differences, +- its standard
# error). Fails when a gap is 0.05 nats or more.
#   SPECS   the specs to run (default the three toy specs)
#   THREADS ND4J threads (default 1)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SPECS=${SPECS:-"realnvp-toy maf-toy made-toy"} THREADS=${THREADS:-1}
status=0
printf "%-12s %12s %12s %16s\n" "spec" "model" "true" "gap (nats)"
for s in $SPECS; do
  log=$(mktemp)
  bin/genbench --features core,classic,deep --threads "$THREADS" run "workspace/experiments/$s.json" > "$log" 2>&1 \
    || { cat "$log" >&2; rm -f "$log"; exit 1; }
  get() { awk -v m="$1" '$1 == "evaluator" && $2 == "loglik" && $3 == m { print $4 }' "$log"; }
  model=$(get test_loglik) truth=$(get test_true_loglik) gap=$(get test_loglik_gap) se=$(get test_loglik_gap_se)
  rm -f "$log"
  printf "%-12s %12.4f %12.4f %9.4f ± %.4f\n" "$s" "$model" "$truth" "$gap" "$se"
  awk -v g="$gap" 'BEGIN { exit !(g < 0.05) }' || { echo "$s: gap $gap >= 0.05 nats" >&2; status=1; }
done
exit $status
