#!/usr/bin/env bash
# The same MLP VAE and the same DCGAN, same data (the first N Fashion-MNIST training images), same batch size, same
# thread count, trained in PyTorch (bench/torch_gan_vae.py, Debian's python3-torch, CPU) and in genbench (real
# workbench runs, TorchComparisonBenchmarkIT). Both sides time the same window: one run of WARMUP + STEPS steps, from
# the end of step WARMUP to the end of step WARMUP + STEPS. Prints samples/s for both and their ratio (genbench /
# torch; above 1 means genbench is faster), at 1 thread and at all cores.
#   THREADS="1 2"   the thread counts to compare (default: 1 and nproc); both sides are pinned to each in turn
#   REPEAT=3        runs per side, model and thread count, interleaved (torch, genbench, torch, ...); the table gives
#                   the median samples/s of each side and the ratio of the medians, with the range of each side
#   BATCH, N, GAN_STEPS, GAN_WARMUP, VAE_STEPS, VAE_WARMUP as below
#   BUILD=0         skip `mvn install -DskipTests` (the tree is already built and installed)
# PyTorch must run on an optimized BLAS: Debian's python3-torch calls whatever libblas.so.3 the alternatives system
# points to, and on a fresh machine that is the reference BLAS (measured here 8x slower for the VAE). This script
# installs libopenblas0-pthread (when running as root), and torch_gan_vae.py prints the BLAS it loaded and refuses
# to time on the reference BLAS. Needs Debian's python3-torch, libopenblas0-pthread and dataset-fashion-mnist;
# installs them when missing and running as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORES=$(nproc)  # before the loop exports OMP_NUM_THREADS, which nproc obeys
THREADS=${THREADS:-"1 $CORES"} BATCH=${BATCH:-64} N=${N:-10000}
GAN_STEPS=${GAN_STEPS:-100} GAN_WARMUP=${GAN_WARMUP:-20} VAE_STEPS=${VAE_STEPS:-1000} VAE_WARMUP=${VAE_WARMUP:-200}
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "bench: OPENBLAS_CORETYPE is set ($OPENBLAS_CORETYPE); unset it: genbench must be measured as a user runs it" >&2
  exit 1
fi
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
[ "${BUILD:-1}" = 0 ] || mvn -q -B install -DskipTests
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in $THREADS; do
  # Throughput means little on a machine others are loading: say how loaded it was.
  echo "load average before the $t-thread runs: $(cut -d' ' -f1-3 /proc/loadavg) on $CORES cores"
  export OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" MKL_NUM_THREADS="$t"
  for rep in $(seq "$REPEAT"); do
  for model in dcgan vae; do
    steps=$GAN_STEPS warmup=$GAN_WARMUP
    [ "$model" = vae ] && steps=$VAE_STEPS warmup=$VAE_WARMUP
    /usr/bin/python3 bench/torch_gan_vae.py --model "$model" --steps "$steps" --warmup "$warmup" --batch "$BATCH" \
      --n "$N" --threads "$t" | tee -a "$out"
  done
  mvn -o -q -B verify -pl integration-tests -Dgenbench.test.threads="$t" -Dgenbench.excluded.groups=none \
    -Dgroups=benchmark -Dit.test=TorchComparisonBenchmarkIT -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dbench.batch="$BATCH" -Dbench.n="$N" -Dbench.gan.steps="$GAN_STEPS" -Dbench.gan.warmup="$GAN_WARMUP" \
    -Dbench.vae.steps="$VAE_STEPS" -Dbench.vae.warmup="$VAE_WARMUP" -Dbench.out="$out" >/dev/null 2>&1 \
    || { echo "bench: the genbench side failed; see integration-tests/target/failsafe-reports" >&2; exit 1; }
  done
  grep "^genbench .* threads=$t " "$out" || { echo "bench: genbench did not run on $t threads" >&2; exit 1; }
  echo "load average after the $t-thread runs: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo
# one row per model and thread count; threads as each side reports them (torch: torch.get_num_threads(); genbench:
# ND4J's OpenMP threads from the run's provenance.json); medians over the REPEAT runs, min..max beside them
awk 'function median(list,   n, a, i, j, t) { n = split(list, a, " ")
       for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
       lo = a[1]; hi = a[n]; cnt = n
       return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
     { side = $1; model = $2; rate = ""; th = ""
       for (i = 3; i <= NF; i++) { split($i, kv, "=")
         if (kv[1] == "samples_per_s") rate = kv[2]; else if (kv[1] == "threads") th = kv[2]
         else if (kv[1] == "warmup") w = kv[2]; else if (kv[1] == "steps") s = kv[2] }
       key = model " " th; r[side, key] = r[side, key] " " rate; window[key] = "steps " (w + 1) ".." (w + s); keys[key] = 1 }
     END { printf "%-6s %7s  %-16s %3s %22s %22s %7s\n", "model", "threads", "timed window", "n", "torch median (range)",
                  "genbench median (range)", "ratio"
           for (k in keys) { split(k, p, " ")
             if ((("torch", k) in r) && (("genbench", k) in r)) {
               mt = median(r["torch", k]); tr = sprintf("%.1f (%.1f..%.1f)", mt, lo, hi); n = cnt
               mg = median(r["genbench", k]); gr = sprintf("%.1f (%.1f..%.1f)", mg, lo, hi)
               printf "%-6s %7s  %-16s %3d %22s %22s %7.2f\n", p[1], p[2], window[k], n, tr, gr, mg / mt
             } else printf "%-6s %7s  unpaired: the two sides did not run on the same thread count\n", p[1], p[2] } }' "$out" \
  | { IFS= read -r header; echo "$header"; sort -k1,1 -k2,2n; }
