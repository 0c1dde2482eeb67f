#!/usr/bin/env bash
# The RBM trainer against its numpy twin (bench/rbm_twin.py) at Fashion-MNIST's size: 784 x 500, batch 100, 100
# updates of CD-1, CD-25 and PCD from the same initial weights, minibatches and random streams; prints the largest
# difference in the final W, b, c (the reference asks for 1e-4). Needs Debian's dataset-fashion-mnist and python3-numpy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -o -q -B install -DskipTests -pl bundles/trainer.cd -am
mvn -o -q -B test -pl bundles/trainer.cd -Dgenbench.excluded.groups=none -Dgroups=benchmark -Dtest=RbmTwinBenchmark \
  -Dgenbench.test.threads="${THREADS:-$(nproc)}" -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -E 'RbmTwinBenchmark|rbm twin|rbm_twin' || true
