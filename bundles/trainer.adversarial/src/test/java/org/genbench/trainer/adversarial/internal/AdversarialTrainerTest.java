package org.genbench.trainer.adversarial.internal;

import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.genbench.model.gan.internal.GanFamily;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdversarialTrainerTest {
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static AdversarialTrainer.Config config(int steps, int checkpointEvery) {
        return new AdversarialTrainer.Config(steps, 128, null, 5e-4, 5e-4, null, null, null, checkpointEvery, null, null, null);
    }

    static Model mlpGan() {
        return new GanFamily().create(GanFamily.Config.defaults(), EightGaussians.INFO, new Rng(11));
    }

    @Test
    void configNamesBadFields() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> new AdversarialTrainer.Config(null, null, null, null, null, null, null, 0.5, null, null, null, null)).getMessage();
        assertTrue(m.contains("labelSmoothing") && m.contains("[0, 0.5)"), m);
        String d = assertThrows(IllegalArgumentException.class,
                () -> new AdversarialTrainer.Config(null, null, 0, null, null, null, null, null, null, null, null, null)).getMessage();
        assertTrue(d.contains("dSteps") && d.contains("between 1 and 100"), d);
        assertEquals(2e-4, AdversarialTrainer.Config.defaults().learningRateG());
    }

    /**
     * The MLP GAN on eight Gaussians: after 3000 steps most samples lie within 3 sd of a centre (0.5 at chance for a
     * Gaussian blob of the data's spread, 0.997 for the data itself; we ask 0.6, measured 0.72) and at least 6 of the 8 modes hold
     * 2% of the samples (a collapsed GAN covers 1 to 3).
     */
    @Test
    void mlpGanOnEightGaussiansPutsSamplesOnTheModes() throws Exception {
        try (InMemoryDataset data = EightGaussians.create(4000, new Rng(1), allocator); Model gan = mlpGan()) {
            TestRunContext context = new TestRunContext(2, allocator);
            long t0 = System.nanoTime();
            List<Metric> metrics = new AdversarialTrainer().train(gan, data, config(3000, 0), context);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(3000, value(metrics, "steps"));
            assertEquals(3000, context.steps.size());
            try (Tensor s = gan.as(DirectSampling.class).orElseThrow().sample(4000, new Rng(3), allocator)) {
                double[] q = EightGaussians.quality(s);
                System.out.printf("eight gaussians: %.3f near a mode, %d modes covered, d_loss %.3f g_loss %.3f, %.1f s%n",
                        q[0], (int) q[1], value(metrics, "d_loss"), value(metrics, "g_loss"), seconds);
                assertTrue(q[0] > 0.6, "fraction of samples within 3 sd of a centre: " + q[0]);
                assertTrue(q[1] >= 6, "modes covered: " + q[1]);
            }
            // D is not winning outright: its loss stays away from 0 (2 log 2 = 1.39 at equilibrium)
            assertTrue(value(metrics, "d_loss") > 0.5, "d_loss " + value(metrics, "d_loss"));
        }
    }

    @Test
    void aResumedRunContinuesWithExactlyTheNumbersOfAnUninterruptedOne() throws Exception {
        try (InMemoryDataset data = EightGaussians.create(1000, new Rng(1), allocator)) {
            TestRunContext whole = new TestRunContext(5, allocator);
            List<Metric> expected;
            double[] expectedSamples;
            try (Model gan = mlpGan()) {
                expected = new AdversarialTrainer().train(gan, data, config(60, 20), whole);
                try (Tensor s = gan.as(DirectSampling.class).orElseThrow().sample(50, new Rng(9), allocator)) {
                    expectedSamples = s.toDoubleArray();
                }
            }
            TestRunContext killed = new TestRunContext(5, allocator).cancelAfterChecks(45);
            try (Model gan = mlpGan()) {
                new AdversarialTrainer().train(gan, data, config(60, 20), killed);
            }
            assertEquals(45, killed.steps.size(), "stopped after step 45, last checkpoint at 40");
            TestRunContext resumed = TestRunContext.resumeFrom(killed, allocator);
            List<Metric> actual;
            try (Model gan = mlpGan()) {
                actual = new AdversarialTrainer().train(gan, data, config(60, 20), resumed);
                try (Tensor s = gan.as(DirectSampling.class).orElseThrow().sample(50, new Rng(9), allocator)) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expectedSamples, s.toDoubleArray(), 0.0);
                }
            }
            assertEquals(List.of(41L, 42L), resumed.steps.subList(0, 2));
            assertEquals(whole.logged.subList(40, 60), resumed.logged, "per-step losses after the checkpoint");
            assertEquals(expected, actual, "final metrics");
            assertEquals(60, resumed.lastDone);
        }
    }

    /**
     * A conditional MLP GAN on two labelled blobs (class 0 around x = -2, class 1 around x = +2, sd 0.5): the samples
     * the trainer writes per requested class must sit on that class's side (a generator that ignores its label would
     * put about half of each class on the wrong side). Also: threads = 1 is undone after training.
     */
    @Test
    void conditionalSamplesFollowTheRequestedClassAndThreadsAreRestored() throws Exception {
        DataInfo info = new DataInfo("two-blobs", new long[] {2}, DataInfo.CONTINUOUS, 2, null);
        int threadsBefore = org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
        Rng r = new Rng(4);
        int n = 2000;
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        Tensor y = Tensor.allocate(allocator, DType.INT32, n);
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            x.setDouble(2L * i, (c == 0 ? -2 : 2) + 0.5 * r.nextGaussian());
            x.setDouble(2L * i + 1, 0.5 * r.nextGaussian());
            y.setDouble(i, c);
        }
        try (InMemoryDataset data = new InMemoryDataset(info, Map.of("train", Batch.of(x, y)));
             Model gan = new GanFamily().create(new GanFamily.Config(null, null, null, null, null, null, true, null, null),
                     info, new Rng(6))) {
            TestRunContext context = new TestRunContext(8, allocator);
            new AdversarialTrainer().train(gan, data, new AdversarialTrainer.Config(600, 64, null, 1e-3, 1e-3, null, null,
                    null, 0, null, 100, 1), context);
            assertEquals(threadsBefore, org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
            try (Batch samples = ArrowIpc.readBatch(context.outputDirectory().resolve(AdversarialTrainer.CONDITIONAL_SAMPLES),
                    allocator)) {
                assertEquals(200, samples.size());
                Tensor labels = samples.label().orElseThrow();
                int right = 0;
                for (int i = 0; i < 200; i++) {
                    int requested = (int) labels.getDouble(i);
                    assertEquals(i < 100 ? 0 : 1, requested, "class-major order");
                    if ((samples.x().get(i, 0) > 0) == (requested == 1)) {
                        right++;
                    }
                }
                assertTrue(right >= 180, right + " of 200 samples on their class's side");
            }
        }
    }

    private static double value(List<Metric> metrics, String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().value();
    }
}
