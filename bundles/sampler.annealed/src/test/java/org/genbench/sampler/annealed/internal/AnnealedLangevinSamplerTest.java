package org.genbench.sampler.annealed.internal;

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

/** Annealed Langevin on a mixture's exact noise-conditional score. */
class AnnealedLangevinSamplerTest {
    static final double[] SIGMAS = Schedules.geometricSigmas(4, 0.01, 10);
    /** As in the ddpm sampler's test: two exact sets are 0.03-0.07 apart. */
    static final double THRESHOLD = 0.14;

    BufferAllocator allocator;
    ExactMixture mixture = ExactMixture.twoModes(Schedules.alphaBars(Schedules.betas("linear", 10)), SIGMAS);

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    @Test
    void drawsTheMixtureAtTheModelsLevelsAndAtOthers() {
        double[] exact = mixture.draw(600, new Rng(9));
        for (Integer levels : new Integer[] {null, 25}) {
            TestRunContext ctx = new TestRunContext(2, allocator);
            try (SampleResult r = new AnnealedLangevinSampler().sample(mixture,
                    new AnnealedLangevinSampler.Config(600, 60, 2e-5, levels, null, null, null, null, null, null), ctx)) {
                double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), exact, 2);
                assertTrue(d < THRESHOLD, levels + " levels: energy distance " + d);
                int l = levels == null ? 10 : levels;
                assertEquals(l * 60 + 1, ctx.lastDone);
                Metric steps = r.diagnostics().stream().filter(m -> m.name().equals(Sampling.STEPS)).findFirst().orElseThrow();
                assertEquals(l * 60 + 1, steps.value());
            }
        }
    }

    /** A step far too large diverges, and the run says so instead of writing NaN samples. */
    @Test
    void aDivergingChainFailsWithAMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AnnealedLangevinSampler().sample(mixture,
                new AnnealedLangevinSampler.Config(50, 20, 5.0, null, null, null, null, null, null, null),
                new TestRunContext(3, allocator)));
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("smaller step"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new AnnealedLangevinSampler.Config(
                null, 0, null, null, null, null, null, null, null, null));
        assertTrue(bad.getMessage().contains("stepsPerLevel"), bad.getMessage());
    }
}
