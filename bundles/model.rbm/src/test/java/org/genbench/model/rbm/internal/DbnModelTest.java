package org.genbench.model.rbm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DBN small enough to enumerate (4 visible, 3 and 2 hidden): its exact log p(v) and its exact variational bound by
 * summing over every hidden state, against the model's Monte Carlo bound, its samples and its layer views.
 */
class DbnModelTest {
    private static final int D = 4;
    private static final int H1 = 3;
    private static final int H2 = 2;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private static DbnModel dbn(int samples, long seed) {
        DataInfo info = new DataInfo("test", new long[] {D}, DataInfo.BINARY, 0, null);
        DbnFamily.Config c = new DbnFamily.Config(List.of(H1, H2), null, null, 1.0, null, 200, "sample", samples, 200,
                2000, null);
        DbnModel m = (DbnModel) new DbnFamily().create(c, info, new Rng(seed));
        Rng rng = new Rng(seed + 7);
        for (int l = 0; l < 2; l++) {
            RbmLayer layer = ((RbmModel) m.layer(l)).layer;
            for (int i = 0; i < layer.d; i++) {
                layer.b[i] = 0.7 * rng.nextGaussian();
            }
            for (int j = 0; j < layer.h; j++) {
                layer.c[j] = 0.7 * rng.nextGaussian();
            }
        }
        return m;
    }

    private static RbmLayer layer(DbnModel m, int l) {
        return ((RbmModel) m.layer(l)).layer;
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    /** log p(v | h) of a Bernoulli layer, by its visible field. */
    private static double logVisibleGivenHidden(RbmLayer l, double[] v, double[] h) {
        double[] g = new double[l.d];
        l.visibleField(h, 1, g);
        double s = 0;
        for (int i = 0; i < l.d; i++) {
            s += v[i] * g[i] - RbmLayer.softplus(g[i]);
        }
        return s;
    }

    private static double logTopZ(RbmLayer top) {
        double[] t = new double[1 << top.d];
        for (int s = 0; s < t.length; s++) {
            t[s] = -RbmModelTest.bruteFreeEnergy(top, RbmModelTest.bits(s, top.d));
        }
        return logSumExp(t);
    }

    /** log p(v) = log sum_h1 p(v | h1) p_top(h1). */
    private static double exactLogP(DbnModel m, double[] v) {
        RbmLayer l0 = layer(m, 0);
        RbmLayer top = layer(m, 1);
        double logZ = logTopZ(top);
        double[] t = new double[1 << H1];
        for (int s = 0; s < t.length; s++) {
            double[] h1 = RbmModelTest.bits(s, H1);
            t[s] = logVisibleGivenHidden(l0, v, h1) - RbmModelTest.bruteFreeEnergy(top, h1) - logZ;
        }
        return logSumExp(t);
    }

    /** The bound itself: sum_h1 Q(h1 | v) [log p(v | h1) + log p_top(h1) - log Q(h1 | v)]. */
    private static double exactBound(DbnModel m, double[] v) {
        RbmLayer l0 = layer(m, 0);
        RbmLayer top = layer(m, 1);
        double logZ = logTopZ(top);
        double[] a = new double[H1];
        l0.hiddenField(v, 1, a);
        double bound = 0;
        for (int s = 0; s < 1 << H1; s++) {
            double[] h1 = RbmModelTest.bits(s, H1);
            double logQ = 0;
            for (int j = 0; j < H1; j++) {
                logQ += h1[j] * a[j] - RbmLayer.softplus(a[j]);
            }
            bound += Math.exp(logQ) * (logVisibleGivenHidden(l0, v, h1) - RbmModelTest.bruteFreeEnergy(top, h1) - logZ
                    - logQ);
        }
        return bound;
    }

    @Test
    void theBoundIsBelowTheExactLogLikelihoodAndTheEstimateFindsIt() {
        DbnModel m = dbn(1, 3);
        int reps = 4000;
        double[] rows = new double[reps * D];
        double[] v = {1, 0, 1, 1};
        for (int r = 0; r < reps; r++) {
            System.arraycopy(v, 0, rows, r * D, D);
        }
        double exact = exactLogP(m, v);
        double bound = exactBound(m, v);
        assertTrue(bound < exact, "bound " + bound + " below log p " + exact);
        try (Tensor x = Tensor.ofDoubles(allocator, rows, reps, D); Tensor b = m.logDensityBound(x, new Rng(5))) {
            double s = 0;
            double s2 = 0;
            for (int r = 0; r < reps; r++) {
                s += b.getDouble(r);
                s2 += b.getDouble(r) * b.getDouble(r);
            }
            double mean = s / reps;
            double se = Math.sqrt((s2 / reps - mean * mean) / reps);
            double logZSe = m.topLogZ(new Rng(5).split("ais"), allocator).logZSe();
            assertEquals(bound, mean, 4 * se + 3 * logZSe);
            assertEquals(logTopZ(layer(m, 1)), m.topLogZ(new Rng(5).split("ais"), allocator).logZ(), 3 * logZSe + 1e-9);
        }
        assertTrue(m.boundName().startsWith("dbn-vlb (top-layer log Z by AIS"), m.boundName());
        assertTrue(m.boundProtocol().containsKey("top_log_z_se"));
    }

    @Test
    void importanceWeightsTightenTheBoundTowardTheLogLikelihood() {
        DbnModel m = dbn(50, 4);
        double[] v = {0, 1, 1, 0};
        double exact = exactLogP(m, v);
        double bound = exactBound(m, v);
        int reps = 8000;
        double[] rows = new double[reps * D];
        for (int r = 0; r < reps; r++) {
            System.arraycopy(v, 0, rows, r * D, D);
        }
        try (Tensor x = Tensor.ofDoubles(allocator, rows, reps, D); Tensor b = m.logDensityBound(x, new Rng(6))) {
            double[] iw = b.toDoubleArray();
            double mean = java.util.Arrays.stream(iw).average().orElseThrow();
            double sd = Math.sqrt(java.util.Arrays.stream(iw).map(z -> (z - mean) * (z - mean)).sum() / (reps - 1));
            double logZSe = m.topLogZ(new Rng(6).split("ais"), allocator).logZSe();
            // E[k=50 bound] lies between the k=1 bound and log p(v), and most of the gap is closed.
            assertTrue(mean > bound + 0.5 * (exact - bound), "k=50 bound " + mean + " vs k=1 " + bound + ", log p " + exact);
            assertTrue(mean < exact + 3 * sd / Math.sqrt(reps) + 3 * logZSe, mean + " above log p " + exact);
            // The weights' mean is unbiased for p(v): over all 20000 draws it recovers log p(v).
            double max = java.util.Arrays.stream(iw).max().orElseThrow();
            double pooled = max + Math.log(java.util.Arrays.stream(iw).map(z -> Math.exp(z - max)).sum() / reps);
            assertEquals(exact, pooled, 0.05 + 3 * logZSe);
        }
    }

    @Test
    void samplesFollowTheExactMarginalOfTheNet() {
        DbnModel m = dbn(1, 5);
        int n = 20000;
        double[] exact = new double[1 << D];
        for (int s = 0; s < exact.length; s++) {
            exact[s] = Math.exp(exactLogP(m, RbmModelTest.bits(s, D)));
        }
        double total = java.util.Arrays.stream(exact).sum();
        assertEquals(1.0, total, 1e-9, "the enumeration is normalized");
        double[] freq = new double[1 << D];
        try (Tensor x = m.sample(n, new Rng(9), allocator)) {
            assertArrayEquals(new long[] {n, D}, x.shape());
            for (int r = 0; r < n; r++) {
                int s = 0;
                for (int i = 0; i < D; i++) {
                    s |= (x.getDouble(r * (long) D + i) > 0.5 ? 1 : 0) << i;
                }
                freq[s] += 1.0 / n;
            }
        }
        double tv = 0;
        for (int s = 0; s < freq.length; s++) {
            tv += 0.5 * Math.abs(freq[s] - exact[s]);
        }
        // 16 cells and 20000 independent chains: sampling noise alone gives a total variation near 0.01.
        assertTrue(tv < 0.025, "total variation " + tv + " between samples and the exact marginal");
    }

    @Test
    void layersAreLiveViewsAndPropagateUpSamplesTheRecognitionPass() {
        DbnModel m = dbn(1, 6);
        assertEquals(2, m.layerCount());
        RbmModel top = (RbmModel) m.layer(1);
        assertSame(top, m.layer(1));
        assertEquals(BlockGibbs.Units.BERNOULLI, top.visibleUnits());
        assertArrayEquals(new long[] {H1}, top.data().sampleShape());
        assertEquals(DataInfo.BINARY, top.data().kind());
        double key = m.topLogZ(new Rng(1), allocator).logZ();
        try (Tensor p = Tensor.ofDoubles(allocator, new double[] {1, 0, 1}, 1, H1);
             Tensor q = Tensor.ofDoubles(allocator, new double[] {0, 1, 1}, 1, H1)) {
            top.contrastiveStep(p, q, new ContrastiveTrainable.Step(0.5, 0, 0));
        }
        assertTrue(key != m.topLogZ(new Rng(1), allocator).logZ(), "training a layer view changes the net's top log Z");
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {1, 0, 1, 1, 0, 0, 1, 0}, 2, D);
             Tensor h1 = m.propagateUp(1, x, new Rng(2));
             Tensor same = m.propagateUp(0, x, new Rng(2))) {
            assertArrayEquals(new long[] {2, H1}, h1.shape());
            Rng replay = new Rng(2);
            double[] a = new double[2 * H1];
            layer(m, 0).hiddenField(x.toDoubleArray(), 2, a);
            for (int k = 0; k < a.length; k++) {
                assertEquals(replay.nextDouble() < RbmLayer.sigmoid(a[k]) ? 1.0 : 0.0, h1.getDouble(k));
            }
            assertArrayEquals(x.toDoubleArray(), same.toDoubleArray());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> m.layer(2));
    }

    @Test
    void aCheckpointRestoresEveryLayer(@TempDir Path dir) throws IOException {
        DbnModel m = dbn(1, 7);
        m.save(dir);
        DbnModel other = dbn(1, 8);
        other.load(dir);
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(layer(m, l).w, layer(other, l).w);
            assertArrayEquals(layer(m, l).c, layer(other, l).c);
        }
        DataInfo info = new DataInfo("test", new long[] {D}, DataInfo.BINARY, 0, null);
        DbnModel deeper = (DbnModel) new DbnFamily().create(new DbnFamily.Config(List.of(H1, H2, 2), null, null, null,
                null, null, null, null, null, null, null), info, new Rng(1));
        IOException e = assertThrows(IOException.class, () -> deeper.load(dir));
        assertTrue(e.getMessage().contains("settings"), e.getMessage());
        assertEquals("hidden[1] must be in 1..100000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new DbnFamily.Config(List.of(3, 0), null, null, null, null, null, null, null, null, null, null))
                .getMessage());
    }
}
