package org.genbench.model.gmm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Density, score, energy, sampling and checkpoints for every covariance structure, each against an independent
 * computation from the d x d covariance matrices written out by hand (not from the model's own factorizations).
 */
class GmmCovarianceTypesTest {
    private static final double[] WEIGHTS = {0.2, 0.45, 0.35};
    private static final double[][] MEANS = {{0, 0, 0}, {1.5, -1, 0.5}, {-1, 1, 2}};
    private static final double[][][] FULL = {
            {{1.0, 0.2, 0.1}, {0.2, 0.8, -0.3}, {0.1, -0.3, 1.2}},
            {{0.5, 0.1, 0.0}, {0.1, 0.4, 0.05}, {0.0, 0.05, 0.3}},
            {{2.0, -0.5, 0.3}, {-0.5, 1.0, 0.2}, {0.3, 0.2, 0.7}}};
    private static final double[][] DIAG = {{1.0, 0.8, 1.2}, {0.5, 0.4, 0.3}, {2.0, 1.0, 0.7}};
    private static final double[] SPHERICAL = {1.0, 0.4, 2.0};

    @TempDir
    Path dir;
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** Covariances in scikit-learn's shape for {@code type}. */
    static Object natural(CovarianceType type) {
        return switch (type) {
            case FULL -> FULL;
            case TIED -> FULL[0];
            case DIAG -> DIAG;
            case SPHERICAL -> SPHERICAL;
        };
    }

    /** Component j's covariance as a matrix, written out from the constants above. */
    static double[][] matrix(CovarianceType type, int j) {
        double[][] m = new double[3][3];
        for (int a = 0; a < 3; a++) {
            switch (type) {
                case FULL -> m[a] = FULL[j][a].clone();
                case TIED -> m[a] = FULL[0][a].clone();
                case DIAG -> m[a][a] = DIAG[j][a];
                case SPHERICAL -> m[a][a] = SPHERICAL[j];
            }
        }
        return m;
    }

    static GmmModel model(CovarianceType type) {
        GmmParameters p = GmmParameters.fromCovariances(type, WEIGHTS, MEANS, type.toBlocks(natural(type)));
        return GmmModel.fromParameters(new GmmFamily.Config(3, type.label, null, null, null), Fixtures.vectors(3), p);
    }

    /** log p(x) from the matrices: Gauss-Jordan inverse and determinant, no Cholesky. */
    static double referenceLogDensity(CovarianceType type, double[] x) {
        double total = 0;
        for (int j = 0; j < 3; j++) {
            double[][] c = matrix(type, j);
            double[][] inv = new double[3][3];
            double det = invert(c, inv);
            double q = 0;
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    q += (x[a] - MEANS[j][a]) * inv[a][b] * (x[b] - MEANS[j][b]);
                }
            }
            total += WEIGHTS[j] * Math.exp(-0.5 * q) / Math.sqrt(Math.pow(2 * Math.PI, 3) * det);
        }
        return Math.log(total);
    }

    private static double invert(double[][] m, double[][] inv) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(m[r], 0, a[r], 0, n);
            a[r][n + r] = 1;
        }
        double det = 1;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (pivot != col) {
                double[] t = a[pivot];
                a[pivot] = a[col];
                a[col] = t;
                det = -det;
            }
            double p = a[col][col];
            det *= p;
            for (int c = 0; c < 2 * n; c++) {
                a[col][c] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = a[r][col];
                    for (int c = 0; c < 2 * n; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        for (int r = 0; r < n; r++) {
            System.arraycopy(a[r], n, inv[r], 0, n);
        }
        return det;
    }

    private static double[][] points(int n, long seed) {
        Rng rng = new Rng(seed);
        double[][] pts = new double[n][3];
        for (double[] pt : pts) {
            for (int a = 0; a < 3; a++) {
                pt[a] = 1.5 * rng.nextGaussian();
            }
        }
        return pts;
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "tied", "diag", "spherical"})
    void logDensityMatchesTheMatricesWrittenOut(String name) {
        CovarianceType type = CovarianceType.of(name);
        GmmModel model = model(type);
        double[][] pts = points(20, 5);
        try (Tensor x = Fixtures.matrix(allocator, pts); Tensor lp = model.logDensity(x); Tensor e = model.energy(x)) {
            for (int i = 0; i < pts.length; i++) {
                double expected = referenceLogDensity(type, pts[i]);
                assertEquals(expected, lp.getDouble(i), 1e-12 * Math.max(1, Math.abs(expected)), name + " point " + i);
                assertEquals(-lp.getDouble(i), e.getDouble(i), 0, "energy is minus the log density");
            }
        }
        assertEquals(type.parameterCount(3, 3), model.parameterCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "tied", "diag", "spherical"})
    void scoreMatchesFiniteDifferencesAndEnergyGradientIsItsNegative(String name) {
        CovarianceType type = CovarianceType.of(name);
        GmmModel model = model(type);
        double[][] pts = points(10, 7);
        double h = 1e-5;
        try (Tensor x = Fixtures.matrix(allocator, pts); Tensor score = model.score(x);
             Tensor grad = model.energyGradient(x)) {
            assertArrayEquals(new long[] {pts.length, 3}, score.shape());
            for (int i = 0; i < pts.length; i++) {
                for (int a = 0; a < 3; a++) {
                    double[] plus = pts[i].clone();
                    double[] minus = pts[i].clone();
                    plus[a] += h;
                    minus[a] -= h;
                    double fd = (referenceLogDensity(type, plus) - referenceLogDensity(type, minus)) / (2 * h);
                    assertEquals(fd, score.get(i, a), 1e-6 * Math.max(1, Math.abs(fd)), name + " point " + i + " axis " + a);
                    assertEquals(-score.get(i, a), grad.get(i, a), 1e-12 * Math.max(1, Math.abs(fd)));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "tied", "diag", "spherical"})
    void sampleMeanAndCovarianceMatchTheMixture(String name) {
        CovarianceType type = CovarianceType.of(name);
        GmmModel model = model(type);
        double[] mean = new double[3];
        double[][] second = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double[][] c = matrix(type, j);
            for (int a = 0; a < 3; a++) {
                mean[a] += WEIGHTS[j] * MEANS[j][a];
                for (int b = 0; b < 3; b++) {
                    second[a][b] += WEIGHTS[j] * (c[a][b] + MEANS[j][a] * MEANS[j][b]);
                }
            }
        }
        int n = 100_000;
        try (Tensor s = model.sample(n, new Rng(42), allocator)) {
            double[] v = s.toDoubleArray();
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b <= a; b++) {
                    double cov = second[a][b] - mean[a] * mean[b];
                    double sum = 0;
                    double sumSq = 0;
                    for (int i = 0; i < n; i++) {
                        double prod = (v[3 * i + a] - mean[a]) * (v[3 * i + b] - mean[b]);
                        sum += prod;
                        sumSq += prod * prod;
                    }
                    double est = sum / n;
                    double se = Math.sqrt((sumSq / n - est * est) / n);
                    assertEquals(cov, est, 5 * se, name + " covariance [" + a + "][" + b + "]");
                }
                double m = 0;
                for (int i = 0; i < n; i++) {
                    m += v[3 * i + a];
                }
                assertEquals(mean[a], m / n, 5 * Math.sqrt((second[a][a] - mean[a] * mean[a]) / n), name + " mean " + a);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "tied", "diag", "spherical"})
    void checkpointReloadsBitIdenticallyAfterEm(String name) throws IOException {
        CovarianceType type = CovarianceType.of(name);
        GmmModel model = model(type);
        double[][] pts = points(200, 9);
        try (Tensor x = Fixtures.matrix(allocator, pts)) {
            model.emStep(x);
            model.save(dir);
            GmmModel other = new GmmModel(new GmmFamily.Config(3, name, null, null, null), Fixtures.vectors(3));
            other.load(dir);
            try (Tensor a = model.logDensity(x); Tensor b = other.logDensity(x)) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0, name);
            }
            assertEquals(model.emStep(x), other.emStep(x), 0, "the next EM step is the same");
            GmmModel wrong = new GmmModel(new GmmFamily.Config(3, name.equals("full") ? "diag" : "full", null, null,
                    null), Fixtures.vectors(3));
            IOException e = assertThrows(IOException.class, () -> wrong.load(dir));
            assertTrue(e.getMessage().contains("config.covariance"), e.getMessage());
        }
    }

    @Test
    void aModelStartedFromPrecisionsReloadsThoseExactPrecisions() throws IOException {
        double[][][] precisions = new double[3][][];
        for (int j = 0; j < 3; j++) {
            precisions[j] = new double[3][3];
            invert(FULL[j], precisions[j]);
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < a; b++) {
                    precisions[j][a][b] = precisions[j][b][a]; // exactly symmetric
                }
            }
        }
        GmmFamily.Config config = new GmmFamily.Config(3, "full", null, null, null, WEIGHTS, MEANS, precisions);
        GmmModel model = (GmmModel) new GmmFamily().create(config, Fixtures.vectors(3), new Rng(1));
        double[][] pts = points(30, 3);
        try (Tensor x = Fixtures.matrix(allocator, pts)) {
            model.initialize(x, new Rng(1));
            try (Tensor lp = model.logDensity(x)) {
                for (int i = 0; i < pts.length; i++) {
                    double expected = referenceLogDensity(CovarianceType.FULL, pts[i]);
                    assertEquals(expected, lp.getDouble(i), 1e-12 * Math.abs(expected));
                }
            }
            model.save(dir);
            GmmModel other = new GmmModel(config, Fixtures.vectors(3));
            other.load(dir);
            try (Tensor a = model.logDensity(x); Tensor b = other.logDensity(x)) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "tied", "diag", "spherical"})
    void givenMeansReplaceTheEstimateAndTheRestComesFromInit(String name) {
        double[][] pts = points(300, 13);
        double[][] means = {{-2, 0, 0}, {0, 2, 0}, {0, 0, 2}};
        GmmFamily.Config config = new GmmFamily.Config(3, name, null, null, null, null, means, null);
        GmmModel given = new GmmModel(config, Fixtures.vectors(3));
        GmmModel plain = new GmmModel(new GmmFamily.Config(3, name, null, null, null), Fixtures.vectors(3));
        try (Tensor x = Fixtures.matrix(allocator, pts)) {
            given.initialize(x, new Rng(4));
            plain.initialize(x, new Rng(4));
        }
        // scikit-learn's _initialize: the means are the given ones; weights and covariances are what the same
        // k-means responsibilities give.
        assertArrayEquals(means, given.parameters().means());
        assertArrayEquals(plain.parameters().weights(), given.parameters().weights(), 0);
        assertArrayEquals(plain.parameters().covariances(), given.parameters().covariances());
    }

    @Test
    void badInitialParametersNameTheFieldAndWhatIsWrong() {
        assertRejected(() -> config("full", new double[] {0.5, 0.6, -0.1}, null, null), "weightsInit[2] must lie in [0, 1]");
        assertRejected(() -> config("full", new double[] {0.5, 0.3, 0.1}, null, null), "weightsInit must sum to 1");
        assertRejected(() -> config("full", new double[] {0.5, 0.5}, null, null), "weightsInit must have components=3");
        assertRejected(() -> config("full", null, new double[][] {{0, 0}, {1, 1}}, null), "meansInit must have components=3 rows");
        assertRejected(() -> config("full", null, new double[][] {{0, 0}, {1, 1}, {2}}, null), "meansInit rows must all have");
        assertRejected(() -> config("full", null, new double[][] {{0, 0}, {1, 1}, {2, Double.NaN}}, null),
                "meansInit[2][1] must be finite");
        assertRejected(() -> config("spherical", null, null, List.of(1.0, 2.0)), "precisionsInit for covariance 'spherical' must be shaped [3]");
        assertRejected(() -> config("spherical", null, null, List.of(1.0, 2.0, -3.0)), "precisionsInit[2] must be a positive");
        assertRejected(() -> config("diag", null, null, List.of(List.of(1.0, 2.0), List.of(1.0, 2.0))),
                "precisionsInit for covariance 'diag' must be shaped [3][d]");
        assertRejected(() -> config("tied", null, null, List.of(List.of(1.0, 2.0), List.of(2.0, 1.0))),
                "precisionsInit must be positive definite");
        assertRejected(() -> config("tied", null, null, List.of(List.of(1.0, 0.5), List.of(0.4, 1.0))),
                "precisionsInit must be symmetric");
        assertRejected(() -> config("full", null, null, List.of(List.of(1.0, 0.0), List.of(0.0, 1.0))),
                "precisionsInit[0][0] must be an array (precisionsInit is shaped [3][d][d]), was 1.0");
        assertRejected(() -> config("tied", null, null, List.of(List.of(1.0, "x"), List.of(0.0, 1.0))),
                "precisionsInit[0][1] must be a number");
        assertRejected(() -> config("diag", null, new double[][] {{0, 0}, {1, 1}, {2, 2}},
                List.of(List.of(1.0, 1.0, 1.0), List.of(1.0, 1.0, 1.0), List.of(1.0, 1.0, 1.0))),
                "precisionsInit is for dimension 3, expected dimension 2");
        DataInfo twoD = Fixtures.vectors(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GmmFamily().create(
                config("full", null, new double[][] {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}}, null), twoD, new Rng(1)));
        assertTrue(e.getMessage().contains("meansInit has rows of 3 values, but dataset 'test-2d' has dimension 2"),
                e.getMessage());
    }

    @Test
    void aSpecsJsonBecomesTheSameConfig() {
        Map<String, Object> json = Map.of("components", 3, "covariance", "diag",
                "weightsInit", List.of(0.2, 0.45, 0.35), "meansInit", List.of(List.of(0, 0, 0), List.of(1.5, -1, 0.5),
                        List.of(-1, 1, 2)), "precisionsInit", List.of(List.of(1, 1, 1), List.of(2, 2, 2), List.of(4, 4, 4)));
        GmmFamily.Config c = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(json, GmmFamily.Config.class);
        assertArrayEquals(new double[][] {{1, 1, 1}, {2, 2, 2}, {4, 4, 4}}, (double[][]) c.precisionsInit());
        assertEquals(c, new GmmFamily.Config(3, "diag", null, null, null, WEIGHTS, MEANS,
                new double[][] {{1, 1, 1}, {2, 2, 2}, {4, 4, 4}}));
    }

    private static GmmFamily.Config config(String covariance, double[] w, double[][] m, Object p) {
        return new GmmFamily.Config(3, covariance, null, null, null, w, m, p);
    }

    private static void assertRejected(Executable build, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
