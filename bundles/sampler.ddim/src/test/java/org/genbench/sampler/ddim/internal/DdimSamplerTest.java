package org.genbench.sampler.ddim.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.Schedules;
import org.genbench.testing.ExactMixture;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DDIM on a mixture's exact noise predictor at 10 and 50 steps, deterministic at eta 0. */
class DdimSamplerTest {
    static final double[] ALPHA_BARS = Schedules.alphaBars(Schedules.betas("linear", 1000));
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

    static DdimSampler.Config config(int samples, int steps, double eta) {
        return new DdimSampler.Config(samples, steps, eta, null, null, null, null, null, null);
    }

    @Test
    void drawsTheMixtureInTenAndFiftySteps() {
        double[] exact = mixture.draw(600, new Rng(9));
        for (int steps : new int[] {10, 50}) {
            TestRunContext ctx = new TestRunContext(steps, allocator);
            try (SampleResult r = new DdimSampler().sample(mixture, config(600, steps, 0), ctx)) {
                double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), exact, 2);
                assertTrue(d < THRESHOLD, steps + " steps: energy distance " + d);
                assertEquals(steps, ctx.lastDone);
                Metric evals = r.diagnostics().stream().filter(m -> m.name().equals(Sampling.EVALUATIONS)).findFirst().orElseThrow();
                assertEquals(steps, evals.value());
                assertEquals("ddim eta=0.0", evals.protocol().get(Sampling.SERIES));
            }
        }
    }

    /** eta 0: the run's seed fixes the initial noise, and nothing else is drawn; eta 1 draws at every step. */
    @Test
    void etaZeroIsDeterministicAndEtaOneIsNot() {
        try (SampleResult a = new DdimSampler().sample(mixture, config(10, 20, 0), new TestRunContext(1, allocator));
             SampleResult b = new DdimSampler().sample(mixture, config(10, 20, 0), new TestRunContext(1, allocator));
             SampleResult c = new DdimSampler().sample(mixture, config(10, 20, 1), new TestRunContext(1, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray());
            assertTrue(Math.abs(a.samples().getDouble(0) - c.samples().getDouble(0)) > 1e-4);
        }
    }

    @Test
    void refusesMoreStepsThanTheModelHas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DdimSampler().sample(mixture, config(10, 1001, 0), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("1..1000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(10, 10, -0.5));
        assertTrue(e.getMessage().contains("eta"), e.getMessage());
    }
}
