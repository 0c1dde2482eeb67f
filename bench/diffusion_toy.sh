#!/usr/bin/env bash
# The 2-D toy references of the diffusion and score families (DiffusionToyBenchmarkIT): workspace/experiments/
# ddpm-toy.json and ncsn-toy.json run in the real framework, each sampler's MMD to fresh data against a stated bar,
# printed with the floor (two real sets) and the energy distance; each run draws mmd-vs-steps.png.
#   THREADS=n (default 1)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1}
mvn -q -B verify -pl integration-tests -Dgenbench.test.threads="$THREADS" -Dgenbench.excluded.groups=none \
  -Dgroups=benchmark -Dit.test=DiffusionToyBenchmarkIT -Dfailsafe.failIfNoSpecifiedTests=false | grep -E 'toy|FAIL|Tests run' || true
