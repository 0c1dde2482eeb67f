#!/usr/bin/env bash
# FID of 10000 vs 10000 samples from their features: genbench (ND4J, float64, eigenvalue form) against numpy +
# scipy.linalg.sqrtm (pytorch-fid's code path) on the same features. Prints one table with both medians and their
# ratio. THREADS=n pins both sides to n BLAS/OpenMP threads. Needs api, tensor and eval.fid's dependencies installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -n "${THREADS:-}" ]; then
  export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
fi
mvn -o -q -B test -pl bundles/eval.fid -Dgenbench.excluded.groups=none -Dgroups=benchmark -Dtest=FidBenchmark \
  -Dgenbench.test.threads="${THREADS:-$(nproc)}" \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -o 'FidBenchmark .*' || true
/usr/bin/python3 datasets/reference/fid_timing.py bundles/eval.fid/target/fid-bench
