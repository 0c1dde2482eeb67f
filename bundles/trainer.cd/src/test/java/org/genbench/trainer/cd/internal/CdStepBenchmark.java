package org.genbench.trainer.cd.internal;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.model.rbm.internal.RbmFamily;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** CPU time (of this thread; BLAS runs in it at one thread) of one CD-1 update and of one Gibbs sweep of 100 chains for a 784 x 500 RBM (median of 5 blocks of 20). */
@Tag("benchmark")
class CdStepBenchmark {
    @Test
    void cd1And784x500() {
        try (BufferAllocator allocator = new RootAllocator()) {
            DataInfo info = new DataInfo("b", new long[] {784}, DataInfo.BINARY, 0, null);
            Model m = new RbmFamily().create(new RbmFamily.Config(500, null, null, null, null), info, new Rng(1));
            BlockGibbs g = m.as(BlockGibbs.class).orElseThrow();
            ContrastiveTrainable t = m.as(ContrastiveTrainable.class).orElseThrow();
            Rng rng = new Rng(2);
            double[] x = new double[100 * 784];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextDouble() < 0.3 ? 1 : 0;
            }
            double[] update = new double[5];
            double[] sweep = new double[5];
            try (Tensor v0 = Tensor.of(allocator, DType.FLOAT32, x, 100, 784)) {
                for (int rep = 0; rep < 7; rep++) {
                    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
                    long a = bean.getCurrentThreadCpuTime();
                    for (int i = 0; i < 20; i++) {
                        try (Tensor h = g.sampleHidden(v0, rng); Tensor v1 = g.sampleVisible(h, rng)) {
                            t.contrastiveStep(v0, v1, new ContrastiveTrainable.Step(0.01, 0.9, 1e-4));
                        }
                    }
                    long b = bean.getCurrentThreadCpuTime();
                    for (int i = 0; i < 20; i++) {
                        try (Tensor h = g.sampleHidden(v0, rng); Tensor v1 = g.sampleVisible(h, rng)) {
                            v1.rows();
                        }
                    }
                    long c = bean.getCurrentThreadCpuTime();
                    if (rep >= 2) {
                        update[rep - 2] = (b - a) / 20e6;
                        sweep[rep - 2] = (c - b) / 20e6;
                    }
                }
            }
            Arrays.sort(update);
            Arrays.sort(sweep);
            System.out.printf("CdStepBenchmark 784x500, batch 100: CD-1 update %.2f ms, Gibbs sweep %.2f ms (medians of thread CPU time)%n",
                    update[2], sweep[2]);
        }
    }
}
