package org.genbench.model.made.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.Autoregressive;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MadeModelTest {
    static final DataInfo BITS = new DataInfo("test/bits", new long[] {3}, DataInfo.BINARY, 0, null);
    static final DataInfo REALS = new DataInfo("test/reals", new long[] {4}, DataInfo.CONTINUOUS, 0, null);
    static final DataInfo PLANE = new DataInfo("test/plane", new long[] {2}, DataInfo.CONTINUOUS, 0, null);

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static void perturb(MadeModel m, long seed, double scale) {
        Rng rng = new Rng(seed);
        m.network().parameters().values().forEach(p -> {
            for (int i = 0; i < p.size(); i++) {
                p.setFlat(i, p.getFlat(i) + scale * rng.nextGaussian());
            }
        });
    }

    static NdArray randn(long seed, int... shape) {
        return NdArray.wrap(NdArray.randn(new Rng(seed), org.genbench.nn.DType.F64, 1.0, shape).toDoubleArray(), shape);
    }

    @Test
    void theWholeNegativeLogLikelihoodPassesAGradientCheck() {
        NdArray bits = NdArray.wrap(new double[] {0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0}, 4, 3);
        for (int components : new int[] {1, 3}) {
            for (int ensemble : new int[] {1, 3}) {
                MadeModel real = new MadeModel(new MadeFamily.Config(10, 2, "tanh", 3, ensemble, components), REALS,
                        new Rng(1), org.genbench.nn.DType.F64);
                perturb(real, 2, 0.2);
                GradCheck.assertClose(GradCheck.check(real.network().parameters(), List.of(randn(3, 5, 4)),
                        in -> F.mul(F.mean(real.logProb(in.get(0), null)), -1.0), 3, 1e-5, 4), 1e-6);
            }
        }
        MadeModel binary = new MadeModel(new MadeFamily.Config(8, 1, "relu", 2, 2, null), BITS, new Rng(5),
                org.genbench.nn.DType.F64);
        perturb(binary, 6, 0.3);
        GradCheck.assertClose(GradCheck.check(binary.network().parameters(), List.of(),
                in -> F.mul(F.mean(binary.logProb(bits, null)), -1.0), 3, 1e-5, 7), 1e-6);
    }

    /** Every one of the 8 binary vectors: the probabilities of a single MADE and of an ensemble sum to 1. */
    @Test
    void binaryProbabilitiesSumToOneForOneMaskAndForAnEnsemble() {
        for (int masks : new int[] {1, 4}) {
            MadeModel m = new MadeModel(new MadeFamily.Config(16, 2, "relu", masks, masks, null), BITS, new Rng(8),
                    org.genbench.nn.DType.F64);
            perturb(m, 9, 0.5);
            try (Tensor all = allBitVectors()) {
                double[] lp = m.logDensities(all);
                double sum = 0;
                for (double v : lp) {
                    sum += Math.exp(v);
                }
                assertEquals(1.0, sum, 1e-12, masks + " masks");
            }
        }
    }

    /**
     * Drawing position by position from an ensemble gives each binary vector the probability the density reports:
     * 40000 draws against the 8 exact probabilities.
     */
    @Test
    void generatedSamplesFollowTheReportedProbabilities() {
        MadeModel m = new MadeModel(new MadeFamily.Config(16, 1, "relu", 3, 3, null), BITS, new Rng(10),
                org.genbench.nn.DType.F32);
        perturb(m, 11, 0.8);
        double[] p;
        try (Tensor all = allBitVectors()) {
            p = java.util.Arrays.stream(m.logDensities(all)).map(Math::exp).toArray();
        }
        int n = 40000;
        double[] freq = new double[8];
        Rng rng = new Rng(12);
        try (Autoregressive.Generation g = m.generate(n, rng)) {
            assertEquals(3, m.positions());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, g.drawn());
                g.next(rng);
            }
            try (Tensor s = g.samples(allocator)) {
                for (int r = 0; r < n; r++) {
                    int idx = (int) (4 * s.getDouble(3L * r) + 2 * s.getDouble(3L * r + 1) + s.getDouble(3L * r + 2));
                    freq[idx] += 1.0 / n;
                }
            }
            assertThrows(IllegalStateException.class, () -> g.next(rng));
        }
        double tv = 0;
        for (int i = 0; i < 8; i++) {
            tv += 0.5 * Math.abs(freq[i] - p[i]);
        }
        // 40000 draws over 8 states: sampling noise gives a total variation near 0.005
        assertTrue(tv < 0.015, "total variation " + tv + ": " + java.util.Arrays.toString(freq) + " vs "
                + java.util.Arrays.toString(p));
    }

    @Test
    void aRealValuedEnsembleIntegratesToOneOverThePlane() {
        MadeModel m = new MadeModel(new MadeFamily.Config(16, 1, "tanh", 3, 3, 2), PLANE, new Rng(13),
                org.genbench.nn.DType.F64);
        perturb(m, 14, 0.3);
        int grid = 300;
        double lo = -12;
        double hi = 12;
        double cell = (hi - lo) / grid;
        try (Tensor pts = Tensor.allocate(allocator, DType.FLOAT64, (long) grid * grid, 2)) {
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    pts.setDouble(2L * (i * grid + j), lo + (i + 0.5) * cell);
                    pts.setDouble(2L * (i * grid + j) + 1, lo + (j + 0.5) * cell);
                }
            }
            double sum = 0;
            for (double v : m.logDensities(pts)) {
                sum += Math.exp(v) * cell * cell;
            }
            assertEquals(1.0, sum, 2e-3);
        }
    }

    @Test
    void aCheckpointKeepsTheMasksAndTheDensity(@TempDir Path dir) throws Exception {
        MadeFamily.Config c = new MadeFamily.Config(12, 1, "relu", 4, 4, null);
        MadeModel a = new MadeModel(c, BITS, new Rng(15), org.genbench.nn.DType.F32);
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 32, 3)) {
            Rng rng = new Rng(16);
            for (long i = 0; i < x.size(); i++) {
                x.setDouble(i, rng.nextDouble() < 0.3 ? 1 : 0);
            }
            GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1);
            for (int s = 0; s < 6; s++) {
                try (Batch b = Batch.of(x.retain())) {
                    a.trainStep(b, step, new Rng(100 + s));
                }
            }
            a.save(dir);
            MadeModel b = new MadeModel(c, BITS, new Rng(15), org.genbench.nn.DType.F32);
            b.load(dir);
            assertEquals(java.util.Arrays.toString(a.logDensities(x)), java.util.Arrays.toString(b.logDensities(x)));
            MadeModel otherSeed = new MadeModel(c, BITS, new Rng(17), org.genbench.nn.DType.F32);
            assertTrue(assertThrows(java.io.IOException.class, () -> otherSeed.load(dir)).getMessage().contains("maskSeed"));
        }
    }

    /**
     * The first step places each dimension's conditional on the batch: expected values from numpy
     * ({@code np.quantile(x, [1/6, 1/2, 5/6], axis=0)}, linear interpolation; {@code x.mean(0)};
     * {@code np.log(x.std(0, ddof=1) * s)} with s = 2/3 for three components, 1 for one Gaussian). The step itself
     * then moves each parameter by about the learning rate, 1e-9 here.
     */
    @Test
    void theFirstStepPlacesTheConditionalsOnTheBatchsQuantiles() {
        double[] rows = {-3.0, 0.3, 2.5, -0.2, 0.1, 1.5, 1.7, 0.8, -0.4, -1.0, 4.2, 0.0, -1.1, 2.2, 0.9, -0.6};
        double[][] quantiles = {{-0.98333333, -0.53333333}, {0.5, 0.15}, {2.36666667, 1.38333333}};
        double[] mean = {0.6125, 0.375};
        double[] logSd = {0.80427233, 0.07266822};
        double[] logScale3 = {0.39880722, -0.33279689};
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-9, 0.9, 0.999, 1e-8), 1);
        for (int components : new int[] {3, 1}) {
            MadeModel m = new MadeModel(new MadeFamily.Config(8, 1, "relu", 1, 1, components), PLANE, new Rng(21),
                    org.genbench.nn.DType.F64);
            try (Tensor x = Tensor.allocate(allocator, DType.FLOAT64, 8, 2)) {
                for (int i = 0; i < rows.length; i++) {
                    x.setDouble(i, rows[i]);
                }
                try (Batch b = Batch.of(x.retain())) {
                    m.trainStep(b, step, new Rng(22));
                }
            }
            NdArray bias = m.made().parameters().get("1.bias");
            for (int d = 0; d < 2; d++) {
                if (components == 1) {
                    assertEquals(mean[d], bias.getFlat(d), 1e-6, "mean of dimension " + d);
                    assertEquals(logSd[d], bias.getFlat(2 + d), 1e-6, "log-scale of dimension " + d);
                    continue;
                }
                for (int j = 0; j < 3; j++) {
                    assertEquals(0, bias.getFlat(j * 2 + d), 1e-6, "logit " + j + " of dimension " + d);
                    assertEquals(quantiles[j][d], bias.getFlat((3 + j) * 2 + d), 1e-6, "mean " + j + " of dimension " + d);
                    assertEquals(logScale3[d], bias.getFlat((6 + j) * 2 + d), 1e-6, "log-scale " + j + " of dimension " + d);
                }
            }
        }
    }

    /**
     * Data far from 0 (x1 at +-6 with sd 0.5, x2 standard normal): the first dimension's mixture is its output bias
     * alone, which Adam moves by about the learning rate per step, so from a zero start 400 steps at 1e-2 cannot
     * reach +-6; placed on the first batch, the model is within 0.1 nats of the true density on held-out points.
     */
    @Test
    void aMixtureFarFromTheOriginIsLearnedInAFewSteps() {
        MadeModel m = new MadeModel(new MadeFamily.Config(16, 1, "relu", 1, 1, 4), PLANE, new Rng(23),
                org.genbench.nn.DType.F32);
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1);
        Rng data = new Rng(24);
        for (int s = 0; s < 400; s++) {
            try (Tensor x = farMixture(data, 256); Batch b = Batch.of(x.retain())) {
                m.trainStep(b, step, new Rng(1000 + s));
            }
        }
        try (Tensor x = farMixture(new Rng(25), 2000)) {
            double[] lp = m.logDensities(x);
            double gap = 0;
            for (int i = 0; i < lp.length; i++) {
                double x1 = x.getDouble(2L * i);
                double x2 = x.getDouble(2L * i + 1);
                double p1 = 0.5 * (gauss(x1, -6, 0.5) + gauss(x1, 6, 0.5));
                gap += (Math.log(p1) + Math.log(gauss(x2, 0, 1)) - lp[i]) / lp.length;
            }
            assertTrue(gap < 0.1, "gap to the true density " + gap + " nats");
        }
    }

    /** A model resumed from a checkpoint after its first steps keeps its trained biases: the next step matches. */
    @Test
    void aResumedModelIsNotPlacedAgain(@TempDir Path dir) throws Exception {
        MadeFamily.Config c = new MadeFamily.Config(8, 1, "relu", 2, 2, 3);
        MadeModel a = new MadeModel(c, PLANE, new Rng(26), org.genbench.nn.DType.F64);
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1);
        Rng data = new Rng(27);
        for (int s = 0; s < 3; s++) {
            try (Tensor x = farMixture(data, 64); Batch b = Batch.of(x.retain())) {
                a.trainStep(b, step, new Rng(200 + s));
            }
        }
        a.save(dir);
        MadeModel b = new MadeModel(c, PLANE, new Rng(26), org.genbench.nn.DType.F64);
        b.load(dir);
        try (Tensor x = farMixture(new Rng(28), 64)) {
            for (MadeModel m : List.of(a, b)) {
                try (Batch batch = Batch.of(x.retain())) {
                    m.trainStep(batch, step, new Rng(300));
                }
            }
            assertEquals(java.util.Arrays.toString(a.logDensities(x)), java.util.Arrays.toString(b.logDensities(x)));
        }
    }

    private Tensor farMixture(Rng rng, int n) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        for (int i = 0; i < n; i++) {
            t.setDouble(2L * i, (rng.nextDouble() < 0.5 ? -6 : 6) + 0.5 * rng.nextGaussian());
            t.setDouble(2L * i + 1, rng.nextGaussian());
        }
        return t;
    }

    private static double gauss(double x, double mu, double sd) {
        double z = (x - mu) / sd;
        return Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
    }

    private Tensor allBitVectors() {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, 8, 3);
        for (int v = 0; v < 8; v++) {
            t.setDouble(3L * v, (v >> 2) & 1);
            t.setDouble(3L * v + 1, (v >> 1) & 1);
            t.setDouble(3L * v + 2, v & 1);
        }
        return t;
    }
}
