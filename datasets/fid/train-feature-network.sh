#!/usr/bin/env bash
# Trains FID's default feature network (fashion-mnist-mlp v1: an MLP classifier on Fashion-MNIST, fixed recipe and
# seed) into the cache where the fid evaluator looks for it, and prints its weights' sha256 and test accuracy. The fid
# evaluator does the same on first use; this runs the step by hand, e.g. to warm a cache or check the hash.
# The weights are not committed; network.json beside them records recipe, data checksums, sha256 and accuracy.
# Usage: datasets/fid/train-feature-network.sh [CACHE_DIR (default ~/.cache/genbench)] [IDX_DIR (default
#        /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CACHE="${1:-${GENBENCH_CACHE:-$HOME/.cache/genbench}}"
DATA="${2:-/usr/share/datasets/fashion-mnist}"
V=0.1.0-SNAPSHOT
JARS="bundles/vision/target/vision-$V.jar:bundles/tensor/target/tensor-$V.jar:bundles/api/target/api-$V.jar"
if [ ! -f "bundles/vision/target/vision-$V.jar" ] || [ ! -d bundles/launcher/target/lib ]; then
  mvn -q -B install -DskipTests -pl bundles/api,bundles/tensor,bundles/nn,bundles/vision,bundles/launcher
fi
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$JARS:bundles/launcher/target/lib/*" org.genbench.vision.FashionMnistClassifier "$CACHE" "$DATA"
