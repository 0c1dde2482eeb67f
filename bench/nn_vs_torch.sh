#!/usr/bin/env bash
# Per-module forward+backward times of genbench's nn (bundles/nn ModuleBenchmark) against PyTorch (bench/torch_modules.py,
# Debian's python3-torch) at the shapes the deep families use: the same cases, warm-up, windows and thread count on
# both sides, medians of 7 windows. Prints a table; ratio = torch ms / genbench ms (above 1: genbench is faster).
#   THREADS=n   threads on both sides (default 1)
# PyTorch must run on an optimized BLAS: Debian's python3-torch calls whatever libblas.so.3 is selected (the
# reference BLAS on a fresh machine, 8-15x slower), so this installs libopenblas0-pthread when missing (as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1}
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'install ok installed' || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}") >/dev/null
  else
    echo "bench: needs ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
fi
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
/usr/bin/python3 bench/torch_modules.py --threads "$THREADS" | tee "$out"
mvn -q -B install -DskipTests -pl bundles/api,bundles/nn >/dev/null
mvn -q -B test -pl bundles/nn -Dgenbench.test.threads="$THREADS" -Dgenbench.excluded.groups=none -Dgroups=benchmark \
  -Dtest=ModuleBenchmark -Dsurefire.failIfNoSpecifiedTests=false | grep '^genbench ' | tee -a "$out"
echo
awk '$1 == "torch" || $1 == "genbench" { for (i = 2; i <= NF; i++) if ($i ~ /^ms=/) { split($i, v, "="); t[$1 " " $2] = v[2]; if ($1 == "torch") order[++n] = $2 } }
     END { printf "%-28s %12s %12s %8s\n", "module (fwd+bwd)", "torch ms", "genbench ms", "ratio";
           for (i = 1; i <= n; i++) { c = order[i]; g = t["genbench " c]; printf "%-28s %12.3f %12.3f %8.2f\n", c, t["torch " c], g, t["torch " c] / g } }' "$out"
