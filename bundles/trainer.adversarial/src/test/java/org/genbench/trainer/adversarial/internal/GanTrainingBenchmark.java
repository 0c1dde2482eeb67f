package org.genbench.trainer.adversarial.internal;

import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.model.gan.internal.GanFamily;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Training throughput of the DCGAN on Fashion-MNIST through the real trainer (shuffling, batch hand-off, D and G
 * steps), for bench/torch_vs_genbench.sh, which trains the same networks in PyTorch. A step is one D update on
 * {@code batch} real and {@code batch} generated images and one G update on {@code batch} generated images;
 * samples/s counts real images consumed. Settings: -Dbench.steps, -Dbench.warmup, -Dbench.batch, -Dbench.n.
 */
@Tag("benchmark")
class GanTrainingBenchmark {
    @Test
    void dcganOnFashionMnist() throws Exception {
        assumeTrue(FashionMnistFiles.available(), "needs Debian's dataset-fashion-mnist");
        int steps = Integer.getInteger("bench.steps", 100);
        int warmup = Integer.getInteger("bench.warmup", 10);
        int batch = Integer.getInteger("bench.batch", 64);
        int n = Integer.getInteger("bench.n", 10000);
        GanFamily.Config config = new GanFamily.Config("dcgan", 64, null, null, 64, 64, false, null, null);
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
             InMemoryDataset data = FashionMnistFiles.load(n, allocator);
             Model gan = new GanFamily().create(config, FashionMnistFiles.INFO, new Rng(1))) {
            AdversarialTrainer trainer = new AdversarialTrainer();
            trainer.train(gan, data, trainerConfig(warmup, batch), new TestRunContext(2, allocator));
            long t0 = System.nanoTime();
            List<Metric> metrics = trainer.train(gan, data, trainerConfig(steps, batch), new TestRunContext(3, allocator));
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("genbench dcgan batch=%d steps=%d seconds=%.3f samples_per_s=%.1f d_loss=%.3f%n", batch, steps,
                    seconds, steps * (double) batch / seconds, metrics.get(0).value());
        }
    }

    private static AdversarialTrainer.Config trainerConfig(int steps, int batch) {
        return new AdversarialTrainer.Config(steps, batch, 1, null, null, null, null, null, 0, null, 0, null);
    }
}
