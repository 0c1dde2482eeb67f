#!/usr/bin/env bash
# The quickstart's wall time on an idle machine and with two busy loops running beside it (the issue: a busy machine
# made genbench 5-14x slower). Variants: genbench's defaults (threads = cores available, OpenMP threads sleep while
# they wait), --threads 1, and the behaviour before (threads = cores, the OpenMP runtime's own spin-then-sleep wait).
# Prints the median of BENCH_REPS runs (default 3) per cell. Usage: bench/busy_machine.sh [reps]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
reps="${1:-${BENCH_REPS:-3}}"
ws="$(mktemp -d -t genbench-busy-XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$ws"' EXIT
mkdir -p "$ws/experiments"
cp workspace/experiments/quickstart.json "$ws/experiments/"
bin/genbench --workspace "$ws" list >/dev/null  # builds if needed, and warms the caches

one() {  # $1 = OMP_WAIT_POLICY value ("" for the runtime's default), rest = genbench options; prints seconds
  local policy="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  OMP_WAIT_POLICY="$policy" bin/genbench --workspace "$ws" "$@" run quickstart.json >/dev/null 2>&1
  t1=$(date +%s.%N)
  rm -rf "$ws/runs"
  echo "$t1 - $t0" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

cell() {  # $1 = busy loops, $2 = policy, rest = options
  local loops="$1" policy="$2"; shift 2
  local pids=()
  for ((i = 0; i < loops; i++)); do (while :; do :; done) & pids+=($!); done
  local times=()
  for ((r = 0; r < reps; r++)); do times+=("$(one "$policy" "$@")"); done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  printf '%s\n' "${times[@]}" | median
}

cores=$(nproc)
printf 'quickstart wall seconds (median of %s runs), %s cores, load before start: %s\n' "$reps" "$cores" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %14s %7s\n' variant idle "2 busy loops" ratio
row() {
  local label="$1"; shift
  local idle busy
  idle=$(cell 0 "$@")
  busy=$(cell 2 "$@")
  printf '%-44s %8.1f %14.1f %7.2f\n' "$label" "$idle" "$busy" "$(echo "$busy / $idle" | bc -l)"
}
row "default ($cores threads, passive wait)" PASSIVE
row "--threads 1" PASSIVE --threads 1
row "before ($cores threads, spin-then-sleep wait)" ""
