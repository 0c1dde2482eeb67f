package org.genbench.sampler.langevin.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.stats.SampleDistances;
import org.genbench.testing.TestRbm;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestEnergy;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Langevin on a known energy: the free energy of a Gaussian-Bernoulli RBM with 2 visible and 3 hidden units, whose
 * distribution is a mixture of 8 Gaussians that TestRbm samples exactly. Threshold: energy distance below 0.1 between
 * 2000 Langevin draws and 2000 exact ones (two exact sets of that size sit near 0.04).
 */
class LangevinSamplerTest {
    static final double THRESHOLD = 0.1;
    private BufferAllocator allocator;
    private final LangevinSampler langevin = new LangevinSampler();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private double distanceToExact(TestRbm rbm, LangevinSampler.Config config, TestRunContext context,
            Map<String, Metric> diagnostics) {
        try (SampleResult r = langevin.sample(rbm, config, context)) {
            double[] x = r.samples().toDoubleArray();
            int rows = x.length / 2;
            double[] strided = new double[4000];
            for (int i = 0; i < 2000; i++) {
                int row = (int) ((long) i * rows / 2000);
                strided[2 * i] = x[2 * row];
                strided[2 * i + 1] = x[2 * row + 1];
            }
            r.diagnostics().forEach(m -> diagnostics.put(m.name(), m));
            return SampleDistances.energyDistance(strided, rbm.exactSamples(2000, new Rng(77)), 2);
        }
    }

    @Test
    void smallStepsReachTheTargetAndLargeOnesAreVisiblyBiased() throws Exception {
        TestRbm rbm = new TestRbm(2, 3, true, 0.6, 1.0, 3);
        double floor = SampleDistances.energyDistance(rbm.exactSamples(2000, new Rng(1)),
                rbm.exactSamples(2000, new Rng(2)), 2);
        Map<String, Metric> d = new java.util.HashMap<>();
        TestRunContext context = new TestRunContext(4, allocator);
        double good = distanceToExact(rbm, new LangevinSampler.Config(8, 2500, 500, 4, 0.02, null, null, null, null,
                null, null, true), context, d);
        assertTrue(good < THRESHOLD, "energy distance " + good + " (floor of two exact sets " + floor + ")");
        assertTrue(d.get("split_rhat_max").value() < 1.01, "R-hat " + d.get("split_rhat_max").value());
        assertTrue(Files.isRegularFile(context.outputDirectory().resolve("trajectories.png")));
        // ULA's bias grows with the step: at 0.4 (the components' variance is 0.36) it misses the target.
        double biased = distanceToExact(rbm, new LangevinSampler.Config(8, 2500, 500, 4, 0.4, null, null, null, null,
                null, null, false), new TestRunContext(4, allocator), new java.util.HashMap<>());
        assertTrue(biased > THRESHOLD, "a large step is biased: " + biased);
        // SGLD's decaying step from the same start removes most of that bias.
        double decayed = distanceToExact(rbm, new LangevinSampler.Config(8, 2500, 500, 4, 0.4, "polynomial", 100.0,
                0.55, null, null, null, false), new TestRunContext(4, allocator), new java.util.HashMap<>());
        assertTrue(decayed < biased, "decay " + decayed + " vs constant " + biased);
        System.out.printf("langevin energy distance to exact samples: eps 0.02 %.4f, eps 0.4 %.4f, eps 0.4 decaying"
                + " %.4f; two exact sets %.4f; R-hat %.4f%n", good, biased, decayed, floor, d.get("split_rhat_max").value());
    }

    @Test
    void aColderNoiseScaleSharpensTheTargetAndSchedulesAreFollowed() {
        TestRbm rbm = new TestRbm(2, 1, true, 1.0, 0.0, 5); // one Gaussian N(b, 1): weights zero
        TestRunContext context = new TestRunContext(6, allocator);
        try (SampleResult r = langevin.sample(rbm, new LangevinSampler.Config(4, 4000, 200, 1, 0.05, null, null,
                null, 0.5, null, null, false), context)) {
            double[] x = r.samples().toDoubleArray();
            double mean = 0;
            for (int i = 0; i < x.length; i += 2) {
                mean += x[i] / (x.length / 2);
            }
            double var = 0;
            for (int i = 0; i < x.length; i += 2) {
                var += (x[i] - mean) * (x[i] - mean) / (x.length / 2 - 1);
            }
            // s = 0.5 samples p^(1/s^2) = p^4: variance 1/4 (ULA's O(eps) bias aside: eps = 0.05 adds ~3%)
            assertEquals(0.25, var, 0.03);
            assertEquals(rbm.b[0], mean, 0.05);
        }
        LangevinSampler.Config c = new LangevinSampler.Config(null, null, null, null, 0.1, "polynomial", 10.0, 0.5,
                1.0, 0.0, null, null);
        assertEquals(0.1, c.step(0), 1e-15);
        assertEquals(0.1 * Math.pow(2, -0.5), c.step(10), 1e-15);
        assertEquals(1.0, c.noise(0, 11), 0);
        assertEquals(0.0, c.noise(10, 11), 1e-15);
        assertEquals(0.5, c.noise(5, 11), 1e-15);
    }

    /**
     * A density on dequantized two-level data: independent N(mu_i, 0.15^2) per value, mu = 0.8 (mostly level 1) or
     * 0.35 (mostly level 0). The samples are levels, floor(2 x'), with P(level 1) = P(x' >= 0.5) = Phi((mu - 0.5) /
     * 0.15): 0.977 and 0.159.
     */
    @Test
    void onDequantizedTwoLevelDataTheSamplesAreTheLevelsOfTheChains() {
        double[] mu = {0.8, 0.35};
        double s2 = 0.15 * 0.15;
        org.genbench.api.DataInfo info = new org.genbench.api.DataInfo("two-levels", new long[] {2},
                org.genbench.api.DataInfo.DISCRETE, 0, null, new org.genbench.api.Dequantization(2, 0));
        TestEnergy gaussian = TestEnergy.gaussian(info, mu, s2);
        try (SampleResult r = langevin.sample(gaussian, new LangevinSampler.Config(8, 1000, 200, 2, 0.002, null,
                null, null, null, null, null, false), new TestRunContext(5, allocator))) {
            double[] x = r.samples().toDoubleArray();
            double[] ones = new double[2];
            for (int i = 0; i < x.length; i++) {
                assertTrue(x[i] == 0 || x[i] == 1, "a level: " + x[i]);
                ones[i % 2] += x[i] / (x.length / 2);
            }
            assertEquals(0.977, ones[0], 0.02);
            assertEquals(0.159, ones[1], 0.04);
            assertTrue(r.diagnostics().get(0).protocol().get("init").toString().startsWith("uniform"));
        }
    }

    /**
     * On dequantized data the density lives on [0, 1)^d: a linear energy E = a . x is a product of truncated
     * exponentials there, P(level 1) = P(x' >= 1/2) = (e^(-a/2) - e^(-a)) / (1 - e^(-a)): 0.1824 for a = 3, 0.7311
     * for a = -2. Chains that left the cube would run off to -infinity or +infinity (levels 0 and 1 only).
     */
    @Test
    void onDequantizedDataTheChainsStayInTheCube() {
        double[] a = {3, -2};
        org.genbench.api.DataInfo info = new org.genbench.api.DataInfo("two-levels", new long[] {2},
                org.genbench.api.DataInfo.DISCRETE, 0, null, new org.genbench.api.Dequantization(2, 0));
        TestEnergy linear = TestEnergy.linear(info, a);
        try (SampleResult r = langevin.sample(linear, new LangevinSampler.Config(64, 500, 300, 4, 0.005, null,
                null, null, null, null, null, false), new TestRunContext(6, allocator))) {
            double[] x = r.samples().toDoubleArray();
            double[] ones = new double[2];
            for (int i = 0; i < x.length; i++) {
                ones[i % 2] += x[i] / (x.length / 2);
            }
            System.out.printf("langevin on the cube: P(level 1) %.4f, %.4f (exact 0.1824, 0.7311)%n", ones[0], ones[1]);
            assertEquals(0.1824, ones[0], 0.03);
            assertEquals(0.7311, ones[1], 0.03);
            assertTrue(r.diagnostics().get(0).protocol().get("support").toString().startsWith("[0, 1)^d"));
        }
    }

    @Test
    void binaryModelsAndBadSettingsAreRefusedByName() {
        TestRbm binary = new TestRbm(3, 2, false, 1, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> langevin.sample(binary, LangevinSampler.Config.defaults(), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("use") || e.getMessage().contains("gibbs"), e.getMessage());
        assertEquals("gamma must be in (0, 1], was 1.5", assertThrows(IllegalArgumentException.class,
                () -> new LangevinSampler.Config(null, null, null, null, null, null, null, 1.5, null, null, null, null))
                .getMessage());
        assertEquals("schedule must be one of [constant, polynomial], was 'cosine'",
                assertThrows(IllegalArgumentException.class, () -> new LangevinSampler.Config(null, null, null, null,
                        null, "cosine", null, null, null, null, null, null)).getMessage());
        assertEquals("Energy or Score", langevin.requires().describe());
    }

    @Test
    void runsRepeatFromTheirSeed() {
        TestRbm rbm = new TestRbm(2, 2, true, 0.7, 1.0, 9);
        LangevinSampler.Config c = new LangevinSampler.Config(2, 20, 5, 1, 0.05, null, null, null, null, null, null,
                false);
        try (SampleResult a = langevin.sample(rbm, c, new TestRunContext(3, allocator));
             SampleResult b = langevin.sample(rbm, c, new TestRunContext(3, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray());
        }
    }
}
