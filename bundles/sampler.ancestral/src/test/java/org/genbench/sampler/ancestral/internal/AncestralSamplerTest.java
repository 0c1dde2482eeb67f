package org.genbench.sampler.ancestral.internal;

import org.genbench.testing.TestRunContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.LogDensity;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AncestralSamplerTest {
    private static final double[] MEAN = {1.5, -2.0};
    private static final double[] SD = {0.5, 2.0};

    BufferAllocator allocator;
    final AncestralSampler sampler = new AncestralSampler();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if anything leaked
    }

    @Test
    void samplesHaveTheGeneratorsMeanAndSpread() {
        int n = 20_000;
        try (SampleResult result = sampler.sample(new GaussianGenerator(), new AncestralSampler.Config(n), context(7))) {
            assertArrayEquals(new long[] {n, 2}, result.samples().shape());
            assertEquals(1, result.chains());
            double[] x = result.samples().toDoubleArray();
            for (int j = 0; j < 2; j++) {
                double sum = 0;
                double sumSq = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[2 * i + j];
                    sumSq += x[2 * i + j] * x[2 * i + j];
                }
                double mean = sum / n;
                double sd = Math.sqrt(sumSq / n - mean * mean);
                // Independent draws: the standard error of the mean is sd/sqrt(n); 4 of them is a 6e-5 false alarm.
                assertEquals(MEAN[j], mean, 4 * SD[j] / Math.sqrt(n), "mean of dimension " + j);
                // The sample sd has standard error about sd/sqrt(2n).
                assertEquals(SD[j], sd, 4 * SD[j] / Math.sqrt(2.0 * n), "sd of dimension " + j);
            }
            Metric count = result.diagnostics().get(0);
            assertEquals("samples", count.name());
            assertEquals(n, count.value());
            assertEquals(n, count.protocol().get("samples"));
        }
    }

    @Test
    void sameSeedGivesSameSamplesAndAnotherSeedDoesNot() {
        AncestralSampler.Config config = new AncestralSampler.Config(50);
        try (SampleResult a = sampler.sample(new GaussianGenerator(), config, context(3));
                SampleResult b = sampler.sample(new GaussianGenerator(), config, context(3));
                SampleResult c = sampler.sample(new GaussianGenerator(), config, context(4))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray());
            assertFalse(Arrays.equals(a.samples().toDoubleArray(), c.samples().toDoubleArray()));
        }
    }

    @Test
    void configFillsDefaultsAndRejectsNonPositiveCounts() {
        assertEquals(1000, new AncestralSampler.Config(null).samples());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AncestralSampler.Config(0));
        assertEquals("samples must be >= 1, was 0", e.getMessage());
    }

    @Test
    void modelsWithoutDirectSamplingAreRefused() {
        assertTrue(sampler.requires().isSatisfiedBy(Set.of(DirectSampling.class, LogDensity.class)));
        assertFalse(sampler.requires().isSatisfiedBy(Set.of(LogDensity.class)));
        assertFalse(sampler.requires().isSatisfiedBy(List.of()));
        Model densityOnly = new DensityOnly();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(densityOnly, new AncestralSampler.Config(10), context(1)));
        assertTrue(e.getMessage().contains("DirectSampling"), e.getMessage());
    }

    private RunContext context(long seed) {
        return new TestRunContext(seed, allocator);
    }

    private static final DataInfo DATA = new DataInfo("plane", new long[] {2}, DataInfo.CONTINUOUS, 0, null);

    /** x = MEAN + SD * z, z ~ N(0, I). */
    private static final class GaussianGenerator implements Model, DirectSampling {
        @Override
        public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
            Tensor t = Tensor.allocate(allocator, DType.FLOAT64, n, 2);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 2; j++) {
                    t.setDouble(2L * i + j, MEAN[j] + SD[j] * rng.nextGaussian());
                }
            }
            return t;
        }

        @Override
        public DataInfo data() {
            return DATA;
        }

        @Override
        public long parameterCount() {
            return 4;
        }
    }

    private static final class DensityOnly implements Model, LogDensity {
        @Override
        public Tensor logDensity(Tensor x) {
            throw new UnsupportedOperationException("never called: the sampler refuses this model first");
        }

        @Override
        public DataInfo data() {
            return DATA;
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }
}
