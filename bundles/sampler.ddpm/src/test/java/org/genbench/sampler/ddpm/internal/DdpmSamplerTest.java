package org.genbench.sampler.ddpm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.Schedules;
import org.genbench.tensor.ArrowIpc;
import org.genbench.testing.ExactMixture;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sampler on a mixture's exact noise predictor: it must draw the mixture, and the class asked for. */
class DdpmSamplerTest {
    static final double[] ALPHA_BARS = Schedules.alphaBars(Schedules.betas("linear", 200));
    /** Two exact sets of 600 draws are 0.03-0.07 apart in energy distance; one mode alone is above 0.7. */
    static final double THRESHOLD = 0.14;

    BufferAllocator allocator;
    ExactMixture mixture = ExactMixture.twoModes(ALPHA_BARS, new double[] {2, 0.1});

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    static DdpmSampler.Config config(Integer samples, Integer steps, Double guidance, Integer label, Integer batch,
                                     Integer trajectory) {
        return new DdpmSampler.Config(samples, steps, null, null, guidance, label, batch, trajectory, null);
    }

    @Test
    void drawsTheMixtureReportingEveryStep() throws Exception {
        TestRunContext ctx = new TestRunContext(1, allocator);
        try (SampleResult r = new DdpmSampler().sample(mixture, config(600, null, null, null, 128, 5), ctx)) {
            double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), mixture.draw(600, new Rng(9)), 2);
            assertTrue(d < THRESHOLD, "energy distance " + d);
            assertEquals(201, ctx.progress.size());
            assertEquals(200, ctx.lastDone);
            assertEquals(200, ctx.lastTotal);
            Map<String, Metric> m = byName(r);
            assertEquals(200, m.get(Sampling.STEPS).value());
            assertEquals(200, m.get(Sampling.EVALUATIONS).value());
            assertEquals("ddpm small", m.get(Sampling.STEPS).protocol().get(Sampling.SERIES));
            assertTrue(ctx.logged.stream().allMatch(v -> v.containsKey("x_rms")), "a curve per step");
            Map<String, Tensor> t = ArrowIpc.read(ctx.outputDirectory().resolve(Sampling.TRAJECTORY), allocator);
            try {
                assertArrayEquals(new long[] {10 * 5, 2}, t.get("x").shape());
                assertEquals(0, t.get("step").getDouble(0));
                assertEquals(200, t.get("step").getDouble(49));
                // the last frame's states are the samples (the first five)
                for (int j = 0; j < 10; j++) {
                    assertEquals(r.samples().getDouble(j), t.get("x").getDouble(45 * 2 + j), 1e-6);
                }
            } finally {
                t.values().forEach(Tensor::close);
            }
            assertTrue(Files.size(ctx.outputDirectory().resolve("trajectory.png")) > 1000);
        }
    }

    /** Each sample has its own noise streams: the same seed gives the same samples whatever the batch size. */
    @Test
    void theSameSeedGivesTheSameSamplesAtAnyBatchSize() {
        try (SampleResult a = new DdpmSampler().sample(mixture, config(20, 50, null, null, 7, null), new TestRunContext(3, allocator));
             SampleResult b = new DdpmSampler().sample(mixture, config(20, 50, null, null, 256, null), new TestRunContext(3, allocator));
             SampleResult c = new DdpmSampler().sample(mixture, config(20, 50, null, null, 256, null), new TestRunContext(4, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray(), 1e-6);
            assertTrue(Math.abs(a.samples().getDouble(0) - c.samples().getDouble(0)) > 1e-6);
        }
    }

    /** For a conditional model: the class asked for, and with guidance still that class. */
    @Test
    void drawsTheClassAskedFor() {
        ExactMixture labelled = ExactMixture.conditional(mixture);
        for (double w : new double[] {0, 1.5}) {
            try (SampleResult r = new DdpmSampler().sample(labelled, config(400, 100, w, 0, null, null),
                    new TestRunContext(5, allocator))) {
                double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), labelled.drawComponent(0, 400, new Rng(6)), 2);
                assertTrue(d < THRESHOLD, "class 0 with guidance " + w + ": energy distance " + d);
                assertArrayEquals(new int[] {0, 0, 0}, java.util.Arrays.copyOf(labelled.lastLabels, 3));
            }
        }
        try (SampleResult r = new DdpmSampler().sample(labelled, config(10, 20, null, null, null, null),
                new TestRunContext(5, allocator))) {
            assertArrayEquals(new int[] {0, 1, 0, 1}, java.util.Arrays.copyOf(labelled.lastLabels, 4));
        }
    }

    @Test
    void refusesWhatDoesNotFit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DdpmSampler().sample(mixture, config(10, 201, null, null, null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("1..200"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DdpmSampler().sample(mixture, config(10, null, 1.0, null, null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("conditional"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DdpmSampler().sample(mixture, config(10, null, null, 1, null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("not conditional"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DdpmSampler.Config(0, null, null, null, null, null, null, null, null));
        assertTrue(e.getMessage().contains("samples must be between 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DdpmSampler.Config(null, null, "medium", null, null, null, null, null, null));
        assertTrue(e.getMessage().contains("variance"), e.getMessage());
    }

    static Map<String, Metric> byName(SampleResult r) {
        Map<String, Metric> m = new java.util.HashMap<>();
        r.diagnostics().forEach(x -> m.put(x.name(), x));
        return m;
    }
}
