package org.genbench.model.rbm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBM's pieces against its joint energy written out independently (E(v, h) below), by enumeration and finite
 * differences: free energy, both fields, the visible energy, the energy gradient and the contrastive gradient.
 */
class RbmModelTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static RbmModel model(int d, int h, boolean gaussian, double sigma, long seed) {
        DataInfo info = new DataInfo("test", new long[] {d}, gaussian ? DataInfo.CONTINUOUS : DataInfo.BINARY, 0, null);
        RbmModel m = (RbmModel) new RbmFamily().create(new RbmFamily.Config(h, null, sigma, 0.8, null), info,
                new Rng(seed));
        Rng rng = new Rng(seed + 1);
        for (int i = 0; i < d; i++) {
            m.layer.b[i] = 0.5 * rng.nextGaussian();
        }
        for (int j = 0; j < h; j++) {
            m.layer.c[j] = 0.5 * rng.nextGaussian();
        }
        return m;
    }

    /** The joint energy, from the definitions in RbmLayer's documentation, element by element. */
    static double joint(RbmLayer l, double[] v, double[] h) {
        double e = 0;
        for (int i = 0; i < l.d; i++) {
            e += l.gaussian ? (v[i] - l.b[i]) * (v[i] - l.b[i]) / (2 * l.sigma * l.sigma) : -l.b[i] * v[i];
        }
        for (int j = 0; j < l.h; j++) {
            e -= l.c[j] * h[j];
            for (int i = 0; i < l.d; i++) {
                e -= v[i] / l.sigma * l.w[i * l.h + j] * h[j];
            }
        }
        return e;
    }

    static double[] bits(int s, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (s >> i) & 1;
        }
        return x;
    }

    /** -log sum_h exp(-E(v, h)) by enumerating h. */
    static double bruteFreeEnergy(RbmLayer l, double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        double[] t = new double[1 << l.h];
        for (int s = 0; s < t.length; s++) {
            t[s] = -joint(l, v, bits(s, l.h));
            max = Math.max(max, t[s]);
        }
        double sum = 0;
        for (double x : t) {
            sum += Math.exp(x - max);
        }
        return -(max + Math.log(sum));
    }

    private double[] states(RbmModel m, int n, Rng rng) {
        double[] v = new double[n * m.layer.d];
        for (int k = 0; k < v.length; k++) {
            v[k] = m.layer.gaussian ? 1.5 * rng.nextGaussian() : (rng.nextDouble() < 0.5 ? 1 : 0);
        }
        return v;
    }

    @Test
    void freeEnergyFieldsAndVisibleEnergyMatchTheJointEnergy() {
        for (boolean gaussian : new boolean[] {false, true}) {
            RbmModel m = model(5, 3, gaussian, 0.7, 11);
            RbmLayer l = m.layer;
            int n = 6;
            double[] v = states(m, n, new Rng(3));
            try (Tensor x = Tensor.ofDoubles(allocator, v, n, 5);
                 Tensor f = m.energy(x);
                 Tensor a = m.hiddenField(x);
                 Tensor u = m.visibleEnergy(x)) {
                for (int r = 0; r < n; r++) {
                    double[] row = java.util.Arrays.copyOfRange(v, r * 5, r * 5 + 5);
                    assertEquals(bruteFreeEnergy(l, row), f.getDouble(r), 1e-12, "F, gaussian=" + gaussian);
                    assertEquals(joint(l, row, new double[3]), u.getDouble(r), 1e-12, "U = E(v, 0)");
                    for (int j = 0; j < 3; j++) {
                        double[] on = new double[3];
                        on[j] = 1;
                        // a_j = E(v, 0) - E(v, e_j): the log-odds of h_j = 1
                        assertEquals(joint(l, row, new double[3]) - joint(l, row, on), a.getDouble(r * 3L + j), 1e-12);
                    }
                }
            }
            double[] hs = {1, 0, 1, 0, 1, 1};
            try (Tensor h = Tensor.ofDoubles(allocator, hs, 2, 3); Tensor g = m.visibleField(h)) {
                for (int r = 0; r < 2; r++) {
                    double[] hr = java.util.Arrays.copyOfRange(hs, r * 3, r * 3 + 3);
                    for (int i = 0; i < 5; i++) {
                        double expected;
                        if (gaussian) {
                            // E is quadratic in v_i with curvature 1 / sigma^2: mean = v_i - sigma^2 dE/dv_i, any v
                            double[] v0 = new double[5];
                            double[] v1 = new double[5];
                            v1[i] = 1;
                            double slope = joint(l, v1, hr) - joint(l, v0, hr) - 1 / (2 * l.sigma * l.sigma);
                            expected = -l.sigma * l.sigma * slope;
                        } else {
                            double[] v0 = new double[5];
                            double[] v1 = new double[5];
                            v1[i] = 1;
                            expected = joint(l, v0, hr) - joint(l, v1, hr);
                        }
                        assertEquals(expected, g.getDouble(r * 5L + i), 1e-12, "visible field, gaussian=" + gaussian);
                    }
                }
            }
        }
    }

    @Test
    void energyGradientMatchesFiniteDifferences() {
        for (boolean gaussian : new boolean[] {false, true}) {
            RbmModel m = model(4, 3, gaussian, 1.3, 5);
            double[] v = states(m, 3, new Rng(4));
            for (int k = 0; k < v.length; k++) {
                v[k] += 0.3; // inside the cube too: F is defined on real v for both kinds
            }
            try (Tensor x = Tensor.ofDoubles(allocator, v, 3, 4); Tensor g = m.energyGradient(x)) {
                for (int k = 0; k < v.length; k++) {
                    double eps = 1e-5;
                    double[] p = v.clone();
                    double[] q = v.clone();
                    p[k] += eps;
                    q[k] -= eps;
                    double fd = (bruteFreeEnergy(m.layer, row(p, k / 4, 4)) - bruteFreeEnergy(m.layer, row(q, k / 4, 4)))
                            / (2 * eps);
                    assertEquals(fd, g.getDouble(k), 1e-7);
                }
            }
        }
    }

    private static double[] row(double[] x, int r, int d) {
        return java.util.Arrays.copyOfRange(x, r * d, r * d + d);
    }

    /** mean F(pos) - mean F(neg) + wd/2 |W|^2 by brute force, as a function of the layer's current parameters. */
    private static double objective(RbmLayer l, double[] pos, int np, double[] neg, int nn, double wd) {
        double s = 0;
        for (int r = 0; r < np; r++) {
            s += bruteFreeEnergy(l, row(pos, r, l.d)) / np;
        }
        for (int r = 0; r < nn; r++) {
            s -= bruteFreeEnergy(l, row(neg, r, l.d)) / nn;
        }
        double w2 = 0;
        for (double x : l.w) {
            w2 += x * x;
        }
        return s + wd / 2 * w2;
    }

    @Test
    void contrastiveStepFollowsTheGradientOfTheFreeEnergyDifference() {
        for (boolean gaussian : new boolean[] {false, true}) {
            RbmModel m = model(4, 3, gaussian, 0.9, 21);
            RbmLayer l = m.layer;
            double[] pos = states(m, 5, new Rng(1));
            double[] neg = states(m, 3, new Rng(2));
            double wd = 0.01;
            double rate = 1e-3;
            double[][] params = {l.w, l.b, l.c};
            double[][] grad = new double[3][];
            for (int p = 0; p < 3; p++) {
                grad[p] = new double[params[p].length];
                for (int k = 0; k < params[p].length; k++) {
                    double keep = params[p][k];
                    params[p][k] = keep + 1e-6;
                    double up = objective(l, pos, 5, neg, 3, wd);
                    params[p][k] = keep - 1e-6;
                    double down = objective(l, pos, 5, neg, 3, wd);
                    params[p][k] = keep;
                    grad[p][k] = (up - down) / 2e-6;
                }
            }
            double[][] before = {l.w.clone(), l.b.clone(), l.c.clone()};
            double fp = 0;
            for (int r = 0; r < 5; r++) {
                fp += bruteFreeEnergy(l, row(pos, r, 4)) / 5;
            }
            Map<String, Double> out;
            try (Tensor p = Tensor.ofDoubles(allocator, pos, 5, 4); Tensor q = Tensor.ofDoubles(allocator, neg, 3, 4)) {
                out = m.contrastiveStep(p, q, new ContrastiveTrainable.Step(rate, 0.0, wd));
            }
            assertEquals(fp, out.get("energy_positive"), 1e-12);
            for (int p = 0; p < 3; p++) {
                for (int k = 0; k < params[p].length; k++) {
                    // theta' = theta - rate * g (no momentum yet); the decay applies to W only
                    double g = p == 0 ? grad[p][k] : grad[p][k];
                    assertEquals(before[p][k] - rate * g, params[p][k], 1e-9, "param group " + p + "[" + k + "], gaussian="
                            + gaussian);
                }
            }
            assertEquals(1, m.stepsTaken());
            // Momentum: the second step moves by momentum * (first move) - rate * g'.
            double[] moved = new double[l.w.length];
            for (int k = 0; k < moved.length; k++) {
                moved[k] = l.w[k] - before[0][k];
            }
            double[] w1 = l.w.clone();
            double[] g2 = new double[l.w.length];
            for (int k = 0; k < l.w.length; k++) {
                double keep = l.w[k];
                l.w[k] = keep + 1e-6;
                double up = objective(l, pos, 5, neg, 3, wd);
                l.w[k] = keep - 1e-6;
                double down = objective(l, pos, 5, neg, 3, wd);
                l.w[k] = keep;
                g2[k] = (up - down) / 2e-6;
            }
            try (Tensor p = Tensor.ofDoubles(allocator, pos, 5, 4); Tensor q = Tensor.ofDoubles(allocator, neg, 3, 4)) {
                m.contrastiveStep(p, q, new ContrastiveTrainable.Step(rate, 0.5, wd));
            }
            for (int k = 0; k < l.w.length; k++) {
                assertEquals(w1[k] + 0.5 * moved[k] - rate * g2[k], l.w[k], 1e-9);
            }
        }
    }

    @Test
    void samplesFollowTheConditionalsAndReplayFromTheDocumentedDrawOrder() {
        RbmModel m = model(6, 4, false, 1, 8);
        int n = 4000;
        double[] v = new double[n * 6];
        for (int r = 0; r < n; r++) {
            v[r * 6 + (r % 6)] = 1; // six distinct rows, repeated
        }
        try (Tensor x = Tensor.ofDoubles(allocator, v, n, 6);
             Tensor a = m.hiddenField(x);
             Tensor h = m.sampleHidden(x, new Rng(77))) {
            assertEquals(DType.FLOAT32, h.dtype());
            assertArrayEquals(new long[] {n, 4}, h.shape());
            double[] count = new double[24];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < 4; j++) {
                    count[(r % 6) * 4 + j] += h.getDouble(r * 4L + j) / (n / 6.0);
                }
            }
            for (int s = 0; s < 6; s++) {
                for (int j = 0; j < 4; j++) {
                    double p = RbmLayer.sigmoid(a.getDouble(s * 4L + j));
                    double se = Math.sqrt(p * (1 - p) / (n / 6.0));
                    assertEquals(p, count[s * 4 + j], 4 * se + 1e-9);
                }
            }
            // The draw order: one uniform per unit, rows in order, h = u < sigmoid(a).
            Rng replay = new Rng(77);
            for (long k = 0; k < h.size(); k++) {
                double expected = replay.nextDouble() < RbmLayer.sigmoid(a.getDouble(k)) ? 1 : 0;
                assertEquals(expected, h.getDouble(k));
            }
        }
        RbmModel g = model(3, 2, true, 0.5, 9);
        try (Tensor hidden = Tensor.ofDoubles(allocator, new double[] {1, 0}, 1, 2);
             Tensor field = g.visibleField(hidden);
             Tensor many = Tensor.ofDoubles(allocator, repeat(new double[] {1, 0}, 20000), 20000, 2);
             Tensor vs = g.sampleVisible(many, new Rng(5));
             Tensor variance = g.visibleVariance(allocator)) {
            assertEquals(0.25, variance.getDouble(0), 0);
            for (int i = 0; i < 3; i++) {
                double s = 0;
                double s2 = 0;
                for (int r = 0; r < 20000; r++) {
                    double x = vs.getDouble(r * 3L + i);
                    s += x;
                    s2 += x * x;
                }
                double mean = s / 20000;
                double var = s2 / 20000 - mean * mean;
                assertEquals(field.getDouble(i), mean, 4 * 0.5 / Math.sqrt(20000));
                assertEquals(0.25, var, 0.02);
            }
        }
    }

    private static double[] repeat(double[] row, int n) {
        double[] out = new double[row.length * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(row, 0, out, r * row.length, row.length);
        }
        return out;
    }

    @Test
    void bernoulliUnitsHaveNoVarianceAndBadShapesAreRefused() {
        RbmModel m = model(4, 2, false, 1, 1);
        assertEquals(BlockGibbs.Units.BERNOULLI, m.visibleUnits());
        assertThrows(UnsupportedOperationException.class, () -> m.visibleVariance(allocator));
        try (Tensor wrong = Tensor.allocate(allocator, DType.FLOAT32, 2, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.energy(wrong));
            assertEquals("x must have 4 values per row, got [2, 5]", e.getMessage());
        }
        DataInfo bytes = new DataInfo("bytes", new long[] {4}, DataInfo.DISCRETE, 0, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RbmFamily().create(RbmFamily.Config.defaults(), bytes, new Rng(1)));
        assertTrue(e.getMessage().contains("is discrete: binarize it"), e.getMessage());
        assertEquals("hidden must be in 1..100000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new RbmFamily.Config(0, null, null, null, null)).getMessage());
        assertEquals("visible must be one of [auto, bernoulli, gaussian], was 'binary'",
                assertThrows(IllegalArgumentException.class,
                        () -> new RbmFamily.Config(null, "binary", null, null, null)).getMessage());
        assertEquals("sigma must be finite and > 0, was 0.0", assertThrows(IllegalArgumentException.class,
                () -> new RbmFamily.Config(null, null, 0.0, null, null)).getMessage());
    }

    @Test
    void checkpointsComeBackBitForBitAndRefuseOtherSettings(@TempDir Path dir) throws IOException {
        RbmModel m = model(5, 3, true, 0.7, 2);
        try (Tensor p = Tensor.ofDoubles(allocator, states(m, 4, new Rng(1)), 4, 5);
             Tensor q = Tensor.ofDoubles(allocator, states(m, 4, new Rng(2)), 4, 5)) {
            m.contrastiveStep(p, q, new ContrastiveTrainable.Step(0.01, 0.9, 1e-3));
            m.contrastiveStep(p, q, new ContrastiveTrainable.Step(0.01, 0.9, 1e-3));
        }
        m.save(dir.resolve("a"));
        RbmModel other = model(5, 3, true, 0.7, 99);
        other.load(dir.resolve("a"));
        assertArrayEquals(m.layer.w, other.layer.w);
        assertArrayEquals(m.layer.b, other.layer.b);
        assertArrayEquals(m.layer.c, other.layer.c);
        for (String k : m.layer.weightOptimizer().state().keySet()) {
            assertArrayEquals(m.layer.weightOptimizer().state().get(k).toDoubleArray(),
                    other.layer.weightOptimizer().state().get(k).toDoubleArray(), k);
        }
        for (String k : m.layer.biasOptimizer().state().keySet()) {
            assertArrayEquals(m.layer.biasOptimizer().state().get(k).toDoubleArray(),
                    other.layer.biasOptimizer().state().get(k).toDoubleArray(), k);
        }
        assertEquals(0.9, other.layer.momentum());
        assertEquals(2, other.layer.weightOptimizer().steps());
        assertArrayEquals(m.layer.dataMean, other.layer.dataMean);
        assertEquals(2, other.stepsTaken());

        RbmModel wider = model(5, 4, true, 0.7, 2);
        IOException e = assertThrows(IOException.class, () -> wider.load(dir.resolve("a")));
        assertTrue(e.getMessage().contains("settings"), e.getMessage());
        Path bin = dir.resolve("a").resolve(Checkpoint.FILE);
        byte[] all = Files.readAllBytes(bin);
        Files.write(bin, java.util.Arrays.copyOf(all, all.length - 8));
        double[] keep = other.layer.w.clone();
        e = assertThrows(IOException.class, () -> other.load(dir.resolve("a")));
        assertArrayEquals(keep, other.layer.w, "a failed load leaves the model as it was: " + e.getMessage());
        Files.delete(bin);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> other.load(dir.resolve("a")));
    }
}
