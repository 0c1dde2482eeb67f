package org.genbench.model.gaussian.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GaussianModelTest {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private BufferAllocator allocator;
    private final GaussianFamily family = new GaussianFamily();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if a returned tensor leaked
    }

    private static DataInfo info(int d) {
        return new DataInfo("test/" + d + "d", new long[] {d}, DataInfo.CONTINUOUS, 0, null);
    }

    private GaussianModel create(int d, Double regCovar) {
        return (GaussianModel) family.create(new GaussianFamily.Config(regCovar), info(d), new Rng(0));
    }

    /** n rows of x = a z + b with z standard normal: correlated, off-centre data. */
    private Tensor correlated(int n, double[][] a, double[] b, long seed) {
        Rng rng = new Rng(seed);
        int d = b.length;
        Tensor x = Tensor.allocate(allocator, DType.FLOAT64, n, d);
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[j] = rng.nextGaussian();
            }
            for (int r = 0; r < d; r++) {
                double v = b[r];
                for (int k = 0; k < d; k++) {
                    v += a[r][k] * z[k];
                }
                x.setDouble((long) i * d + r, v);
            }
        }
        return x;
    }

    private static final double[][] A3 = {{1.5, 0, 0}, {0.8, 0.5, 0}, {-0.3, 0.4, 2.0}};
    private static final double[] B3 = {10, -2, 0.5};

    @Test
    void fittedMeanAndCovarianceAreTheSampleMomentsPlusRegularization() {
        GaussianModel m = create(3, 1e-3);
        try (Tensor x = correlated(500, A3, B3, 1)) {
            m.initialize(x, new Rng(2));
            double[] data = x.toDoubleArray();
            int n = 500;
            double[] mean = new double[3];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 3; j++) {
                    mean[j] += data[3 * i + j] / n;
                }
            }
            assertArrayEquals(mean, m.mean(), 1e-12);
            double[][] cov = m.covariance();
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += (data[3 * i + r] - mean[r]) * (data[3 * i + c] - mean[c]);
                    }
                    assertEquals(s / n + (r == c ? 1e-3 : 0), cov[r][c], 1e-10, "cov[" + r + "][" + c + "]");
                }
            }
        }
    }

    @Test
    void logDensityMatchesTheClosedFormIn2D() {
        GaussianModel m = create(2, 0.0);
        try (Tensor data = correlated(300, new double[][] {{1, 0}, {0.9, 0.3}}, new double[] {1, -1}, 3)) {
            m.initialize(data, new Rng(4));
        }
        double[] mu = m.mean();
        double[][] s = m.covariance();
        double det = s[0][0] * s[1][1] - s[0][1] * s[1][0];
        double[] points = {1, -1, 0, 0, 2.5, 0.3, -3, 4};
        try (Tensor x = Tensor.ofDoubles(allocator, points, 4, 2); Tensor lp = m.logDensity(x)) {
            assertEquals(DType.FLOAT64, lp.dtype());
            assertArrayEquals(new long[] {4}, lp.shape());
            for (int i = 0; i < 4; i++) {
                double dx = points[2 * i] - mu[0];
                double dy = points[2 * i + 1] - mu[1];
                // (x - mu)^T Sigma^-1 (x - mu) with the 2 x 2 inverse written out.
                double quad = (s[1][1] * dx * dx - 2 * s[0][1] * dx * dy + s[0][0] * dy * dy) / det;
                double expected = -0.5 * quad - 0.5 * Math.log(det) - LOG_2PI;
                assertEquals(expected, lp.getDouble(i), 1e-10, "point " + i);
            }
        }
    }

    @Test
    void unfittedModelIsTheStandardNormal() {
        GaussianModel m = create(3, null);
        double[] points = {0, 0, 0, 1, -2, 0.5};
        try (Tensor x = Tensor.ofDoubles(allocator, points, 2, 3); Tensor lp = m.logDensity(x)) {
            assertEquals(-1.5 * LOG_2PI, lp.getDouble(0), 1e-12);
            assertEquals(-1.5 * LOG_2PI - 0.5 * (1 + 4 + 0.25), lp.getDouble(1), 1e-12);
        }
    }

    @Test
    void scoreMatchesFiniteDifferencesOfTheLogDensity() {
        GaussianModel m = create(3, null);
        try (Tensor data = correlated(400, A3, B3, 5)) {
            m.initialize(data, new Rng(6));
        }
        double[] p = {9.0, -1.0, 1.7, 12.0, -3.5, -2.0};
        double h = 1e-5;
        try (Tensor x = Tensor.ofDoubles(allocator, p, 2, 3); Tensor score = m.score(x)) {
            assertArrayEquals(new long[] {2, 3}, score.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    double[] plus = p.clone();
                    double[] minus = p.clone();
                    plus[3 * i + j] += h;
                    minus[3 * i + j] -= h;
                    double fd = (logDensityAt(m, plus, i) - logDensityAt(m, minus, i)) / (2 * h);
                    assertEquals(fd, score.getDouble(3 * i + j), 1e-6, "d log p / dx[" + i + "][" + j + "]");
                }
            }
        }
    }

    private double logDensityAt(GaussianModel m, double[] points, int row) {
        try (Tensor x = Tensor.ofDoubles(allocator, points, points.length / 3, 3); Tensor lp = m.logDensity(x)) {
            return lp.getDouble(row);
        }
    }

    @Test
    void emStepReturnsTheLikelihoodBeforeItsUpdateAndReachesTheFixedPointAtOnce() {
        GaussianModel m = create(3, 0.0);
        try (Tensor x = correlated(250, A3, B3, 10)) {
            double[] v = x.toDoubleArray();
            double standardNormal = 0;
            for (int i = 0; i < 250; i++) {
                double sq = v[3 * i] * v[3 * i] + v[3 * i + 1] * v[3 * i + 1] + v[3 * i + 2] * v[3 * i + 2];
                standardNormal += (-1.5 * LOG_2PI - 0.5 * sq) / 250;
            }
            assertEquals(standardNormal, m.emStep(x), 1e-9, "first step is scored under the initial N(0, I)");
            double fitted;
            try (Tensor lp = m.logDensity(x)) {
                fitted = 0;
                for (int i = 0; i < 250; i++) {
                    fitted += lp.getDouble(i) / 250;
                }
            }
            assertTrue(fitted > standardNormal);
            assertEquals(fitted, m.emStep(x), 1e-12);
            assertEquals(fitted, m.emStep(x), 1e-12, "the maximum likelihood fit is a fixed point");
        }
    }

    @Test
    void samplesHaveTheModelsMomentsAndAreReproducible() {
        GaussianModel m = create(2, null);
        try (Tensor data = correlated(1000, new double[][] {{2, 0}, {1, 0.5}}, new double[] {3, -1}, 11)) {
            m.initialize(data, new Rng(12));
        }
        int n = 20_000;
        double[] mu = m.mean();
        double[][] s = m.covariance();
        try (Tensor a = m.sample(n, new Rng(13), allocator); Tensor b = m.sample(n, new Rng(13), allocator)) {
            assertEquals(DType.FLOAT32, a.dtype());
            assertArrayEquals(new long[] {n, 2}, a.shape());
            double[] v = a.toDoubleArray();
            assertArrayEquals(v, b.toDoubleArray());
            double[] mean = new double[2];
            for (int i = 0; i < n; i++) {
                mean[0] += v[2 * i] / n;
                mean[1] += v[2 * i + 1] / n;
            }
            for (int j = 0; j < 2; j++) {
                assertEquals(mu[j], mean[j], 5 * Math.sqrt(s[j][j] / n), "mean[" + j + "]");
            }
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    double cov = 0;
                    for (int i = 0; i < n; i++) {
                        cov += (v[2 * i + r] - mu[r]) * (v[2 * i + c] - mu[c]) / n;
                    }
                    // Standard error of a sample covariance entry of a Gaussian.
                    double se = Math.sqrt((s[r][r] * s[c][c] + s[r][c] * s[r][c]) / n);
                    assertEquals(s[r][c], cov, 5 * se, "cov[" + r + "][" + c + "]");
                }
            }
        }
    }

    @Test
    void degenerateDataWithoutRegularizationFailsNamingRegCovar() {
        GaussianModel m = create(2, 0.0);
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {1, 2, 3, 4}, 2, 2)) {
            // Two points in 2-D span a line: the covariance is singular.
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.initialize(x, new Rng(0)));
            assertTrue(e.getMessage().contains("regCovar"), e.getMessage());
        }
        GaussianModel regularized = create(2, 1e-6);
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {1, 2, 3, 4}, 2, 2)) {
            regularized.initialize(x, new Rng(0));
            assertEquals(1 + 1e-6, regularized.covariance()[0][0], 1e-12);
        }
    }

    @Test
    void familyDeclaresWhatItsModelsImplementAndRefusesWhatItCannotModel() {
        Model m = family.create(new GaussianFamily.Config(null), info(3), new Rng(0));
        for (Class<? extends Capability> c : family.capabilities()) {
            assertTrue(c.isInstance(m), "declared but not implemented: " + c.getSimpleName());
        }
        assertEquals(3 + 6, m.parameterCount());
        DataInfo images = new DataInfo("mnist", new long[] {1, 28, 28}, DataInfo.DISCRETE, 10, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> family.create(new GaussianFamily.Config(null), images, new Rng(0)));
        assertTrue(e.getMessage().contains("mnist") && e.getMessage().contains("discrete"), e.getMessage());
        try (Tensor wrongWidth = Tensor.allocate(allocator, DType.FLOAT32, 4, 2)) {
            assertThrows(IllegalArgumentException.class, () -> ((GaussianModel) m).logDensity(wrongWidth));
        }
    }

    @Test
    void configDefaultsAndValidation() {
        assertEquals(1e-6, new GaussianFamily.Config(null).regCovar());
        assertEquals(0.0, new GaussianFamily.Config(0.0).regCovar());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GaussianFamily.Config(-1.0));
        assertEquals("regCovar must be a finite number >= 0, was -1.0", e.getMessage());
        assertEquals("gaussian", family.name());
        assertEquals(GaussianFamily.Config.class, family.configType());
    }
}
