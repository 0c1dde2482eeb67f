package org.genbench.sampler.gibbs.internal;

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
import org.genbench.api.SampleResult;
import org.genbench.stats.McmcDiagnostics;
import org.genbench.testing.TestRbm;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gibbs chains on RBMs whose distribution is known exactly (TestRbm): moments, state frequencies, R-hat. */
class GibbsSamplerTest {
    private BufferAllocator allocator;
    private final GibbsSampler gibbs = new GibbsSampler();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private static Map<String, Metric> byName(SampleResult r) {
        return r.diagnostics().stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    @Test
    void gaussianBernoulliChainsMatchTheExactMixtureAndConverge() throws Exception {
        TestRbm rbm = new TestRbm(2, 3, true, 0.6, 1.0, 3);
        int chains = 8;
        int draws = 4000;
        TestRunContext context = new TestRunContext(5, allocator);
        try (SampleResult r = gibbs.sample(rbm, new GibbsSampler.Config(chains, draws, 500, 1, "sample", true),
                context)) {
            assertEquals(chains, r.chains());
            assertArrayEquals(new long[] {(long) chains * draws, 2}, r.samples().shape());
            double[] x = r.samples().toDoubleArray();
            double[] mean = rbm.exactMean();
            double[] cov = rbm.exactCovariance();
            for (int i = 0; i < 2; i++) {
                double[][] perChain = new double[chains][draws];
                double s = 0;
                for (int c = 0; c < chains; c++) {
                    for (int k = 0; k < draws; k++) {
                        perChain[c][k] = x[(c * draws + k) * 2 + i];
                        s += perChain[c][k];
                    }
                }
                double m = s / (chains * draws);
                double mcse = Math.sqrt(cov[i * 2 + i] / McmcDiagnostics.ess(perChain));
                assertEquals(mean[i], m, 4 * mcse, "mean of v_" + i);
                double v = 0;
                for (int c = 0; c < chains; c++) {
                    for (int k = 0; k < draws; k++) {
                        v += (perChain[c][k] - m) * (perChain[c][k] - m) / (chains * draws - 1);
                    }
                }
                assertEquals(cov[i * 2 + i], v, 0.08 * cov[i * 2 + i], "variance of v_" + i);
            }
            Map<String, Metric> d = byName(r);
            assertTrue(d.get("split_rhat_max").value() < 1.01, "R-hat " + d.get("split_rhat_max").value());
            assertTrue(d.get("free_energy_rhat").value() < 1.01, "free-energy R-hat " + d.get("free_energy_rhat"));
            assertTrue(d.get("ess_bulk_min").value() > 1000, "ESS " + d.get("ess_bulk_min").value());
            assertEquals(1.0, d.get("acceptance_rate").value());
            assertTrue(Files.isRegularFile(context.outputDirectory().resolve("trajectories.png")));
        }
    }

    @Test
    void bernoulliChainsVisitStatesAtTheirExactProbabilities() {
        TestRbm rbm = new TestRbm(4, 3, false, 1, 1.2, 8);
        double[] exact = rbm.exactProbabilities();
        int chains = 10;
        int draws = 5000;
        try (SampleResult r = gibbs.sample(rbm, new GibbsSampler.Config(chains, draws, 200, 1, "sample", false),
                new TestRunContext(6, allocator))) {
            double[] x = r.samples().toDoubleArray();
            double[] freq = new double[16];
            for (int row = 0; row < chains * draws; row++) {
                int s = 0;
                for (int i = 0; i < 4; i++) {
                    s |= (x[row * 4 + i] > 0.5 ? 1 : 0) << i;
                }
                freq[s] += 1.0 / (chains * draws);
            }
            double tv = 0;
            for (int s = 0; s < 16; s++) {
                tv += 0.5 * Math.abs(freq[s] - exact[s]);
            }
            assertTrue(tv < 0.02, "total variation " + tv);
            assertTrue(byName(r).get("split_rhat_max").value() < 1.01);
        }
    }

    @Test
    void meansAreTheConditionalExpectationAndRunsRepeatFromTheirSeed() {
        TestRbm rbm = new TestRbm(5, 2, false, 1, 1.0, 9);
        GibbsSampler.Config config = new GibbsSampler.Config(3, 50, 10, 2, "mean", false);
        try (SampleResult a = gibbs.sample(rbm, config, new TestRunContext(1, allocator));
             SampleResult b = gibbs.sample(rbm, config, new TestRunContext(1, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray());
            // E[v | h] with binary h takes one of 2^2 values per unit: sigmoid(b_i + W^T h)
            for (double v : a.samples().toDoubleArray()) {
                boolean found = false;
                for (int s = 0; s < 4 && !found; s++) {
                    double[] h = TestRbm.bits(s, 2);
                    for (int i = 0; i < 5; i++) {
                        found |= Math.abs(v - (float) TestRbm.sigmoid(rbm.visibleFieldOf(h, 0, i))) < 1e-6;
                    }
                }
                assertTrue(found, v + " is a conditional mean");
            }
        }
    }

    @Test
    void settingsAreCheckedByName() {
        assertEquals("draws must be in 4..10000000, was 3", assertThrows(IllegalArgumentException.class,
                () -> new GibbsSampler.Config(null, 3, null, null, null, null)).getMessage());
        assertEquals("output must be one of [mean, sample], was 'probabilities'",
                assertThrows(IllegalArgumentException.class,
                        () -> new GibbsSampler.Config(null, null, null, null, "probabilities", null)).getMessage());
        assertEquals("BlockGibbs", gibbs.requires().describe());
    }
}
