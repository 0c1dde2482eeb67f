#!/usr/bin/env bash
# The DDPM twin: the same U-Net (nn's UNet; bench/torch_ddpm.py mirrors it, same parameter count), schedule, steps,
# batch, optimizer and EMA trained on Fashion-MNIST by genbench (a real run of the gradient trainer, DDIM sampler and
# FID evaluator) and by PyTorch; then both sample sets scored by FID with the same feature network and real images
# (eval.fid's SamplesFileFidBenchmark), and bench/ddpm_twin_compare.py prints the loss curves side by side (means over
# ten windows of steps, relative difference), the FIDs and their ratio, and training samples/s and their ratio.
#   THREADS=n (default 1) STEPS (1000) BATCH (32) CHANNELS (16) LR (0.001) SAMPLES (1000) SAMPLE_STEPS (50) OUT
# Needs Debian's python3-torch and dataset-fashion-mnist. Takes long on a CPU: on this project's two shared cores the
# defaults ran for several hours (most of it genbench's side, whose convolutions are about 3x slower than PyTorch's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${THREADS:-1} STEPS=${STEPS:-1000} BATCH=${BATCH:-32} CHANNELS=${CHANNELS:-16} LR=${LR:-0.001}
SAMPLES=${SAMPLES:-1000} SAMPLE_STEPS=${SAMPLE_STEPS:-50} OUT=${OUT:-$PWD/target/ddpm-twin}
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench: needs python3-torch" >&2; exit 1; }
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { echo "bench: needs dataset-fashion-mnist" >&2; exit 1; }
ws="$OUT/workspace"
mkdir -p "$ws/experiments"
rm -rf "$ws/runs"

echo "bench: PyTorch twin, $STEPS steps..." >&2
/usr/bin/python3 bench/torch_ddpm.py --steps "$STEPS" --batch "$BATCH" --channels "$CHANNELS" --lr "$LR" \
  --samples "$SAMPLES" --sample-steps "$SAMPLE_STEPS" --threads "$THREADS" --out "$OUT" | tee "$OUT/torch.txt"

cat > "$ws/experiments/ddpm-twin.json" <<SPEC
{
  "name": "ddpm-twin", "seed": 42,
  "dataset": { "type": "fashion-mnist", "config": { "test": 1000 } },
  "model": { "type": "ddpm", "config": { "network": "unet", "channels": $CHANNELS, "mults": [1, 2, 2], "blocks": 1,
             "timesteps": 1000, "schedule": "linear", "emaDecay": 0.995 } },
  "trainer": { "type": "gradient", "config": { "steps": $STEPS, "batchSize": $BATCH, "learningRate": $LR,
               "schedule": "constant", "checkpointEvery": 0, "evalExamples": 0 } },
  "samplers": [ { "id": "ddim", "type": "ddim", "config": { "samples": $SAMPLES, "steps": $SAMPLE_STEPS } } ],
  "evaluators": []
}
SPEC
echo "bench: genbench, $STEPS steps..." >&2
bin/genbench --workspace "$ws" --features core,classic,deep,eval run "$ws/experiments/ddpm-twin.json" >&2
run=$(ls -d "$ws"/runs/*-ddpm-twin | tail -1)

echo "bench: FID of both sample sets..." >&2
mvn -o -q -B test -pl bundles/eval.fid -Dtest=SamplesFileFidBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dgenbench.excluded.groups=none -Dgenbench.jvm.args="--add-opens=java.base/java.nio=ALL-UNNAMED \
  -Dfid.files=$OUT/torch-samples.f32,$run/samples/ddim.arrow -Dfid.n=$SAMPLES" >/dev/null 2>&1 || true
grep -ho '^fid .*' bundles/eval.fid/target/surefire-reports/*SamplesFileFidBenchmark-output.txt \
  bundles/eval.fid/target/surefire-reports/TEST-*SamplesFileFidBenchmark.xml 2>/dev/null | sort -u > "$OUT/fid.txt" || true
/usr/bin/python3 bench/ddpm_twin_compare.py --torch "$OUT" --run "$run" --steps "$STEPS" --batch "$BATCH" | tee "$OUT/twin.md"
