package org.genbench.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.Model;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.ExactMixture;
import org.genbench.diffusion.internal.Arrays32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bound of a 1-D Gaussian's Bayes-optimal noise predictor on 8-bit values, against the reference's quadrature of
 * every term (datasets/reference/diffusion_reference.py): the Monte Carlo estimate, with every term or with a few
 * sampled strata of times, must fall within 4 standard errors of it; and the bound must stay below the exact
 * log-probability of the discretized data.
 */
class VariationalBoundTest {
    static final JsonNode REF = Reference.JSON.get("bound");
    static final int T = REF.get("T").asInt();
    static final double M = REF.get("m").asDouble();
    static final double S = REF.get("s").asDouble();
    static final double[] ALPHA_BARS = Schedules.alphaBars(Schedules.betas("linear", T));

    BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    /** eps(x_t) = sqrt(1 - abar)(x_t - sqrt(abar) m) / (abar s^2 + 1 - abar) on [-1, 1]. */
    static final class GaussianPredictor implements Model, NoisePredictor {
        private final DataScaling scaling;

        GaussianPredictor() {
            this(new DataScaling(1, 0, -1, 1));
        }

        GaussianPredictor(DataScaling scaling) {
            this.scaling = scaling;
        }

        @Override
        public double[] alphaBars() {
            return ALPHA_BARS.clone();
        }

        @Override
        public Tensor predictNoise(Tensor xt, Tensor t, Tensor labels) {
            float[] x = Arrays32.toFloats(xt);
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double ab = ALPHA_BARS[(int) t.getDouble(i) - 1];
                out[i] = (float) (Math.sqrt(1 - ab) * (x[i] - Math.sqrt(ab) * M) / (ab * S * S + 1 - ab));
            }
            return Arrays32.floats(xt.allocator(), out, 0, x.length, new long[] {1});
        }

        @Override
        public DataScaling scaling() {
            return scaling;
        }

        @Override
        public DataInfo data() {
            return new DataInfo("gauss", new long[] {1}, DataInfo.CONTINUOUS, 0, null);
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }

    static double[] meanAndSe(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1);
        return new double[] {mean, Math.sqrt(var / v.length)};
    }

    @Test
    void everyTermAndSampledTermsMatchTheQuadrature() {
        Denoiser net = Denoiser.of(new GaussianPredictor(), new long[] {1}, 4096, 0, allocator);
        int n = 10000;
        for (JsonNode ref : REF.get("values")) {
            double x0 = ref.get("x0").asDouble();
            float[] x = new float[n];
            Arrays.fill(x, (float) x0);
            double want = ref.get("bound").asDouble();
            for (int terms : new int[] {T - 1, 4}) {
                VariationalBound.Result r = VariationalBound.compute(net, ALPHA_BARS, x, n, null,
                        new VariationalBound.Settings(terms, Ddpm.SMALL, true, 256), new Rng(terms * 31L + (long) (x0 * 1000)));
                double[] ms = meanAndSe(r.bound());
                assertEquals(-ref.get("prior").asDouble(), VariationalBound.Result.mean(r.prior()), 1e-9, "prior term at " + x0);
                assertTrue(Math.abs(ms[0] - want) < 4 * ms[1],
                        "x0 " + x0 + ", " + terms + " terms: " + ms[0] + " +- " + ms[1] + ", reference " + want);
                // the standard error must be small enough for the comparison to mean something
                assertTrue(ms[1] < 0.05 * Math.max(1, Math.abs(want)), "standard error " + ms[1]);
                double[] dec = meanAndSe(r.decoder());
                double wantDec = ref.get("decoder").asDouble();
                assertTrue(Math.abs(dec[0] - wantDec) < 4 * dec[1] + 1e-6,
                        "decoder at " + x0 + ": " + dec[0] + " +- " + dec[1] + ", reference " + wantDec);
            }
        }
    }

    /** Averaged over the data, the bound lies below the exact log-probability of the discretized Gaussian. */
    @Test
    void theBoundIsBelowTheExactLogProbability() {
        int n = 10000;
        Rng rng = new Rng(3);
        float[] x = new float[n];
        double exact = 0;
        double delta = 2.0 / 255;
        for (int i = 0; i < n; i++) {
            double v = M + S * rng.nextGaussian();
            long k = Math.max(0, Math.min(255, Math.round((v + 1) / delta)));
            x[i] = (float) (-1 + k * delta);
            double lo = k == 0 ? Double.NEGATIVE_INFINITY : (x[i] - delta / 2 - M) / S;
            double hi = k == 255 ? Double.POSITIVE_INFINITY : (x[i] + delta / 2 - M) / S;
            exact += org.genbench.diffusion.internal.Gauss.logIntervalProbability(lo, hi) / n;
        }
        Denoiser net = Denoiser.of(new GaussianPredictor(), new long[] {1}, 4096, 0, allocator);
        double[] ms = meanAndSe(VariationalBound.compute(net, ALPHA_BARS, x, n, null,
                new VariationalBound.Settings(T - 1, Ddpm.SMALL, true, 256), new Rng(4)).bound());
        assertTrue(ms[0] + 4 * ms[1] < exact, "bound " + ms[0] + " +- " + ms[1] + " vs exact " + exact);
        // ... but not absurdly far (40 steps, a continuous-data predictor on discrete data)
        assertTrue(ms[0] > exact - 2.5, "bound " + ms[0] + " vs exact " + exact);
    }

    /** For continuous data the bound is on the density: below E log N(x; m, s^2) = -log(s sqrt(2 pi e)), and near it. */
    @Test
    void theContinuousBoundIsBelowTheEntropy() {
        int n = 10000;
        Rng rng = new Rng(5);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (M + S * rng.nextGaussian());
        }
        double exact = -Math.log(S * Math.sqrt(2 * Math.PI * Math.E));
        Denoiser net = Denoiser.of(new GaussianPredictor(DataScaling.identity()), new long[] {1}, 4096, 0, allocator);
        double[] ms = meanAndSe(VariationalBound.compute(net, ALPHA_BARS, x, n, null,
                new VariationalBound.Settings(T - 1, Ddpm.SMALL, true, 0), new Rng(6)).bound());
        assertTrue(ms[0] + 4 * ms[1] < exact, "bound " + ms[0] + " +- " + ms[1] + " vs exact " + exact);
        assertTrue(ms[0] > exact - 2.5, "bound " + ms[0] + " vs exact " + exact);
    }

    @Test
    void refusesUnboundedDataAndTooManyTerms() {
        ExactMixture m = ExactMixture.twoModes(ALPHA_BARS, new double[] {1, 0.5});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VariationalBound.compute(
                Denoiser.of((NoisePredictor) m, new long[] {2}, 16, 0, allocator), ALPHA_BARS, new float[2], 1, null,
                new VariationalBound.Settings(3, Ddpm.SMALL, true, 256), new Rng(1)));
        assertTrue(e.getMessage().contains("bounded"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VariationalBound.Settings(3, Ddpm.SMALL, true, 1));
        assertTrue(e.getMessage().contains("levels"), e.getMessage());
        Denoiser net = Denoiser.of(new GaussianPredictor(), new long[] {1}, 16, 0, allocator);
        e = assertThrows(IllegalArgumentException.class, () -> VariationalBound.compute(net, ALPHA_BARS, new float[1], 1,
                null, new VariationalBound.Settings(T, Ddpm.SMALL, true, 256), new Rng(1)));
        assertTrue(e.getMessage().contains("terms must be in 1.." + (T - 1)), e.getMessage());
    }
}
