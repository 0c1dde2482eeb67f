#!/usr/bin/env bash
# Sweep wall time: the same 2-setting x 3-seed sweep run by bin/genbench locally one run at a time, locally two at
# a time (--parallel 2), and on Apache Spark's local[2] (two executor threads in one JVM sharing one workbench).
# Each mode runs REPEATS times (default 3), each time in a fresh workspace, as a whole command (JVM start, boot,
# the runs, the compare table); prints the medians and the ratios to the sequential sweep, and checks that the
# three compare tables are the same. ND4J gets one thread per run (OMP_NUM_THREADS=1) in every mode, so the
# figures are about running runs side by side. Usage: bench/spark_sweep.sh [REPEATS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPEATS="${1:-3}"
export OMP_NUM_THREADS=1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/bench-sweep.json" <<'SPEC'
{"name": "bench-sweep", "seed": 1,
 "dataset": {"type": "toy", "config": {"shape": "eight-gaussians", "train": 20000, "test": 5000}},
 "model": {"type": "gmm", "config": {"components": 8}},
 "trainer": {"type": "em", "config": {"maxIterations": 100, "tolerance": 0}},
 "samplers": [{"type": "ancestral", "config": {"samples": 2000}}],
 "evaluators": [{"type": "loglik"}],
 "sweep": {"seeds": [1, 2, 3], "grid": {"model.config.components": [8, 16]}}}
SPEC
bin/genbench --workspace "$WORK/warm" list >/dev/null   # builds when sources changed; not timed

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_one() { # MODE I -> seconds
  local ws="$WORK/$1-$2" t0 t1
  t0=$(date +%s.%N)
  case "$1" in
    sequential) bin/genbench --workspace "$ws" sweep "$WORK/bench-sweep.json" ;;
    parallel2)  bin/genbench --workspace "$ws" sweep --parallel 2 "$WORK/bench-sweep.json" ;;
    spark2)     bin/genbench --workspace "$ws" sweep --spark 'local[2]' "$WORK/bench-sweep.json" ;;
  esac >"$ws.log" 2>&1 || { echo "bench: $1 failed:" >&2; cat "$ws.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
declare -A MED
for mode in sequential parallel2 spark2; do
  times=()
  for i in $(seq 1 "$REPEATS"); do times+=("$(time_one "$mode" "$i")"); done
  MED[$mode]=$(printf '%s\n' "${times[@]}" | median)
  printf '%-11s wall s: %s  (median %.1f)\n' "$mode" "$(printf '%.1f ' "${times[@]}")" "${MED[$mode]}"
done
summary() { sed '/^every run:/,$d' "$WORK/$1-1/sweeps/bench-sweep/compare.txt"; }
if [ "$(summary sequential)" = "$(summary spark2)" ] && [ "$(summary sequential)" = "$(summary parallel2)" ]; then
  echo "compare tables: identical in the three modes"
else
  echo "compare tables DIFFER:"; diff <(summary sequential) <(summary spark2) || true; exit 1
fi
printf 'ratio sequential / parallel2: %.2f   sequential / spark local[2]: %.2f   (%d cores, load %s)\n' \
  "$(echo "${MED[sequential]} / ${MED[parallel2]}" | bc -l)" "$(echo "${MED[sequential]} / ${MED[spark2]}" | bc -l)" \
  "$(nproc --all)" "$(cut -d' ' -f1-3 /proc/loadavg)"
summary sequential
