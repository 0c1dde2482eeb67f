package org.genbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Rng;
import org.genbench.testing.TestRbm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AIS with block-Gibbs sweeps against log Z computed exactly by TestRbm. */
class BlockGibbsAisTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** The model's own marginal frequencies (Bernoulli) or mean (Gaussian): the base AIS would fit to good data. */
    private static double[] marginals(TestRbm rbm) {
        if (rbm.gaussian) {
            return rbm.exactMean();
        }
        double[] p = rbm.exactProbabilities();
        double[] m = new double[rbm.d];
        for (int s = 0; s < p.length; s++) {
            for (int i = 0; i < rbm.d; i++) {
                m[i] += ((s >> i) & 1) * p[s];
            }
        }
        return m;
    }

    private AisResult run(TestRbm rbm, double[] base, int distributions, int chains, long seed) {
        return BlockGibbsAis.logPartition(rbm, new long[] {rbm.d}, base, 1000,
                new AisSettings(distributions, chains, "sigmoid"), new Rng(seed), allocator, () -> false);
    }

    @Test
    void bernoulliAndGaussianLogZWithinThreeStandardErrors() {
        for (TestRbm rbm : new TestRbm[] {new TestRbm(8, 12, false, 1, 1.0, 1), new TestRbm(4, 6, true, 0.8, 0.8, 2)}) {
            double exact = rbm.exactLogZ();
            AisResult r = run(rbm, marginals(rbm), 500, 200, 3);
            assertTrue(r.logZSe() > 0 && r.logZSe() < 0.2, "se " + r.logZSe());
            assertEquals(exact, r.logZ(), 3 * r.logZSe(), (rbm.gaussian ? "Gaussian" : "Bernoulli") + " log Z");
            assertTrue(r.kernel().startsWith("block Gibbs"));
            assertEquals(1.0, r.acceptance());
        }
    }

    @Test
    void theStandardErrorMatchesTheSpreadOfIndependentRuns() {
        // Few distributions and a uniform base make each run noisy enough for the spread to be measurable.
        TestRbm rbm = new TestRbm(10, 8, false, 1, 1.2, 4);
        double[] uniform = new double[rbm.d];
        java.util.Arrays.fill(uniform, 0.5);
        int runs = 30;
        double[] estimates = new double[runs];
        double meanSe = 0;
        for (int k = 0; k < runs; k++) {
            AisResult r = run(rbm, uniform, 30, 100, 100 + k);
            estimates[k] = r.logZ();
            meanSe += r.logZSe() / runs;
        }
        double m = java.util.Arrays.stream(estimates).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(estimates).map(e -> (e - m) * (e - m)).sum() / (runs - 1));
        assertTrue(sd / meanSe > 0.5 && sd / meanSe < 2, "spread " + sd + " vs reported se " + meanSe);
        assertEquals(rbm.exactLogZ(), m, 3 * sd / Math.sqrt(runs) + 3 * meanSe * meanSe,
                "the runs' mean, allowing for the downward bias of order se^2 / 2");
    }

    @Test
    void settingsAndTheScheduleAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new AisSettings(0, 10, "sigmoid"));
        assertThrows(IllegalArgumentException.class, () -> new AisSettings(10, 1, "sigmoid"));
        assertEquals("schedule must be one of [sigmoid, linear], was 'cosine'", assertThrows(
                IllegalArgumentException.class, () -> new AisSettings(10, 10, "cosine")).getMessage());
        AisSettings s = new AisSettings(10, 10, "sigmoid");
        assertEquals(0.0, s.beta(0));
        assertEquals(1.0, s.beta(10));
        for (int t = 1; t <= 10; t++) {
            assertTrue(s.beta(t) > s.beta(t - 1));
        }
    }
}
