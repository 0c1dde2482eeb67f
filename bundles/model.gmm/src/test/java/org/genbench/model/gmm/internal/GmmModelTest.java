package org.genbench.model.gmm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GmmModelTest {
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if anything leaked
    }

    @Test
    void densityIntegratesToOneOnAGrid() {
        GmmModel model = Fixtures.threeComponents2d();
        // Every component lies within 7 standard deviations of the box edges, so the mass outside is < 1e-10;
        // the midpoint rule on a smooth, rapidly decaying integrand is accurate far beyond 1e-6 at this step.
        double h = 0.04;
        double x0 = -9;
        double y0 = -7;
        int nx = 450;
        int ny = 400;
        double[][] grid = new double[nx * ny][];
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                grid[i * ny + j] = new double[] {x0 + (i + 0.5) * h, y0 + (j + 0.5) * h};
            }
        }
        try (Tensor x = Fixtures.matrix(allocator, grid); Tensor lp = model.logDensity(x)) {
            double mass = 0;
            for (double v : lp.toDoubleArray()) {
                mass += Math.exp(v) * h * h;
            }
            assertEquals(1.0, mass, 1e-6);
        }
    }

    @Test
    void logDensityMatchesTheClosedForm2dMixture() {
        GmmModel model = Fixtures.threeComponents2d();
        GmmParameters p = model.parameters();
        Rng rng = new Rng(3);
        double[][] points = new double[25][];
        for (int i = 0; i < points.length; i++) {
            points[i] = new double[] {4 * rng.nextGaussian(), 4 * rng.nextGaussian()};
        }
        try (Tensor x = Fixtures.matrix(allocator, points); Tensor lp = model.logDensity(x)) {
            assertEquals(DType.FLOAT64, lp.dtype());
            assertArrayEquals(new long[] {points.length}, lp.shape());
            for (int i = 0; i < points.length; i++) {
                double density = 0;
                for (int j = 0; j < 3; j++) {
                    double[][] c = p.covariances()[j];
                    double det = c[0][0] * c[1][1] - c[0][1] * c[1][0];
                    double dx = points[i][0] - p.mean(j)[0];
                    double dy = points[i][1] - p.mean(j)[1];
                    double q = (c[1][1] * dx * dx - 2 * c[0][1] * dx * dy + c[0][0] * dy * dy) / det;
                    density += p.weight(j) * Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
                }
                assertEquals(Math.log(density), lp.getDouble(i), 1e-12 * Math.max(1, Math.abs(Math.log(density))),
                        "point " + Arrays.toString(points[i]));
            }
        }
    }

    @Test
    void scoreMatchesFiniteDifferencesOfLogDensity() {
        GmmModel model = GmmModel.fromParameters(Fixtures.config(3), Fixtures.vectors(3),
                new double[] {0.2, 0.45, 0.35},
                new double[][] {{0, 0, 0}, {1.5, -1, 0.5}, {-1, 1, 2}},
                new double[][][] {
                        {{1.0, 0.2, 0.1}, {0.2, 0.8, -0.3}, {0.1, -0.3, 1.2}},
                        {{0.5, 0.1, 0.0}, {0.1, 0.4, 0.05}, {0.0, 0.05, 0.3}},
                        {{2.0, -0.5, 0.3}, {-0.5, 1.0, 0.2}, {0.3, 0.2, 0.7}}});
        Rng rng = new Rng(11);
        double[][] points = new double[12][3];
        for (double[] pt : points) {
            for (int a = 0; a < 3; a++) {
                pt[a] = 1.5 * rng.nextGaussian();
            }
        }
        double h = 1e-5;
        double[][] shifted = new double[points.length * 6][];
        for (int i = 0; i < points.length; i++) {
            for (int a = 0; a < 3; a++) {
                double[] plus = points[i].clone();
                double[] minus = points[i].clone();
                plus[a] += h;
                minus[a] -= h;
                shifted[i * 6 + 2 * a] = plus;
                shifted[i * 6 + 2 * a + 1] = minus;
            }
        }
        try (Tensor x = Fixtures.matrix(allocator, points); Tensor score = model.score(x);
             Tensor xs = Fixtures.matrix(allocator, shifted); Tensor lp = model.logDensity(xs)) {
            assertArrayEquals(new long[] {points.length, 3}, score.shape());
            for (int i = 0; i < points.length; i++) {
                for (int a = 0; a < 3; a++) {
                    double fd = (lp.getDouble(i * 6 + 2 * a) - lp.getDouble(i * 6 + 2 * a + 1)) / (2 * h);
                    // Central differences: truncation ~h^2, cancellation ~1e-16 |log p| / h, both below 1e-8 here.
                    assertEquals(fd, score.get(i, a), 1e-6 * Math.max(1, Math.abs(fd)), "point " + i + ", axis " + a);
                }
            }
        }
    }

    @Test
    void energyIsMinusLogDensityAndItsGradientMinusTheScore() {
        GmmModel model = Fixtures.threeComponents2d();
        double[][] points = {{0, 0}, {3, -2}, {-1.5, 2.2}, {10, 10}};
        try (Tensor x = Fixtures.matrix(allocator, points);
             Tensor lp = model.logDensity(x); Tensor e = model.energy(x);
             Tensor s = model.score(x); Tensor g = model.energyGradient(x)) {
            for (int i = 0; i < points.length; i++) {
                assertEquals(-lp.getDouble(i), e.getDouble(i), 0.0);
                for (int a = 0; a < 2; a++) {
                    assertEquals(-s.get(i, a), g.get(i, a), 0.0);
                }
            }
        }
    }

    @Test
    void scoreOfASingleGaussianIsMinusPrecisionTimesResidual() {
        double[][] cov = {{2.0, 0.6}, {0.6, 0.5}};
        GmmModel model = GmmModel.fromParameters(Fixtures.config(1), Fixtures.vectors(2), new double[] {1},
                new double[][] {{1, -1}}, new double[][][] {cov});
        double det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
        double[][] prec = {{cov[1][1] / det, -cov[0][1] / det}, {-cov[1][0] / det, cov[0][0] / det}};
        double[][] points = {{0, 0}, {2.5, 1}, {-3, -4}};
        try (Tensor x = Fixtures.matrix(allocator, points); Tensor s = model.score(x)) {
            for (int i = 0; i < points.length; i++) {
                double dx = points[i][0] - 1;
                double dy = points[i][1] + 1;
                assertEquals(-(prec[0][0] * dx + prec[0][1] * dy), s.get(i, 0), 1e-12);
                assertEquals(-(prec[1][0] * dx + prec[1][1] * dy), s.get(i, 1), 1e-12);
            }
        }
    }

    @Test
    void float32InputGivesTheFloat64Results() {
        GmmModel model = Fixtures.threeComponents2d();
        // Multiples of 1/8 are exact in float32, so both inputs hold the same numbers.
        double[][] points = {{0.125, -0.5}, {2.375, 1.0}, {-1.5, 2.25}, {6.0, -3.875}};
        try (Tensor x64 = Fixtures.matrix(allocator, points, DType.FLOAT64);
             Tensor x32 = Fixtures.matrix(allocator, points, DType.FLOAT32);
             Tensor lp64 = model.logDensity(x64); Tensor lp32 = model.logDensity(x32);
             Tensor s64 = model.score(x64); Tensor s32 = model.score(x32)) {
            assertEquals(DType.FLOAT64, lp32.dtype());
            assertEquals(DType.FLOAT64, s32.dtype());
            assertArrayEquals(lp64.toDoubleArray(), lp32.toDoubleArray(), 0.0);
            assertArrayEquals(s64.toDoubleArray(), s32.toDoubleArray(), 0.0);
        }
    }

    @Test
    void resultsLiveInTheInputsAllocator() {
        GmmModel model = Fixtures.threeComponents2d();
        try (BufferAllocator child = allocator.newChildAllocator("input", 0, Long.MAX_VALUE);
             Tensor x = Fixtures.matrix(child, new double[][] {{0, 1}, {1, 0}});
             Tensor lp = model.logDensity(x); Tensor s = model.score(x)) {
            assertSame(child, lp.allocator());
            assertSame(child, s.allocator());
        }
    }

    @Test
    void emptyInputGivesEmptyOutput() {
        GmmModel model = Fixtures.threeComponents2d();
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT64, 0, 2);
             Tensor lp = model.logDensity(x); Tensor s = model.score(x)) {
            assertArrayEquals(new long[] {0}, lp.shape());
            assertArrayEquals(new long[] {0, 2}, s.shape());
        }
    }

    @Test
    void sampleMomentsMatchTheMixturesMeanAndCovariance() {
        GmmModel model = Fixtures.threeComponents2d();
        GmmParameters p = model.parameters();
        double[] mean = new double[2];
        double[][] second = new double[2][2];
        for (int j = 0; j < 3; j++) {
            double[] mu = p.mean(j);
            double[][] c = p.covariances()[j];
            for (int a = 0; a < 2; a++) {
                mean[a] += p.weight(j) * mu[a];
                for (int b = 0; b < 2; b++) {
                    second[a][b] += p.weight(j) * (c[a][b] + mu[a] * mu[b]);
                }
            }
        }
        int n = 200_000;
        try (Tensor s = model.sample(n, new Rng(42), allocator)) {
            assertEquals(DType.FLOAT64, s.dtype());
            assertArrayEquals(new long[] {n, 2}, s.shape());
            double[] v = s.toDoubleArray();
            for (int a = 0; a < 2; a++) {
                double m = 0;
                for (int i = 0; i < n; i++) {
                    m += v[2 * i + a];
                }
                m /= n;
                double var = second[a][a] - mean[a] * mean[a];
                assertEquals(mean[a], m, 5 * Math.sqrt(var / n), "mean of axis " + a);
            }
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b <= a; b++) {
                    double cov = second[a][b] - mean[a] * mean[b];
                    // The product's own spread sets the tolerance: 5 standard errors of its sample mean.
                    double sum = 0;
                    double sumSq = 0;
                    for (int i = 0; i < n; i++) {
                        double prod = (v[2 * i + a] - mean[a]) * (v[2 * i + b] - mean[b]);
                        sum += prod;
                        sumSq += prod * prod;
                    }
                    double est = sum / n;
                    double se = Math.sqrt((sumSq / n - est * est) / n);
                    assertEquals(cov, est, 5 * se, "covariance [" + a + "][" + b + "]");
                }
            }
        }
    }

    @Test
    void sameSeedSameSamples() {
        GmmModel model = Fixtures.threeComponents2d();
        try (Tensor a = model.sample(1000, new Rng(9), allocator);
             Tensor b = model.sample(1000, new Rng(9), allocator);
             Tensor c = model.sample(1000, new Rng(10), allocator)) {
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
            assertFalse(Arrays.equals(a.toDoubleArray(), c.toDoubleArray()));
        }
    }

    @Test
    void emNeverDecreasesTheLogLikelihood() {
        GmmModel truth = Fixtures.threeComponents2d();
        for (String init : List.of(GmmFamily.KMEANS_PLUS_PLUS, GmmFamily.RANDOM)) {
            GmmModel model = new GmmModel(new GmmFamily.Config(4, null, null, init, null), Fixtures.vectors(2));
            try (Tensor x = truth.sample(2000, new Rng(5), allocator)) {
                model.initialize(x, new Rng(6));
                double previous = Double.NEGATIVE_INFINITY;
                for (int it = 0; it < 60; it++) {
                    double ll = model.emStep(x);
                    assertTrue(ll >= previous - 1e-12 * Math.abs(previous),
                            init + ": iteration " + it + " decreased the mean log-likelihood " + previous + " -> " + ll);
                    previous = ll;
                }
                // EM's fixed point on 2000 draws must be about as likely as the truth (4 components can do a bit better).
                try (Tensor lpTruth = truth.logDensity(x)) {
                    double truthLl = Arrays.stream(lpTruth.toDoubleArray()).average().orElseThrow();
                    assertTrue(previous > truthLl - 0.02, init + ": fitted " + previous + " vs truth " + truthLl);
                }
            }
        }
    }

    @Test
    void kmeansPlusPlusInitFindsWellSeparatedClusters() {
        GmmModel truth = GmmModel.fromParameters(Fixtures.config(3), Fixtures.vectors(2),
                new double[] {0.25, 0.35, 0.4},
                new double[][] {{0, 0}, {12, 0}, {0, 12}},
                new double[][][] {{{1, 0}, {0, 1}}, {{1, 0.5}, {0.5, 1}}, {{0.5, 0}, {0, 2}}});
        GmmModel model = new GmmModel(Fixtures.config(3), Fixtures.vectors(2));
        try (Tensor x = truth.sample(3000, new Rng(1), allocator)) {
            model.initialize(x, new Rng(2));
        }
        GmmParameters p = model.parameters();
        Integer[] order = {0, 1, 2};
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> p.mean(j)[0] - p.mean(j)[1]));
        int[] truthOrder = {2, 0, 1};
        for (int c = 0; c < 3; c++) {
            int j = order[c];
            int t = truthOrder[c];
            // Standard errors are ~0.03 for means and ~0.04 for weights and covariances at ~1000 points per cluster.
            assertArrayEquals(truth.parameters().mean(t), p.mean(j), 0.15, "mean of cluster " + t);
            assertEquals(truth.parameters().weight(t), p.weight(j), 0.04, "weight of cluster " + t);
            double[][] ct = truth.parameters().covariances()[t];
            double[][] cj = p.covariances()[j];
            for (int a = 0; a < 2; a++) {
                assertArrayEquals(ct[a], cj[a], 0.25, "covariance row " + a + " of cluster " + t);
            }
        }
    }

    @Test
    void sameSeedSameInitialization() {
        GmmModel truth = Fixtures.threeComponents2d();
        for (String init : List.of(GmmFamily.KMEANS_PLUS_PLUS, GmmFamily.RANDOM)) {
            List<double[][]> means = new ArrayList<>();
            try (Tensor x = truth.sample(500, new Rng(5), allocator)) {
                for (long seed : new long[] {8, 8, 9}) {
                    GmmModel m = new GmmModel(new GmmFamily.Config(5, null, null, init, null), Fixtures.vectors(2));
                    m.initialize(x, new Rng(seed));
                    means.add(m.parameters().means());
                }
            }
            assertTrue(Arrays.deepEquals(means.get(0), means.get(1)), init + ": same seed, different initialization");
            assertFalse(Arrays.deepEquals(means.get(0), means.get(2)), init + ": seed has no effect");
        }
    }

    @Test
    void oneComponentEmStepGivesTheSampleMeanAndCovariance() {
        for (int d : new int[] {1, 3}) {
            Rng rng = new Rng(d);
            double[][] points = new double[500][d];
            for (double[] pt : points) {
                for (int a = 0; a < d; a++) {
                    pt[a] = (a + 1) * rng.nextGaussian() + a - 2 + (a > 0 ? 0.5 * pt[a - 1] : 0);
                }
            }
            double[] mean = new double[d];
            for (double[] pt : points) {
                for (int a = 0; a < d; a++) {
                    mean[a] += pt[a] / points.length;
                }
            }
            double[][] identity = new double[d][d];
            for (int a = 0; a < d; a++) {
                identity[a][a] = 1;
            }
            GmmModel model = GmmModel.fromParameters(Fixtures.config(1), Fixtures.vectors(d), new double[] {1},
                    new double[][] {new double[d]}, new double[][][] {identity});
            try (Tensor x = Fixtures.matrix(allocator, points)) {
                model.emStep(x);
            }
            GmmParameters p = model.parameters();
            assertArrayEquals(mean, p.mean(0), 1e-12, d + "-D mean");
            assertEquals(1.0, p.weight(0), 0.0);
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    double c = 0;
                    for (double[] pt : points) {
                        c += (pt[a] - mean[a]) * (pt[b] - mean[b]) / points.length;
                    }
                    double expected = c + (a == b ? 1e-6 : 0);
                    assertEquals(expected, p.covariances()[0][a][b], 1e-12 * Math.max(1, Math.abs(expected)),
                            d + "-D covariance [" + a + "][" + b + "]");
                }
            }
        }
    }

    @Test
    void regCovarKeepsAComponentOnRepeatedPointsAlive() {
        double[][] points = new double[10][];
        for (int i = 0; i < 10; i++) {
            points[i] = i < 5 ? new double[] {0, 0} : new double[] {10, 10};
        }
        double[] w = {0.5, 0.5};
        double[][] mu = {{0.5, 0.5}, {9, 9}};
        double[][][] cov = {{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}};
        try (Tensor x = Fixtures.matrix(allocator, points)) {
            GmmModel regularized = GmmModel.fromParameters(
                    new GmmFamily.Config(2, null, 1e-3, null, null), Fixtures.vectors(2), w, mu, cov);
            regularized.emStep(x);
            double[][][] c = regularized.parameters().covariances();
            // Responsibilities are ~1, so the empirical covariance is ~0 and the diagonal is regCovar itself.
            assertEquals(1e-3, c[0][0][0], 1e-9);
            assertEquals(1e-3, c[1][1][1], 1e-9);
            assertEquals(0.0, c[0][0][1], 1e-9);

            GmmModel bare = GmmModel.fromParameters(new GmmFamily.Config(2, null, 0.0, null, null),
                    Fixtures.vectors(2), w, mu, cov);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bare.emStep(x));
            assertTrue(e.getMessage().contains("regCovar"), e.getMessage());
        }
    }

    @Test
    void refusesToWorkWithoutParameters() {
        GmmModel model = new GmmModel(Fixtures.config(2), Fixtures.vectors(2));
        try (Tensor x = Fixtures.matrix(allocator, new double[][] {{0, 0}})) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.logDensity(x));
            assertTrue(e.getMessage().contains("no parameters"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> model.emStep(x));
            assertThrows(IllegalStateException.class, () -> model.sample(1, new Rng(1), allocator));
        }
    }

    @Test
    void refusesPointsOfTheWrongShape() {
        GmmModel model = Fixtures.threeComponents2d();
        try (Tensor x = Fixtures.matrix(allocator, new double[][] {{0, 0, 0}})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.logDensity(x));
            assertTrue(e.getMessage().contains("[n, 2]") && e.getMessage().contains("[1, 3]"), e.getMessage());
        }
    }

    @Test
    void initializationNeedsAtLeastOnePointPerComponent() {
        GmmModel model = new GmmModel(Fixtures.config(3), Fixtures.vectors(2));
        try (Tensor x = Fixtures.matrix(allocator, new double[][] {{0, 0}, {1, 1}})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.initialize(x, new Rng(1)));
            assertTrue(e.getMessage().contains("at least 3"), e.getMessage());
        }
    }
}
