#!/usr/bin/env bash
# The same MLP VAE and the same DCGAN, same batch size, trained in PyTorch (bench/torch_gan_vae.py, Debian's
# python3-torch, CPU) and in genbench (real workbench runs, TorchComparisonBenchmarkIT), in one run; prints samples/s
# for both and their ratio (genbench / torch; above 1 means genbench is faster).
#   THREADS=n   pins both sides to n OpenMP/BLAS threads (default 1: the fairest comparison on a shared machine)
#   BATCH, GAN_STEPS, VAE_STEPS, N (training images) as below
# Needs Debian's python3-torch and dataset-fashion-mnist; installs them when missing and running as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1} BATCH=${BATCH:-64} GAN_STEPS=${GAN_STEPS:-100} VAE_STEPS=${VAE_STEPS:-1000} N=${N:-10000}
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}") >/dev/null
  else
    echo "bench: needs ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for model in dcgan vae; do
  steps=$GAN_STEPS; [ "$model" = vae ] && steps=$VAE_STEPS
  /usr/bin/python3 bench/torch_gan_vae.py --model "$model" --steps "$steps" --batch "$BATCH" --n "$N" \
    --threads "$THREADS" | tee -a "$out"
done
mvn -o -q -B verify -pl integration-tests -Dgenbench.test.threads="$THREADS" -Dgenbench.excluded.groups=none -Dgroups=benchmark \
  -Dit.test=TorchComparisonBenchmarkIT -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.batch="$BATCH" \
  -Dbench.gan.steps="$GAN_STEPS" -Dbench.vae.steps="$VAE_STEPS" -Dbench.n="$N" -Dbench.out="$out" >/dev/null 2>&1 \
  || { echo "bench: the genbench side failed; see integration-tests/target/failsafe-reports" >&2; exit 1; }
grep '^genbench ' "$out"
echo
awk '{ split($0, f, " "); for (i in f) if (f[i] ~ /^samples_per_s=/) { split(f[i], v, "="); rate[$1 " " $2] = v[2] } }
     END { printf "%-6s %14s %14s %8s\n", "model", "torch (/s)", "genbench (/s)", "ratio";
           for (m in rate) { split(m, k, " "); if (k[1] == "torch") {
             g = rate["genbench " k[2]]; printf "%-6s %14.1f %14.1f %8.2f\n", k[2], rate[m], g, g / rate[m] } } }' "$out"
