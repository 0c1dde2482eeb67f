#!/usr/bin/env bash
# Converts Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist) into Arrow IPC files checked against
# manifest.json: train.arrow and test.arrow, each with x UINT8 [n,1,28,28] and label INT32 [n].
# The fashion-mnist dataset bundle does the same on first use; this is for doing it ahead, or elsewhere.
# Usage: datasets/fashion-mnist/prepare.sh [OUT_DIR (default workspace/data/fashion-mnist)] [SOURCE_DIR]
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$HOME_DIR"
if [ ! -f bundles/data.image/target/classes/org/genbench/data/image/internal/Prepare.class ] \
   || [ ! -d bundles/launcher/target/lib ]; then
  mvn -q -B install -DskipTests -pl bundles/api,bundles/tensor,bundles/data.image,bundles/launcher -am >&2
fi
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bundles/data.image/target/classes:bundles/tensor/target/classes:bundles/api/target/classes:bundles/launcher/target/lib/*" \
  org.genbench.data.image.internal.Prepare "$@"
