#!/usr/bin/env bash
# Exact-likelihood families, genbench against their PyTorch twins: RealNVP and MAF on dequantized 8-bit
# Fashion-MNIST (logit pre-transform), MADE on the fixed binarization, PixelCNN on 8-bit levels. The same
# architectures, data (the first N training and TEST test images), steps, batch and Adam on both sides: genbench in
# real workbench runs (integration-tests FlowsBenchmarkIT), PyTorch in bench/torch_flows.py (Debian's python3-torch,
# on OpenBLAS). Prints one table: test bits/dim on the 8-bit scale (nats for the binary MADE), mean and sd over SEEDS
# seeds per side, their relative difference, training seconds and samples/s, and the throughput ratio.
#   THREADS=n    threads on both sides (default 1)
#   SEEDS=k      seeds per side (default 1; 3 for the 2-sd comparison)
#   FIRST_SEED=s the first seed (default 1): seeds s..s+k-1, to add seeds to an OUT file that holds earlier ones
#   FAMILIES     comma-separated subset of realnvp,maf,made,pixelcnn (default all)
#   N, TEST      training and test images (default 10000, 2000)
#   <FAMILY>_STEPS, <FAMILY>_BATCH  per family (defaults: realnvp 300 x 32, maf 1000 x 100, made 2000 x 100,
#                pixelcnn 300 x 32)
#   SIDES        which sides to run (default "torch genbench")
#   OUT          the file the result lines are appended to and the table is read from (default a temporary file),
#                so that one side can be rerun against the other's earlier lines
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1} SEEDS=${SEEDS:-1} FIRST_SEED=${FIRST_SEED:-1} FAMILIES=${FAMILIES:-realnvp,maf,made,pixelcnn} N=${N:-10000} TEST=${TEST:-2000}
REALNVP_STEPS=${REALNVP_STEPS:-300} REALNVP_BATCH=${REALNVP_BATCH:-32}
MAF_STEPS=${MAF_STEPS:-1000} MAF_BATCH=${MAF_BATCH:-100}
MADE_STEPS=${MADE_STEPS:-2000} MADE_BATCH=${MADE_BATCH:-100}
PIXELCNN_STEPS=${PIXELCNN_STEPS:-300} PIXELCNN_BATCH=${PIXELCNN_BATCH:-32}
ALPHA=1e-6 LR=0.001
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'install ok installed' || need+=(libopenblas0-pthread)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}") >/dev/null
  else
    echo "bench: needs ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
fi
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
SIDES=${SIDES:-"torch genbench"}
if [ -n "${OUT:-}" ]; then
  out=$OUT; touch "$out"
else
  out=$(mktemp); trap 'rm -f "$out"' EXIT
fi
arch() {
  case $1 in
    realnvp) echo "--scales 2 --channels 16 --blocks 1" ;;
    maf) echo "--layers 5 --hidden 512" ;;
    made) echo "--hidden 500" ;;
    pixelcnn) echo "--channels 16 --blocks 2 --kernel 7 --head 32" ;;
  esac
}
IFS=, read -r -a fams <<< "$FAMILIES"
[[ " $SIDES " == *" torch "* ]] && for f in "${fams[@]}"; do
  up=$(echo "$f" | tr a-z A-Z); steps_var=${up}_STEPS; batch_var=${up}_BATCH
  for ((s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++)); do
    # shellcheck disable=SC2046
    /usr/bin/python3 bench/torch_flows.py --family "$f" --steps "${!steps_var}" --batch "${!batch_var}" --lr "$LR" \
      --n "$N" --test "$TEST" --seed "$s" --threads "$THREADS" --alpha "$ALPHA" $(arch "$f") | tee -a "$out"
  done
done
props=(-Dbench.families="$FAMILIES" -Dbench.seeds="$SEEDS" -Dbench.firstSeed="$FIRST_SEED" -Dbench.n="$N" -Dbench.test="$TEST" -Dbench.alpha="$ALPHA"
       -Dbench.lr="$LR" -Dbench.realnvp.steps="$REALNVP_STEPS" -Dbench.realnvp.batch="$REALNVP_BATCH"
       -Dbench.maf.steps="$MAF_STEPS" -Dbench.maf.batch="$MAF_BATCH" -Dbench.made.steps="$MADE_STEPS"
       -Dbench.made.batch="$MADE_BATCH" -Dbench.pixelcnn.steps="$PIXELCNN_STEPS" -Dbench.pixelcnn.batch="$PIXELCNN_BATCH")
[[ " $SIDES " == *" genbench "* ]] && { mvn -o -q -B install -DskipTests >/dev/null; mvn -o -q -B verify -pl integration-tests -Dgenbench.test.threads="$THREADS" -Dgenbench.excluded.groups=none -Dgroups=benchmark \
  -Dit.test=FlowsBenchmarkIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  "${props[@]}" -Dbench.out="$out" >/dev/null 2>&1 \
  || { echo "bench: the genbench side failed; see integration-tests/target/failsafe-reports" >&2; exit 1; }; }
grep '^genbench ' "$out" || true
echo
awk '
  { side = $1; fam = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    key = side " " fam; n[key]++; sum[key] += v["value"]; sq[key] += v["value"] * v["value"]
    sec[key] += v["seconds"]; rate[key] += v["samples_per_s"]; metric[fam] = v["metric"]; steps[fam] = v["steps"]
    batch[fam] = v["batch"]; if (side == "torch" && !(fam in seen)) { seen[fam] = 1; order[++m] = fam } }
  function mean(k) { return sum[k] / n[k] }
  function sd(k) { return n[k] > 1 ? sqrt((sq[k] - sum[k] * sum[k] / n[k]) / (n[k] - 1)) : 0 }
  END {
    printf "%-9s %-13s %6s %6s %18s %18s %8s %10s %10s %9s\n", "family", "metric", "steps", "batch", "genbench",
      "torch", "rel diff", "genbench s", "torch s", "speed";
    for (i = 1; i <= m; i++) { f = order[i]; g = "genbench " f; t = "torch " f
      if (!(g in n)) { printf "%-9s %-13s %6d %6d %18s %10.4f ± %5.4f %8s %10s %10.1f %9s\n", f, metric[f], steps[f],
        batch[f], "not run", mean(t), sd(t), "", "", sec[t] / n[t], ""; continue }
      printf "%-9s %-13s %6d %6d %10.4f ± %5.4f %10.4f ± %5.4f %7.2f%% %10.1f %10.1f %8.2fx\n", f, metric[f], steps[f],
        batch[f], mean(g), sd(g), mean(t), sd(t), 100 * (mean(g) - mean(t)) / mean(t), sec[g] / n[g], sec[t] / n[t],
        (rate[g] / n[g]) / (rate[t] / n[t]) } }' "$out"
echo "speed: genbench samples/s over torch samples/s in training (above 1: genbench is faster); ± is the sd over the seeds in $out"
