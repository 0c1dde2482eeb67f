package org.genbench.sampler.pc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.Schedules;
import org.genbench.testing.ExactMixture;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Predictor-corrector on a mixture's exact score (variance exploding) and exact noise predictor (preserving). */
class PredictorCorrectorSamplerTest {
    static final double[] SIGMAS = Schedules.geometricSigmas(4, 0.01, 100);
    static final double[] ALPHA_BARS = Schedules.alphaBars(Schedules.betas("linear", 200));
    /** As in the ddpm sampler's test: two exact sets are 0.03-0.07 apart. */
    static final double THRESHOLD = 0.14;

    BufferAllocator allocator;
    ExactMixture mixture = ExactMixture.twoModes(ALPHA_BARS, SIGMAS);

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    /** Only the noise predictor of the mixture. */
    static final class NoiseOnly implements Model, NoisePredictor {
        final ExactMixture m;

        NoiseOnly(ExactMixture m) {
            this.m = m;
        }

        @Override
        public double[] alphaBars() {
            return m.alphaBars();
        }

        @Override
        public Tensor predictNoise(Tensor xt, Tensor t, Tensor labels) {
            return m.predictNoise(xt, t, labels);
        }

        @Override
        public DataScaling scaling() {
            return m.scaling();
        }

        @Override
        public DataInfo data() {
            return m.data();
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }

    @Test
    void drawsTheMixtureFromAScoreAndFromANoisePredictor() {
        double[] exact = mixture.draw(600, new Rng(9));
        PredictorCorrectorSampler.Config c = new PredictorCorrectorSampler.Config(600, null, 1, null, null, null, null, null,
                null, null);
        TestRunContext ve = new TestRunContext(1, allocator);
        try (SampleResult r = new PredictorCorrectorSampler().sample(mixture, c, ve)) {
            double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), exact, 2);
            assertTrue(d < THRESHOLD, "variance exploding: energy distance " + d);
            assertEquals(100, ve.lastTotal);
            assertEquals(200, value(r, Sampling.EVALUATIONS));
            assertEquals("variance exploding", protocol(r, "process"));
        }
        TestRunContext vp = new TestRunContext(2, allocator);
        try (SampleResult r = new PredictorCorrectorSampler().sample(new NoiseOnly(mixture), c, vp)) {
            double d = ExactMixture.energyDistance(r.samples().toDoubleArray(), exact, 2);
            assertTrue(d < THRESHOLD, "variance preserving: energy distance " + d);
            assertEquals(200, vp.lastTotal);
            assertEquals(400, value(r, Sampling.EVALUATIONS));
            assertEquals("variance preserving", protocol(r, "process"));
        }
    }

    static double value(SampleResult r, String name) {
        return r.diagnostics().stream().filter(m -> m.name().equals(name)).findFirst().map(Metric::value).orElseThrow();
    }

    static Object protocol(SampleResult r, String key) {
        return r.diagnostics().get(0).protocol().get(key);
    }
}
