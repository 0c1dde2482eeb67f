package org.genbench.model.realnvp.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Milliseconds per training step of the benchmark's RealNVP (bench/flows_vs_torch.sh) on random 8-bit images. */
@Tag("benchmark")
class RealNvpStepBenchmark {
    @Test
    void step() {
        DataInfo data = new DataInfo("bytes", new long[] {1, 28, 28}, DataInfo.DISCRETE, 0, null, Dequantization.logit8Bit(1e-6));
        RealNvpModel m = new RealNvpModel(new RealNvpFamily.Config(null, 2, Integer.getInteger("bench.channels", 16),
                Integer.getInteger("bench.blocks", 1), null, null, null, "actnorm"), data, new Rng(1), org.genbench.nn.DType.F32);
        int batch = Integer.getInteger("bench.batch", 64);
        try (BufferAllocator a = new RootAllocator(); Tensor x = Tensor.allocate(a, DType.FLOAT32, batch, 1, 28, 28)) {
            Rng rng = new Rng(2);
            for (long i = 0; i < x.size(); i++) {
                x.setDouble(i, rng.nextInt(256));
            }
            GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-3, 0.9, 0.999, 1e-8), 1);
            int steps = Integer.getInteger("bench.steps", 30);
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                try (Batch b = Batch.of(x.retain())) {
                    m.trainStep(b, step, new Rng(s));
                }
                if (s % 5 == 4) {
                    System.out.printf("step %d: %.1f ms%n", s + 1, (System.nanoTime() - t0) / 1e6);
                }
            }
        }
    }
}
