package org.genbench.model.diffusion.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.AdamSettings;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("benchmark")
class UNetSpeedProbe {
    @Test
    void probe() {
        int ch = Integer.getInteger("probe.ch", 32);
        int batch = Integer.getInteger("probe.batch", 64);
        int blocks = Integer.getInteger("probe.blocks", 1);
        DataInfo info = new DataInfo("fm", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 10, null);
        try (BufferAllocator a = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build())) {
            DdpmModel m = DdpmFamily.create(new DdpmFamily.Config(null, null, null, null, ch, new int[] {1, 2, 2}, blocks, null,
                    1000, null, null, null, null, null, null, null, null, null), info, new Rng(1), org.genbench.nn.DType.F32);
            System.out.println("params " + m.parameterCount());
            GradientTrainable.Step st = new GradientTrainable.Step(new AdamSettings(2e-4, 0.9, 0.999, 1e-8), 1);
            Tensor x = Tensor.allocate(a, DType.FLOAT32, batch, 1, 28, 28);
            Rng r = new Rng(2);
            for (int i = 0; i < batch * 784; i++) {
                x.setDouble(i, r.nextDouble());
            }
            try (Batch b = Batch.of(x)) {
                for (int s = 0; s < 13; s++) {
                    long t0 = System.nanoTime();
                    m.trainStep(b, st, new Rng(3).split(s));
                    if (s >= 3) System.out.println("train ms " + (System.nanoTime() - t0) / 1e6);
                }
            }
            int ib = Integer.getInteger("probe.ib", 64);
            Tensor xt = Tensor.allocate(a, DType.FLOAT32, ib, 1, 28, 28);
            Tensor t = Tensor.allocate(a, DType.INT32, ib);
            for (int i = 0; i < ib; i++) t.setDouble(i, 500);
            for (int s = 0; s < 4; s++) {
                long t0 = System.nanoTime();
                m.predictNoise(xt, t, null).close();
                System.out.println("infer ms " + (System.nanoTime() - t0) / 1e6);
            }
            xt.close(); t.close();
        }
    }
}
