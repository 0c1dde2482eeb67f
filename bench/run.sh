#!/usr/bin/env bash
# The benchmark command (bin/genbench bench): figures that are not part of the default tests, printed side by side.
#   1. EM time per iteration, genbench vs scikit-learn, on the same data and initial parameters
#   2. boot-to-ready, jar-landed-to-usable (hot-load), and the tensor hand-off from a producer plug-in to a consumer
#      plug-in through real workbench runs, by size up to 1 GB (bench.handoff.source -> bench.handoff.sink)
#   3. FID of 10k samples, genbench vs numpy/scipy (pytorch-fid's formula)
#   4. the quickstart on an idle machine and beside two busy loops (bench/busy_machine.sh)
#   5. the 2-D toy references of DDPM, DDIM and NCSN (MMD to fresh data against stated bars)
#   6. a sweep's wall time: sequential, --parallel 2 and Apache Spark local[2] (bench/spark_sweep.sh)
#   7. nn's modules (Linear, Conv2d, ConvTranspose2d forward + backward at the families' shapes) vs PyTorch
#      (bench/nn_vs_torch.sh; needs Debian's python3-torch, which it installs when running as root)
# The training comparisons with PyTorch are bench/torch_vs_genbench.sh (it installs Debian's python3-torch, ~1 GB) and
# bench/ddpm_vs_torch.sh (the DDPM twin: loss curves, FID, samples/s; long on two cores).
# Needs Debian's python3-sklearn for (1); installs it when missing and running as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-sklearn) >/dev/null
  else
    echo "bench: needs python3-sklearn (apt-get install python3-sklearn)" >&2; exit 1
  fi
fi
mvn -q -B install -DskipTests
echo "== EM per iteration: genbench (ND4J, float64) vs scikit-learn"
bench/em_vs_sklearn.sh
echo
echo "== platform: boot, hot-load, tensor hand-off"
mvn -q -B verify -pl integration-tests -Dgenbench.test.threads="$(nproc)" -Dgenbench.excluded.groups=none -Dgroups=benchmark -Dit.test=PlatformBenchmarkIT \
  -Dfailsafe.failIfNoSpecifiedTests=false | grep -vE '^\[|^$' || true
echo
echo "== FID of 10k vs 10k samples: genbench vs numpy/scipy"
bench/fid_vs_scipy.sh
echo
echo "== quickstart idle vs two busy loops"
bench/busy_machine.sh
echo
echo "== diffusion and score models on a 2-D toy: MMD to fresh data"
bench/diffusion_toy.sh
echo
echo "== sweep of 2 settings x 3 seeds: sequential vs --parallel 2 vs Spark local[2]"
bench/spark_sweep.sh
echo
echo "== nn modules vs PyTorch, forward + backward, 1 thread"
bench/nn_vs_torch.sh
