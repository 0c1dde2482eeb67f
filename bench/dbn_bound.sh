#!/usr/bin/env bash
# The DBN's variational bound against exact values on binarized Fashion-MNIST (needs dataset-fashion-mnist):
# a DBN 14-12 (exact log p(v), exact top log Z, its first layer's exact log-likelihood as an RBM; also in the
# default tests) and a DBN 64-20 at RbmIT's size (top log Z by AIS against the sum over 2^20 hidden states).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -B test -pl bundles/eval.likelihood -Dgenbench.excluded.groups=none -Dtest=DbnBoundReferenceTest \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -E '^DBN|FAIL|Tests run' || true
