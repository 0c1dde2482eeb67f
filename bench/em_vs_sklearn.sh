#!/usr/bin/env bash
# Java EM (genbench model.gmm) against scikit-learn's, per iteration, on identical data and initial parameters.
# Prints one table with both medians and their ratio. THREADS=n pins both sides to n BLAS/OpenMP threads (a fairer
# comparison on a busy machine, where spinning OpenMP workers suffer most). Needs api and tensor installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -n "${THREADS:-}" ]; then
  export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
fi
mvn -o -q -B test -pl bundles/model.gmm -Dgenbench.excluded.groups=none -Dgroups=benchmark -Dtest=GmmEmBenchmark \
  -Dgenbench.test.threads="${THREADS:-$(nproc)}" \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -o 'GmmEmBenchmark .*' || true
/usr/bin/python3 datasets/reference/gmm_em_timing.py bundles/model.gmm/target/gmm-em-bench
