package org.genbench.eval.likelihood.internal;

import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AIS against partition functions known exactly: small restricted Boltzmann machines, whose free energy sums the
 * hidden units out, so that log Z is a sum over the 2^6 visible states (binary RBM) or over the 2^4 hidden states of
 * a Gaussian integral (Gaussian-Bernoulli RBM). The estimate must land within 3 of its own standard errors.
 */
class AisTest {
    private BufferAllocator allocator;
    private final HeldOutLikelihood loglik = new HeldOutLikelihood();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static double softplus(double z) {
        return z > 30 ? z : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /**
     * An RBM with visible v (binary, or real with unit-variance Gaussian units) and binary hidden h, seen through its
     * free energy F(v) = [|v - b|^2 / 2 or -b.v] - sum_j softplus(c_j + W_j.v): Energy only, as an EBM would be.
     */
    static final class Rbm implements Model, Energy {
        final DataInfo info;
        final double[][] w;
        final double[] b;
        final double[] c;
        final boolean gaussian;

        Rbm(int visible, int hidden, boolean gaussian, double scale, long seed) {
            Rng rng = new Rng(seed);
            this.info = new DataInfo("test/rbm", new long[] {visible}, gaussian ? DataInfo.CONTINUOUS : DataInfo.BINARY, 0,
                    null);
            this.gaussian = gaussian;
            w = new double[hidden][visible];
            b = new double[visible];
            c = new double[hidden];
            for (int j = 0; j < hidden; j++) {
                c[j] = 0.5 * rng.nextGaussian();
                for (int i = 0; i < visible; i++) {
                    w[j][i] = scale * rng.nextGaussian();
                }
            }
            for (int i = 0; i < visible; i++) {
                b[i] = 0.5 * rng.nextGaussian();
            }
        }

        double freeEnergy(double[] v) {
            double f = 0;
            for (int i = 0; i < v.length; i++) {
                f += gaussian ? 0.5 * (v[i] - b[i]) * (v[i] - b[i]) : -b[i] * v[i];
            }
            for (int j = 0; j < c.length; j++) {
                f -= softplus(pre(j, v));
            }
            return f;
        }

        double pre(int j, double[] v) {
            double a = c[j];
            for (int i = 0; i < v.length; i++) {
                a += w[j][i] * v[i];
            }
            return a;
        }

        /** log of the sum (binary) or integral (Gaussian) of exp(-F(v)), exactly. */
        double exactLogZ() {
            int d = b.length;
            int k = c.length;
            double max = Double.NEGATIVE_INFINITY;
            double[] terms = new double[gaussian ? 1 << k : 1 << d];
            for (int s = 0; s < terms.length; s++) {
                if (gaussian) {
                    // sum over h of exp(c.h) * integral exp(-|v - b|^2 / 2 + v.W^T h) dv
                    //   = exp(c.h + |b + W^T h|^2 / 2 - |b|^2 / 2) (2 pi)^(d/2)
                    double t = 0.5 * d * Math.log(2 * Math.PI);
                    double bb = 0;
                    double mm = 0;
                    for (int i = 0; i < d; i++) {
                        double m = b[i];
                        for (int j = 0; j < k; j++) {
                            m += ((s >> j) & 1) * w[j][i];
                        }
                        mm += m * m;
                        bb += b[i] * b[i];
                    }
                    for (int j = 0; j < k; j++) {
                        t += ((s >> j) & 1) * c[j];
                    }
                    terms[s] = t + 0.5 * mm - 0.5 * bb;
                } else {
                    double[] v = new double[d];
                    for (int i = 0; i < d; i++) {
                        v[i] = (s >> i) & 1;
                    }
                    terms[s] = -freeEnergy(v);
                }
                max = Math.max(max, terms[s]);
            }
            double sum = 0;
            for (double t : terms) {
                sum += Math.exp(t - max);
            }
            return max + Math.log(sum);
        }

        /** Exact samples: v | h is Gaussian or Bernoulli; h marginally by enumeration would do, Gibbs is enough here. */
        Tensor gibbsSamples(int n, Rng rng, BufferAllocator allocator) {
            int d = b.length;
            Tensor x = Tensor.allocate(allocator, DType.FLOAT64, n, d);
            double[] v = new double[d];
            for (int sweep = 0; sweep < 200 + n * 20; sweep++) {
                double[] h = new double[c.length];
                for (int j = 0; j < c.length; j++) {
                    h[j] = rng.nextDouble() < sigmoid(pre(j, v)) ? 1 : 0;
                }
                for (int i = 0; i < d; i++) {
                    double a = b[i];
                    for (int j = 0; j < c.length; j++) {
                        a += w[j][i] * h[j];
                    }
                    v[i] = gaussian ? a + rng.nextGaussian() : (rng.nextDouble() < sigmoid(a) ? 1 : 0);
                }
                if (sweep >= 200 && (sweep - 200) % 20 == 0) {
                    int row = (sweep - 200) / 20;
                    for (int i = 0; i < d; i++) {
                        x.setDouble((long) row * d + i, v[i]);
                    }
                }
            }
            return x;
        }

        @Override
        public Tensor energy(Tensor x) {
            int n = (int) x.rows();
            int d = (int) x.rowSize();
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
            double[] v = new double[d];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < d; i++) {
                    v[i] = x.get(r, i);
                }
                out.setDouble(r, freeEnergy(v));
            }
            return out;
        }

        @Override
        public Tensor energyGradient(Tensor x) {
            int n = (int) x.rows();
            int d = (int) x.rowSize();
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n, d);
            double[] v = new double[d];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < d; i++) {
                    v[i] = x.get(r, i);
                }
                for (int i = 0; i < d; i++) {
                    double g = gaussian ? v[i] - b[i] : -b[i];
                    for (int j = 0; j < c.length; j++) {
                        g -= sigmoid(pre(j, v)) * w[j][i];
                    }
                    out.setDouble((long) r * d + i, g);
                }
            }
            return out;
        }

        @Override
        public DataInfo data() {
            return info;
        }

        @Override
        public long parameterCount() {
            return (long) w.length * b.length + b.length + c.length;
        }
    }

    private Map<String, Metric> evaluate(Rbm rbm, int n, HeldOutLikelihood.Config config, long seed) {
        try (InMemoryDataset data = TestDataset.of(rbm.info, "test", rbm.gibbsSamples(n, new Rng(seed), allocator))) {
            return loglik.evaluate(rbm, data, Map.of(), config, new TestRunContext(seed + 1, allocator)).stream()
                    .collect(Collectors.toMap(Metric::name, Function.identity()));
        }
    }

    private void assertAgrees(Rbm rbm, Map<String, Metric> m) {
        double exact = rbm.exactLogZ();
        double estimate = m.get("test_ais_log_z").value();
        double se = m.get("test_ais_log_z_se").value();
        assertTrue(se > 0 && se < 0.5, "standard error " + se);
        assertTrue(Math.abs(estimate - exact) < 3 * se, "AIS log Z " + estimate + " +- " + se + ", exact " + exact);
    }

    @Test
    void binaryRbmLogZWithinThreeStandardErrors() {
        Rbm rbm = new Rbm(6, 4, false, 1.0, 1);
        HeldOutLikelihood.Config config = new HeldOutLikelihood.Config(null, null, null, null, 500, 200, null);
        Map<String, Metric> m = evaluate(rbm, 300, config, 2);
        assertAgrees(rbm, m);
        assertEquals("ais", m.get("test_loglik").kind());
        Map<String, Object> p = m.get("test_loglik").protocol();
        assertEquals(500, p.get("ais_intermediate_distributions"));
        assertEquals(200, p.get("ais_chains"));
        assertEquals("sigmoid", p.get("ais_schedule"));
        assertTrue(((String) p.get("ais_kernel")).startsWith("Metropolis"), p.toString());
        assertTrue(((String) p.get("ais_base")).startsWith("factorized Bernoulli"), p.toString());
    }

    @Test
    void gaussianBernoulliRbmLogZWithinThreeStandardErrorsAndTheLikelihoodFollows() {
        Rbm rbm = new Rbm(5, 4, true, 0.7, 3);
        HeldOutLikelihood.Config config = new HeldOutLikelihood.Config(null, null, null, null, 1000, 200, null);
        Map<String, Metric> m = evaluate(rbm, 200, config, 4);
        assertAgrees(rbm, m);
        assertTrue(((String) m.get("test_loglik").protocol().get("ais_kernel")).startsWith("MALA"));

        // The same test points scored with the exact log Z: the reported mean differs only by the log Z error.
        double exactMean;
        try (Tensor x = rbm.gibbsSamples(200, new Rng(4), allocator); Tensor e = rbm.energy(x)) {
            double s = 0;
            for (double v : e.toDoubleArray()) {
                s -= v;
            }
            exactMean = s / 200 - rbm.exactLogZ();
        }
        double se = m.get("test_loglik_se").value();
        assertTrue(se >= m.get("test_ais_log_z_se").value(), "the log Z error is part of the likelihood's");
        assertEquals(exactMean, m.get("test_loglik").value(), 3 * m.get("test_ais_log_z_se").value() + 1e-9);
        assertEquals(-m.get("test_loglik").value() / (5 * Math.log(2)), m.get("test_bits_per_dim").value(), 1e-12);
    }

    /** E(x) = |x - 0.5|^2 / (2 * 0.3^2): an unnormalized Gaussian, log Z = D/2 log(2 pi 0.09). */
    static final class GaussianEnergy implements Model, Energy {
        final DataInfo info;

        GaussianEnergy(DataInfo info) {
            this.info = info;
        }

        @Override
        public Tensor energy(Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows());
            for (long r = 0; r < x.rows(); r++) {
                double e = 0;
                for (long j = 0; j < x.rowSize(); j++) {
                    double d = x.get(r, j) - 0.5;
                    e += d * d / (2 * 0.09);
                }
                out.setDouble(r, e);
            }
            return out;
        }

        @Override
        public Tensor energyGradient(Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.shape());
            for (long i = 0; i < x.size(); i++) {
                out.setDouble(i, (x.getDouble(i) - 0.5) / 0.09);
            }
            return out;
        }

        @Override
        public DataInfo data() {
            return info;
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }

    /**
     * log Z of GaussianEnergy on [0, 1)^4, where a density on dequantized data lives: 4 log(sqrt(2 pi) 0.3
     * erf(0.5 / (0.3 sqrt 2))), by scipy.special.erf (-0.3854964748383092 per value). On all of R^4 it would be
     * 2 log(2 pi 0.09) = -1.1389, 0.40 higher: the old AIS (a Gaussian base on R^d) converged there.
     */
    static final double CUBE_LOG_Z = 4 * -0.3854964748383092;

    @Test
    void onDequantizedBytesTheBaseIsFittedWhereTheModelSeesTheData() {
        DataInfo bytes = new DataInfo("test/bytes", new long[] {4}, DataInfo.DISCRETE, 0, null);
        Rng rng = new Rng(8);
        Tensor x = Tensor.allocate(allocator, DType.UINT8, 400, 4);
        for (long i = 0; i < x.size(); i++) {
            x.setDouble(i, Math.min(255, Math.max(0, Math.round(128 + 70 * rng.nextGaussian()))));
        }
        try (InMemoryDataset data = TestDataset.of(bytes, "test", x)) {
            Map<String, Metric> m = loglik.evaluate(new GaussianEnergy(bytes), data, Map.of(),
                    new HeldOutLikelihood.Config(null, null, null, null, 300, 100, null), new TestRunContext(9, allocator))
                    .stream().collect(Collectors.toMap(Metric::name, Function.identity()));
            assertTrue(((String) m.get("test_loglik").protocol().get("dequantization")).startsWith("uniform"));
            double exact = CUBE_LOG_Z;
            double se = m.get("test_ais_log_z_se").value();
            assertTrue(se > 0 && se < 0.1, "se " + se);
            assertEquals(exact, m.get("test_ais_log_z").value(), 3 * se);
        }
    }

    /**
     * Binary values declared as two levels (binarized images for a continuous energy): the energy sees
     * x' = (b + u) / 2, so AIS's base must be fitted there, not on a 256-level scale (the map to model space was
     * hard-wired to 256 levels: a base at (b + 0.5) / 256 with no spread). The test log-likelihood is
     * E[-E(x')] - log Z - 4 ln 2 with E[(x' - 0.5)^2] = 1/12 in either cell.
     */
    @Test
    void onTwoLevelDataTheBaseIsFittedWhereTheModelSeesTheData() {
        DataInfo twoLevels = new DataInfo("test/two-levels", new long[] {4}, DataInfo.DISCRETE, 0, null,
                new org.genbench.api.Dequantization(2, 0));
        Rng rng = new Rng(8);
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 400, 4);
        for (long i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble() < 0.5 ? 1 : 0);
        }
        try (InMemoryDataset data = TestDataset.of(twoLevels, "test", x)) {
            Map<String, Metric> m = loglik.evaluate(new GaussianEnergy(twoLevels), data, Map.of(),
                    new HeldOutLikelihood.Config(null, null, null, null, 300, 100, null), new TestRunContext(9, allocator))
                    .stream().collect(Collectors.toMap(Metric::name, Function.identity()));
            assertTrue(((String) m.get("test_loglik").protocol().get("dequantization")).contains("(x + u) / 2,"));
            double exactLogZ = CUBE_LOG_Z;
            double se = m.get("test_ais_log_z_se").value();
            assertTrue(se > 0 && se < 0.1, "se " + se);
            assertEquals(exactLogZ, m.get("test_ais_log_z").value(), 3 * se);
            double expected = -4 * (1.0 / 12) / (2 * 0.09) - exactLogZ - 4 * Math.log(2);
            assertEquals(expected, m.get("test_loglik").value(), 3 * m.get("test_loglik_se").value());
        }
    }

    @Test
    void aisIsTheFallbackOnlyForEnergyOnlyModelsAndCanBeForced() {
        Rbm rbm = new Rbm(3, 2, false, 1.0, 5);
        Map<String, Metric> m = evaluate(rbm, 50, new HeldOutLikelihood.Config(null, null, null, null, 50, 20, "linear"),
                6);
        assertEquals("ais", m.get("test_loglik").kind());
        assertEquals("linear", m.get("test_loglik").protocol().get("ais_schedule"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluate(rbm, 10,
                new HeldOutLikelihood.Config(null, null, null, "exact", null, null, null), 7));
        assertTrue(e.getMessage().contains("needs a model with LogDensity"), e.getMessage());
    }

    @Test
    void aisSettingsAreValidated() {
        assertEquals("aisChains must be in 2..100000, was 1", assertThrows(IllegalArgumentException.class,
                () -> new HeldOutLikelihood.Config(null, null, null, null, null, 1, null)).getMessage());
        assertEquals("aisDistributions must be in 1..1000000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new HeldOutLikelihood.Config(null, null, null, null, 0, null, null)).getMessage());
        assertEquals("estimator must be one of auto, exact, bound, ais, was mc", assertThrows(IllegalArgumentException.class,
                () -> new HeldOutLikelihood.Config(null, null, null, "mc", null, null, null)).getMessage());
        assertEquals("aisSchedule must be sigmoid or linear, was cosine", assertThrows(IllegalArgumentException.class,
                () -> new HeldOutLikelihood.Config(null, null, null, null, null, null, "cosine")).getMessage());
        HeldOutLikelihood.Config c = new HeldOutLikelihood.Config(null, null, null);
        assertEquals("auto", c.estimator());
        assertEquals(1000, c.aisDistributions());
        assertEquals(100, c.aisChains());
        assertEquals("sigmoid", c.aisSchedule());
    }
}
