package org.genbench.model.pixelcnn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Autoregressive;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PixelCnnModelTest {
    static final PixelCnnFamily.Config TINY = new PixelCnnFamily.Config(3, 2, 3, 5);

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static DataInfo levels(int levels, int h, int w) {
        return new DataInfo("test/levels", new long[] {1, h, w}, DataInfo.DISCRETE, 0, null, new Dequantization(levels, 0));
    }

    static DataInfo binary(int h, int w) {
        return new DataInfo("test/binary", new long[] {1, h, w}, DataInfo.BINARY, 0, null);
    }

    static void perturb(PixelCnnModel m, long seed, double scale) {
        Rng rng = new Rng(seed);
        m.network().parameters().values().forEach(p -> {
            for (int i = 0; i < p.size(); i++) {
                p.setFlat(i, p.getFlat(i) + scale * rng.nextGaussian());
            }
        });
    }

    /** n random images of levels 0..L-1, [n, D] float64. */
    static NdArray randomLevels(long seed, int n, int d, int levels) {
        Rng rng = new Rng(seed);
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextInt(levels);
        }
        return NdArray.wrap(v, n, d);
    }

    @Test
    void theWholeNegativeLogLikelihoodPassesAGradientCheck() {
        for (DataInfo data : List.of(levels(4, 5, 5), binary(5, 5))) {
            PixelCnnModel m = new PixelCnnModel(TINY, data, new Rng(1), org.genbench.nn.DType.F64);
            perturb(m, 2, 0.1);
            NdArray x = randomLevels(3, 3, 25, data.kind().equals(DataInfo.BINARY) ? 2 : 4);
            GradCheck.assertClose(GradCheck.check(m.network().parameters(), List.of(),
                    in -> F.mul(F.mean(m.logProb(x, null)), -1.0), 3, 1e-5, 4), 1e-6);
        }
    }

    /** Output (i, j) moves when an earlier pixel in raster order moves, and never for itself or a later one. */
    @Test
    void eachPixelsConditionalSeesOnlyThePixelsBeforeIt() {
        int h = 6;
        int w = 6;
        int d = h * w;
        PixelCnnModel m = new PixelCnnModel(new PixelCnnFamily.Config(4, 3, 5, 6), levels(4, h, w), new Rng(5),
                org.genbench.nn.DType.F64);
        perturb(m, 6, 0.2);
        double[] x = randomLevels(7, 1, d, 4).toDoubleArray();
        try (Scope s = Scope.open()) {
            double[] base = m.net().forward(F.reshape(NdArray.wrap(x.clone(), 1, d), 1, 1, h, w)).toDoubleArray();
            for (int q = 0; q < d; q++) {
                double[] moved = x.clone();
                moved[q] += 0.5;
                double[] out = m.net().forward(F.reshape(NdArray.wrap(moved, 1, d), 1, 1, h, w)).toDoubleArray();
                for (int p = 0; p < d; p++) {
                    boolean changed = false;
                    for (int c = 0; c < 4; c++) {
                        changed |= out[c * d + p] != base[c * d + p];
                    }
                    if (q >= p) {
                        assertTrue(!changed, "pixel " + p + " must not see pixel " + q);
                    } else if (q == p - 1 && p % w != 0) {
                        assertTrue(changed, "pixel " + p + " must see its left neighbour");
                    }
                }
            }
        }
    }

    /** The window the generation runs the network on gives exactly the full image's conditionals. */
    @Test
    void windowedConditionalsEqualTheFullNetworks() {
        int h = 12;
        int w = 10;
        int d = h * w;
        PixelCnnModel m = new PixelCnnModel(TINY, levels(6, h, w), new Rng(8), org.genbench.nn.DType.F64);
        perturb(m, 9, 0.2);
        int n = 2;
        NdArray x = randomLevels(10, n, d, 6);
        PixelCnnModel.PixelGeneration g = m.new PixelGeneration(n);
        System.arraycopy(x.toDoubleArray(), 0, g.canvas, 0, n * d);
        try (Scope s = Scope.open()) {
            double[] full = m.net().forward(F.add(F.mul(F.reshape(x, n, 1, h, w), 2.0 / 5), -1.0)).toDoubleArray();
            for (int p = 0; p < d; p++) {
                double[] c = g.conditionals(p / w, p % w);
                for (int r = 0; r < n; r++) {
                    for (int k = 0; k < 6; k++) {
                        assertEquals(full[(r * 6 + k) * d + p], c[r * 6 + k], 1e-12, "pixel " + p);
                    }
                }
            }
        }
    }

    /**
     * Regression: the likelihood evaluator hands a whole test set (2000 8-bit images) at once, and scoring it in the
     * default chunks of 2048 rows needed 1.6 GB for the 256-way logits alone (the benchmark ran out of heap). 8-bit
     * 28 x 28 images are scored 83 at a time, and chunked scoring equals scoring each image alone.
     */
    @Test
    void eightBitImagesAreScoredInChunksThatFitAndEqualOneAtATime() {
        PixelCnnModel m = new PixelCnnModel(new PixelCnnFamily.Config(2, 1, 3, 4), levels(256, 28, 28), new Rng(21),
                org.genbench.nn.DType.F32);
        assertEquals(83, m.scoreRows());
        assertEquals(2048, new PixelCnnModel(TINY, binary(5, 5), new Rng(1), org.genbench.nn.DType.F32).scoreRows());
        int n = 100;
        Rng rng = new Rng(22);
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 28, 28)) {
            for (long i = 0; i < (long) n * 784; i++) {
                x.setDouble(i, (rng.nextInt(256) + rng.nextDouble()) / 256);
            }
            double[] all = m.logDensities(x);
            for (int r : new int[] {0, 82, 83, 99}) {
                try (Tensor one = x.slice(r, 1)) {
                    assertEquals(m.logDensities(one)[0], all[r], 1e-2, "row " + r);
                }
            }
        }
    }

    /**
     * Every image of a 2 x 2 canvas: the probabilities sum to one, with dequantized inputs scored at their levels
     * (so that after the evaluator's -D ln L the number is log P), and 40000 generated images follow them.
     */
    @Test
    void probabilitiesOfEveryImageSumToOneAndGenerationFollowsThem() {
        for (DataInfo data : List.of(levels(3, 2, 2), binary(2, 2))) {
            int l = data.kind().equals(DataInfo.BINARY) ? 2 : 3;
            int states = l * l * l * l;
            PixelCnnModel m = new PixelCnnModel(TINY, data, new Rng(11), org.genbench.nn.DType.F32);
            perturb(m, 12, 0.5);
            double[] p = new double[states];
            try (Tensor all = Tensor.allocate(allocator, DType.FLOAT32, states, 1, 2, 2)) {
                for (int s = 0; s < states; s++) {
                    int v = s;
                    for (int q = 3; q >= 0; q--) {
                        double level = v % l;
                        v /= l;
                        // binary data is scored as it is, discrete data dequantized (the cell's middle here)
                        all.setDouble(4L * s + q, l == 2 ? level : (level + 0.5) / l);
                    }
                }
                double[] lp = m.logDensities(all);
                double sum = 0;
                for (int s = 0; s < states; s++) {
                    p[s] = Math.exp(lp[s] + (l == 2 ? 0 : -4 * Math.log(l)));
                    sum += p[s];
                }
                assertEquals(1.0, sum, 1e-5, data.name());
            }
            int n = 40000;
            double[] freq = new double[states];
            Rng rng = new Rng(13);
            try (Autoregressive.Generation g = m.generate(n, rng)) {
                while (g.drawn() < m.positions()) {
                    g.next(rng);
                }
                try (Tensor s = g.samples(allocator)) {
                    for (int r = 0; r < n; r++) {
                        int idx = 0;
                        for (int q = 0; q < 4; q++) {
                            idx = idx * l + (int) s.getDouble(4L * r + q);
                        }
                        freq[idx] += 1.0 / n;
                    }
                }
            }
            double tv = 0;
            for (int s = 0; s < states; s++) {
                tv += 0.5 * Math.abs(freq[s] - p[s]);
            }
            assertTrue(tv < (l == 2 ? 0.015 : 0.03), data.name() + ": total variation " + tv);
        }
    }

    @Test
    void refusesWhatItCannotModel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PixelCnnModel(TINY,
                new DataInfo("rgb", new long[] {3, 4, 4}, DataInfo.DISCRETE, 0, null), new Rng(1), org.genbench.nn.DType.F32));
        assertTrue(e.getMessage().contains("single-channel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PixelCnnModel(TINY,
                new DataInfo("c", new long[] {1, 4, 4}, DataInfo.CONTINUOUS, 0, null), new Rng(1), org.genbench.nn.DType.F32));
        assertTrue(e.getMessage().contains("continuous"), e.getMessage());
        assertNotEquals(null, e);
    }
}
