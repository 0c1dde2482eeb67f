package org.genbench.model.diffusion.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Ddim;
import org.genbench.diffusion.Ddpm;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Observer;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DdpmModelTest {
    /**
     * Energy distance to 800 exact draws of the four-Gaussian toy: two exact sets are 0.04-0.07 apart, a set with the
     * mixture's weights made uniform 0.13, one that misses two modes 0.73. The bar for a model trained for a few
     * seconds (the benchmark holds longer-trained models to a tighter one):
     */
    static final double THRESHOLD = 0.18;

    BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    static DdpmFamily.Config toyConfig(boolean conditional, int timesteps, double ema) {
        return new DdpmFamily.Config(null, 64, 3, 32, null, null, null, null, timesteps, null, conditional, 0.5, ema, null,
                null, null, 20, null);
    }

    static double[] sample(DdpmModel m, int n, int[] labels, double guidance, boolean ddim, int steps, BufferAllocator a,
                           long seed) {
        Denoiser net = Denoiser.of(m, new long[] {2}, 1024, guidance, a);
        float[] y = ddim
                ? Ddim.sample(net, m.alphaBars(), n, labels, new Ddim.Settings(steps, 0, true), null, new Rng(seed), Observer.none())
                : Ddpm.sample(net, m.alphaBars(), n, labels, new Ddpm.Settings(steps, Ddpm.SMALL, true), null, new Rng(seed),
                        Observer.none());
        return Toy.doubles(y);
    }

    @Test
    void theWholeLossPassesAGradientCheck() {
        DataInfo images = new DataInfo("tiny-images", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 3, null);
        DdpmModel unet = DdpmFamily.create(new DdpmFamily.Config(null, null, null, null, 4, new int[] {1, 2}, 1, null, 50,
                "cosine", true, 0.3, 0.9, null, null, null, null, null), images, new Rng(1), org.genbench.nn.DType.F64);
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 3, 1, 8, 8);
        Rng r = new Rng(2);
        for (int i = 0; i < 192; i++) {
            x.setDouble(i, r.nextDouble());
        }
        Tensor labels = Tensor.allocate(allocator, DType.INT32, 3);
        labels.setDouble(1, 2);
        try (Batch b = Batch.of(x, labels)) {
            GradCheck.assertClose(GradCheck.check(unet.trained.module().parameters(), List.of(),
                    in -> unet.loss(b, new Rng(3)), 2, 1e-5, 4), 1e-6);
        }
        DdpmModel mlp = DdpmFamily.create(toyConfig(true, 30, 0.9), Toy.INFO, new Rng(4), org.genbench.nn.DType.F64);
        try (Batch b = Toy.batch(Toy.draw(5, new Rng(5)), allocator)) {
            GradCheck.assertClose(GradCheck.check(mlp.trained.module().parameters(), List.of(),
                    in -> mlp.loss(b, new Rng(6)), 3, 1e-5, 8), 1e-6);
        }
    }

    /**
     * A conditional DDPM (T = 100, the class dropped half the time) on the four-Gaussian toy, 1200 steps: its
     * unconditional samples (no class) match the mixture, by ancestral sampling and DDIM; its class-conditional samples fall in their own component, more so
     * with guidance; and its bound on the density lies below the exact log-density and well above the untrained model's.
     */
    @Test
    void aConditionalModelLearnsTheMixtureAndItsClasses() {
        DdpmModel m = DdpmFamily.create(toyConfig(true, 100, 0.99), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        double[] exact = Toy.draw(800, new Rng(100))[0];
        int[] none = DdpmModel.filled(800, -1);
        double before = Toy.energyDistance(sample(m, 800, none, 0, false, 100, allocator, 7), exact);
        Tensor fresh = toTensor(Toy.draw(2000, new Rng(200))[0]);
        double boundBefore = mean(m.logDensityBound(fresh, new Rng(8)));

        List<Double> losses = Fit.toy(m, 1200, 128, 3e-3, 11, allocator);
        assertTrue(Fit.mean(losses, 1100, 1200) < 0.5 * Fit.mean(losses, 0, 20), "loss " + losses.get(0) + " -> " + losses.get(1199));
        assertEquals(1200, m.stepsTaken());

        double ddpm = Toy.energyDistance(sample(m, 800, none, 0, false, 100, allocator, 7), exact);
        double ddim = Toy.energyDistance(sample(m, 800, none, 0, true, 50, allocator, 7), exact);
        assertTrue(before > 5 * THRESHOLD, "untrained: " + before);
        assertTrue(ddpm < THRESHOLD, "DDPM samples: energy distance " + ddpm);
        assertTrue(ddim < THRESHOLD, "DDIM (50 steps) samples: energy distance " + ddim);

        for (int c = 0; c < 4; c++) {
            int[] labels = DdpmModel.filled(200, c);
            double plain = fractionNearest(sample(m, 200, labels, 0, true, 25, allocator, 20 + c), c);
            double guided = fractionNearest(sample(m, 200, labels, 2, true, 25, allocator, 20 + c), c);
            assertTrue(plain > 0.8, "class " + c + ": " + plain + " of its samples nearest its mean");
            assertTrue(guided >= plain - 0.02 && guided > 0.9, "class " + c + " with guidance 2: " + guided);
        }
        try (Tensor labels = Tensor.allocate(allocator, DType.INT32, 4)) {
            for (int i = 0; i < 4; i++) {
                labels.setDouble(i, i);
            }
            try (Tensor own = ((Conditional) m).sample(labels, new Rng(3), allocator)) {
                assertArrayEquals(new long[] {4, 2}, own.shape());
            }
        }

        double exactLl = 0;
        double[] f = fresh.toDoubleArray();
        for (int i = 0; i < 2000; i++) {
            exactLl += Toy.logDensity(f[2 * i], f[2 * i + 1]) / 2000;
        }
        double[] bound = meanSe(m.logDensityBound(fresh, new Rng(8)));
        assertTrue(bound[0] + 4 * bound[1] < exactLl, "bound " + bound[0] + " +- " + bound[1] + ", exact " + exactLl);
        assertTrue(bound[0] > boundBefore + 1, "bound " + bound[0] + " after, " + boundBefore + " before training");
        // T = 100 and 1200 steps leave a gap of about 3 nats (1.4 per dimension); a wrong bound would be far off
        assertTrue(bound[0] > exactLl - 4, "bound " + bound[0] + " vs exact " + exactLl);
        fresh.close();
    }

    static double fractionNearest(double[] x, int c) {
        int hit = 0;
        int n = x.length / 2;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bd = Double.MAX_VALUE;
            for (int k = 0; k < 4; k++) {
                double dx = x[2 * i] - Toy.MEANS[k][0];
                double dy = x[2 * i + 1] - Toy.MEANS[k][1];
                if (dx * dx + dy * dy < bd) {
                    bd = dx * dx + dy * dy;
                    best = k;
                }
            }
            hit += best == c ? 1 : 0;
        }
        return (double) hit / n;
    }

    Tensor toTensor(double[] xy) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, xy.length / 2, 2);
        for (int i = 0; i < xy.length; i++) {
            t.setDouble(i, xy[i]);
        }
        return t;
    }

    static double mean(Tensor t) {
        try (t) {
            double[] v = t.toDoubleArray();
            return java.util.Arrays.stream(v).average().orElseThrow();
        }
    }

    static double[] meanSe(Tensor t) {
        try (t) {
            double[] v = t.toDoubleArray();
            double m = java.util.Arrays.stream(v).average().orElseThrow();
            double var = java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
            return new double[] {m, Math.sqrt(var / v.length)};
        }
    }

    /** Saved after 3 steps and loaded into a fresh model, training continues as if never stopped (EMA included). */
    @Test
    void aCheckpointResumesExactly(@TempDir Path dir) throws IOException {
        DdpmFamily.Config c = toyConfig(false, 50, 0.9);
        DdpmModel a = DdpmFamily.create(c, Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        Fit.toy(a, 3, 16, 1e-2, 5, allocator);
        a.save(dir);
        List<Double> rest = Fit.toy(a, 3, 16, 1e-2, 6, allocator);
        DdpmModel b = DdpmFamily.create(c, Toy.INFO, new Rng(99), org.genbench.nn.DType.F32);
        b.load(dir);
        assertEquals(3, b.stepsTaken());
        assertEquals(rest, Fit.toy(b, 3, 16, 1e-2, 6, allocator));
        try (Tensor x = toTensor(new double[] {0.5, -1, 2, 0.25}); Tensor t = Tensor.allocate(allocator, DType.INT32, 2)) {
            t.setDouble(0, 7);
            t.setDouble(1, 40);
            try (Tensor ea = a.predictNoise(x, t, null); Tensor eb = b.predictNoise(x, t, null)) {
                assertArrayEquals(ea.toDoubleArray(), eb.toDoubleArray());
            }
        }
        DdpmModel other = DdpmFamily.create(toyConfig(false, 60, 0.9), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        IOException e = assertThrows(IOException.class, () -> other.load(dir));
        assertTrue(e.getMessage().contains("configuration"), e.getMessage());
    }

    /**
     * A few steps of a tiny U-Net on 8x8 images of two kinds: the loss falls, samples are images in [0, 1], and the bound
     * on 8-bit values treats k / 255 and dequantized (k + u) / 256 alike.
     */
    @Test
    void aTinyUNetOnImages() {
        DataInfo info = new DataInfo("squares", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 0, null);
        DdpmModel m = DdpmFamily.create(new DdpmFamily.Config(null, null, null, null, 8, new int[] {1, 2}, 1, null, 100,
                null, null, null, 0.9, 10, null, null, null, null), info, new Rng(1), org.genbench.nn.DType.F32);
        Rng data = new Rng(2);
        org.genbench.api.GradientTrainable.Step step = new org.genbench.api.GradientTrainable.Step(
                new org.genbench.api.AdamSettings(3e-3, 0.9, 0.999, 1e-8), 1);
        double first = 0;
        double last = 0;
        for (int s = 0; s < 60; s++) {
            try (Batch b = Batch.of(squares(16, data.split(s)))) {
                double l = m.trainStep(b, step, new Rng(3).split(s)).get("loss");
                first += s < 5 ? l / 5 : 0;
                last += s >= 55 ? l / 5 : 0;
            }
        }
        assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
        Denoiser net = Denoiser.of(m, info.sampleShape(), 64, 0, allocator);
        float[] y = Ddim.sample(net, m.alphaBars(), 4, null, new Ddim.Settings(5, 0, true), null, new Rng(4), Observer.none());
        try (Tensor x = org.genbench.diffusion.Samples.toData(y, 4, info.sampleShape(), m.scaling(), allocator)) {
            assertArrayEquals(new long[] {4, 1, 8, 8}, x.shape());
            for (double v : x.toDoubleArray()) {
                assertTrue(v >= 0 && v <= 1, "pixel " + v);
            }
        }
        try (Tensor k255 = squares(8, new Rng(5)); Tensor deq = Tensor.allocate(allocator, DType.FLOAT32, 8, 1, 8, 8)) {
            Rng u = new Rng(6);
            for (int i = 0; i < 512; i++) {
                double k = Math.round(k255.getDouble(i) * 255);
                deq.setDouble(i, (k + u.nextDouble()) / 256);
            }
            assertArrayEquals(m.toBoundSpace(k255), m.toBoundSpace(deq));
            double[] a;
            try (Tensor b = m.logDensityBound(k255, new Rng(7))) {
                a = b.toDoubleArray();
            }
            double bpd = -java.util.Arrays.stream(a).average().orElseThrow() / (64 * Math.log(2)) + 8;
            assertTrue(bpd > 0 && bpd < 9, "bits per dimension of the 8-bit values: " + bpd);
        }
    }

    /** 8x8 images: a bright 4x4 square at the top left or the bottom right, intensities k / 255. */
    Tensor squares(int n, Rng rng) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 8, 8);
        for (int i = 0; i < n; i++) {
            int o = rng.nextInt(2) * 4;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean in = y >= o && y < o + 4 && x >= o && x < o + 4;
                    int k = in ? 200 + rng.nextInt(56) : rng.nextInt(30);
                    t.setDouble(i * 64L + y * 8 + x, k / 255.0);
                }
            }
        }
        return t;
    }

    @Test
    void refusesWhatItCannotDo() {
        DdpmModel plain = DdpmFamily.create(toyConfig(false, 20, 0.9), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        try (Tensor x = toTensor(new double[] {0, 0}); Tensor t = Tensor.allocate(allocator, DType.INT32, 1);
             Tensor lab = Tensor.allocate(allocator, DType.INT32, 1)) {
            t.setDouble(0, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain.predictNoise(x, t, lab));
            assertTrue(e.getMessage().contains("not conditional"), e.getMessage());
            t.setDouble(0, 21);
            e = assertThrows(IllegalArgumentException.class, () -> plain.predictNoise(x, t, null));
            assertTrue(e.getMessage().contains("1..20"), e.getMessage());
            t.setDouble(0, 3);
            DdpmModel noDrop = DdpmFamily.create(new DdpmFamily.Config(null, 8, 1, 8, null, null, null, null, 20, null, true,
                    0.0, null, null, null, null, null, null), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
            lab.setDouble(0, -1);
            e = assertThrows(IllegalArgumentException.class, () -> noDrop.predictNoise(x, t, lab));
            assertTrue(e.getMessage().contains("conditionDropout 0"), e.getMessage());
        }
        DataInfo binary = new DataInfo("bits", new long[] {1, 4, 4}, DataInfo.BINARY, 0, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DdpmFamily().create(DdpmFamily.Config.defaults(), binary, new Rng(1)));
        assertTrue(e.getMessage().contains("binary"), e.getMessage());
        DataInfo image = new DataInfo("img", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 0, null);
        e = assertThrows(IllegalArgumentException.class, () -> new DdpmFamily().create(new DdpmFamily.Config("mlp", null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null), image, new Rng(1)));
        assertTrue(e.getMessage().contains("'unet' for images"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DdpmFamily.Config(null, null, null, null, null, null, null,
                null, 100, "quadratic", null, null, null, null, null, null, null, null));
        assertTrue(e.getMessage().contains("'linear' or 'cosine'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DdpmFamily.Config(null, null, null, null, null, null, null,
                null, 100, null, null, null, null, 100, null, null, null, null));
        assertTrue(e.getMessage().contains("boundTerms must be between 1 and 99"), e.getMessage());
        assertFalse(plain instanceof Conditional);
        assertTrue(new DdpmFamily().create(new DdpmFamily.Config(null, 8, 1, 8, null, null, null, null, 20, null, true, null, null,
                null, null, null, null, null), Toy.INFO, new Rng(1)) instanceof Conditional);
        assertEquals(Map.of(), Map.of());
    }
}
