#!/usr/bin/env bash
# Small Fashion-MNIST runs of the diffusion and score families beside a VAE and a GAN, on the same data and
# feature network (README, "Diffusion and score-based models"): the shipped specs ddpm-fashion-mnist.json,
# ddpm-conditional-fashion-mnist.json, ncsn-fashion-mnist.json and forensics-ddpm.json (each sized to ~10-15 min
# at one thread on a shared 2-core machine: 800 training steps of a 16-channel U-Net), preceded by shortened copies
# of forensics-vae.json and forensics-gan.json (fewer steps, a 32-channel GAN, FID on 1000 samples like the
# diffusion runs; same spec names, so forensics-ddpm's run:forensics-vae/... and run:forensics-gan/... find them).
# Then one `compare` table over all runs, the results table (bench/diffusion_fashion_table.py) and the
# cross-generator forensics table of forensics-ddpm.
#   THREADS=n (default 1)  OUT=dir (default /tmp/diffusion-fashion)  ONLY="spec ..." (a subset, by spec name)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1}
OUT=${OUT:-/tmp/diffusion-fashion}
mkdir -p "$OUT/specs"
E=workspace/experiments
python3 - "$E" "$OUT/specs" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
vae = json.load(open(f"{src}/forensics-vae.json"))
vae["trainer"]["config"].update(steps=2000, warmupSteps=500, checkpointEvery=1000)
vae["samplers"][0]["config"]["samples"] = 3000
vae["evaluators"] = [{"type": "fid", "config": {"samples": 1000}},
                     {"type": "forensics", "config": {"train": 2000, "test": 1000, "self": "vae"}}]
gan = json.load(open(f"{src}/forensics-gan.json"))
gan["model"]["config"].update(gChannels=32, dChannels=32)
gan["trainer"]["config"].update(steps=2000, checkpointEvery=1000)
gan["samplers"][0]["config"]["samples"] = 3000
gan["evaluators"][0]["config"]["samples"] = 1000
gan["evaluators"][1]["config"].update(train=2000, test=1000)
for name, spec in (("forensics-vae", vae), ("forensics-gan", gan)):
    json.dump(spec, open(f"{dst}/{name}.json", "w"), indent=2)
PY
SPECS=("$OUT/specs/forensics-vae.json" "$OUT/specs/forensics-gan.json" "$E/ddpm-fashion-mnist.json"
       "$E/forensics-ddpm.json" "$E/ncsn-fashion-mnist.json" "$E/ddpm-conditional-fashion-mnist.json")
: > "$OUT/runs.txt"
for spec in "${SPECS[@]}"; do
  name=$(basename "$spec" .json)
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then continue; fi
  start=$(date +%s)
  bin/genbench --threads "$THREADS" run "$spec" > "$OUT/$name.log" 2>&1 || echo "$name failed: see $OUT/$name.log"
  id=$(sed -n 's/^run \([^ ]*\) completed.*/\1/p' "$OUT/$name.log")
  echo "$name ${id:-FAILED} $(( $(date +%s) - start ))" | tee -a "$OUT/runs.txt"
done
ids=$(awk '$2 != "FAILED" {print $2}' "$OUT/runs.txt")
bin/genbench compare $ids 2>&1 | tee "$OUT/compare.txt"
python3 bench/diffusion_fashion_table.py workspace/runs "$OUT/runs.txt" | tee "$OUT/table.md"
f=$(awk '$1 == "forensics-ddpm" && $2 != "FAILED" {print $2}' "$OUT/runs.txt")
[ -z "$f" ] || cat "workspace/runs/$f/outputs/forensics/cross_generator.md" | tee "$OUT/forensics.md"
